// Markers for the cases listed under the map. If Leaflet or the tiles do not
// load (offline, slow link) the list stays the page's content. The server sends
// at most a few hundred cases of the view it was asked for (?bbox=); after the
// officer pans or zooms, a link asks for the cases of the new view.
(function () {
  "use strict";
  var el = document.getElementById("queue-map");
  var data = document.getElementById("queue-points");
  var area = document.querySelector("[data-map-area]");
  if (!el || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent);
  var asked = el.getAttribute("data-bbox");
  if (!points.length && !asked) { return; }
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
  if (asked) {
    var b = asked.split(",").map(Number);
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  } else {
    map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
  }
  if (!area) { return; }
  map.on("moveend", function () {
    var query = new URLSearchParams(window.location.search);
    query.set("bbox", map.getBounds().toBBoxString());
    area.href = "?" + query.toString();
    area.hidden = false;
  });
}());
