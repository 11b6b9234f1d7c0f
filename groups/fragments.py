"""The result rows of the search pages, each built once and only its clock filled in per page.

A row of the results says when a meeting next starts (on the reader's clock, "Happening now",
"Today 19:00") and, near a place, how far it is; everything else in it (the name and link, the
fellowship, the venue and town, the types and languages, a closure's reason, the warning of an
old check) is the same for every reader of that language on that day. That part is rendered
once from partials/meeting_listing.html and kept, in this process and in the shared cache
(Redis, when REDIS_URL is set; a process's own cache would only hold a second copy, and push the
pages out of it), under a key of what it depends on:

- the listings' last change (ListingsVersion, moved on by every save of a meeting, venue, group,
  region, fellowship, type or check: groups.signals), so a volunteer's fix shows on the next
  request, as with the page cache;
- the page's language, and today's date (the "Last checked 18 months ago" warning);
- the build: the template's source and the translation catalogues, so a deploy never shows
  rows of the code before it.

The clock's part is written here in Python with the same sentences as the rest of the page
(the catalogues' msgids): it is the only part read per row per request. A search then needs,
per row, only the few columns the clock reads (Listed), fetched as plain values in one query
(groups.search), and reads the kept parts in one round trip; the models and their related
rows are fetched only for the rows not yet kept.
"""

import dataclasses
import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.models import ListingsVersion, Meeting

TEMPLATE = "partials/meeting_listing.html"
# Where the distance goes in a kept row: a comment, which escaped text can never contain.
DISTANCE = "<!--distance-->"
KEPT_SECONDS = 24 * 3600
# Rows kept by this process, for the current key's prefix only (cleared when it moves on).
LOCAL_LIMIT = 20_000
_local: dict[str, str] = {}
_local_prefix = [""]


@dataclasses.dataclass(slots=True)
class Listed:
    """What a results row reads per request: the meeting's clock, status and place. The rest of
    the row is kept (see the module's docstring)."""

    pk: int
    slug: str
    status: str
    status_until: datetime.date | None
    day: int | None
    start_time: datetime.time | None
    end_time: datetime.time | None
    timezone: str
    attendance: str
    latitude: float | None
    longitude: float | None
    distance: float | None = None  # from the place searched near, in km (groups.search)

    # The columns, in this order, as groups.search reads them.
    COLUMNS = (
        "pk",
        "slug",
        "status",
        "status_until",
        "day",
        "start_time",
        "end_time",
        "timezone",
        "attendance",
        "location__latitude",
        "location__longitude",
    )

    # Read as a Meeting reads them (groups.clock.occurrence and the search use these).
    Attendance = Meeting.Attendance
    zone = Meeting.zone
    by_appointment = Meeting.by_appointment
    is_online_only = Meeting.is_online_only
    is_in_person = Meeting.is_in_person

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def get_status_display(self) -> str:
        return str(Meeting.Status(self.status).label)


def listed(ids: list[int]) -> list[Listed]:
    """The rows with these ids, in this order, as plain values in one query."""
    found = {
        values[0]: Listed(*values)
        for values in Meeting.objects.filter(pk__in=ids).values_list(*Listed.COLUMNS)
    }
    return [found[pk] for pk in ids if pk in found]


def _build() -> str:
    """What the kept rows' markup depends on beside the data: the template and the catalogues."""
    digest = hashlib.sha256()
    template = get_template(TEMPLATE)
    digest.update(Path(template.origin.name).read_bytes())
    for path in settings.LOCALE_PATHS:
        for catalogue in sorted(Path(path).glob("*/LC_MESSAGES/django.mo")):
            digest.update(catalogue.read_bytes())
    return digest.hexdigest()[:12]


_built: list[str] = []


def _prefix() -> str:
    if not _built:
        _built.append(_build())
    return ":".join(
        (
            "row",
            _built[0],
            ListingsVersion.current(),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
        )
    )


