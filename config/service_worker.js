// XaDesk's service worker, served at /sw.js by config/pwa.py, which puts
// self.XADESK = {version, shell, static, texts, offline, language, outboxUrl}
// on the line above.
//
// - The app shell (CSS, JS, an icon, the offline page) is fetched at install.
// - /static/: cache first. In production the names carry a hash of the content
//   (ManifestStaticFilesStorage), so a cached file is never stale; while
//   developing the names are plain, and any changed file changes the version
//   above, which drops the old caches.
// - /texts/<lang>/<version>.js (the forms' texts, config/pwa.py): cache first
//   too, their URL names their content.
// - Pages: network first; an answer the server marked X-XaDesk-Offline is kept
//   in the cache of that person, and shown with no signal. When the person
//   changes (log out, another person logs in on a shared phone), every page
//   kept for the previous one is deleted before anything else is kept.
// - Everything else (the API, the console, photos, sockets) goes to the
//   network untouched and is never cached.
// - The outbox (static/js/offline.js, imported below) is sent from here too,
//   on Background Sync, so a report goes out even when no page is open.
"use strict";
var CFG = self.XADESK;
var SHELL = "xadesk-shell-" + CFG.version;
var STATIC = "xadesk-static-" + CFG.version;
var PAGES = "xadesk-pages-";   // + person key
var META = "xadesk-meta";      // which person the kept pages belong to
var OUTBOX_SCRIPT = CFG.shell.filter(function (u) { return /\/js\/offline(\.[0-9a-f]+)?\.js$/.test(u); })[0];
if (OUTBOX_SCRIPT) { importScripts(OUTBOX_SCRIPT); }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    // credentials "omit": the shell is the same for everyone; the offline
    // page must hold no person's data since it is shown to whoever opens it.
    return cache.addAll(CFG.shell.map(function (url) { return new Request(url, { credentials: "omit" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // Old versions' shell and static caches go; kept pages stay (they are
  // replaced as they are visited), and so does the meta cache.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return (name.indexOf("xadesk-shell-") === 0 && name !== SHELL) ||
        (name.indexOf("xadesk-static-") === 0 && name !== STATIC);
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// --- The language the person chose ---------------------------------------------
// The offline page is kept once per language (config/pwa.py); the pages say
// which one the person reads, since the worker's own requests carry no cookie.
function chosenLanguage() {
  return caches.open(META).then(function (c) { return c.match("/__language"); })
    .then(function (r) { return r ? r.text() : CFG.language; });
}

function offlinePage() {
  return chosenLanguage().then(function (lang) {
    return caches.match(CFG.offline + "?lang=" + encodeURIComponent(lang)).then(function (hit) {
      return hit || caches.match(CFG.offline + "?lang=" + CFG.language);
    });
  });
}

// --- Whose pages are kept ----------------------------------------------------
function keptPerson() {
  return caches.open(META).then(function (c) { return c.match("/__person"); })
    .then(function (r) { return r ? r.text() : null; });
}

// Forget every page of other people, then remember this one as the owner.
function switchPerson(person) {
  return keptPerson().then(function (kept) {
    if (kept === person) { return; }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(PAGES) === 0 && n !== PAGES + person; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () {
      return caches.open(META).then(function (c) { return c.put("/__person", new Response(person)); });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  // Each page says who is logged in (static/js/offline.js), so a log-out
  // that happened elsewhere still clears the kept pages.
  if (data.type === "person" && typeof data.person === "string") { event.waitUntil(switchPerson(data.person)); }
  if (data.type === "person" && typeof data.language === "string" && /^[a-z-]{2,10}$/.test(data.language)) {
    event.waitUntil(caches.open(META).then(function (c) { return c.put("/__language", new Response(data.language)); }));
  }
});

// --- Fetch -----------------------------------------------------------------------
function isStatic(url) {
  return url.origin === self.location.origin &&
    (url.pathname.indexOf(CFG.static) === 0 || url.pathname.indexOf(CFG.texts) === 0);
}

function fromCacheFirst(request, ignoreVary) {
  // ignoreVary, for the URLs that name their content (hashed static names, the
  // texts' /texts/<lang>/<version>.js): the app answers the texts with
  // "Vary: Accept-Language", and the kept copy, fetched by the worker's
  // precache, then did not match the page's request (bench/page_weight.py saw
  // the texts fetched again on every repeat load). Not for the offline page:
  // its Vary keeps a phone set to English from getting the Vietnamese copy.
  return caches.match(request, { ignoreVary: !!ignoreVary }).then(function (hit) {
    if (hit) { return hit; }
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC).then(function (c) { return c.put(request, copy); });
      }
      return response;
    });
  });
}

function markOfflineCopy(response) {
  // The page shows "last updated <time>" when it sees this attribute
  // (static/js/offline.js); the time is the one the server rendered.
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    return new Response(html.replace("<body ", "<body data-offline-copy "), { status: 200, headers: headers });
  });
}

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    var person = response.headers.get("X-XaDesk-Offline");
    if (person && response.ok && !response.redirected) {
      var copy = response.clone();
      event.waitUntil(switchPerson(person).then(function () {
        return caches.open(PAGES + person).then(function (c) { return c.put(request.url, copy); });
      }));
    }
    return response;
  }, function () {
    return keptPerson().then(function (person) {
      var kept = person ? caches.open(PAGES + person).then(function (c) { return c.match(request.url); }) : Promise.resolve(null);
      return kept.then(function (hit) {
        if (hit) { return markOfflineCopy(hit); }
        return offlinePage().then(function (fallback) {
          return fallback || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
        });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method !== "GET") {
    // Logging out: the next page is someone else's, or nobody's.
    if (/\/logout\/$/.test(url.pathname)) { event.waitUntil(switchPerson("anon")); }
    return;
  }
  if (isStatic(url) || url.pathname === CFG.offline) {
    event.respondWith(fromCacheFirst(request, isStatic(url)));
    return;
  }
  if (request.mode === "navigate") { event.respondWith(page(event)); }
  // Anything else (the API, live parts, photos): the network, never cached.
});

// --- Outbox --------------------------------------------------------------------
// The same sending as the page's, by fetch (no upload progress here).
function fetchTransport(url, item, body, headers) {
  return fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
    .then(function (r) {
      return r.text().then(function (text) {
        return { status: r.status, text: text, retryAfter: r.headers.get("Retry-After") };
      });
    }, function () { return { status: 0, text: "", retryAfter: null }; });
}

// Tell the open pages, so their "waiting to send" count and a form waiting
// for its case hear about a case this worker sent.
function tellPages(result) {
  self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (p) { p.postMessage({ type: "outbox", result: result }); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "xadesk-outbox" && self.XaDeskOutbox) {
    event.waitUntil(self.XaDeskOutbox.flushAll(fetchTransport, { onResult: tellPages, url: CFG.outboxUrl }).then(function (left) {
      // Still waiting (no signal yet): a rejected promise asks the browser to try again later.
      if (left > 0) { throw new Error("outbox not empty"); }
    }));
  }
});
