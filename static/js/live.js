// Live updates for XaDesk pages, falling back to polling. Every page works
// without it; it only spares a reload.
//
// A case page, <section data-live-case="TN-2026-00123" data-live-after="42">
// (after: the last event id shown), opens /ws/cases/<number>/?after=<id>.
// Each new event is an "xadesk:event" DOM event on that element and unhides
// its [data-live-banner] (reload). With data-live-url, the page's
// [data-live-part] elements are fetched from it and put in place instead; the
// banner then only for a status change on a page whose forms are not a live
// part (the console). A part holding a form being filled in is left alone,
// and [data-live-typing] (or the banner) says the case changed.
// data-live-public-only (the resident's page) skips events with is_public
// false. Without a socket it polls GET /api/v1/helpdesk/cases/<number>?after=
// every 15 s, and tries the socket again with backoff.
// A queue page, <div data-live-queue>, listens on /ws/queue/: changed cases'
// rows come from <tbody data-live-rows data-rows-url> (the page's filters) and
// are put in place, new ones atop page one; [data-live-count] counts them.
// After a dropped socket [data-live-stale] shows: changes may have been missed.
// Unread badge: <span data-live-unread>, kept current from /ws/inbox/.
// Close codes 4400-4499 mean "do not retry" (not logged in, no access).
(function () {
  "use strict";
  var POLL_MS = 15000;

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function reveal(root, selector) {
    var el = root.querySelector(selector);
    if (el) el.hidden = false;
  }

  // Is the person typing in this part? A field with focus, or one changed
  // and not yet sent: replacing the part would throw their text away.
  function typingIn(part) {
    var active = document.activeElement;
    if (active && part.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    return Array.prototype.some.call(part.querySelectorAll("input, textarea, select"), function (f) {
      if (f.type === "hidden" || f.type === "submit") return false;
      if (f.type === "radio" || f.type === "checkbox") return f.checked !== f.defaultChecked;
      if (f.tagName === "SELECT") return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      return f.value !== f.defaultValue;
    });
  }

  // Focus in a replaced part (Record, mid-reply) goes to the same control
  // in the new copy: left on nothing, a screen reader restarted at the top.
  var CONTROLS = "a[href], button, input, select, textarea, audio[controls], [tabindex]";
  function focusKept(old) {
    var active = document.activeElement;
    if (!active || active === document.body || !old.contains(active)) return function () {};
    var at = Array.prototype.indexOf.call(old.querySelectorAll(CONTROLS), active);
    var id = active.id;
    return function (copy) {
      var same = (id && copy.querySelector("#" + CSS.escape(id))) || copy.querySelectorAll(CONTROLS)[at];
      if (same) same.focus({ preventScroll: true });
    };
  }

  // Open a socket and reconnect with backoff until a 44xx close. When the
  // phone gets its signal back, try at once rather than at the next backoff.
  function keepOpen(path, handlers) {
    var retry = 1000;
    var waiting = null;
    window.addEventListener("online", function () {
      if (waiting) { clearTimeout(waiting); waiting = null; retry = 1000; connect(); }
    });
    function connect() {
      waiting = null;
      var socket;
      try { socket = new WebSocket(wsUrl(path())); } catch (e) { handlers.lost(); return; }
      socket.onmessage = function (m) {
        handlers.message(JSON.parse(m.data), function () { retry = 1000; });
      };
      socket.onclose = function (e) {
        if (e.code >= 4400 && e.code < 4500) { handlers.refused(); return; }
        handlers.lost();
        waiting = setTimeout(connect, retry);
        retry = Math.min(retry * 2, 60000);
      };
    }
    connect();
  }

  function follow(el) {
    var number = el.dataset.liveCase;
    var publicOnly = "livePublicOnly" in el.dataset;
    var after = parseInt(el.dataset.liveAfter || "0", 10);
    var pollTimer = null;

    var partsUrl = el.dataset.liveUrl;
    var partsTimer = null;
    var partsAsked = 0; // only the newest answer is put in place

    function deliver(event) {
      if (event.id <= after) return; // already shown
      after = event.id;
      el.dataset.liveAfter = String(after);
      if (publicOnly && event.is_public === false) return;
      // Pages with data-live-url get their changed parts from the server and
      // put them in place; a status change may also change what can be done
      // on the page (its forms), so it offers a reload as well.
      var formsLive = document.querySelector('[data-live-part="forms"]');
      if (!partsUrl || (event.to_status && !formsLive)) reveal(el, "[data-live-banner]");
      if (partsUrl && !partsTimer) partsTimer = setTimeout(refreshParts, 200);
      el.dispatchEvent(new CustomEvent("xadesk:event", { detail: event, bubbles: true }));
    }

    function refreshParts() {
      partsTimer = null;
      var asked = ++partsAsked;
      fetch(partsUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) {
          // Signed out meanwhile: the answer is the login page, not the parts.
          if (!r.ok || r.redirected) throw new Error(String(r.status));
          return r.text();
        })
        .then(function (html) {
          if (asked !== partsAsked) return; // a later answer is coming
          var holder = document.createElement("template");
          holder.innerHTML = html;
          var parts = holder.content.querySelectorAll("[data-live-part]");
          if (!parts.length) throw new Error("no parts");
          parts.forEach(function (part) {
            var name = part.dataset.livePart;
            var shown = document.querySelector('[data-live-part="' + CSS.escape(name) + '"]');
            if (!shown) return;
            // Unchanged: left as it is (a voice note being played keeps playing).
            if (shown.isEqualNode(part)) return;
            if (typingIn(shown)) {
              if (!document.querySelector("[data-live-typing]")) reveal(el, "[data-live-banner]");
              else document.querySelectorAll("[data-live-typing]").forEach(function (n) { n.hidden = false; });
              return;
            }
            var focus = focusKept(shown);
            shown.replaceWith(part);
            // Once voice.js has unhidden the copy's controls.
            Promise.resolve().then(function () { focus(part); });
          });
        })
        .catch(function () { reveal(el, "[data-live-banner]"); }); // the reload still works
    }

    function poll() {
      fetch("/api/v1/helpdesk/cases/" + encodeURIComponent(number) + "?after=" + after, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : { events: [] }; })
        .then(function (data) { data.events.forEach(deliver); })
        .catch(function () {});
    }

    function startPolling() {
      if (!pollTimer) { poll(); pollTimer = setInterval(poll, POLL_MS); }
    }

    function stopPolling() {
      if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    }

    if (!("WebSocket" in window)) { startPolling(); return; }
    keepOpen(
      function () { return "/ws/cases/" + encodeURIComponent(number) + "/?after=" + after; },
      {
        message: function (msg, healthy) {
          if (msg.type === "event") deliver(msg.event);
          if (msg.type === "synced") {
            stopPolling(); healthy();
            // Caught up: a copy opened with no signal is current again.
            var note = document.getElementById("offline-copy");
            if (note) note.hidden = true;
          }
        },
        lost: startPolling,
        refused: stopPolling,
      }
    );
  }

  // Put the rows of the named cases in place: replace a row the page shows,
  // add a new case at the top of the first page, drop a case the server no
  // longer lists here (transferred away, or no longer matching the filters).
  function refreshRows(tbody, numbers) {
    var query = new URLSearchParams(location.search);
    query.set("cases", numbers.join(","));
    return fetch(tbody.dataset.rowsUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html;
        var fresh = {};
        holder.content.querySelectorAll("tr[data-case]").forEach(function (row) {
          fresh[row.dataset.case] = row;
        });
        numbers.forEach(function (number) {
          var shown = tbody.querySelector('tr[data-case="' + CSS.escape(number) + '"]');
          var row = fresh[number];
          if (row) row.classList.add("live-changed");
          if (shown && row) shown.replaceWith(row);
          else if (shown) shown.remove();
          else if (row && "firstPage" in tbody.dataset) tbody.insertBefore(row, tbody.firstChild);
        });
      });
  }

  function queue(el) {
    var changed = {};
    var pending = {};
    var timer = null;
    var opened = false;
    var tbody = document.querySelector("[data-live-rows]");
    if (!("WebSocket" in window)) return;

    function flush() {
      timer = null;
      var numbers = Object.keys(pending);
      pending = {};
      if (!tbody || !numbers.length) return;
      refreshRows(tbody, numbers).catch(function () {
        reveal(el, "[data-live-banner]"); // could not update in place: offer the reload
      });
    }

    keepOpen(function () { return "/ws/queue/"; }, {
      message: function (msg, healthy) {
        if (msg.type === "subscribed") { opened = true; healthy(); }
        if (msg.type !== "ticket") return;
        changed[msg.ticket.number] = true;
        pending[msg.ticket.number] = true;
        // A burst of changes (a transfer, a bulk import) becomes one request.
        if (!timer) timer = setTimeout(flush, 300);
        var count = el.querySelector("[data-live-count]");
        if (count) count.textContent = String(Object.keys(changed).length);
        reveal(el, "[data-live-changed]");
        if (!tbody) reveal(el, "[data-live-banner]"); // an empty queue: reload shows the table
      },
      lost: function () {
        if (!opened) return; // never connected: nothing was being followed
        reveal(el, "[data-live-banner]");
        reveal(el, "[data-live-stale]");
      },
      refused: function () {},
    });
  }

  // A commune alert (alerts app) published while the page is open: its
  // short text as a banner linking to the commune's alerts page.
  function alertBanner(n) {
    var banner = document.querySelector("[data-live-alert]");
    if (!banner || !n || typeof n.link !== "string" || n.link.indexOf("/alerts/") !== 0) return;
    var a = banner.querySelector("a");
    a.textContent = n.title;
    a.setAttribute("href", n.link);
    banner.hidden = false;
  }

  function unread(badges) {
    function show(n) {
      badges.forEach(function (b) { b.textContent = n > 0 ? String(n) : ""; b.hidden = n === 0; });
    }
    keepOpen(function () { return "/ws/inbox/"; }, {
      message: function (msg, healthy) {
        if (msg.type === "unread") show(msg.count);
        if (msg.type === "notification") {
          show(msg.unread);
          alertBanner(msg.notification);
        }
        healthy();
      },
      lost: function () {
        fetch("/api/v1/notifications/unread", { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) { if (d) show(d.unread); })
          .catch(function () {});
      },
      refused: function () {},
    });
  }

  document.querySelectorAll("[data-live-case]").forEach(follow);
  document.querySelectorAll("[data-live-queue]").forEach(queue);
  var badges = Array.prototype.slice.call(document.querySelectorAll("[data-live-unread]"));
  if (badges.length && "WebSocket" in window) unread(badges);
})();
