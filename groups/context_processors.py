from django.conf import settings
from django.utils.translation import gettext, ngettext


def js_strings() -> dict[str, str | list[str]]:
    """The words static/js/finder.js and map.js show, in the active language, for
    `{{ js_strings|json_script:"ui-strings" }}` in base.html (the Content-Security-Policy allows
    no inline script, but a JSON data block is not script). Placeholders are {name} style: the
    scripts fill them. A count has its two forms, [one, other]: the scripts take the first for 1
    and the second for any other number (no count they show here is 0). Plain gettext, no
    database: this runs on every page."""
    return {
        # finder.js: "Use my location", sharing a meeting.
        "locating": gettext("Asking your browser where you are (it may ask you first)…"),
        # Translators: {distance} is a number and a unit, such as “40 m” or “2 km”.
        "found_within": gettext(
            "Found you (to within about {distance}). Looking for meetings near you…"
        ),
        "found": gettext("Found you. Looking for meetings near you…"),
        "no_location": gettext(
            "Your location is not available. Type a place or postal code instead."
        ),
        "copied": gettext("Link copied."),
        "copy_failed": gettext("The link could not be copied: copy it from the address bar."),
        # map.js: markers, popups and the map's status line.
        "pin_closed": gettext("{name} (temporarily closed)"),
        "temporarily_closed": gettext("Temporarily closed"),
        "approximate": gettext("The place shown is approximate."),
        "cluster": gettext("{count} meetings here: show them"),
        "meeting_place": gettext("The meeting's place"),
        "loading": gettext("Loading the map…"),
        "on_map": [
            ngettext("{count} meeting on the map.", "{count} meetings on the map.", n)
            for n in (1, 2)
        ],
        "none_on_map": gettext(
            "None of these meetings is held in a place on the map: online meetings have no place."
        ),
        "more": gettext(
            "The map shows the first {count} meetings of this search; "
            "choose more filters to see the rest."
        ),
        "unplaced": [
            ngettext(
                "{count} meeting has no position for the map; the list has it.",
                "{count} meetings have no position for the map; the list has them.",
                n,
            )
            for n in (1, 2)
        ],
        "map_failed": gettext("The map could not be loaded. The list has every meeting."),
    }


def site(request):
    # site_url: the public address, for links that must be absolute (feed discovery).
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "js_strings": js_strings(),
    }
