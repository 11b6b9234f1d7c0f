"""The one read path: every caller that takes a search (the search page, the JSON API, the
referral sheet, the feed and the calendar export) calls `search()` with the request's parameters.
"""

import dataclasses
import datetime
import zoneinfo

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Least, Mod
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from groups.filters import KM_PER_MILE, SORTS, MeetingFilter
from groups.models import Meeting, distance_km
from groups.weektime import MINUTES_PER_WEEK, duration, shift_groups, utc_minute_of_week

IN_PROGRESS = datetime.timedelta(hours=1)


def week_day(moment: datetime.datetime) -> int:
    """The weekday of an aware datetime in the Meeting Guide numbering (0 = Sunday)."""
    return (moment.weekday() + 1) % 7


@dataclasses.dataclass
class When_:
    """A meeting's next start from now, in its own zone and the viewer's."""

    start: datetime.datetime  # the occurrence shown: in progress, or the next one
    in_progress: bool
    viewer_start: datetime.datetime | None  # set when the viewer's clock reads differently

    @property
    def label(self) -> str:
        return f"{self.start:%a %H:%M} {self.start:%Z}"

    @property
    def zone_name(self) -> str:
        """The zone's abbreviation at this occurrence, e.g. GMT or BST."""
        return self.start.tzname() or ""

    @property
    def long_label(self) -> str:
        return f"{self.start:%A} {self.start.day} {self.start:%B}, {self.start:%H:%M}"

    @property
    def viewer_label(self) -> str:
        if self.viewer_start is None:
            return ""
        return f"{self.viewer_start:%a %H:%M} {self.viewer_start:%Z}"


def occurrence(meeting: Meeting, now: datetime.datetime, viewer: zoneinfo.ZoneInfo) -> When_:
    """The occurrence to show: the one in progress (started less than an hour ago and not yet
    ended) or else the next one. Computed with real calendar dates, so DST is honoured."""
    zone = meeting.zone
    local_now = now.astimezone(zone)
    days_ahead = (meeting.day - week_day(local_now)) % 7
    date = local_now.date() + datetime.timedelta(days=days_ahead)
    start = datetime.datetime.combine(date, meeting.start_time, tzinfo=zone)
    if start > now:
        last = datetime.datetime.combine(
            date - datetime.timedelta(days=7), meeting.start_time, tzinfo=zone
        )
    else:
        last = start
        start = datetime.datetime.combine(
            date + datetime.timedelta(days=7), meeting.start_time, tzinfo=zone
        )
    length = datetime.timedelta(minutes=duration(meeting.start_time, meeting.end_time))
    in_progress = now - last < min(IN_PROGRESS, length)
    shown = last if in_progress else start
    viewer_start = None
    if meeting.is_online:
        in_viewer = shown.astimezone(viewer)
        if in_viewer.utcoffset() != shown.utcoffset():
            viewer_start = in_viewer
    return When_(start=shown, in_progress=in_progress, viewer_start=viewer_start)


@dataclasses.dataclass
class Row:
    meeting: Meeting
    when: When_ | None
    distance: float | None  # in the unit asked for
    unit: str = "km"


@dataclasses.dataclass
class Result:
    filterset: MeetingFilter
    errors: dict[str, list[str]]
    viewer_tz: zoneinfo.ZoneInfo
    now: datetime.datetime
    rows: list[Row] = dataclasses.field(default_factory=list)
    count: int = 0
    count_capped: bool = False
    page = None
    page_out_of_range: bool = False
    summary: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    sort: str = "upcoming"
    unit: str = "km"

    @property
    def ok(self) -> bool:
        return not self.errors


def viewer_zone(*candidates: str | None) -> zoneinfo.ZoneInfo:
    """The first valid zone of those given (?tz=, the browser's cookie), else the site's."""
    for candidate in (*candidates, settings.TIME_ZONE):
        try:
            if candidate:
                return zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zoneinfo.ZoneInfo("UTC")


def _upcoming_key(now: datetime.datetime):
    """Minutes until each meeting next starts; minus the minutes since it started for a meeting
    in progress (started less than an hour ago and not yet ended); NULL by appointment.

    Integer arithmetic on stored columns. Under a daylight saving shift s, a meeting started
    since = now + s - week_minute (mod week) minutes ago; with an in-progress window of
    p = min(60, duration) minutes its key is (p - 1 - since) mod week - (p - 1): -since while in
    progress, otherwise the minutes until it starts again. For the few zones whose clocks change
    within the week, a meeting whose next start falls after the change takes the new shift.
    """
    now_minute = utc_minute_of_week(now)
    window = Least(F("duration"), Value(60)) - 1

    def key_under(shift: int):
        rotated = Mod(
            window + F("week_minute") + Value(2 * MINUTES_PER_WEEK - now_minute - shift),
            MINUTES_PER_WEEK,
            output_field=IntegerField(),
        )
        return rotated - window

    whens = []
    for (shift, later, change), zones in shift_groups(now).items():
        if change is None:
            whens.append(When(timezone__in=zones, then=key_under(shift)))
            continue
        before = key_under(shift)
        after = Mod(
            F("week_minute") + Value(2 * MINUTES_PER_WEEK - now_minute - later),
            MINUTES_PER_WEEK,
            output_field=IntegerField(),
        )
        # Under the new shift the start may reckon to just before the change: it is then the
        # following week's.
        after = Case(
            When(LessThan(after, change), then=after + MINUTES_PER_WEEK),
            default=after,
            output_field=IntegerField(),
        )
        whens.append(
            When(
                timezone__in=zones,
                then=Case(
                    When(GreaterThanOrEqual(before, change), then=after),
                    default=before,
                    output_field=IntegerField(),
                ),
            )
        )
    return Case(*whens, default=key_under(0), output_field=IntegerField())


