// The map pictures every XaDesk map draws: OpenStreetMap's tiles, with their
// attribution and Leaflet's in the page's language, read from the footer
// (templates/geo/_attribution.html): they were English on Vietnamese pages,
// and four maps each carried a copy of this. Loaded after leaflet.js: by a
// script tag where the map opens with the page (geo/map.html,
// console/queue_map.html), with Leaflet where it is loaded when asked for
// (reports/intake.js, reports/public-map.js: data-tiles-js).
(function () {
  "use strict";
  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  // The tile layer for `map`, not yet added (a caller may listen to its errors).
  window.XaDeskTiles = function (map, maxZoom) {
    var words = document.querySelector("[data-map-attribution]");
    if (words) {
      map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="' +
        esc(words.dataset.mapLibrary) + '">Leaflet</a>');
    }
    return window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: maxZoom,
      attribution: words ? esc(words.dataset.mapAttribution) : "&copy; OpenStreetMap contributors"
    });
  };
})();
