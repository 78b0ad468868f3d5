// Markers for the cases listed under the map. If Leaflet or the tiles do not
// load (offline, slow link) the list stays the page's content.
(function () {
  "use strict";
  var el = document.getElementById("queue-map");
  var data = document.getElementById("queue-points");
  if (!el || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent);
  if (!points.length) { return; }
  el.hidden = false;
  el.removeAttribute("aria-hidden");
  var map = L.map(el);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors"
  }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.number + " · " + p.service + " · " + p.status;
    L.marker([p.lat, p.lon]).addTo(map).bindPopup(link);
    bounds.push([p.lat, p.lon]);
  });
  map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
}());
