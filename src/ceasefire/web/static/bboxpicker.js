/* The area picker of the lists' filter forms (templates/bbox_picker.html): the field holds
   minlon,minlat,maxlon,maxlat; the small map shows it and sets it from its view or from a
   Shift-drag box. Offline: only the shipped base layer. */
(function () {
  "use strict";
  if (!window.L) { return; }
  function parse(text) {
    var parts = (text || "").split(",").map(Number);
    if (parts.length !== 4 || parts.some(isNaN)) { return null; }
    return parts;
  }
  function format(bounds) {
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return v.toFixed(4); }).join(",");
  }
  document.querySelectorAll("[data-bbox-picker]").forEach(function (box) {
    var input = box.querySelector("input");
    var host = box.querySelector(".bbox-map");
    var region = parse(box.getAttribute("data-region"));
    var map = L.map(host, { keyboard: true, boxZoom: true, attributionControl: false });
    fetch("/static/web/basemap/caucasus.geojson").then(function (r) { return r.json(); })
      .then(function (geo) {
        L.geoJSON(geo, { interactive: false, style: function () { return { className: "basemap-country" }; } })
          .addTo(map);
      });
    var shown = null;
    function show(b) {
      if (shown) { map.removeLayer(shown); shown = null; }
      if (!b) { return; }
      shown = L.rectangle([[b[1], b[0]], [b[3], b[2]]], { className: "bbox-chosen", interactive: false })
        .addTo(map);
    }
    var current = parse(input.value);
    var start = current || region;
    map.fitBounds([[start[1], start[0]], [start[3], start[2]]]);
    show(current);
    box.querySelector("[data-use-view]").addEventListener("click", function () {
      input.value = format(map.getBounds());
      show(parse(input.value));
    });
    box.querySelector("[data-clear]").addEventListener("click", function () {
      input.value = "";
      show(null);
    });
    map.on("boxzoomend", function (e) {
      input.value = format(e.boxZoomBounds);
      show(parse(input.value));
    });
    input.addEventListener("change", function () { show(parse(input.value)); });
  });
})();
