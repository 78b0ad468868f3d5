// A case page after a refused action (templates/_error_summary.html), the
// console's or the resident's, is the answer to a post to the action's
// address (/console/cases/<n>/reply/, /cases/<n>/reply/): the address bar
// showed that, and reloading it, or the live banner's "Reload", asked for a
// page that is not there. The address becomes the case page's
// again; what the summary says and where the focus is stay as they are.
(function () {
  "use strict";
  var box = document.querySelector(".error-summary[data-page-url]");
  if (!box || !window.history || !history.replaceState) { return; }
  if (window.location.pathname !== box.dataset.pageUrl) {
    history.replaceState(history.state, "", box.dataset.pageUrl);
  }
})();
