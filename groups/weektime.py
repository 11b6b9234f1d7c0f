"""Minutes of the week, for ordering weekly meetings by when they next start.

Pure Python (no Django), so that fixtures/build_demo.py can use it too.

A meeting's `week_minute` is the minute of the week (0 = Sunday 00:00) at which it starts, in UTC,
at its zone's *standard* offset. That never goes stale with daylight saving time: at query time
the daylight saving shift of its zone (`shift_groups`) is added back in SQL.
"""

import datetime
import functools
import zoneinfo

MINUTES_PER_WEEK = 7 * 24 * 60


def standard_offset(zone: str) -> int:
    """The zone's UTC offset in minutes outside daylight saving time."""
    local = datetime.datetime.now(datetime.UTC).astimezone(zoneinfo.ZoneInfo(zone))
    return int((local.utcoffset() - local.dst()).total_seconds() // 60)


def week_minute(day: int | None, start: datetime.time | None, zone: str) -> int | None:
    """Start of a meeting on `day` (0 = Sunday) at local `start`, as a UTC standard-time minute
    of the week; None for a meeting by appointment."""
    if day is None or start is None or not zone:
        return None
    local = day * 1440 + start.hour * 60 + start.minute
    return (local - standard_offset(zone)) % MINUTES_PER_WEEK


def duration(start: datetime.time | None, end: datetime.time | None) -> int | None:
    """Minutes from start to end (past midnight if need be); an hour when no end is given."""
    if start is None:
        return None
    if end is None:
        return 60
    minutes = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % 1440
    return minutes or 1440


def utc_minute_of_week(moment: datetime.datetime) -> int:
    utc = moment.astimezone(datetime.UTC)
    return ((utc.weekday() + 1) % 7) * 1440 + utc.hour * 60 + utc.minute


def _dst_minutes(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> int:
    dst = moment.astimezone(zone).dst()
    return int(dst.total_seconds() // 60) if dst else 0


@functools.lru_cache(maxsize=8)
def _shift_groups(quarter_hour: datetime.datetime) -> dict[tuple, tuple[str, ...]]:
    week = datetime.timedelta(days=7)
    groups: dict[tuple, list[str]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            continue
        now, later = _dst_minutes(quarter_hour, zone), _dst_minutes(quarter_hour + week, zone)
        change = None
        if now != later:
            # Minutes from now to the change, to the minute (clocks change at most once a week).
            low, high = 0, 7 * 24 * 60
            while high - low > 1:
                middle = (low + high) // 2
                moment = quarter_hour + datetime.timedelta(minutes=middle)
                if _dst_minutes(moment, zone) == now:
                    low = middle
                else:
                    high = middle
            change = high
        if now or change is not None:
            groups.setdefault((now, later if change is not None else now, change), []).append(name)
    return {key: tuple(names) for key, names in groups.items()}


def shift_groups(now: datetime.datetime) -> dict[tuple[int, int, int | None], tuple[str, ...]]:
    """Zones whose daylight saving shift is not zero now or changes within the week, keyed by
    (shift now, shift after the change, minutes from now to the change or None), shifts in
    minutes. Zones with no shift and no change this week are left out. Cached per quarter hour.
    """
    utc = now.astimezone(datetime.UTC).replace(second=0, microsecond=0)
    quarter = utc.replace(minute=utc.minute - utc.minute % 15)
    past_quarter = utc.minute % 15
    groups: dict[tuple[int, int, int | None], tuple[str, ...]] = {}
    for (shift, later, change), zones in _shift_groups(quarter).items():
        if change is not None and change <= past_quarter:  # changed since the quarter hour
            shift, change = later, None
        key = (shift, later, None if change is None else change - past_quarter)
        groups[key] = groups.get(key, ()) + zones
    return {key: zones for key, zones in groups.items() if key[0] or key[2] is not None}
