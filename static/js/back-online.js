// The "No connection" page (templates/pwa/offline.html) stands in for a page the
// phone never kept. When the signal returns, load the page that was asked for:
// it stayed on screen until someone thought to reload (a helper on a phone).
//
// Not once the person has gone on to another page: a reload then cancels the
// page they asked for, and they are left here again (the offline browser test
// saw it in 2 runs of 5: the "online" event came as the next page started to
// load). And only when the browser says it is online now.
(function () {
  "use strict";
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });
  window.addEventListener("online", function () {
    if (!leaving && navigator.onLine) { window.location.reload(); }
  });
})();
