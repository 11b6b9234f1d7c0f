"""Minutes of the week, for ordering weekly meetings by when they next start.

Pure Python (no Django), so that fixtures/build_demo.py can use it too.

A meeting's `week_minute` is the minute of the week (0 = Sunday 00:00) at which it starts, in UTC,
at its zone's *standard* offset. That never goes stale with daylight saving time: at query time
each zone's current daylight saving shift (`dst_shifts`) is added back in SQL.
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


def utc_minute_of_week(moment: datetime.datetime) -> int:
    utc = moment.astimezone(datetime.UTC)
    return ((utc.weekday() + 1) % 7) * 1440 + utc.hour * 60 + utc.minute


@functools.lru_cache(maxsize=8)
def _dst_shifts(quarter_hour: datetime.datetime) -> dict[int, tuple[str, ...]]:
    shifts: dict[int, list[str]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        try:
            dst = quarter_hour.astimezone(zoneinfo.ZoneInfo(name)).dst()
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            continue
        minutes = int(dst.total_seconds() // 60) if dst else 0
        if minutes:
            shifts.setdefault(minutes, []).append(name)
    return {minutes: tuple(names) for minutes, names in shifts.items()}


def dst_shifts(now: datetime.datetime) -> dict[int, tuple[str, ...]]:
    """Zones now observing a daylight saving shift, by the shift in minutes (usually 60)."""
    quarter = now.astimezone(datetime.UTC).replace(second=0, microsecond=0)
    quarter = quarter.replace(minute=quarter.minute - quarter.minute % 15)
    return _dst_shifts(quarter)
