// The map of a search and the small map on a meeting page (docs/maps.md). An enhancement only:
// with scripts off the page says the list has every meeting. By default everything drawn here
// comes from this site (Leaflet and the Natural Earth outlines in static/vendor/, the meetings
// from /meetings/map.json); a tile server is used only when the operator set one, and the page
// then names it.
(function () {
  "use strict";
  if (!window.L || !window.fetch) { return; }

  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // The coarse outlines (1:110m, 38 KB compressed) serve the world and continents; the finer
  // ones (1:50m, 230 KB) are fetched only once someone zooms in to a country. Closer than a
  // region they would put a town's coast kilometres out (a hall by the shore would stand in
  // the sea), so past that the background is plain and the markers stand on their own.
  var DETAIL_ZOOM = 4;
  var OUTLINE_MAX_ZOOM = 9;
  var LAND = { color: "#8a8a84", weight: 0.8, fillColor: "#f1eee6", fillOpacity: 1 };
  var outlines = {};

  // The page's words for this script, in its language (base.html, groups/context_processors.py);
  // the English beside each use is the fallback.
  var T = {};
  try {
    var words = document.getElementById("ui-strings");
    T = (words && JSON.parse(words.textContent)) || {};
  } catch (e) { T = {}; }
  var pageLanguage = document.documentElement.lang || "en";

  // A text with a count: [one, other] from the page, else the English pair; {count} filled in.
  function counted(key, n, one, other) {
    var forms = T[key] && T[key].length === 2 ? T[key] : [one, other];
    return forms[n === 1 ? 0 : 1].replace("{count}", number(n));
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function eachRing(geometry, change) {
    if (!geometry) { return; }
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] :
      geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    polygons.forEach(function (rings) { rings.forEach(change); });
  }

  // Natural Earth cuts the shapes that cross the 180th meridian (Russia's far east, Fiji) on it:
  // drawn as they are, they would stretch across the whole world. Each step of more than half
  // the globe is taken the short way round instead, except along the poles (Antarctica).
  function unwrap(ring) {
    var shift = 0;
    for (var i = 1; i < ring.length; i++) {
      var step = ring[i][0] + shift - ring[i - 1][0];
      if (Math.abs(ring[i][1]) < 89.9 && Math.abs(step) > 180) { shift -= 360 * Math.sign(step); }
      ring[i] = [ring[i][0] + shift, ring[i][1]];
    }
  }

  // Each file is fetched and turned into GeoJSON once, however many maps use it.
  function countries(url) {
    if (!outlines[url]) {
      outlines[url] = fetch(url).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (topology) {
        var geojson = window.topojson.feature(topology, topology.objects.countries);
        geojson.features.forEach(function (country) { eachRing(country.geometry, unwrap); });
        return geojson;
      });
    }
    return outlines[url];
  }

  function drawBackground(map, element) {
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
      var credit = element.getAttribute("data-tiles-attribution");
      if (credit) { map.attributionControl.addAttribution(escapeHtml(credit)); }
      return;
    }
    map.attributionControl.addAttribution("Natural Earth");
    if (!window.topojson) { return; }
    var renderer = L.canvas({ padding: 0.5 });
    var layers = {};
    var shown = null;
    var show = function () {
      var zoom = map.getZoom();
      var which = zoom > OUTLINE_MAX_ZOOM ? "" : zoom >= DETAIL_ZOOM ? "data-basemap-detail" : "data-basemap";
      if (which === shown) { return; }
      shown = which;
      element.classList.toggle("map-near", !which);
      if (!which) {
        Object.keys(layers).forEach(function (key) { map.removeLayer(layers[key]); });
        return;
      }
      countries(element.getAttribute(which)).then(function (geojson) {
        if (shown !== which) { return; }
        if (!layers[which]) {
          layers[which] = L.geoJSON(geojson, { renderer: renderer, interactive: false, style: LAND });
        }
        Object.keys(layers).forEach(function (key) {
          if (key !== which) { map.removeLayer(layers[key]); }
        });
        layers[which].addTo(map);
        layers[which].bringToBack();
      }).catch(function () { /* the sea-coloured background and the markers still show */ });
    };
    map.on("zoomend", show);
    show();
  }

  function newMap(element, options) {
    var map = L.map(element, L.extend({
      worldCopyJump: true,
      zoomAnimation: !reduced,
      fadeAnimation: !reduced,
      markerZoomAnimation: !reduced,
      inertia: !reduced
    }, options));
    if (reduced) {
      // Every move (fitting the meetings, zooming into a cluster, panning to a popup) jumps
      // rather than glides.
      var setView = map.setView;
      var panBy = map.panBy;
      map.setView = function (center, zoom, opts) {
        return setView.call(this, center, zoom, L.extend({}, opts, { animate: false }));
      };
      map.panBy = function (offset, opts) {
        return panBy.call(this, offset, L.extend({}, opts, { animate: false }));
      };
    }
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Leaflet");
    drawBackground(map, element);
    return map;
  }

  // How close a map starts at most: a street's scale on a tile server; on the outlines, the
  // closest at which they are still true (see OUTLINE_MAX_ZOOM).
  function closest(element) {
    return element.hasAttribute("data-tiles") ? 15 : OUTLINE_MAX_ZOOM - 1;
  }

  function pin(name, closed) {
    return L.divIcon({
      className: "map-pin" + (closed ? " map-pin-closed" : ""),
      html: '<span class="visually-hidden">' +
        escapeHtml(closed ? (T.pin_closed || "{name} (temporarily closed)").replace("{name}", function () { return name; }) : name) + "</span>",
      iconSize: [26, 26]
    });
  }

  function popupContent(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.name;
    var title = document.createElement("p");
    title.className = "map-popup-name";
    title.appendChild(link);
    box.appendChild(title);
    var facts = document.createElement("p");
    facts.textContent = [properties.when, properties.fellowship, properties.attendance].join(" · ");
    box.appendChild(facts);
    if (properties.temporarily_closed) {
      var closed = document.createElement("p");
      closed.className = "map-popup-closed";
      closed.textContent = T.temporarily_closed || "Temporarily closed";
      box.appendChild(closed);
    }
    if (properties.approximate) {
      var near = document.createElement("p");
      near.textContent = T.approximate || "The place shown is approximate.";
      box.appendChild(near);
    }
    return box;
  }

  // A popup opened from the keyboard puts the meeting's link in reach; closing it gives the
  // focus back to its marker.
  function keyboardPopups(map) {
    map.on("popupopen", function (event) {
      var box = event.popup.getElement();
      var link = box.querySelector(".map-popup a");
      if (link) { link.focus({ preventScroll: true }); }
      // Leaflet closes a popup on Escape only while the map itself has the focus.
      if (!box.hasAttribute("data-escape")) {
        box.setAttribute("data-escape", "");
        box.addEventListener("keydown", function (key) {
          if (key.key === "Escape") { map.closePopup(); }
        });
      }
    });
    map.on("popupclose", function (event) {
      var source = event.popup._source;
      var inside = event.popup.getElement() && event.popup.getElement().contains(document.activeElement);
      if (source && source._icon && (inside || document.activeElement === document.body)) {
        source._icon.focus({ preventScroll: true });
      }
    });
  }

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    return L.divIcon({
      className: "map-cluster",
      html: '<span aria-hidden="true">' + count + '</span><span class="visually-hidden">' +
        escapeHtml((T.cluster || "{count} meetings here: show them").replace("{count}", count)) + "</span>",
      iconSize: [40, 40]
    });
  }

  function say(status, text) {
    if (status) { status.textContent = text; }
  }

  function number(n) {
    return n.toLocaleString(pageLanguage === "en" ? "en-GB" : pageLanguage);
  }

  function searchMap(element) {
    var section = element.closest(".map-view") || element.parentNode;
    var status = section.querySelector("[data-map-status]");
    var map = newMap(element, { maxZoom: 16, minZoom: 1 });
    map.setView([25, 0], 2);
    keyboardPopups(map);
    var group = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      animate: !reduced,
      showCoverageOnHover: false,
      maxClusterRadius: 60
    });
    map.addLayer(group);
    say(status, T.loading || "Loading the map…");
    fetch(element.getAttribute("data-map"), { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      var markers = data.features.map(function (feature) {
        var p = feature.properties;
        var c = feature.geometry.coordinates;
        var marker = L.marker([c[1], c[0]], { icon: pin(p.name, p.temporarily_closed), keyboard: true });
        marker.bindPopup(function () { return popupContent(p); }, { maxWidth: 260 });
        marker.on("add", function () {
          if (marker._icon) { marker._icon.setAttribute("data-meeting-slug", p.slug); }
        });
        return marker;
      });
      group.addLayers(markers);
      var text;
      if (markers.length) {
        map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: closest(element) });
        text = counted("on_map", markers.length, "{count} meeting on the map.", "{count} meetings on the map.");
      } else {
        text = T.none_on_map || "None of these meetings is held in a place on the map: online meetings have no place.";
      }
      if (data.more) {
        text += " " + (T.more || "The map shows the first {count} meetings of this search; choose more filters to see the rest.")
          .replace("{count}", number(data.limit));
      }
      if (data.unplaced) {
        text += " " + counted("unplaced", data.unplaced, "{count} meeting has no position for the map; the list has it.",
          "{count} meetings have no position for the map; the list has them.");
      }
      say(status, text);
      element.setAttribute("data-map-loaded", String(markers.length));
    }).catch(function () {
      say(status, T.map_failed || "The map could not be loaded. The list has every meeting.");
    });
  }

  function pointMap(element) {
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lng = parseFloat(element.getAttribute("data-lng"));
    if (isNaN(lat) || isNaN(lng)) { return; }
    // A small map inside the page: the wheel scrolls the page, not the map.
    var map = newMap(element, { maxZoom: 16, minZoom: 2, scrollWheelZoom: false });
    map.setView([lat, lng], closest(element));
    L.marker([lat, lng], {
      icon: pin(element.getAttribute("data-name") || T.meeting_place || "The meeting's place", false),
      keyboard: false,
      interactive: false
    }).addTo(map);
    element.setAttribute("data-map-loaded", "1");
  }

  function start(element) {
    if (element.hasAttribute("data-map-ready")) { return; }
    element.setAttribute("data-map-ready", "");
    element.hidden = false;
    var fallback = (element.closest(".map-view, .map-point") || element.parentNode).querySelector("[data-map-fallback]");
    if (fallback) { fallback.hidden = true; }
    if (element.hasAttribute("data-map")) {
      searchMap(element);
    } else {
      pointMap(element);
    }
  }

  function startAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-map], [data-map-point]"), start);
  }

  startAll(document);
  // The search page refreshes its results in place as filters change (finder.js): a map that
  // arrives with them is drawn too.
  var results = document.getElementById("results");
  if (results && window.MutationObserver) {
    new MutationObserver(function () { startAll(results); }).observe(results, { childList: true });
  }
})();
