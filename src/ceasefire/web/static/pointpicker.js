/* The place picker of the report form (templates/report_form.html): a click on the small
   map fills the #lat/#lon fields (the location precision select is left as chosen); typing
   in the fields moves the marker. Offline: only the shipped base layer. Without script the
   fields alone work. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var host = document.getElementById("map-picker");
  if (!host) { return; }
  var lat = document.getElementById(host.getAttribute("data-lat"));
  var lon = document.getElementById(host.getAttribute("data-lon"));
  if (!lat || !lon) { return; }
  var region = (host.getAttribute("data-region") || "43,37.5,51,42.5").split(",").map(Number);
  var map = L.map(host, { keyboard: true, attributionControl: false });
  fetch("/static/web/basemap/caucasus.geojson").then(function (r) { return r.json(); })
    .then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: function () { return { className: "basemap-country" }; } })
        .addTo(map);
    });
  var marker = null;
  function current() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isNaN(a) || isNaN(b) || a < -90 || a > 90 || b < -180 || b > 180) { return null; }
    return [a, b];
  }
  function show(point) {
    if (marker) { map.removeLayer(marker); marker = null; }
    if (point) { marker = L.circleMarker(point, { radius: 7, className: "point-chosen" }).addTo(map); }
  }
  var start = current();
  if (start) { map.setView(start, 10); } else { map.fitBounds([[region[1], region[0]], [region[3], region[2]]]); }
  show(start);
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(5);
    lon.value = e.latlng.wrap().lng.toFixed(5);
    show([e.latlng.lat, e.latlng.wrap().lng]);
    lat.dispatchEvent(new Event("change", { bubbles: true }));
  });
  [lat, lon].forEach(function (field) {
    field.addEventListener("change", function () { show(current()); });
  });
})();
