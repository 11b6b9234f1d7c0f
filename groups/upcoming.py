"""When meetings next start, as SQL expressions over stored integer columns: the "starting
soonest" order, and the windows of time a person asks for ("today", "tomorrow", "Monday" on
their own clock, "in the next 2 hours").

Every expression here is built from `upcoming_key(now)`: the minutes from now until a meeting
next starts, negative while it is in progress. A window of time on the viewer's clock is turned
into a range of that key in Python, with real calendar dates (zoneinfo knows every change of
clocks), so that SQL only compares integers.
"""

import datetime
import math
import zoneinfo

from django.core.cache import cache
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractHour, ExtractMinute, Least, Mod
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.db.models.sql import Query

from groups.weektime import MINUTES_PER_WEEK, shift_groups, utc_minute_of_week

# A key in [low, high) puts week_minute within [now + low - MARGIN, now + high + MARGIN): a
# zone's daylight saving shift is -1 to +2 hours, an in-progress window under one hour.
MARGIN = 120


# The zones the listed meetings are held in, kept in the cache under the listings' version
# (ListingsVersion.current: it moves on with every change to the listings): the key needs a
# branch only for the zones of daylight saving time that some meeting is in, not for every zone
# in the world, and the database then plans far less.
ZONES_KEY = "groups:zones-in-use:2"


def zones_in_use(using: str = "default") -> frozenset[str]:
    from groups.models import ListingsVersion, Meeting

    key = f"{ZONES_KEY}:{ListingsVersion.current()}"
    zones = cache.get(key)
    if zones is None:
        found = Meeting.objects.using(using).order_by().values_list("timezone", flat=True)
        zones = frozenset(found.distinct())
        cache.set(key, zones, 24 * 3600)
    return zones


def upcoming_key(now: datetime.datetime, using: str = "default"):
    """upcoming_key_expression(now) as the SQL it compiles to, for the zones in use. Compiling
    it costs more than running it on a page of meetings, and the database plans it in every
    part of a search that reads it: it is compiled once a minute, per database and set of
    zones, with a branch only for the zones some meeting is in."""
    connection = connections[using]
    minute = now.astimezone(datetime.UTC).replace(second=0, microsecond=0)
    zones = zones_in_use(using)
    key = (connection.vendor, connection.settings_dict["NAME"], minute, zones)
    compiled = _compiled.get(key)
    if compiled is None:
        from groups.models import Meeting

        query = Query(Meeting)
        expression = upcoming_key_expression(minute, zones).resolve_expression(query)
        compiled = query.get_compiler(using=using).compile(expression)
        if len(_compiled) > 16:
            _compiled.clear()
        _compiled[key] = compiled
    sql, params = compiled
    return RawSQL(sql, params, output_field=IntegerField())


_compiled: dict[tuple, tuple[str, tuple]] = {}


def upcoming_key_expression(now: datetime.datetime, zones_in_use=None):
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
        if zones_in_use is not None:
            zones = [zone for zone in zones if zone in zones_in_use]
            if not zones:
                continue
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


def _minute(now: datetime.datetime) -> datetime.datetime:
    # The key counts whole minutes from the start of the current minute.
    return now.astimezone(datetime.UTC).replace(second=0, microsecond=0)


def minutes_until(now: datetime.datetime, moment: datetime.datetime) -> int:
    return math.ceil((moment - _minute(now)).total_seconds() / 60)


def local_midnight(now: datetime.datetime, zone: zoneinfo.ZoneInfo, days: int):
    """The start of the date `days` after today on that zone's clock."""
    date = now.astimezone(zone).date() + datetime.timedelta(days=days)
    midnight = datetime.datetime.combine(date, datetime.time(0), tzinfo=zone)
    # A zone whose clocks skip midnight starts its day at the first minute that exists.
    return midnight.astimezone(datetime.UTC).astimezone(zone)


def viewer_week_minute(now: datetime.datetime, zone: zoneinfo.ZoneInfo, key):
    """The minute of the week (0 = Sunday 00:00) on the viewer's clock at which each meeting
    next starts (or started, when in progress), from its key: the viewer's minute of the week
    now, plus the key, plus any change of the viewer's clocks before that start."""
    local = now.astimezone(zone)
    local_minute = ((local.weekday() + 1) % 7) * 1440 + local.hour * 60 + local.minute
    offset = _offset(now, zone)
    later = _offset(now + datetime.timedelta(days=7), zone)
    shifted = key + Value(local_minute + 2 * MINUTES_PER_WEEK)
    if later != offset:
        low, high = 0, MINUTES_PER_WEEK
        while high - low > 1:  # the minute the viewer's clocks change
            middle = (low + high) // 2
            if _offset(_minute(now) + datetime.timedelta(minutes=middle), zone) == offset:
                low = middle
            else:
                high = middle
        shifted = Case(
            When(GreaterThanOrEqual(key, high), then=shifted + Value(later - offset)),
            default=shifted,
            output_field=IntegerField(),
        )
    return Mod(shifted, MINUTES_PER_WEEK, output_field=IntegerField())


def _offset(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> int:
    return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)


def start_minute():
    """A meeting's start as minutes after its own local midnight."""
    return ExtractHour("start_time") * 60 + ExtractMinute("start_time")


def week_minute_span(start: int, low: int, high: int) -> tuple[int, int] | None:
    """The week_minute range [first, last) (wrapping past the end of the week when first >
    last) that holds every meeting whose key lies in [low, high), `start` being now's UTC minute
    of the week; None when that is the whole week."""
    if high - low + 2 * MARGIN >= MINUTES_PER_WEEK:
        return None
    return (start + low - MARGIN) % MINUTES_PER_WEEK, (start + high + MARGIN) % MINUTES_PER_WEEK


def near_in_week(now: datetime.datetime, low: int, high: int) -> Q:
    """A condition on the indexed week_minute that every meeting with a key in [low, high)
    meets (and a few more): lets the database read the index rather than every meeting."""
    span = week_minute_span(utc_minute_of_week(now), low, high)
    if span is None:
        return Q()
    first, last = span
    if first < last:
        return Q(week_minute__gte=first, week_minute__lt=last)
    return Q(week_minute__gte=first) | Q(week_minute__lt=last)
