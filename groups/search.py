"""The one read path: every caller that takes a search (the search page, the JSON API, the
referral sheet, the feed and the calendar export) calls `search()` with the request's parameters.
"""

import dataclasses
import datetime
import functools

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Case, F, IntegerField, Value
from django.db.models import When as Where
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from groups.clock import ViewerZone, When, occurrence, week_day
from groups.filters import KM_PER_MILE, SORTS, MeetingFilter
from groups.fragments import listed
from groups.models import Meeting, distance_km
from groups.upcoming import upcoming_key, week_minute_span
from groups.weektime import utc_minute_of_week


class Label(str):
    """The name of one part of a search's summary ("Day", "Near"): it reads in the page's
    language ("Día"), and compares and hashes as its English `key`, so that code and templates
    pick parts out by the key in every language (`label == "Understood"`,
    `dict(summary)["Near"]`)."""

    key: str

    def __new__(cls, key: str, text=None):
        label = super().__new__(cls, key if text is None else str(text))
        label.key = key
        return label

    def __eq__(self, other):
        return self.key == (other.key if isinstance(other, Label) else other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.key)

    def __reduce__(self):
        return (Label, (self.key, str(self)))


@dataclasses.dataclass
class Row:
    meeting: Meeting
    when: When | None
    distance: float | None  # in the unit asked for
    unit: str = "km"


@dataclasses.dataclass
class Result:
    filterset: MeetingFilter
    errors: dict[str, list[str]]
    viewer: ViewerZone
    now: datetime.datetime
    rows: list[Row] = dataclasses.field(default_factory=list)
    count: int = 0
    count_capped: bool = False
    # A search near a place counts apart the meetings near it and those online from anywhere.
    count_near: int | None = None
    count_online: int | None = None
    page = None
    page_out_of_range: bool = False
    summary: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    sort: str = "upcoming"
    unit: str = "km"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def heading(self) -> str:
        """How many were found: "47 meetings near Glasgow, and 91 online". Each way of
        saying it is one sentence to translate, its noun agreeing with the first count."""
        cap = settings.SEARCH_COUNT_CAP
        if self.count_near is None:
            if self.count >= cap and self.count_capped:
                return ngettext(
                    "More than %(count)s meeting", "More than %(count)s meetings", cap
                ) % {"count": cap}
            return ngettext("%(count)s meeting", "%(count)s meetings", self.count) % {
                "count": self.count
            }
        place = self.filterset.form.origin[2]
        near, online = self.count_near, self.count_online
        more_near = near >= cap and self.count_capped
        more_online = bool(online) and online >= cap
        values = {"count": cap if more_near else near, "place": place, "online": online}
        n = values["count"]
        if not online:
            if more_near:
                sentence = ngettext(
                    "More than %(count)s meeting near %(place)s",
                    "More than %(count)s meetings near %(place)s",
                    n,
                )
            else:
                sentence = ngettext(
                    "%(count)s meeting near %(place)s", "%(count)s meetings near %(place)s", n
                )
        elif more_online:
            values["online"] = cap
            if more_near:
                sentence = ngettext(
                    "More than %(count)s meeting near %(place)s, and more than %(online)s online",
                    "More than %(count)s meetings near %(place)s, and more than %(online)s online",
                    n,
                )
            else:
                sentence = ngettext(
                    "%(count)s meeting near %(place)s, and more than %(online)s online",
                    "%(count)s meetings near %(place)s, and more than %(online)s online",
                    n,
                )
        elif more_near:
            sentence = ngettext(
                "More than %(count)s meeting near %(place)s, and %(online)s online",
                "More than %(count)s meetings near %(place)s, and %(online)s online",
                n,
            )
        else:
            sentence = ngettext(
                "%(count)s meeting near %(place)s, and %(online)s online",
                "%(count)s meetings near %(place)s, and %(online)s online",
                n,
            )
        return sentence % values

    @property
    def in_words(self) -> str:
        """The search in one line, for the bar above the results: "Today · In person · Near
        Glasgow, within 25 km". The order is named only when it is not the usual one."""
        skip = {"Understood"} | ({"Order"} if self.sort == "upcoming" else set())
        lead = {
            # Translators: in the one line that sums up a search; %(where)s is like
            # "Glasgow, within 15 miles".
            "Near": lambda text: _("Near %(where)s") % {"where": text},
            # Translators: in the one line that sums up a search; %(region)s is a region's name.
            "Region": lambda text: _("In %(region)s") % {"region": text},
            # Translators: in the one line that sums up a search; %(when)s is like "Now or in
            # the next 2 hours".
            "Starting": lambda text: _("Starting: %(when)s") % {"when": text},
        }
        words = [
            lead[label.key](text) if label.key in lead else text
            for label, text in self.summary
            if label.key not in skip
        ]
        return " · ".join(words) if words else _("Every meeting")

    @property
    def today_left_out(self) -> tuple[str, str] | None:
        """For a search of "today": the weekday (number, name) whose meetings that have already
        ended today are left out, so that the page can say so and link to all of them."""
        if self.errors or "today" not in (self.filterset.form.cleaned_data.get("day") or []):
            return None
        if not self.viewer:
            return ("", "")
        weekday = week_day(self.now.astimezone(self.viewer.zone))
        return (str(weekday), Meeting.Day(weekday).label)

    @functools.cached_property
    def widenings(self):
        """For a search that found nothing: ways to widen it, each with the meetings it would
        find (groups.widen). Costs a count query for each filter it could drop, and one each
        for a doubled distance and for online meetings: read it only for an empty page."""
        from groups.widen import widenings

        return widenings(self)