UPCOMING_ORDER = (F("upcoming").asc(nulls_last=True), "name", "pk")

# "Starting soonest" is read in tiers of minutes until the start: [0, 2 h), [2 h, 12 h),
# [12 h, 1 day), [1 day, 2 days), then the rest. A tier is read (through the week_minute index)
# only while the tiers before it have not filled the page down to its end, so a page costs what
# its meetings' tiers hold rather than ordering every match.
TIERS = (120, 720, 1440, 2880)
# A key in [low, high) puts week_minute within [now + low - MARGIN, now + high + MARGIN): a
# zone's daylight saving shift is -1 to +2 hours, an in-progress window under one hour.
MARGIN = 120


def _tier(low: int | None, high: int | None, start: int) -> tuple[str, list]:
    """SQL for the meetings whose key lies in [low, high) (None: an open end), over the columns
    of _upcoming_ids' base query; the last tier also takes meetings by appointment."""
    if high is None:
        return "(upcoming >= %s OR week_minute IS NULL)", [low]
    first = (start + (low or 0) - MARGIN) % MINUTES_PER_WEEK
    last = (start + high + MARGIN) % MINUTES_PER_WEEK
    joiner = "AND" if first < last else "OR"
    sql = f"upcoming < %s AND (week_minute >= %s {joiner} week_minute < %s)"
    params = [high, first, last]
    if low is not None:
        sql, params = f"upcoming >= %s AND {sql}", [low, *params]
    return sql, params


def _upcoming_ids(queryset, now: datetime.datetime, bottom: int, size: int) -> list[int]:
    """Ids of one page of the "starting soonest" order, in one query (see TIERS)."""
    connection = connections[queryset.db]
    base = queryset.annotate(upcoming=_upcoming_key(now)).order_by()
    base_sql, base_params = base.values_list(
        "pk", "upcoming", "week_minute", "name"
    ).query.sql_with_params()
    # Inlined into each tier, so that each tier's range reaches the week_minute index.
    hint = "NOT MATERIALIZED " if connection.vendor == "postgresql" else ""
    parts, params = [f"base AS {hint}({base_sql})"], list(base_params)
    start, wanted = utc_minute_of_week(now), bottom + size
    bounds = [None, *TIERS, None]
    for number, (low, high) in enumerate(zip(bounds, bounds[1:], strict=False)):
        condition, condition_params = _tier(low, high, start)
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
        f"WITH {', '.join(parts)} SELECT pk FROM page{len(bounds) - 2} "
        "ORDER BY part, upcoming IS NULL, upcoming, name, pk LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size, bottom])
        return [row[0] for row in cursor.fetchall()]


def _ordered(queryset, sort: str, now, has_origin: bool):
    if sort == "time":
        return queryset.order_by(F("day").asc(nulls_last=True), "start_time", "name", "pk")
    if sort == "name":
        return queryset.order_by("name", "pk")
    if sort == "distance" and has_origin:
        return queryset.order_by(F("distance").asc(nulls_last=True), "name", "pk")
    return queryset.annotate(upcoming=_upcoming_key(now)).order_by(*UPCOMING_ORDER)


def _page_ids(queryset, result, page) -> list[int]:
    size = page.paginator.per_page
    bottom = (page.number - 1) * size
    if result.sort == "upcoming":
        return _upcoming_ids(result.filterset.qs, result.now, bottom, size)
    return list(queryset.values_list("pk", flat=True)[bottom : bottom + size])


def _rows(ids: list[int], origin) -> list[Meeting]:
    """The meetings with these ids, in this order, with everything a listing shows (the page
    is ordered first, on ids alone, so that ordering never joins). With an origin, each gets
    its `distance` (as Meeting.objects.with_distance() computes it in SQL for the filter)."""
    by_id = {meeting.pk: meeting for meeting in Meeting.objects.for_listing().filter(pk__in=ids)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    if origin is not None:
        for meeting in rows:
            place = meeting.location
            meeting.distance = None
            if place is not None and place.has_coordinates and not meeting.is_online_only:
                meeting.distance = distance_km(
                    origin[0], origin[1], place.latitude, place.longitude
                )
    return rows


def errors_of(filterset) -> dict[str, list[str]]:
    """A search's errors by parameter name, as the page and the JSON answers show them."""
    return {name: list(messages) for name, messages in filterset.form.errors.items()}


def _filterset(params, now, default_tz) -> tuple[MeetingFilter, zoneinfo.ZoneInfo]:
    """The search's FilterSet over request parameters (a QueryDict, or a dict whose values are
    strings or lists of strings), with "today" in the viewer's zone; validated."""
    if not isinstance(params, MultiValueDict):
        params = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in params.items()})
    viewer_tz = viewer_zone(params.get("tz"), default_tz)
    filterset = MeetingFilter(
        params, queryset=Meeting.objects.all(), today=week_day(now.astimezone(viewer_tz))
    )
    filterset.is_valid()
    return filterset, viewer_tz