def _kept(pks: list[int]) -> dict[int, str]:
    """The kept part of each of these meetings' rows, building those not yet kept."""
    prefix = _prefix()
    if _local_prefix[0] != prefix or len(_local) > LOCAL_LIMIT:
        _local.clear()
        _local_prefix[0] = prefix
    found = {pk: _local[f"{prefix}:{pk}"] for pk in pks if f"{prefix}:{pk}" in _local}
    wanted = [pk for pk in pks if pk not in found]
    shared = not isinstance(caches["default"], LocMemCache)  # else this process's copies are all
    if wanted and shared:
        stored = cache.get_many([f"{prefix}:{pk}" for pk in wanted])
        for pk in wanted:
            html = stored.get(f"{prefix}:{pk}")
            if html is not None:
                found[pk] = html
                _local[f"{prefix}:{pk}"] = html
    missing = [pk for pk in pks if pk not in found]
    if missing:
        template = get_template(TEMPLATE)
        built = {
            meeting.pk: template.render({"m": meeting}).strip()
            for meeting in Meeting.objects.for_listing().filter(pk__in=missing)
        }
        if shared:
            cache.set_many({f"{prefix}:{pk}": html for pk, html in built.items()}, KEPT_SECONDS)
        for pk, html in built.items():
            _local[f"{prefix}:{pk}"] = html
        found.update(built)
    return found


def forget_kept() -> None:
    """Forgets the rows this process keeps (the shared cache's are forgotten with it)."""
    _local.clear()
    _local_prefix[0] = ""


def when_line(meeting, when) -> str:
    """The row's first line: when the meeting next meets, on the reader's clock, or that it
    is closed for now."""
    if meeting.status != Meeting.Status.ACTIVE:
        line = f'<p class="when closed"><strong>{escape(meeting.get_status_display())}</strong>'
        if meeting.status_until:
            until = escape(date_filter(meeting.status_until, "j F Y"))
            line += " " + _("until %(until)s") % {"until": until}
        if when:
            usually = _("usually %(when)s") % {"when": escape(when.usual_label)}
            line += f' <span class="own">· {usually}</span>'
        return line + "</p>"
    if when is None:
        by_appointment = conditional_escape(_("By appointment"))
        return f'<p class="when">{by_appointment}</p>'
    if when.in_progress:
        began = _('began <time datetime="%(iso)s">%(time)s</time>') % {
            "iso": escape(when.start.isoformat()),
            "time": escape(when.time_label),
        }
        if when.minutes_in:
            ago = ngettext("%(counter)s min ago", "%(counter)s min ago", when.minutes_in) % {
                "counter": when.minutes_in
            }
        else:
            ago = conditional_escape(_("just now"))
        ends = _("ends %(end)s") % {"end": escape(when.end_label)}
        now = conditional_escape(_("Happening now"))
        line = f'<strong class="now">{now}</strong> · {began}, {ago} · {ends}'
    else:
        line = (
            f'<time datetime="{escape(when.start.isoformat())}">'
            f"{escape(when.day_label)} {escape(when.time_label)}</time>"
        )
    own = when.own_label
    if own:
        line += f' <span class="own">({escape(own)})</span>'
    return f'<p class="when">{line}</p>'


def distance_words(distance: float | None, unit: str) -> str:
    if distance is None:
        return ""
    words = _("%(distance)s %(unit)s away") % {
        "distance": escape(floatformat(distance, 1)),
        "unit": escape(unit),
    }
    return f" · {words}"


def rows_html(rows, *, offered: bool = False) -> SafeString:
    """The <li> of each result row (groups.search.Row), in order."""
    if not rows:
        return mark_safe("")
    kept = _kept([row.meeting.pk for row in rows])
    attribute = "data-offered-slug" if offered else "data-meeting-slug"
    out = []
    for row in rows:
        meeting = row.meeting
        closed = "" if meeting.status == Meeting.Status.ACTIVE else " not-meeting"
        body = kept[meeting.pk].replace(DISTANCE, distance_words(row.distance, row.unit), 1)
        out.append(
            f'<li class="meeting{closed}" {attribute}="{escape(meeting.slug)}">\n'
            f"  {when_line(meeting, row.when)}\n  {body}\n</li>"
        )
    return mark_safe("\n".join(out))