UPCOMING_ORDER = (F("upcoming").asc(nulls_last=True), "name", "pk")

# "Starting soonest" is read in tiers of minutes until the start: [0, 2 h), [2 h, 12 h),
# [12 h, 1 day), then a day at a time to six days, then the rest. A tier is read (through the
# week_minute index) only while the tiers before it have not filled the page down to its end,
# so a page costs what its meetings' tiers hold rather than ordering every match.
TIERS = (120, 720, 1440, 2880, 4320, 5760, 7200, 8640)


def _tier(low: int | None, high: int | None, start: int) -> tuple[str, list]:
    """SQL for the meetings whose key lies in [low, high) (None: an open end), over the columns
    of _upcoming_ids' base query; the last tier also takes meetings by appointment."""
    if high is None:
        return "(upcoming >= %s OR week_minute IS NULL)", [low]
    first, last = week_minute_span(start, low or 0, high)
    joiner = "AND" if first < last else "OR"
    sql = f"upcoming < %s AND (week_minute >= %s {joiner} week_minute < %s)"
    params = [high, first, last]
    if low is not None:
        sql, params = f"upcoming >= %s AND {sql}", [low, *params]
    return sql, params


def _upcoming_ids(queryset, now: datetime.datetime, bottom: int, size: int) -> list[int]:
    """Ids of one page of the "starting soonest" order, in one query (see TIERS)."""
    connection = connections[queryset.db]
    base = queryset.annotate(upcoming=upcoming_key(now)).order_by()
    try:
        base_sql, base_params = base.values_list(
            "pk", "upcoming", "week_minute", "name", "status"
        ).query.sql_with_params()
    except EmptyResultSet:  # e.g. in person near a place with no venue near it
        return []
    # Inlined into each tier, so that each tier's range reaches the week_minute index.
    hint = "NOT MATERIALIZED " if connection.vendor == "postgresql" else ""
    parts, params = [f"base AS {hint}({base_sql})"], list(base_params)
    start, wanted = utc_minute_of_week(now), bottom + size
    bounds = [None, *TIERS, None]
    tiers = [_tier(low, high, start) for low, high in zip(bounds, bounds[1:], strict=False)]
    # Meetings that are not meeting (temporarily closed) come after every active one, in
    # their own order of starts: one last part, read only when the active ones run out.
    active = Meeting.Status.ACTIVE
    tiers = [(f"status = %s AND {sql}", [active, *p]) for sql, p in tiers]
    tiers.append(("status <> %s", [active]))
    for number, (condition, condition_params) in enumerate(tiers):
        select = (
            f"SELECT {number} AS part, * FROM (SELECT pk, upcoming, name FROM base "
            f"WHERE {condition} ORDER BY upcoming IS NULL, upcoming, name, pk LIMIT %s) tier"
        )
        params += [*condition_params, wanted]
        if number == 0:
            parts.append(f"page0 AS ({select})")
        else:
            # Read only if the tiers before did not fill the page.
            parts.append(
                f"page{number} AS (SELECT * FROM page{number - 1} UNION ALL {select} "
                f"WHERE (SELECT COUNT(*) FROM page{number - 1}) < %s)"
            )
            params.append(wanted)
    sql = (
        f"WITH {', '.join(parts)} SELECT pk FROM page{len(tiers) - 1} "
        "ORDER BY part, upcoming IS NULL, upcoming, name, pk LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size, bottom])
        return [row[0] for row in cursor.fetchall()]


# Meetings that are meeting first, in every order: a temporarily closed one (or an inactive one
# a volunteer asked to see) comes after all of them.
NOT_MEETING = Case(
    Where(status=Meeting.Status.ACTIVE, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def _ordered(filterset, sort: str, now, has_origin: bool, viewer: ViewerZone):
    queryset = filterset.qs.alias(not_meeting=NOT_MEETING)
    if sort == "time":
        if not viewer:  # each meeting's own day and time
            return queryset.order_by(
                "not_meeting", F("day").asc(nulls_last=True), "start_time", "name", "pk"
            )
        # The week on the viewer's clock: an online meeting from another zone falls on the
        # weekday and time it has for them (the same expression a weekday filter uses).
        return filterset.on_viewers_clock(queryset).order_by(
            "not_meeting", F("viewer_week_minute").asc(nulls_last=True), "name", "pk"
        )
    if sort == "name":
        return queryset.order_by("not_meeting", "name", "pk")
    if sort == "distance" and has_origin:
        if "distance" not in queryset.query.annotations:
            lat, lng, _ = filterset.form.origin
            queryset = queryset.with_distance(lat, lng)
        return queryset.order_by("not_meeting", F("distance").asc(nulls_last=True), "name", "pk")
    return queryset.annotate(upcoming=upcoming_key(now)).order_by("not_meeting", *UPCOMING_ORDER)


def _page_ids(queryset, result, page) -> list[int]:
    size = page.paginator.per_page
    bottom = (page.number - 1) * size
    if result.sort == "upcoming":
        return _upcoming_ids(result.filterset.qs, result.now, bottom, size)
    return list(queryset.values_list("pk", flat=True)[bottom : bottom + size])


def _rows(ids: list[int], origin, listing: bool) -> list:
    """The meetings with these ids, in this order (the page is ordered first, on ids alone, so
    that ordering never joins): for a listing, only what its rows read per request
    (groups.fragments.Listed), else Meetings with everything a row, feed or answer shows. With
    an origin, each gets its `distance` (as Meeting.objects.with_distance() computes it in SQL
    for the filter)."""
    if listing:
        rows = listed(ids)
        places = [(meeting, meeting) for meeting in rows]
    else:
        by_id = {m.pk: m for m in Meeting.objects.for_listing().filter(pk__in=ids)}
        rows = [by_id[pk] for pk in ids if pk in by_id]
        places = [(meeting, meeting.location) for meeting in rows]
    _measure(places, origin)
    return rows


def _measure(places, origin) -> None:
    """Gives each (meeting, its place) pair's meeting its `distance` from the origin in km:
    None online or without coordinates."""
    if origin is None:
        return
    for meeting, place in places:
        meeting.distance = None
        if place is not None and place.has_coordinates and not meeting.is_online_only:
            meeting.distance = distance_km(origin[0], origin[1], place.latitude, place.longitude)


def errors_of(filterset) -> dict[str, list[str]]:
    """A search's errors by parameter name, as the page and the JSON answers show them."""
    return {name: list(messages) for name, messages in filterset.form.errors.items()}


def _filterset(params, now, cookie_tz, place_first=False) -> MeetingFilter:
    """The search's FilterSet over request parameters (a QueryDict, or a dict whose values are
    strings or lists of strings), with "today" on the viewer's clock; validated."""
    if not isinstance(params, MultiValueDict):
        params = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in params.items()})
    filterset = MeetingFilter(
        params,
        queryset=Meeting.objects.all(),
        now=now,
        cookie_tz=cookie_tz,
        place_first=place_first,
    )
    filterset.is_valid()
    return filterset


def _capped_count(queryset, cap: int) -> int:
    return queryset.order_by()[: cap + 1].count()


def search(
    params,
    *,
    now=None,
    cookie_tz="",
    place_first=False,
    per_page=25,
    paginate=True,
    limit=None,
    listing=False,
) -> Result:
    """Runs a meeting search from request parameters. `cookie_tz` is the viewer's `tz` cookie;
    a referral sheet (`place_first`) reads times in the zone of the place searched before the
    browser's (see groups.clock.viewer_zone). Without pagination, returns at most `limit`
    meetings. For a page of results rows (`listing`), each row's meeting holds only what the row
    reads per request (groups.fragments), not a Meeting."""
    now = now or timezone.now()
    filterset = _filterset(params, now, cookie_tz, place_first)
    params = filterset.data
    result = Result(filterset=filterset, errors={}, viewer=filterset.viewer, now=now)
    if not filterset.is_valid():
        result.errors = errors_of(filterset)
        return result

    data = filterset.form.cleaned_data
    result.sort = data.get("sort") or "upcoming"
    result.unit = data.get("unit") or "km"
    origin = filterset.form.origin
    queryset = _ordered(filterset, result.sort, now, origin is not None, result.viewer)
    result.summary = summarise(filterset)

    if paginate:
        page_number = params.get("page") or "1"
        try:
            number = int(page_number)
            if number < 1:
                raise ValueError
        except (TypeError, ValueError):
            result.errors = {"page": [_("Page must be a whole number, 1 or more.")]}
            return result
        # Counting every match of a broad search costs as much as the search: the count stops
        # past the cap (and ignores the order), and the page then says "more than".
        cap = settings.SEARCH_COUNT_CAP
        if origin is None:
            count = _capped_count(filterset.qs, cap)
        else:
            # Near a place: those near it (in person or hybrid) and those online from anywhere,
            # each counted, so that a long list of online meetings does not read as local ones.
            online = Meeting.Attendance.ONLINE
            near = _capped_count(
                filterset.qs.filter(filterset.within).exclude(attendance=online), cap
            )
            elsewhere = _capped_count(filterset.qs.filter(attendance=online), cap)
            result.count_near, result.count_online = min(near, cap), min(elsewhere, cap)
            count = near + elsewhere
        result.count_capped = count > cap
        result.count = min(count, cap)
        paginator = Paginator(queryset, per_page)
        paginator.count = result.count  # a cached_property: Paginator will not count again
        if number > paginator.num_pages and result.count:
            result.page_out_of_range = True
            meetings = []
        else:
            result.page = paginator.page(min(number, paginator.num_pages))
            ids = _page_ids(queryset, result, result.page)
            meetings = _rows(ids, origin, listing)
            result.page.object_list = meetings
    else:
        meetings = list(queryset.for_listing()[:limit])
        result.count = len(meetings)
        _measure([(meeting, meeting.location) for meeting in meetings], origin)

    for meeting in meetings:
        when = None if meeting.by_appointment else occurrence(meeting, now, result.viewer)
        distance = getattr(meeting, "distance", None)
        if distance is not None and result.unit == "mi":
            distance = distance / KM_PER_MILE
        result.rows.append(Row(meeting=meeting, when=when, distance=distance, unit=result.unit))
    return result


def matching(params, *, cookie_tz=""):
    """The validated filterset and its matches, unordered and unfetched, for callers that need
    no page of rows (the feed streams every match; the referral form shows only the filters);
    the queryset is None when the parameters are invalid."""
    filterset = _filterset(params, timezone.now(), cookie_tz)
    if not filterset.is_valid():
        return filterset, None
    return filterset, filterset.qs.order_by("pk")


def _names(choices, values) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


def _labels() -> dict[str, str]:
    """The summary's labels in the page's language, by their English keys."""
    return {
        "Words": _("Words"),
        # Translators: a summary's label for what the search words were taken to mean.
        "Understood": _("Understood"),
        "Fellowship": _("Fellowship"),
        "Approach": _("Approach"),
        "Starting": pgettext("meeting time", "Starting"),
        "Day": _("Day"),
        "Time": pgettext("time of day", "Time"),
        "Starting at or after": _("Starting at or after"),
        "Starting before": _("Starting before"),
        "How": pgettext("attendance", "How"),
        "Types": _("Types"),
        "Language": _("Language"),
        "Region": _("Region"),
        "Near": pgettext("place", "Near"),
        "Status": _("Status"),
        "Order": pgettext("sort order", "Order"),
    }


def summarise(filterset) -> list[tuple[Label, str]]:
    """The active filters in words, e.g. [("Day", "Monday, Friday"), ("Near", "Leith, 10 km")];
    each label a Label, in the page's language and known by its English key."""
    data = filterset.form.cleaned_data
    form = filterset.form
    labels = _labels()
    parts: list[tuple[Label, str]] = []

    def part(key: str, text: str) -> None:
        parts.append((Label(key, labels[key]), text))

    if data.get("q"):
        part("Words", _("“%(words)s”") % {"words": data["q"]})
        # Said plainly, so that nobody wonders why a meeting without the word is listed.
        for term in filterset.form.terms:
            said = {"word": term.text, "name": term.label}
            if term.type_ids:
                part("Understood", _("“%(word)s”: meetings of the type %(name)s") % said)
            elif term.language:
                part("Understood", _("“%(word)s”: meetings in %(name)s") % said)
    if data.get("fellowship"):
        part("Fellowship", _names(form.fields["fellowship"].choices, data["fellowship"]))
    if data.get("approach"):
        part("Approach", _names(form.fields["approach"].choices, data["approach"]))
    if data.get("soon"):
        part("Starting", _names(form.fields["soon"].choices, [data["soon"]]))
    if data.get("day"):
        part("Day", _names(form.fields["day"].choices, data["day"]))
    if data.get("time"):
        part("Time", _names(form.fields["time"].choices, [data["time"]]))
    if data.get("start_after"):
        part("Starting at or after", f"{data['start_after']:%H:%M}")
    if data.get("start_before"):
        part("Starting before", f"{data['start_before']:%H:%M}")
    if data.get("attendance"):
        how = _names(form.fields["attendance"].choices, data["attendance"])
        if set(data["attendance"]) & {"in_person", "online"}:
            # Translators: %(how)s is one or more of "In person", "Online", "Hybrid".
            how = _("%(how)s (hybrid meetings included)") % {"how": how}
        part("How", how)
    if data.get("type"):
        part("Types", _names(filterset.type_choices, data["type"]))
    if data.get("language"):
        part("Language", _names(filterset.language_choices, data["language"]))
    if data.get("region"):
        part("Region", filterset.regions.by_slug[data["region"]][2])
    if form.origin:
        distance = filterset.distance_km()
        unit = data.get("unit") or "km"
        shown = distance / KM_PER_MILE if unit == "mi" else distance
        within = {
            "place": form.origin[2],
            "distance": f"{shown:g}",
            "unit": dict(form.fields["unit"].choices)[unit],
        }
        # Translators: %(unit)s is "km" or "miles".
        part("Near", _("%(place)s, within %(distance)s %(unit)s") % within)
    if data.get("status"):
        part("Status", _names(form.fields["status"].choices, data["status"]))
    sort = data.get("sort") or "upcoming"
    part("Order", str(dict(SORTS)[sort]))
    return parts
