// Leaflet finds its marker images from its stylesheet's url(images/marker-icon.png).
// With hashed static names (ManifestStaticFilesStorage: marker-icon.2273e3d8ad92.png)
// it cannot, and asks for "marker-icon.png" beside the page instead: a 404 and a
// broken image with the word "Marker" on the officers' map (found by a helper
// walking the console). The images are named here, with their real addresses,
// by the data attributes of this script's tag; loaded right after leaflet.js.
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag || !window.L) { return; }
  window.L.Icon.Default.imagePath = "";  // a string: Leaflet then guesses no folder
  window.L.Icon.Default.mergeOptions({
    iconUrl: tag.dataset.icon,
    iconRetinaUrl: tag.dataset.icon2x,
    shadowUrl: tag.dataset.shadow,
  });
})();
