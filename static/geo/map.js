// Progressive enhancement of the lat/lon form: with Leaflet loaded, a tap on
// the map or "Use my location" fills the form and asks the JSON API. Without
// tiles (offline, slow 4G) the map still shows the marker on a plain
// background, and without JavaScript the form posts to the server, which
// renders the answer.
(function () {
  "use strict";
  var mapEl = document.getElementById("map");
  var form = document.getElementById("point-form");
  var result = document.getElementById("result");
  var P = window.XaDeskPlace;  // static/geo/place.js
  if (!mapEl || !form || !result || !P) { return; }
  var latInput = form.elements.lat;
  var lonInput = form.elements.lon;
  // The words of the page's language, from the template's data- attributes.
  var T = mapEl.dataset;
  var status = document.getElementById("gps-status");
  function say(text) { if (status) { status.textContent = text || ""; } }
  var map = null;
  var marker = null;
  var inPage = !!(window.L && window.fetch);  // else the form asks the server

  if (inPage) {
    mapEl.hidden = false;
    var start = [parseFloat(latInput.value) || 21.59, parseFloat(lonInput.value) || 105.84];
    map = L.map(mapEl).setView(start, latInput.value ? 12 : 8);
    P.tiles(map, 18).addTo(map);
  }

  function show(text, cls, codes) {
    result.textContent = "";
    var p = document.createElement("p");
    p.className = cls;
    // The codes as data for a machine, as the server's answer has them; a
    // resident reads the names only.
    if (codes) { p.dataset.commune = codes[0]; p.dataset.province = codes[1]; }
    p.textContent = text;
    result.appendChild(p);
  }

  function lookup(lat, lon) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (!inPage) { form.submit(); return; }
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
    var url = mapEl.dataset.lookupUrl + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
      .then(function (pair) {
        var body = pair[1];
        if (pair[0] === 200) {
          show(P.unitName(body.commune) + ", " + P.unitName(body.province), "found",
            [body.commune.code, body.province.code]);
        } else {
          show(body.message, "outside");
        }
      })
      .catch(function () { form.submit(); });
  }

  // "Use my location", as on the report form (static/geo/place.js).
  var gps = document.getElementById("use-gps");
  if (gps && navigator.geolocation) {
    gps.parentNode.hidden = false;
    gps.addEventListener("click", function () {
      P.locate(say, { wait: T.gpsWait, done: T.gpsDone, fail: T.gpsFail }, function (lat, lon) {
        if (map) { map.setView([lat, lon], 15); }
        lookup(lat, lon);
      });
    });
  }

  if (!inPage) { return; }
  map.on("click", function (event) { lookup(event.latlng.lat, event.latlng.lng); });
  // From the keyboard, as on the report form (static/geo/place.js).
  P.keyPick(mapEl, map, T.keys, function (at) { lookup(at.lat, at.lng); });
  form.addEventListener("submit", function (event) {
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    if (isFinite(lat) && isFinite(lon)) {
      event.preventDefault();
      map.setView([lat, lon], 12);
      lookup(lat, lon);
    }
  });
})();
