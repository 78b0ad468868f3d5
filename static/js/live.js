// Live updates for XaDesk pages, with automatic fallback to polling.
//
// A case page: <section data-live-case="TN-2026-00123" data-live-after="42"> —
// opens /ws/cases/<number>/?after=<id>; each event is dispatched as a
// "xadesk:event" DOM event on that element (detail: the event). When the
// socket cannot be held it polls GET /api/v1/helpdesk/cases/<number>?after=<id>
// every 15 s, and keeps trying the socket again with backoff.
// Unread badge: <span data-live-unread> — kept current from /ws/inbox/.
// Close codes 4400-4499 mean "do not retry" (not logged in, no access).
(function () {
  "use strict";
  var POLL_MS = 15000;

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function follow(el) {
    var number = el.dataset.liveCase;
    var after = parseInt(el.dataset.liveAfter || "0", 10);
    var retry = 1000;
    var pollTimer = null;

    function deliver(event) {
      if (event.id <= after) return; // already shown
      after = event.id;
      el.dataset.liveAfter = String(after);
      el.dispatchEvent(new CustomEvent("xadesk:event", { detail: event, bubbles: true }));
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

    function connect() {
      var socket;
      try {
        socket = new WebSocket(wsUrl("/ws/cases/" + encodeURIComponent(number) + "/?after=" + after));
      } catch (e) { startPolling(); return; }
      socket.onmessage = function (m) {
        var msg = JSON.parse(m.data);
        if (msg.type === "event") deliver(msg.event);
        if (msg.type === "synced") { stopPolling(); retry = 1000; }
      };
      socket.onclose = function (e) {
        if (e.code >= 4400 && e.code < 4500) { stopPolling(); return; }
        startPolling();
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 60000);
      };
    }

    if ("WebSocket" in window) connect(); else startPolling();
  }

  function unread(badges) {
    var retry = 1000;
    function show(n) {
      badges.forEach(function (b) { b.textContent = n > 0 ? String(n) : ""; b.hidden = n === 0; });
    }
    function connect() {
      var socket = new WebSocket(wsUrl("/ws/inbox/"));
      socket.onmessage = function (m) {
        var msg = JSON.parse(m.data);
        if (msg.type === "unread") show(msg.count);
        if (msg.type === "notification") show(msg.unread);
        retry = 1000;
      };
      socket.onclose = function (e) {
        if (e.code >= 4400 && e.code < 4500) return;
        fetch("/api/v1/notifications/unread", { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) { if (d) show(d.unread); })
          .catch(function () {});
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 60000);
      };
    }
    if (badges.length && "WebSocket" in window) connect();
  }

  document.querySelectorAll("[data-live-case]").forEach(follow);
  unread(Array.prototype.slice.call(document.querySelectorAll("[data-live-unread]")));
})();
