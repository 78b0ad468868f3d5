// The offline app: the outbox of unsent cases (IndexedDB), the service
// worker's registration, and the "saved copy" marker of pages opened with no
// signal. Loaded by every page (templates/base.html) and imported by the
// service worker (config/service_worker.js), which uses the outbox half only.
//
// Outbox: each case, or message on a case (static/reports/reply.js: its
// `url` is the case's reply address, its `caseNumber` the case), waits in
// IndexedDB ("xadesk-outbox") with its text, place,
// downscaled photos (Blobs), the person it belongs to (an opaque key, so on a
// shared phone nobody else's session sends or sees it) and its submission key,
// which makes a second send of the same case harmless: the server answers with
// the case it already filed. It is sent to POST /api/v1/reports/cases
// (reports/api.py): when a page opens, on the "online" event, after a delay
// (backoff, or the server's Retry-After), and by Background Sync from the
// service worker. A refusal (4xx with a code) keeps the case as a draft with
// the reason, to edit and send again; it is removed only once filed, or when
// the person discards it.
(function (root) {
  "use strict";
  var DB = "xadesk-outbox", ITEMS = "items", META = "meta";
  var LEASE_MS = 120000;            // one sender at a time (page or worker)
  var MAX_WAIT_MS = 15 * 60000;

  function open() {
    return new Promise(function (resolve, reject) {
      if (!root.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = root.indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(ITEMS, { keyPath: "key" });
        req.result.createObjectStore(META);
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  // Run work(store) in one transaction; resolve with what it set on `out` once committed.
  function inTx(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), out = {};
        work(tx.objectStore(name), out);
        tx.oncomplete = function () { db.close(); resolve(out.value); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return inTx(ITEMS, "readonly", function (s, out) {
      var r = s.getAll(); r.onsuccess = function () { out.value = r.result; };
    });
  }
  function get(key) {
    return inTx(ITEMS, "readonly", function (s, out) {
      var r = s.get(key); r.onsuccess = function () { out.value = r.result || null; };
    });
  }
  function put(item) { return inTx(ITEMS, "readwrite", function (s) { s.put(item); }); }
  function remove(key) { return inTx(ITEMS, "readwrite", function (s) { s.delete(key); }); }
  function meta() {
    return inTx(META, "readonly", function (s, out) {
      var r = s.get("current"); r.onsuccess = function () { out.value = r.result || {}; };
    });
  }
  function setMeta(value) { return inTx(META, "readwrite", function (s) { s.put(value, "current"); }); }

  // Take the item for sending unless another sender holds it: IndexedDB runs
  // read-write transactions on one store one after the other, across the
  // page and the worker, so two of them cannot both take it.
  function claim(key) {
    return inTx(ITEMS, "readwrite", function (s, out) {
      var r = s.get(key);
      r.onsuccess = function () {
        var item = r.result, now = Date.now();
        if (!item || item.state === "rejected" || (item.state === "sending" && item.leaseUntil > now)) { return; }
        item.state = "sending"; item.leaseUntil = now + LEASE_MS;
        s.put(item); out.value = item;
      };
    });
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function formData(item) {
    var data = new FormData();
    Object.keys(item.fields).forEach(function (name) {
      var value = item.fields[name];
      if (value !== "" && value !== null && value !== undefined) { data.append(name, value); }
    });
    (item.photos || []).forEach(function (blob, i) { data.append("photos", blob, "photo-" + (i + 1) + ".jpg"); });
    // One voice note (static/js/voice.js); the server reads its format from the bytes.
    if (item.voice) { data.append("voice", item.voice, "voice"); }
    return data;
  }

  function parse(text) { try { return JSON.parse(text); } catch (e) { return null; } }

  // Where an item is posted: its own address when it has one (a message on a
  // case), only ever one of this site's API paths; else the filing address.
  // null: an address that is not one of those (never posted anywhere else).
  var API_PATH = /^\/api\/v1\/[A-Za-z0-9_\/.-]+$/;
  function target(item, filingUrl) {
    if (!item.url) { return filingUrl; }
    return API_PATH.test(item.url) && item.url.indexOf("..") === -1 ? item.url : null;
  }

  function backoff(item, retryAfter) {
    var wait = Math.min(MAX_WAIT_MS, 5000 * Math.pow(2, Math.min(item.tries, 10)));
    var asked = parseInt(retryAfter || "", 10);
    if (asked > 0) { wait = Math.max(wait, asked * 1000); }
    return Math.round(wait * (0.8 + 0.4 * Math.random()));
  }

  // The server's answer → what becomes of the item. `transport(url, item,
  // body, headers, onProgress)` posts the form (XHR in the page, for upload
  // progress; fetch in the worker) to the address chosen here, for both.
  function sendOne(item, transport, csrf, onProgress, filingUrl) {
    var headers = { "Idempotency-Key": item.key, "X-CSRFToken": csrf || "", Accept: "application/json" };
    var url = target(item, filingUrl);
    // No address it may be posted to: answered as a refusal, so the item
    // waits for the person instead of going anywhere else.
    var answered = url ? transport(url, item, formData(item), headers, onProgress)
      : Promise.resolve({ status: 400, text: JSON.stringify({ code: "bad_address" }), retryAfter: null });
    return answered.then(function (answer) {
      var body = parse(answer.text) || {};
      var status = answer.status;
      if (status === 200 || status === 201) {
        return remove(item.key).then(function () {
          return {
            sent: true, key: item.key, kind: item.kind,
            number: (body.case && body.case.number) || item.caseNumber,
          };
        });
      }
      var code = body.code || (status === 403 && /csrf/i.test(body.detail || "") ? "csrf" : "");
      item.leaseUntil = 0;
      if (status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429 && code !== "csrf") {
        // Refused for what it holds (an invalid photo, a place outside every
        // commune, the same key with other content): a retry would get the
        // same answer, so it waits for the person to edit it.
        item.state = "rejected"; item.code = code || String(status);
        item.reason = body.message || body.detail || String(status);
        // The fields it was refused for (config/api.py): the form marks them.
        item.refused = (body.details && Array.isArray(body.details.fields)) ? body.details.fields : [];
        return put(item).then(function () { return { rejected: true, key: item.key }; });
      }
      // No signal, a server or gateway down, too many requests, or the
      // session gone: try again later, same key.
      item.state = "waiting"; item.tries = (item.tries || 0) + 1;
      item.code = status === 401 ? "not_authenticated" : code;
      item.nextAt = Date.now() + backoff(item, answer.retryAfter);
      return put(item).then(function () { return { waiting: true, key: item.key }; });
    });
  }

  // Send every item of the current person that is due; resolve with how many
  // are left waiting. `opts.url`: the filing address (items without their own).
  function flushAll(transport, opts) {
    opts = opts || {};
    return meta().then(function (m) {
      var person = opts.person || m.person;
      if (!person || person === "anon") { return 0; }
      return all().then(function (items) {
        var mine = items.filter(function (i) { return i.owner === person && i.state !== "rejected"; });
        var due = mine.filter(function (i) { return opts.now || !i.nextAt || i.nextAt <= Date.now(); });
        var csrfNow = opts.csrf ? Promise.resolve(opts.csrf) : csrfFromCookieStore(m.csrf);
        return csrfNow.then(function (csrf) {
          return due.reduce(function (chain, item) {
            return chain.then(function () {
              return claim(item.key).then(function (taken) {
                if (!taken) { return null; }
                if (opts.onStart) { opts.onStart(taken); }
                return sendOne(taken, transport, csrf, opts.onProgress, opts.url).then(function (result) {
                  if (opts.onResult) { opts.onResult(result); }
                });
              });
            });
          }, Promise.resolve()).then(function () {
            return all().then(function (left) {
              return left.filter(function (i) { return i.owner === person && i.state !== "rejected"; }).length;
            });
          });
        });
      });
    }).catch(function () { return 0; });
  }

  // The worker cannot read document.cookie; Chromium gives it cookieStore.
  function csrfFromCookieStore(fallback) {
    if (!root.cookieStore) { return Promise.resolve(fallback); }
    return root.cookieStore.get("csrftoken").then(function (c) { return c ? c.value : fallback; }, function () { return fallback; });
  }

  root.XaDeskOutbox = {
    all: all, get: get, put: put, remove: remove, meta: meta, setMeta: setMeta,
    newKey: newKey, flushAll: flushAll,
  };
})(self);

// --- The page's half -------------------------------------------------------------
(function () {
  "use strict";
  if (typeof document === "undefined") { return; }
  var O = self.XaDeskOutbox;
  var box = document.getElementById("outbox");
  // The texts come in a script of their own (config/pwa.py), loaded before;
  // the page's addresses and its person come with the page.
  var texts = self.XADESK_TEXTS && self.XADESK_TEXTS.outbox;
  if (!box || !texts || !window.indexedDB) { return; }
  var T = {};
  [box.dataset, texts].forEach(function (from) { Object.keys(from).forEach(function (k) { T[k] = from[k]; }); });
  var person = T.person;
  var offlineCopy = document.body.hasAttribute("data-offline-copy");
  var list = box.querySelector("[data-outbox-items]");
  var count = box.querySelector("[data-outbox-count]");
  var progress = {};       // key → percent while sending
  var formSend = null;     // {key, done(result)} when the form sent it and waits
  var flushing = false, timer = null, reloadWanted = false;

  function fmt(text, value) { return text.replace("%s", value); }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function xhrTransport(url, item, body, headers, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      Object.keys(headers).forEach(function (h) { xhr.setRequestHeader(h, headers[h]); });
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable && onProgress) { onProgress(item.key, Math.round(100 * e.loaded / e.total)); }
      };
      xhr.onload = function () { resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader("Retry-After") }); };
      xhr.onerror = xhr.ontimeout = function () { resolve({ status: 0, text: "", retryAfter: null }); };
      xhr.timeout = 120000;
      xhr.send(body);
    });
  }

  function render() {
    return O.all().then(function (items) {
      // Not the refused case open in this page's form: the form shows why,
      // beside the field, and a "Discard" here, next to it, lost a report.
      var mine = items.filter(function (i) { return i.owner === person && i.key !== O.heldHere; });
      var waiting = mine.filter(function (i) { return i.state !== "rejected"; }).length;
      box.hidden = mine.length === 0;
      count.textContent = waiting ? fmt(T.waiting, waiting) : (mine.length ? T.drafts : "");
      count.dataset.waiting = String(waiting);
      if (reloadWanted && !waiting && !flushing && navigator.onLine && !formsDirty()) {
        reloadWanted = false;
        window.location.reload();
      }
      list.textContent = "";
      mine.forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.key = item.key;
        li.dataset.state = item.state;
        var title = document.createElement("span");
        title.textContent = item.kind === "reply"
          ? fmt(T.replyTitle, item.caseNumber) + " " + made(item, item.fields.body)
          : made(item, item.fields.description) || T.untitled;
        li.appendChild(title);
        var state = document.createElement("span");
        state.className = "hint";
        if (item.state === "rejected") {
          state.textContent = " — " + fmt(T.rejected, item.reason);
          li.appendChild(state);
          var edit = document.createElement("a");
          edit.href = item.formUrl + (item.formUrl.indexOf("?") === -1 ? "?" : "&") + "draft=" + encodeURIComponent(item.key);
          edit.textContent = T.edit;
          edit.className = "button";
          li.appendChild(edit);
          var discard = document.createElement("button");
          discard.type = "button"; discard.textContent = T.discard; discard.dataset.discard = item.key;
          li.appendChild(discard);
        } else {
          state.textContent = " — " + (progress[item.key] !== undefined ? T.sending :
            item.code === "not_authenticated" ? T.login : T.later);
          li.appendChild(state);
          if (progress[item.key] !== undefined) {
            var bar = document.createElement("progress");
            bar.max = 100; bar.value = progress[item.key];
            li.appendChild(bar);
          }
        }
        list.appendChild(li);
      });
      return mine;
    }).catch(function () { box.hidden = true; return []; });
  }

  function schedule() {
    clearTimeout(timer);
    O.all().then(function (items) {
      // The next due try, or the end of a send another page began and
      // never finished (closed mid-upload): its lease runs out, then we try.
      var next = items.filter(function (i) { return i.owner === person && i.state !== "rejected"; })
        .map(function (i) { return i.state === "sending" ? i.leaseUntil : i.nextAt || 0; }).sort()[0];
      if (next !== undefined) { timer = setTimeout(function () { flush(false); }, Math.max(1000, next - Date.now())); }
    }).catch(function () {});
  }

  function flush(now) {
    if (flushing || !navigator.onLine || person === "anon") { return Promise.resolve(); }
    flushing = true;
    return O.flushAll(xhrTransport, {
      person: person, csrf: csrf(), now: now, url: T.sendUrl,
      onStart: function (item) { progress[item.key] = 0; render(); },
      onProgress: function (key, pct) {
        progress[key] = pct;
        var bar = list.querySelector('li[data-key="' + key + '"] progress');
        if (bar) { bar.value = pct; }
        if (formSend && formSend.key === key && formSend.progress) { formSend.progress(pct); }
      },
      onResult: heard,
    }).then(function () { flushing = false; render(); schedule(); },
      function () { flushing = false; render(); });
  }

  // How a send went, whether this page or the worker sent it.
  function heard(result) {
    delete progress[result.key];
    if (result.sent) { showSent(result.number, result.kind === "reply" ? T.replySent : T.sent); }
    // "My cases" was drawn before this case existed: load it again once the
    // outbox is done, so the list has it (render() waits for that).
    if (result.sent && result.kind !== "reply" && document.querySelector("[data-case-list]")) { reloadWanted = true; }
    if (result.waiting) { backgroundSync(); }
    if (formSend && formSend.key === result.key) { var f = formSend; formSend = null; f.done(result); }
  }

  function showSent(number, text) {
    if (!number) { return; }
    var p = document.createElement("p");
    p.className = "hint outbox-sent"; p.setAttribute("role", "status");
    var a = document.createElement("a");
    a.href = T.caseUrl.replace("NUMBER", encodeURIComponent(number));
    a.textContent = fmt(text, number);
    p.appendChild(a);
    box.parentNode.insertBefore(p, box.nextSibling);
  }

  function backgroundSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) { return reg.sync.register("xadesk-outbox"); }
    }).catch(function () { /* no Background Sync: the page sends on "online" */ });
  }

  // Put a case in the outbox (the report and help forms, static/reports/intake.js),
  // then try to send it at once. `watch.done(result)` hears how it went when
  // this page sent it; `watch.progress(pct)` follows the upload.
  function add(item, watch) {
    item.owner = person; item.state = "waiting"; item.tries = 0; item.nextAt = 0;
    item.createdAt = Date.now(); item.leaseUntil = 0;
    return O.put(item).then(function () {
      render();
      // Sent from this page while it is open and online (with progress);
      // the worker's Background Sync is for when it is not.
      if (!navigator.onLine) { backgroundSync(); }
      // The form hears how it went, now or when the signal returns while it is open.
      if (watch) { formSend = { key: item.key, done: watch.done, progress: watch.progress }; }
      if (navigator.onLine) { return flush(true); }
    });
  }

  list.addEventListener("click", function (event) {
    var key = event.target.dataset && event.target.dataset.discard;
    if (key && window.confirm(T.confirmDiscard)) { O.remove(key).then(render); }
  });

  // Reports kept by the earlier version of the form (localStorage, photos in
  // the "xadesk" database): moved here once, as this person's.
  function migrate() {
    if (person === "anon") { return Promise.resolve(); }
    var moves = ["report", "help"].map(function (kind) {
      var name = "xadesk:pending:" + kind, old;
      try { old = JSON.parse(localStorage.getItem(name) || "null"); } catch (e) { old = null; }
      if (!old || !old.key) { return Promise.resolve(); }
      return oldPhotos(old.key).then(function (photos) {
        var v = old.values || {};
        var fields = {};
        Object.keys(v).forEach(function (k) { if (k !== "province" && k !== "commune") { fields[k] = v[k]; } });
        fields.commune_code = v.commune || "";
        return O.get(old.key).then(function (there) {
          if (there) { return; }
          return O.put({
            key: old.key, kind: kind, owner: person, fields: fields, photos: photos, state: "waiting",
            tries: 0, nextAt: 0, leaseUntil: 0, createdAt: old.at || Date.now(),
            formUrl: kind === "report" ? T.reportUrl + "?service=" + encodeURIComponent(v.service || "") : T.helpUrl,
          });
        });
      }).then(function () { localStorage.removeItem(name); });
    });
    return Promise.all(moves).catch(function () {});
  }
  function oldPhotos(key) {
    return new Promise(function (resolve) {
      var req = indexedDB.open("xadesk");
      req.onupgradeneeded = function () { req.transaction.abort(); };  // it never existed: nothing to move
      req.onerror = function () { resolve([]); };
      req.onsuccess = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("photos")) { db.close(); resolve([]); return; }
        var tx = db.transaction("photos", "readwrite"), store = tx.objectStore("photos");
        var got = store.get(key);
        got.onsuccess = function () { store.delete(key); resolve(got.result || []); };
        got.onerror = function () { resolve([]); };
        tx.oncomplete = function () { db.close(); };
      };
    });
  }

  // --- The service worker ---------------------------------------------------------
  function formsDirty() {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.type !== "submit") { return true; }
    return Array.prototype.some.call(document.querySelectorAll("textarea, input[type=text], input[type=tel]"), function (f) {
      return f.value !== f.defaultValue;
    });
  }
  if ("serviceWorker" in navigator) {
    var hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(T.swUrl, { scope: "/" }).catch(function () { /* the site works without it */ });
    // A new version took over: load it now only when nothing would be lost.
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (hadController && !formsDirty() && !flushing && !offlineCopy) { window.location.reload(); }
      hadController = true;
    });
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) {
        reg.active.postMessage({ type: "person", person: person, language: document.documentElement.lang });
      }
    }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox") { heard(event.data.result); render(); }
    });
  }

  // --- A page shown from the phone's copy --------------------------------------
  if (offlineCopy) {
    var note = document.getElementById("offline-copy");
    if (note) {
      // When the copy was made, as the page gave it (its local time), "H:i d/m/Y".
      var at = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(document.body.dataset.renderedAt || "");
      note.textContent = fmt(T.offlineCopy, at ? at[4] + ":" + at[5] + " " + at[3] + "/" + at[2] + "/" + at[1] : "");
      note.hidden = false;
    }
    window.addEventListener("online", function () {
      // The case page catches up by itself (static/js/live.js); others load
      // again once the outbox is empty (a reload would cut an upload short,
      // and "my cases" then lists what was just sent).
      if (!document.querySelector("[data-live-case]")) { reloadWanted = true; render(); }
    });
  }

  // The worker sends with the cookie's token; tell it who is here, unless this
  // page is an old copy (its person is the one who was here then).
  var ready = offlineCopy ? Promise.resolve() : O.setMeta({ person: person, csrf: csrf() }).catch(function () {});
  ready.then(migrate).then(render).then(function () { return flush(true); });
  window.addEventListener("online", function () { flush(true); });
  // Closed or left mid-upload: hand the case back at once rather than at the
  // end of its lease (best effort: the page may be gone before this commits).
  window.addEventListener("pagehide", function () {
    Object.keys(progress).forEach(function (key) {
      O.get(key).then(function (item) {
        if (item && item.state === "sending") { item.state = "waiting"; item.leaseUntil = 0; return O.put(item); }
      }).catch(function () {});
    });
  });

  window.XaDeskOutbox.add = add;
  window.XaDeskOutbox.render = render;
  // What the person made, in a few words: their text, else what they
  // recorded or took. A voice-only message read "Report without text", or
  // only "Reply to #…" (the resident walk).
  function made(item, text) {
    text = (text || "").trim();
    if (text) { return text.slice(0, 60); }
    if (item.voice) { return "\uD83C\uDFA4 " + T.voice; }
    return item.photos && item.photos.length ? "\uD83D\uDCF7 " + T.photos : "";
  }

  // The item "Edit and send again" opened this page for (?draft=KEY), or the
  // one `key` names (a form's reloaded refusal, static/reports/intake.js), if
  // it is this person's and of one of `kinds` (a form never takes another's
  // kind: a message is not a report); else null.
  function draft(kinds, key) {
    key = key || new URLSearchParams(window.location.search).get("draft");
    if (!key) { return Promise.resolve(null); }
    return O.get(key).then(function (item) {
      return item && item.owner === person && kinds.indexOf(item.kind) !== -1 ? item : null;
    }, function () { return null; });
  }

  window.XaDeskOutbox.person = person;
  window.XaDeskOutbox.draft = draft;
})();
