// The list of reports always works; this adds the map, loading Leaflet only
// when asked (or by itself on a good, unmetered connection). What the map
// draws it asks /api/v1/reports/map for, by the view's box and zoom: bubbles
// with their number of reports until street zoom, then each report at its
// public grid cell (never the exact point, which the server never sends).
(function () {
  "use strict";
  var box = document.getElementById("map"), button = document.getElementById("show-map");
  if (!box || !button || !window.XaDeskPlace) { return; }
  button.parentNode.hidden = false;
  var rows = document.querySelectorAll("tr.report");
  var status = document.getElementById("map-status");

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function bubble(L, map, feature) {
    var p = feature.properties, c = feature.geometry.coordinates;
    var size = Math.round(28 + 8 * Math.log10(p.count));
    var html = document.createElement("span"), figure = document.createElement("span");
    figure.className = "map-bubble";
    figure.setAttribute("aria-hidden", "true");
    figure.style.width = figure.style.height = figure.style.lineHeight = size + "px";
    figure.textContent = p.count.toLocaleString(document.documentElement.lang || undefined);
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = p.label;
    html.appendChild(figure);
    html.appendChild(words);
    var icon = L.divIcon({ html: html, className: "map-bubble-icon", iconSize: [size, size] });
    return L.marker([c[1], c[0]], { icon: icon, title: p.label, keyboard: true })
      .on("click", function () {
        map.setView([c[1], c[0]], map.getZoom() + 2);
        // The bubble is redrawn away as the map asks for the new view's
        // points: its focus fell to the page's start (a keyboard walk).
        // Kept on the map, which the arrow keys and + and - still move.
        map.getContainer().focus({ preventScroll: true });
      });
  }

  // The reports of one public grid cell (static/geo/place.js): one marker
  // whose popup links each.
  function reports(L, features) {
    var c = features[0].geometry.coordinates;
    var links = features.map(function (f) {
      return [f.properties.url, f.properties.service + " · " + f.properties.status_label];
    });
    return L.circleMarker([c[1], c[0]], { radius: 8, key: c.join(",") })
      .bindPopup(window.XaDeskPlace.linkList(links));
  }

  function draw() {
    var L = window.L;
    // The button hides: its focus goes to the map, not to the page's start
    // (a keyboard walk), which Leaflet's keys then move.
    var focused = document.activeElement === button;
    box.hidden = false; button.hidden = true;
    var map = L.map(box), failures = 0, bounds = [], asked = 0;
    if (focused) { box.focus(); }
    var layer = L.layerGroup().addTo(map);
    window.XaDeskPlace.tiles(map, 19)  // static/geo/place.js
      .on("tileerror", function () { if (++failures === 3) { document.getElementById("map-note").hidden = false; } })
      .addTo(map);
    map.on("moveend", function () {
      var b = map.getBounds(), mine = ++asked;
      var query = new URLSearchParams({
        bbox: [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
          clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].join(","),
        zoom: String(map.getZoom())
      });
      fetch(box.dataset.api + "?" + query.toString(), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body || mine !== asked) { return; }
          window.XaDeskPlace.draw(layer, body.features,  // static/geo/place.js
            function (f) { return bubble(L, map, f); }, function (g) { return reports(L, g); });
          if (status) { status.textContent = body.summary; status.hidden = false; }
        })
        .catch(function () { /* the list below still has the reports */ });
    });
    Array.prototype.forEach.call(rows, function (row) {
      var lat = parseFloat(row.dataset.lat), lon = parseFloat(row.dataset.lon);
      if (isFinite(lat) && isFinite(lon)) { bounds.push([lat, lon]); }
    });
    // Open around the newest reports listed below, or on the north of the country.
    if (bounds.length) { map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] }); }
    else { map.setView([21.59, 105.84], 8); }
  }
  function open() {
    // Leaflet when asked for (static/geo/place.js); asked twice, drawn once.
    window.XaDeskPlace.loadLeaflet(box, function () { if (box.hidden) { draw(); } }, function () {
      button.hidden = false;  // no map: the list below has the reports
      document.getElementById("map-note").hidden = false;
    });
  }
  button.addEventListener("click", open);
  var c = navigator.connection;
  if (c && c.effectiveType === "4g" && !c.saveData) { window.addEventListener("load", open); }
})();
