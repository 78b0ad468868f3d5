// The list of reports always works; this adds markers on a map, loading
// Leaflet only when asked (or by itself on a good, unmetered connection).
(function () {
  "use strict";
  var box = document.getElementById("map"), button = document.getElementById("show-map");
  if (!box || !button) { return; }
  button.parentNode.hidden = false;
  var rows = document.querySelectorAll("tr.report");
  function draw() {
    var L = window.L;
    box.hidden = false; button.hidden = true;
    var map = L.map(box).setView([21.59, 105.84], 8), failures = 0, bounds = [];
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "&copy; OpenStreetMap" })
      .on("tileerror", function () { if (++failures === 3) { document.getElementById("map-note").hidden = false; } })
      .addTo(map);
    Array.prototype.forEach.call(rows, function (row) {
      var lat = parseFloat(row.dataset.lat), lon = parseFloat(row.dataset.lon);
      if (!isFinite(lat) || !isFinite(lon)) { return; }
      // A circle as wide as the public grid cell would be truer; a marker at the
      // cell's centre is what the server sends (never the exact point).
      var label = row.dataset.label.replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
      var href = (row.dataset.href || "").replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
      L.circleMarker([lat, lon], { radius: 8 }).bindPopup('<a href="' + href + '">' + label + "</a>").addTo(map);
      bounds.push([lat, lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] }); }
  }
  function open() {
    if (window.L) { draw(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.dataset.leafletCss; document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = box.dataset.leafletJs; js.onload = draw; document.head.appendChild(js);
  }
  button.addEventListener("click", open);
  var c = navigator.connection;
  if (c && c.effectiveType === "4g" && !c.saveData) { window.addEventListener("load", open); }
})();
