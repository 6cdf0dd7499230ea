/* The web map: Leaflet over the offline base layer; layers from /map/data.json.
   No inline script (the page's policy forbids it), no request leaves the server
   unless an operator configured a tile URL. Every text comes translated from the page. */
(function () {
  "use strict";
  var host = document.getElementById("map");
  if (!host || !window.L) { return; }
  var cfg = JSON.parse(host.getAttribute("data-config"));
  var t = cfg.labels;
  var r = cfg.region;
  var form = document.getElementById("map-controls");
  var range = document.getElementById("map-until-range");
  var untilInput = document.getElementById("map-until");
  var daysInput = document.getElementById("map-days");
  var categoryInput = document.getElementById("map-category");
  var bboxInput = document.getElementById("map-bbox");
  var zoomInput = document.getElementById("map-zoom");
  var listLink = document.getElementById("map-list-link");
  var summary = document.getElementById("map-summary");

  var map = L.map(host, { minZoom: cfg.minZoom, maxZoom: cfg.maxZoom, keyboard: true,
                          attributionControl: true, preferCanvas: false });
  var f = cfg.focus || r;
  map.fitBounds([[f[1], f[0]], [f[3], f[2]]]);
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth · GeoNames");
  if (cfg.tileUrl) { L.tileLayer(cfg.tileUrl, { maxZoom: cfg.maxZoom }).addTo(map); }
  /* The opening view's layers were asked for by the page itself (a preload of cfg.first.url,
     sent before this script was even downloaded): the same URL takes that answer. The base
     layer's two files were preloaded too. Everything is drawn as it arrives. */
  var pending = null;
  var timer = null;
  var shownBox = cfg.first.bbox;
  var shownZoom = cfg.first.zoom;
  var firstData = fetch(cfg.first.url, { credentials: "same-origin" })
    .then(function (res) { if (!res.ok) { throw new Error(String(res.status)); } return res.json(); });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function summaryOf(title, rows, link) {
    var box = el("div", "popup");
    box.appendChild(el("strong", null, title));
    var dl = el("dl");
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      dl.appendChild(el("dt", null, row[0]));
      dl.appendChild(el("dd", null, row[1]));
    });
    box.appendChild(dl);
    if (link) {
      var a = el("a", null, link[1]);
      a.href = link[0];
      box.appendChild(a);
    }
    return box;
  }
  function label(map_, key) { return (map_ && map_[key]) || key; }

  /* The base layer: country boundaries (Natural Earth) and towns (GeoNames). */
  var base = L.layerGroup().addTo(map);
  fetch(cfg.basemapUrl).then(function (res) { return res.json(); }).then(function (geo) {
    L.geoJSON(geo, { interactive: false, style: function () { return { className: "basemap-country" }; } })
      .addTo(base);
  });
  /* First-level boundaries: not needed for the first picture, so asked for once the
     opening data is drawn (see show()). */
  var admin1 = L.layerGroup();
  var admin1Asked = false;
  function loadAdmin1() {
    if (admin1Asked) { return; }
    admin1Asked = true;
    fetch(cfg.admin1Url).then(function (res) { return res.json(); }).then(function (geo) {
      L.geoJSON(geo, { interactive: false, style: function () { return { className: "basemap-admin1" }; } })
        .addTo(admin1);
    });
  }
  var towns = L.layerGroup();
  var townList = [];
  function drawTowns() {
    towns.clearLayers();
    var zoom = map.getZoom();
    var min = zoom >= 10 ? 0 : zoom >= 9 ? 30000 : zoom >= 8 ? 60000 : 200000;
    townList.forEach(function (town) {
      if (town.population < min) { return; }
      L.marker([town.lat, town.lon], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "town-label", html: "", iconSize: null })
      }).on("add", function (e) {
        var icon = e.target.getElement();
        if (icon) { icon.textContent = (town.names && town.names[cfg.lang]) || town.name; }
      }).addTo(towns);
    });
  }
  fetch("/map/towns.json").then(function (res) { return res.json(); }).then(function (list) {
    townList = list;
    drawTowns();
  });

  var layers = {
    zones: L.layerGroup(),
    posts: L.layerGroup(),
    incidents: L.layerGroup(),
    reports: L.layerGroup(),
    news: L.layerGroup(),
    towns: towns,
    admin1: admin1
  };
  /* Points cluster in the browser; the server's cells (low zoom) are drawn as they come. */
  var clusters = {
    incidents: L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
                                      iconCreateFunction: clusterIcon("incident-cluster") }),
    reports: L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
                                    iconCreateFunction: clusterIcon("report-cluster") })
  };
  function clusterIcon(cls) {
    return function (cluster) {
      /* A number only: safe as HTML. */
      return L.divIcon({ className: "cluster " + cls, html: String(cluster.getChildCount()),
                         iconSize: L.point(34, 34) });
    };
  }
  function cellMarker(cell, kind) {
    var size = cell.count >= 1000 ? 44 : cell.count >= 100 ? 36 : 30;
    var icon = L.divIcon({ className: "cluster cell cell-" + kind, html: String(Number(cell.count)),
                           iconSize: L.point(size, size) });
    var marker = L.marker([cell.lat, cell.lon], { icon: icon, keyboard: true,
                                                  title: cell.count + " " + t[kind] });
    marker.bindPopup(function () {
      return summaryOf(cell.count + " " + t[kind], [[t.count, ""]], null);
    });
    marker.on("click", function () {
      var b = cell.bounds;
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    });
    return marker;
  }

  function enabled(name) {
    var box = form.querySelector('input[name="layer"][value="' + name + '"]');
    return box ? box.checked : false;
  }
  function syncLayers() {
    Object.keys(layers).forEach(function (name) {
      if (enabled(name)) { layers[name].addTo(map); } else { map.removeLayer(layers[name]); }
    });
  }

  function drawZones(geo) {
    layers.zones.clearLayers();
    L.geoJSON(geo, {
      style: function (f) { return { className: "zone zone-" + f.properties.status }; },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6 }); },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup(function () {
          return summaryOf(p.name, [[t.zone, label(t.zoneStatuses, p.status)], [t.precision, p.precision]], null);
        });
      }
    }).addTo(layers.zones);
  }
  function drawPosts(posts) {
    layers.posts.clearLayers();
    posts.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 7, className: "post-marker" })
        .bindPopup(function () { return summaryOf(p.name, [[t.post, ""], [t.owners, p.owners.join(", ")]], null); })
        .addTo(layers.posts);
    });
  }
  // A layer of records: the server's cells when its points are too many, else a marker
  // (markerOf) for each point in the layer's clusters.
  function drawLayer(name, data, markerOf) {
    layers[name].clearLayers();
    clusters[name].clearLayers();
    if (data.mode === "cells") {
      data.cells.forEach(function (c) { layers[name].addLayer(cellMarker(c, name)); });
      return;
    }
    layers[name].addLayer(clusters[name]);
    data.points.forEach(function (p) { clusters[name].addLayer(markerOf(p)); });
  }
  function incidentMarker(p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 8, className: "incident-marker status-" + p.status });
    marker.bindPopup(function () {
      return summaryOf(p.display_title || p.title, [
        [t.status, label(t.statuses, p.status)], [t.category, label(t.categories, p.category)],
        [t.attribution, p.attributed_party ? p.attribution + " (" + p.attributed_party + ")" : p.attribution],
        [t.observed, p.observed], [t.place, p.place]
      ], [p.url, t.open]);
    });
    return marker;
  }
  function reportMarker(p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 6, className: "report-marker" });
    marker.bindPopup(function () {
      return summaryOf(t.report + " " + p.id, [
        [t.category, label(t.categories, p.category)], [t.channel, label(t.channels, p.channel)],
        [t.observed, p.observed], [t.place, p.place]
      ], p.incident_url ? [p.incident_url, t.open] : null);
    });
    return marker;
  }
  function drawNews(news) {
    layers.news.clearLayers();
    news.forEach(function (n) {
      L.circleMarker([n.lat, n.lon], { radius: 6, className: "news-marker" })
        .bindPopup(function () {
          return summaryOf(t.news + ": " + label(t.newsEvents, n.event_type), [[t.article, n.title], [t.date, n.date], [t.place, n.place]], null);
        })
        .addTo(layers.news);
    });
  }

  function bboxText() {
    var b = map.getBounds();
    function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(4); }).join(",");
  }
  /* Asks for the layers of the current view (aborting an older request still under way). */
  function showing(bbox, zoom) {
    bboxInput.value = bbox;
    zoomInput.value = String(zoom);
    listLink.href = "/incidents?bbox=" + bbox;
  }
  /* Whether the data drawn still serves the view: it covers it, at its zoom or one level
     closer (a little coarser cells; farther out they would crowd). */
  function covered() {
    var b = map.getBounds();
    var closer = map.getZoom() - shownZoom;
    return closer >= 0 && closer <= 1 &&
      b.getWest() >= shownBox[0] && b.getSouth() >= shownBox[1] &&
      b.getEast() <= shownBox[2] && b.getNorth() <= shownBox[3];
  }
  function request() {
    var bbox = bboxText();
    showing(bbox, map.getZoom());
    shownBox = bbox.split(",").map(Number);
    shownZoom = map.getZoom();
    var query = new URLSearchParams({ bbox: bbox, zoom: String(map.getZoom()),
                                      until: untilInput.value, days: daysInput.value,
                                      lang: cfg.lang });
    if (categoryInput.value) { query.set("category", categoryInput.value); }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    summary.textContent = t.loading;
    /* Until this answer is drawn the markers on the map are the last view's (tests and
       assistive tools wait for "1" before acting on them). */
    host.setAttribute("data-loaded", "0");
    return fetch("/map/data.json?" + query.toString(), { signal: pending.signal, credentials: "same-origin" })
      .then(function (res) { if (!res.ok) { throw new Error(String(res.status)); } return res.json(); });
  }
  var latest = 0;
  function show(answer) {
    var mine = ++latest;
    answer
      .then(function (data) {
        if (mine !== latest) { return; } /* an answer for a view since left */
        drawZones(data.zones);
        drawPosts(data.posts);
        drawLayer("incidents", data.incidents, incidentMarker);
        drawLayer("reports", data.reports, reportMarker);
        drawNews(data.news);
        var text = t.shown.replace("{incidents}", data.incidents.total)
                          .replace("{reports}", data.reports.total);
        if (data.incidents.mode === "cells" || data.reports.mode === "cells") { text += " " + t.grouped; }
        summary.textContent = text;
        host.setAttribute("data-loaded", "1");
        loadAdmin1();
      })
      .catch(function (err) { if (err.name !== "AbortError") { summary.textContent = t.failed; } });
  }
  function load() { show(request()); }
  function later() { clearTimeout(timer); timer = setTimeout(load, 150); }

  function dayOf(offset) {
    var first = new Date(range.getAttribute("data-first-day") + "T00:00:00Z");
    return new Date(first.getTime() + offset * 86400000).toISOString().slice(0, 10);
  }
  range.addEventListener("input", function () { untilInput.value = dayOf(Number(range.value)); });
  range.addEventListener("change", later);
  untilInput.addEventListener("change", function () {
    var first = new Date(range.getAttribute("data-first-day") + "T00:00:00Z");
    var chosen = new Date(untilInput.value + "T00:00:00Z");
    range.value = String(Math.round((chosen - first) / 86400000));
    later();
  });
  daysInput.addEventListener("change", later);
  categoryInput.addEventListener("change", later);
  form.querySelectorAll('input[name="layer"]').forEach(function (box) {
    box.addEventListener("change", syncLayers);
  });
  map.on("moveend", later);
  map.on("zoomend", drawTowns);
  syncLayers();
  showing(cfg.first.bbox.join(","), cfg.first.zoom);
  summary.textContent = t.loading;
  show(firstData);
  /* A window much smaller or larger than the one the opening data was chosen for. */
  if (!covered()) { load(); }
})();
