"""Whose clock a time is read on, and what "today" and "now" mean to the person reading it.

The viewer's zone is, in this order (`viewer_zone`): a zone asked for in the address (`?tz=`), the
first-party `tz` cookie (set by the page's script from the browser, or chosen on /time-zone/),
the zone of the place searched near (found offline from its coordinates by timezonefinder), and
the directory's own home zone (settings.DIRECTORY_TIME_ZONE). Where none of these applies, times
are shown in each meeting's own zone and nothing is called "your time". A name that is not a
zone of the zone database (a folder such as "America", a 256-character string, a NUL byte) is
ignored like an unknown one.

Zones are named in words people know, from the Unicode CLDR through Babel ("Pacific Time (Los
Angeles)"), never as IANA names.
"""

import atexit
import dataclasses
import datetime
import functools
import zoneinfo

from django.conf import settings

from groups.weektime import duration

# A meeting counts as in progress (worth joining) for its first hour, or all of it if shorter.
IN_PROGRESS = datetime.timedelta(hours=1)

# The areas of the zone database that name places people live; the rest (Etc/, US/, SystemV/…)
# are aliases or offsets.
AREAS = frozenset(
    ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian")
    + ("Pacific",)
)


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone of that name, or None for anything that is not a zone of the database."""
    if not name or name not in known_zones():
        return None
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _finder():
    """One finder a process, reading its polygons from a memory-mapped file (shared by every
    worker through the page cache, rather than 34 MB each in memory)."""
    from timezonefinder import TimezoneFinder

    # Let it close its files at exit, before the interpreter takes the io module away.
    atexit.register(_finder.cache_clear)
    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    """The zone of a point on land, offline; None at sea or for coordinates out of range."""
    try:
        name = _finder().timezone_at(lat=float(latitude), lng=float(longitude))
    except (TypeError, ValueError):
        return None
    if not name or name.startswith("Etc/") or name not in known_zones():
        return None
    return name


@functools.cache
def country_of_zone(name: str) -> str:
    """The ISO 3166 code of the country a zone is in ("Europe/London": "GB"), or "", from
    CLDR through Babel (old aliases such as "US/Pacific" included)."""
    from babel.core import get_global

    canonical = get_global("zone_aliases").get(name, name)
    territory = get_global("zone_territories").get(canonical, "")
    # "ZZ" is CLDR's unknown territory (Etc/UTC); "001" the world.
    return territory if len(territory) == 2 and territory.isalpha() and territory != "ZZ" else ""


def country_at(latitude: float, longitude: float) -> str:
    """The country of a point on land, offline, through its zone; "" at sea or if unknown."""
    zone = zone_at(latitude, longitude)
    return country_of_zone(zone) if zone else ""


@functools.cache
def zone_names(name: str) -> tuple[str, str]:
    """(generic name, city) of a zone in English words: ("Pacific Time", "Los Angeles")."""
    from babel.dates import get_timezone, get_timezone_location, get_timezone_name

    if name in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"):
        return "Coordinated Universal Time", "UTC"
    try:
        tz = get_timezone(name)
        generic = get_timezone_name(tz, "long", zone_variant="generic", locale="en")
        city = get_timezone_location(tz, locale="en", return_city=True)
    except LookupError:
        generic, city = "", ""
    city = city or name.rsplit("/", 1)[-1].replace("_", " ")
    if not generic or generic.startswith("Unknown") or generic.startswith("GMT"):
        generic = f"{city} time"
    return generic, city


def zone_label(name: str) -> str:
    """The zone as a person says it: "Pacific Time (Los Angeles)"."""
    generic, city = zone_names(name)
    return generic if generic == f"{city} time" else f"{generic} ({city})"


def zone_city(name: str) -> str:
    return zone_names(name)[1]


@functools.cache
def zone_choices() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Every zone people live in, by area, each as "City (generic name)", alphabetically:
    for the select that changes the viewer's zone without asking for an IANA name."""
    by_area: dict[str, dict[str, str]] = {}
    for name in sorted(known_zones()):
        area = name.split("/", 1)[0]
        if area not in AREAS or "/" not in name:
            continue
        generic, city = zone_names(name)
        label = city if generic == f"{city} time" else f"{city} ({generic})"
        # Aliases of one zone (Europe/Belfast and Europe/London) read alike: keep the one
        # named after the city.
        labels = by_area.setdefault(area, {})
        if label not in labels or name.rsplit("/", 1)[-1].replace("_", " ") == city:
            labels[label] = name
    return tuple(
        (area, tuple((name, label) for label, name in sorted(labels.items())))
        for area, labels in sorted(by_area.items())
    )


def directory_zone() -> str:
    return settings.DIRECTORY_TIME_ZONE if zone_or_none(settings.DIRECTORY_TIME_ZONE) else ""


@dataclasses.dataclass(frozen=True)
class ViewerZone:
    """The zone times are shown in, and why; `zone` is None when no zone is known."""

    zone: zoneinfo.ZoneInfo | None
    # "query" (?tz=), "cookie", "place", "directory", or "" when none is known.
    source: str = ""
    place: str = ""  # the place's name, when the zone is the place's

    @property
    def name(self) -> str:
        return self.zone.key if self.zone else ""

    @property
    def label(self) -> str:
        return zone_label(self.zone.key) if self.zone else ""

    @property
    def why(self) -> str:
        """Why these times are in this zone, in words."""
        if self.source in ("query", "cookie"):
            return "your time zone"
        if self.source == "place":
            if self.place == "your location":  # coordinates from "Use my location"
                return "the time where you are"
            return f"the time where {self.place} is" if self.place else "the time there"
        if self.source == "directory":
            return "this directory's home time zone"
        return ""

    def __bool__(self) -> bool:
        return self.zone is not None


