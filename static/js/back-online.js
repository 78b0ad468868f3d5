// The "No connection" page (templates/pwa/offline.html) stands in for a page the
// phone never kept. When the signal returns, load the page that was asked for:
// it stayed on screen until someone thought to reload (a helper on a phone).
(function () {
  "use strict";
  window.addEventListener("online", function () { window.location.reload(); });
})();
