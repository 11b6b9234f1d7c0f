"""The map of a search (docs/maps.md): /meetings/map.json answers the same parameters as
/meetings/ with GeoJSON of the meetings that have a place to go to.

The map is drawn in the browser (static/js/map.js) on Natural Earth files this site serves
itself, so by default no page asks another site for anything. An operator may name a tile
server (MAP_TILE_URL); pages then may load images from that one host, and say so.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from groups.pagecache import cached_page
from groups.search import search
from groups.views import _cookie_tz

# The ways of attending a search may ask for (groups.filters.MeetingFilter.attendance).
ATTENDANCE = {"in_person", "online", "hybrid"}


def tile_origin() -> str:
    """The origin of the operator's tile server ("https://tile.example.org"), or "" when none
    is set. Read from settings on each call, so a test's `settings` fixture changes it."""
    if not settings.MAP_TILE_URL:
        return ""
    parts = urlsplit(settings.MAP_TILE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def tile_host() -> str:
    """The tile server's host name, as the privacy note names it; "" when none is set."""
    if not settings.MAP_TILE_URL:
        return ""
    return urlsplit(settings.MAP_TILE_URL).hostname or ""


class TileServerPolicyMiddleware:
    """With a tile server set, the Content-Security-Policy's img-src also allows its origin,
    and nothing else changes (the tiles are plain images). Added per response, after the
    policy in settings is built, so that the setting is read when the page is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origin = tile_origin()
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["img-src"] = [*update.get("img-src", ()), origin]
            response._csp_update = update
        return response


def _in_person_part(params):
    """The search's parameters, asking only for the meetings that are held somewhere (in
    person or hybrid), so that the database leaves out the online ones rather than this view.
    A search for online meetings keeps its hybrid ones, as the list does. Values the search
    would refuse are left as they are, so that its 400 names them."""
    params = params.copy()
    for name in ("view", "page"):
        params.pop(name, None)
    asked = set(params.getlist("attendance"))
    if asked <= ATTENDANCE:
        wanted = (asked & {"in_person", "hybrid"}) | ({"hybrid"} if "online" in asked else set())
        params.setlist("attendance", sorted(wanted) or ["in_person"])
    return params


def feature(row, request) -> dict:
    meeting, when = row.meeting, row.when
    place = meeting.location
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
        "properties": {
            "slug": meeting.slug,
            "name": meeting.name,
            "url": request.build_absolute_uri(meeting.get_absolute_url()),
            # On the viewer's clock when their zone is known, as the list shows it; the words
            # shown in the map's popups are in the page's language.
            "when": f"{when.day_label} {when.time_label}" if when else _("By appointment"),
            "fellowship": meeting.fellowship.short_name,
            "attendance": meeting.get_attendance_display(),
            "temporarily_closed": meeting.status == meeting.Status.TEMPORARILY_CLOSED,
            "approximate": place.approximate,
        },
    }


@require_safe
@cached_page
def meetings_map(request):
    """GeoJSON of a search's meetings held in person or hybrid, at most MAP_LIMIT of them in
    the search's own order; "more" says that more matched. Meetings whose venue has no
    coordinates cannot be drawn: "unplaced" counts them, and the list still has them."""
    limit = settings.MAP_LIMIT
    result = search(
        _in_person_part(request.GET), cookie_tz=_cookie_tz(request), paginate=False, limit=limit + 1
    )
    if result.errors:
        return JsonResponse({"errors": result.errors}, status=400)
    rows = result.rows[:limit]
    placed = [row for row in rows if row.meeting.location and row.meeting.location.has_coordinates]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": [feature(row, request) for row in placed],
            "limit": limit,
            "more": len(result.rows) > limit,
            "unplaced": len(rows) - len(placed),
        }
    )
