// Enhancements only: every page works without this script.
(function () {
  "use strict";

  // The page's words for this script, in its language (base.html, groups/context_processors.py);
  // the English beside each use is the fallback.
  var T = {};
  try {
    var words = document.getElementById("ui-strings");
    T = (words && JSON.parse(words.textContent)) || {};
  } catch (e) { T = {}; }

  // The viewer's time zone, so that times show on their own clock. Kept in a first-party cookie
  // (no tracking: it holds only the zone name). A zone chosen on /time-zone/ (tz_chosen) is
  // left as the person set it.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  // IANA names need no encoding in a cookie; anything else is not a zone name.
  if (!/^[A-Za-z0-9_+\-\/]+$/.test(zone)) { zone = ""; }
  var cookies = document.cookie.split("; ");
  var chosen = cookies.indexOf("tz_chosen=1") !== -1;
  if (zone && !chosen && cookies.indexOf("tz=" + zone) === -1) {
    // Stored as is: the server reads the cookie's value verbatim, so "America%2FToronto" (what
    // encodeURIComponent gives) would not be a zone it knows.
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    // The results were made without the browser's zone: they are fetched again, once, on the
    // person's own clock (below), if the cookie was kept and the link asked for no other zone.
    // In place, not by reloading: nothing the person has begun to choose is lost.
    var note = document.querySelector("#results [data-viewer-zone]");
    var kept = document.cookie.split("; ").indexOf("tz=" + zone) !== -1;
    var stale = note && kept && note.getAttribute("data-zone-source") !== "query" &&
      note.getAttribute("data-viewer-zone") !== zone;
  }

  // "Use my location": fills lat/lng from the browser and submits. The position never leaves
  // this site.
  var button = document.querySelector("[data-use-location]");
  if (button && "geolocation" in navigator) {
    var form = button.closest("form");
    var status = document.querySelector("[data-locate-status]");
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = T.locating || "Asking your browser where you are (it may ask you first)…";
      navigator.geolocation.getCurrentPosition(function (position) {
        var metres = Math.round(position.coords.accuracy || 0);
        status.textContent = metres ?
          (T.found_within || "Found you (to within about {distance}). Looking for meetings near you…")
            .replace("{distance}", metres >= 1000 ? Math.round(metres / 1000) + " km" : metres + " m") :
          T.found || "Found you. Looking for meetings near you…";
        form.querySelector("input[name=lat]").value = position.coords.latitude.toFixed(4);
        form.querySelector("input[name=lng]").value = position.coords.longitude.toFixed(4);
        var near = form.querySelector("input[name=near]");
        if (near) { near.value = ""; }
        var sort = form.querySelector("select[name=sort]");
        if (sort) { sort.value = "distance"; }
        form.submit();
      }, function () {
        status.textContent = T.no_location || "Your location is not available. Type a place or postal code instead.";
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // Beside the list (a wide screen) the search form is always open; a browser that cannot
  // show a closed disclosure's content by style alone is told to open it.
  var refine = document.querySelector("details.refine");
  var wide = window.matchMedia && window.matchMedia("(min-width: 60rem)").matches;
  if (refine && wide) { refine.open = true; }

  // Share a meeting: the phone's own share sheet, else the link copied.
  var share = document.querySelector("[data-share]");
  if (share && (navigator.share || (navigator.clipboard && navigator.clipboard.writeText))) {
    var shared = document.querySelector("[data-share-status]");
    share.hidden = false;
    share.addEventListener("click", function () {
      var link = { title: document.title, url: window.location.href.split("#")[0] };
      if (navigator.share) {
        navigator.share(link).catch(function () { /* closed without sharing */ });
      } else {
        navigator.clipboard.writeText(link.url).then(function () {
          shared.textContent = T.copied || "Link copied.";
        }, function () {
          shared.textContent = T.copy_failed || "The link could not be copied: copy it from the address bar.";
        });
      }
    });
  }

  // Live results: on the search page, changing a filter refreshes the results in place; not
  // on a narrow screen, where the results are below the open form, out of sight: there the
  // person sends the form and lands on the results.
  var results = document.getElementById("results");
  var searchForm = document.querySelector("#main form.search");
  var announcer = document.querySelector("[data-results-status]");
  if (results && searchForm && window.fetch && window.URLSearchParams) {
    var timer = null;
    // Once the form is sent, a late answer to a refresh must not touch the page (replacing
    // the address now would stop the page the person asked for from loading).
    var leaving = false;
    var refresh = function (again) {
      var params = new URLSearchParams();
      new FormData(searchForm).forEach(function (value, key) {
        if (value !== "") { params.append(key, value); }
      });
      var url = again || searchForm.action + "?" + params.toString();
      fetch(url, { headers: { "Accept": "text/html" } }).then(function (response) {
        return response.text();
      }).then(function (html) {
        if (leaving) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("results");
        if (fresh) {
          results.innerHTML = fresh.innerHTML;
          history.replaceState(null, "", url);
          // A status region that stays in the page says how many were found; the results
          // themselves are not a live region, or a screen reader would read every meeting.
          var heading = fresh.querySelector("h2");
          if (announcer && heading) { announcer.textContent = heading.textContent; }
        }
      }).catch(function () { /* the submit button still works */ });
    };
    if (stale) { refresh(window.location.href); }
    searchForm.addEventListener("submit", function () {
      leaving = true;
      clearTimeout(timer);
    });
    searchForm.addEventListener("change", function (event) {
      if (event.target.name === "near" || event.target.name === "q") { return; }
      if (!window.matchMedia("(min-width: 60rem)").matches) { return; }
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  }
})();
