// What every page with a place shares: OpenStreetMap's tiles with their words
// in the page's language, Leaflet loaded when a map is asked for, the phone's
// location, a unit's name in the page's language, and choosing a place
// from the keyboard. Each was written in two
// to four page scripts (static/reports/intake.js, static/reports/public-map.js,
// static/geo/map.js, static/console/queue-map.js), and the copies drifted.
// Loaded before those scripts; it needs no Leaflet to load.
(function () {
  "use strict";
  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  // Leaflet, once, for a box with data-leaflet-js and data-leaflet-css (the
  // map may be asked for twice before it is here: opened by the page itself
  // on 4G, and a tap). `failed` when it cannot come (no signal): the caller
  // gives the person their button back.
  var waiting = null;
  function loadLeaflet(box, done, failed) {
    if (window.L) { done(); return; }
    if (waiting) { waiting.push([done, failed]); return; }
    waiting = [[done, failed]];
    var settle = function (ok) {
      var callers = waiting;
      waiting = null;
      callers.forEach(function (pair) { pair[ok ? 0 : 1](); });
    };
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.dataset.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = box.dataset.leafletJs;
    js.onerror = function () { settle(false); };
    js.onload = function () {
      // Leaflet guesses its marker images' folder from its stylesheet, which
      // may not apply yet when a marker is made at once; its fallback then
      // drops the slash (".../leaflet-1.9.4marker-icon.png", a 404). Named here.
      window.L.Icon.Default.imagePath = css.href.slice(0, css.href.lastIndexOf("/") + 1) + "images/";
      settle(true);
    };
    document.head.appendChild(js);
  }

  // The tile layer for `map`, not yet added (a caller may listen to its
  // errors), with the words of the page's language (the scripts' texts,
  // templates/pwa/texts.js.html): they were English on Vietnamese pages.
  function tiles(map, maxZoom) {
    var words = self.XADESK_TEXTS && self.XADESK_TEXTS.map;
    if (words) {
      map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="' +
        esc(words.library) + '">Leaflet</a>');
      // The zoom buttons' names too ("Zoom in" on Vietnamese pages).
      if (map.zoomControl) {
        map.removeControl(map.zoomControl);
        map.zoomControl = window.L.control.zoom({
          zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut
        }).addTo(map);
      }
    }
    return window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: maxZoom,
      attribution: words ? esc(words.attribution) : "&copy; OpenStreetMap contributors"
    });
  }

  // "Use my location": `say` tells the person what happens, in `texts`' words
  // (wait, done with %s metres, fail); `found(lat, lon, metres)` gets the point.
  function locate(say, texts, found) {
    say(texts.wait);
    navigator.geolocation.getCurrentPosition(function (p) {
      var metres = Math.round(p.coords.accuracy);
      say(texts.done.replace("%s", metres));
      found(p.coords.latitude, p.coords.longitude, metres);
    }, function () { say(texts.fail); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  // A unit of /api/v1/geo/lookup's answer named in the page's language, as the
  // server's pages name it (geo/views.py).
  function unitName(unit) {
    return (document.documentElement.lang === "en" && unit.full_name_en) || unit.full_name;
  }

  // Points at one spot, one marker: cases on one point (or one public grid
  // cell) lay on top of each other, and only the last could be tapped.
  function atOneSpot(features) {
    var groups = [], seen = {};
    features.forEach(function (f) {
      var key = f.geometry.coordinates.join(",");
      if (!seen[key]) { seen[key] = []; groups.push(seen[key]); }
      seen[key].push(f);
    });
    return groups;
  }

  // A popup listing links (one per point at the spot).
  function linkList(links) {
    var list = document.createElement("ul");
    list.className = "map-popup-list";
    links.forEach(function (pair) {
      var item = document.createElement("li"), a = document.createElement("a");
      a.href = pair[0]; a.textContent = pair[1];
      item.appendChild(a); list.appendChild(item);
    });
    return list;
  }

  // `markers` in place of what `layer` held; a popup that was open opens
  // again (by the marker's options.key). A tap's popup pans the map, the
  // move asks for the view's points again, and the redraw closed it.
  function redraw(layer, markers) {
    var open = null;
    layer.eachLayer(function (m) { if (m.isPopupOpen && m.isPopupOpen()) { open = m.options.key; } });
    layer.clearLayers();
    markers.forEach(function (m) {
      layer.addLayer(m);
      if (open !== null && m.options.key === open && m.getPopup()) { m.openPopup(); }
    });
  }

  // A map answer's features drawn in `layer`: each cluster by `bubble(f)`,
  // the points of each spot by `spot(features)` (the two maps' one way).
  function draw(layer, features, bubble, spot) {
    var bubbles = [], points = [];
    features.forEach(function (f) { (f.properties.cluster ? bubbles : points).push(f); });
    redraw(layer, bubbles.map(bubble).concat(atOneSpot(points).map(spot)));
  }

  // Choosing a place from the keyboard (the report form, the commune
  // finder): the arrow keys and + and - move the map (Leaflet's own keys),
  // Enter or the space bar calls `pick` with the point under the circle its
  // focus shows in the middle (css/xadesk.css .map-pick). An application: a
  // screen reader then hands it the arrow keys, where it would read the page
  // with them; `label` tells it the keys.
  function keyPick(box, map, label, pick) {
    box.setAttribute("role", "application");
    box.setAttribute("aria-label", label);
    box.addEventListener("keydown", function (e) {
      if (e.target !== box || (e.key !== "Enter" && e.key !== " ")) { return; }
      e.preventDefault();
      pick(map.getCenter());
    });
  }

  window.XaDeskPlace = {
    loadLeaflet: loadLeaflet, tiles: tiles, locate: locate, unitName: unitName,
    linkList: linkList, draw: draw, keyPick: keyPick
  };
})();