def search(params, *, now=None, default_tz=None, per_page=25, paginate=True, limit=None) -> Result:
    """Runs a meeting search from request parameters. Without pagination, returns at most
    `limit` meetings."""
    now = now or timezone.now()
    filterset, viewer_tz = _filterset(params, now, default_tz)
    params = filterset.data
    result = Result(filterset=filterset, errors={}, viewer_tz=viewer_tz, now=now)
    if not filterset.is_valid():
        result.errors = errors_of(filterset)
        return result

    data = filterset.form.cleaned_data
    result.sort = data.get("sort") or "upcoming"
    result.unit = data.get("unit") or "km"
    queryset = _ordered(filterset.qs, result.sort, now, filterset.form.origin is not None)
    result.summary = summarise(filterset)

    if paginate:
        page_number = params.get("page") or "1"
        try:
            number = int(page_number)
            if number < 1:
                raise ValueError
        except (TypeError, ValueError):
            result.errors = {"page": ["Page must be a whole number, 1 or more."]}
            return result
        # Counting every match of a broad search costs as much as the search: the count stops
        # past the cap (and ignores the order), and the page then says "more than".
        cap = settings.SEARCH_COUNT_CAP
        count = filterset.qs.order_by()[: cap + 1].count()
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
            meetings = _rows(ids, filterset.form.origin)
            result.page.object_list = meetings
    else:
        meetings = list(queryset.for_listing()[:limit])
        result.count = len(meetings)

    for meeting in meetings:
        when = None if meeting.by_appointment else occurrence(meeting, now, viewer_tz)
        distance = getattr(meeting, "distance", None)
        if distance is not None and result.unit == "mi":
            distance = distance / KM_PER_MILE
        result.rows.append(Row(meeting=meeting, when=when, distance=distance, unit=result.unit))
    return result


def matching(params, *, default_tz=None):
    """The validated filterset and its matches, unordered and unfetched, for callers that need
    no page of rows (the feed streams every match; the referral form shows only the filters);
    the queryset is None when the parameters are invalid."""
    filterset, _ = _filterset(params, timezone.now(), default_tz)
    if not filterset.is_valid():
        return filterset, None
    return filterset, filterset.qs.order_by("pk")


def _names(choices, values) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


def summarise(filterset) -> list[tuple[str, str]]:
    """The active filters in words, e.g. [("Day", "Monday, Friday"), ("Near", "Leith, 10 km")]."""
    data = filterset.form.cleaned_data
    form = filterset.form
    parts: list[tuple[str, str]] = []
    if data.get("q"):
        parts.append(("Words", f"“{data['q']}”"))
    if data.get("fellowship"):
        parts.append(("Fellowship", _names(form.fields["fellowship"].choices, data["fellowship"])))
    if data.get("approach"):
        parts.append(("Approach", _names(form.fields["approach"].choices, data["approach"])))
    if data.get("day"):
        parts.append(("Day", _names(form.fields["day"].choices, data["day"])))
    if data.get("time"):
        parts.append(("Time", _names(form.fields["time"].choices, [data["time"]])))
    if data.get("start_after"):
        parts.append(("Starting at or after", f"{data['start_after']:%H:%M}"))
    if data.get("start_before"):
        parts.append(("Starting before", f"{data['start_before']:%H:%M}"))
    if data.get("attendance"):
        how = _names(form.fields["attendance"].choices, data["attendance"])
        if set(data["attendance"]) & {"in_person", "online"}:
            how += " (hybrid meetings included)"
        parts.append(("How", how))
    if data.get("type"):
        parts.append(("Types", _names(filterset.type_choices, data["type"])))
    if data.get("language"):
        parts.append(("Language", _names(filterset.language_choices, data["language"])))
    if data.get("region"):
        parts.append(("Region", filterset.regions.by_slug[data["region"]][2]))
    if form.origin:
        distance = filterset.distance_km()
        unit = data.get("unit") or "km"
        shown = distance / KM_PER_MILE if unit == "mi" else distance
        parts.append(
            (
                "Near",
                f"{form.origin[2]}, within {shown:g} {dict(form.fields['unit'].choices)[unit]}",
            )
        )
    if data.get("status"):
        parts.append(("Status", _names(form.fields["status"].choices, data["status"])))
    sort = data.get("sort") or "upcoming"
    parts.append(("Order", dict(SORTS)[sort]))
    return parts