NO_ZONE = ViewerZone(None)


def viewer_zone(query=None, cookie=None, place=None, *, place_first=False) -> ViewerZone:
    """The zone to show times in (see the module's docstring). `place` is (latitude,
    longitude, name) of the place searched near. A referral sheet (`place_first`) is printed in
    the service's time: the place searched comes before the browser's zone."""

    def of_place():
        if place is None:
            return None
        name = zone_at(place[0], place[1])
        return ViewerZone(zone_or_none(name), "place", place[2]) if name else None

    def named(value, source):
        zone = zone_or_none(value)
        return ViewerZone(zone, source) if zone else None

    candidates = [lambda: named(query, "query")]
    if place_first:
        candidates.append(of_place)
    candidates.append(lambda: named(cookie, "cookie"))
    if not place_first:
        candidates.append(of_place)
    candidates.append(lambda: named(directory_zone(), "directory"))
    for candidate in candidates:
        found = candidate()
        if found:
            return found
    return NO_ZONE


def week_day(moment: datetime.datetime) -> int:
    """The weekday of an aware datetime in the Meeting Guide numbering (0 = Sunday)."""
    return (moment.weekday() + 1) % 7


def _short_date(moment: datetime.datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def _long_date(moment: datetime.datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B}"


@dataclasses.dataclass
class When:
    """One occurrence of a meeting (the one in progress, or the next), read by a viewer."""

    start: datetime.datetime  # in the meeting's own zone
    end: datetime.datetime
    in_progress: bool
    now: datetime.datetime
    viewer: ViewerZone = NO_ZONE

    @property
    def shown(self) -> datetime.datetime:
        """The start on the clock the page reads: the viewer's, else the meeting's own."""
        return self.start.astimezone(self.viewer.zone) if self.viewer else self.start

    @property
    def differs(self) -> bool:
        """The viewer's clock reads differently from the meeting's at this occurrence."""
        return bool(self.viewer) and self.shown.utcoffset() != self.start.utcoffset()

    @property
    def viewer_start(self) -> datetime.datetime | None:
        """The start in the viewer's zone, when it is known and reads differently."""
        return self.shown if self.differs else None

    @property
    def zone_name(self) -> str:
        """The meeting zone's abbreviation at this occurrence, e.g. GMT or BST."""
        return self.start.tzname() or ""

    @property
    def own_zone_words(self) -> str:
        return zone_label(self.start.tzinfo.key)

    def _day(self, moment: datetime.datetime, long: bool) -> str:
        if self.viewer:
            today = self.now.astimezone(self.viewer.zone).date()
            days = (moment.date() - today).days
            if days == 0:
                return "Today"
            if days == 1:
                return "Tomorrow"
        return _long_date(moment) if long else _short_date(moment)

    @property
    def day_label(self) -> str:
        """ "Today", "Tomorrow" or "Wed 3 Dec", on the viewer's clock; with no zone known, the
        date on the meeting's own clock."""
        return self._day(self.shown, long=False)

    @property
    def long_day_label(self) -> str:
        return self._day(self.shown, long=True)

    @property
    def time_label(self) -> str:
        """The start on the page's clock, with the meeting's own zone named when no viewer
        zone is known ("19:00 Chicago time")."""
        if self.viewer:
            return f"{self.shown:%H:%M}"
        return f"{self.start:%H:%M} {zone_city(self.start.tzinfo.key)} time"

    @property
    def usual_label(self) -> str:
        """The weekly time, for a meeting that is not meeting now: "Fridays at 19:00"."""
        return f"{self.shown:%A}s at {self.time_label}"

    @property
    def short_label(self) -> str:
        """The start for a narrow column: "19:00" on the viewer's clock, else "19:00 GMT"."""
        if self.viewer:
            return f"{self.shown:%H:%M}"
        return f"{self.start:%H:%M} {self.zone_name}"

    @property
    def end_label(self) -> str:
        end = self.end.astimezone(self.viewer.zone) if self.viewer else self.end
        return f"{end:%H:%M}"

    @property
    def own_label(self) -> str:
        """The meeting's own local time where it differs: "19:00 in Chicago", with its weekday
        when its date differs from the viewer's ("Tue 04:00 in London")."""
        if not self.differs:
            return ""
        city = zone_city(self.start.tzinfo.key)
        if self.start.date() != self.shown.date():
            return f"{self.start:%a %H:%M} in {city}"
        return f"{self.start:%H:%M} in {city}"

    @property
    def minutes_in(self) -> int:
        return max(0, int((self.now - self.start).total_seconds() // 60))


def occurrence(meeting, now: datetime.datetime, viewer: ViewerZone = NO_ZONE) -> When:
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
    # The end on the calendar (in UTC, so that a change of clocks mid-meeting counts).
    end = (shown.astimezone(datetime.UTC) + length).astimezone(zone)
    return When(start=shown, end=end, in_progress=in_progress, now=now, viewer=viewer)
