// Progressive enhancement of the lat/lon form: with Leaflet loaded, a tap on
// the map fills the form and asks the JSON API. Without tiles (offline, slow
// 4G) the map still shows the marker on a plain background, and without
// JavaScript the form posts to the server, which renders the answer.
(function () {
  "use strict";
  var mapEl = document.getElementById("map");
  var form = document.getElementById("point-form");
  var result = document.getElementById("result");
  if (!mapEl || !form || !window.L || !window.fetch) { return; }
  mapEl.hidden = false;
  var latInput = form.elements.lat;
  var lonInput = form.elements.lon;
  var start = [parseFloat(latInput.value) || 21.59, parseFloat(lonInput.value) || 105.84];
  var map = L.map(mapEl).setView(start, latInput.value ? 12 : 8);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors"
  }).addTo(map);
  var marker = null;
  // The API gives both names; the page's language picks one, as the server's
  // answer without JavaScript does (geo/views.py).
  var english = document.documentElement.lang === "en";
  function named(unit) { return (english && unit.full_name_en) || unit.full_name; }

  function show(text, cls) {
    result.textContent = "";
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    result.appendChild(p);
  }

  function lookup(lat, lon) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
    var url = mapEl.dataset.lookupUrl + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return [response.status, body]; }); })
      .then(function (pair) {
        var body = pair[1];
        if (pair[0] === 200) {
          show(named(body.commune) + " (" + body.commune.code + "), " +
               named(body.province) + " (" + body.province.code + ")", "found");
        } else {
          show(body.message, "outside");
        }
      })
      .catch(function () { form.submit(); });
  }

  map.on("click", function (event) { lookup(event.latlng.lat, event.latlng.lng); });
  form.addEventListener("submit", function (event) {
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    if (isFinite(lat) && isFinite(lon)) {
      event.preventDefault();
      map.setView([lat, lon], 12);
      lookup(lat, lon);
    }
  });
})();
