// The queue on a map. The list under the map is the page's content and works
// without Leaflet, tiles or JavaScript; this draws what the server counted for
// the map's view: bubbles with their number of cases (per commune, merged when
// close) until street zoom, then the cases themselves. The server never sends
// a province's every point: each move asks /api/v1/helpdesk/map for the view's
// box and zoom, with the page's filters.
(function () {
  "use strict";
  var el = document.getElementById("queue-map");
  var status = document.getElementById("queue-map-status");
  var area = document.querySelector("[data-map-area]");
  if (!el || !window.L) { return; }
  var FILTERS = ["status", "service", "department", "commune", "mine", "overdue", "unrouted"];
  var POINTS_ZOOM = Number(el.getAttribute("data-points-zoom"));
  el.hidden = false;
  el.removeAttribute("aria-hidden");
  var map = L.map(el);
  window.XaDeskPlace.tiles(map, 18).addTo(map);  // static/geo/place.js
  var layer = L.layerGroup().addTo(map);
  var asked = 0;

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function query() {
    var page = new URLSearchParams(window.location.search), sent = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var value = page.get(name);
      if (value) { sent.set(name, value); }
    });
    var b = map.getBounds();
    sent.set("bbox", [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].join(","));
    sent.set("zoom", String(map.getZoom()));
    return sent.toString();
  }

  function bubble(feature) {
    var p = feature.properties, c = feature.geometry.coordinates;
    var size = Math.round(28 + 8 * Math.log10(p.count));
    var html = document.createElement("span");
    var figure = document.createElement("span");
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
        map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, POINTS_ZOOM));
      });
  }

  // The cases at one spot (static/geo/place.js): one marker, named by their
  // numbers, whose popup links each.
  function spot(features) {
    var c = features[0].geometry.coordinates;
    var numbers = features.map(function (f) { return f.properties.number; }).join(", ");
    var links = features.map(function (f) {
      var p = f.properties;
      return [p.url, p.number + " · " + p.service + " · " + p.status_label];
    });
    // Keyed by the spot, not its cases: a case joining it kept its popup closed.
    return L.marker([c[1], c[0]], { title: numbers, alt: numbers, key: c.join(",") })
      .bindPopup(window.XaDeskPlace.linkList(links));
  }

  function draw(collection) {
    window.XaDeskPlace.draw(layer, collection.features, bubble, spot);  // static/geo/place.js
    if (status) {
      status.textContent = collection.summary;
      status.hidden = false;
    }
  }

  function load() {
    var mine = ++asked;
    fetch(el.getAttribute("data-api") + "?" + query(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && mine === asked) { draw(body); } })
      .catch(function () { /* the list under the map still holds the cases */ });
    if (area) {
      var page = new URLSearchParams(window.location.search);
      page.set("bbox", map.getBounds().toBBoxString());
      area.href = "?" + page.toString();
      area.hidden = false;
    }
  }

  map.on("moveend", load);
  var b = (el.getAttribute("data-bbox") || el.getAttribute("data-home")).split(",").map(Number);
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 15, padding: [20, 20] });
}());
