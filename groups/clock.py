"""Whose clock a time is read on, and what "today" and "now" mean to the person reading it.

The viewer's zone is, in this order (`viewer_zone`): a zone asked for in the address (`?tz=`), the
first-party `tz` cookie (set by the page's script from the browser, or chosen on /time-zone/),
the zone of the place searched near (found offline from its coordinates by timezonefinder), and
the directory's own home zone (settings.DIRECTORY_TIME_ZONE). Where none of these applies, times
are shown in each meeting's own zone and nothing is called "your time". A name that is not a
zone of the zone database (a folder such as "America", a 256-character string, a NUL byte) is
ignored like an unknown one.

Zones are named in words people know, from the Unicode CLDR through Babel ("Pacific Time (Los
Angeles)"), never as IANA names, in the active language; so are days and months ("Wed 3 Dec",
"mié 3 dic", "mer. 3 déc."). English keeps its own fixed forms (strftime's); other languages take
Babel's names in patterns chosen to read naturally (`DATE_PATTERNS`). Times are on the 24-hour
clock in every language ("19:00").
"""

import atexit
import dataclasses
import datetime
import functools
import unicodedata
import zoneinfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def language() -> str:
    """The active language's code ("en", "es", "fr"), the site's own when none is active."""
    return translation.get_language() or settings.LANGUAGE_CODE


def is_english(lang: str) -> bool:
    return lang.split("-", 1)[0].lower() == "en"


def _babel_locale(lang: str) -> str:
    return translation.to_locale(lang)


def alphabetical(text: str) -> tuple[str, str]:
    """Alphabetical order as a reader expects it, accents aside: "Ámsterdam" among the As."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return plain.casefold(), text


UTC_NAMES = ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu")


@functools.cache
def _zone_words(name: str, lang: str) -> tuple[str, str, bool]:
    """(generic name, city, whether the zone is named after its city alone: "Knox time") of a
    zone in the words of `lang`. Cached per zone and language."""
    from babel.dates import get_timezone, get_timezone_location, get_timezone_name

    with translation.override(lang):
        if name in UTC_NAMES:
            return _("Coordinated Universal Time"), "UTC", False
        locale = "en" if is_english(lang) else _babel_locale(lang)
        try:
            tz = get_timezone(name)
            english = get_timezone_name(tz, "long", zone_variant="generic", locale="en")
            generic = (
                english
                if locale == "en"
                else get_timezone_name(tz, "long", zone_variant="generic", locale=locale)
            )
            city = get_timezone_location(tz, locale=locale, return_city=True)
        except LookupError:
            english, generic, city = "", "", ""
        city = city or name.rsplit("/", 1)[-1].replace("_", " ")
        # A zone CLDR has no name for (an offset, an unknown region; told by its English name,
        # the same in every language) is named after its city.
        if not english or english.startswith("Unknown") or english.startswith("GMT"):
            generic = ""
        if generic:
            return generic, city, False
        if is_english(lang):
            return f"{city} time", city, True
        return _("%(city)s time") % {"city": city}, city, True


def zone_names(name: str, lang: str | None = None) -> tuple[str, str]:
    """(generic name, city) of a zone in the active language's words (or `lang`'s):
    ("Pacific Time", "Los Angeles"), ("hora del Pacífico", "Los Ángeles")."""
    generic, city, _only_city = _zone_words(name, lang or language())
    return generic, city


def zone_label(name: str, lang: str | None = None) -> str:
    """The zone as a person says it: "Pacific Time (Los Angeles)"."""
    generic, city, only_city = _zone_words(name, lang or language())
    return generic if only_city else f"{generic} ({city})"


def zone_city(name: str, lang: str | None = None) -> str:
    return _zone_words(name, lang or language())[1]


def zone_choices(lang: str | None = None) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Every zone people live in, by area, each as "City (generic name)", alphabetically, in
    the active language (or `lang`): for the select that changes the viewer's zone without
    asking for an IANA name."""
    return _zone_choices(lang or language())


@functools.cache
def _zone_choices(lang: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    by_area: dict[str, dict[str, str]] = {}
    for name in sorted(known_zones()):
        area = name.split("/", 1)[0]
        if area not in AREAS or "/" not in name:
            continue
        generic, city, only_city = _zone_words(name, lang)
        label = city if only_city else f"{city} ({generic})"
        # Aliases of one zone (Europe/Belfast and Europe/London) read alike: keep the one
        # named after the city (as the zone database names it, in English).
        labels = by_area.setdefault(area, {})
        english_city = _zone_words(name, "en")[1]
        if label not in labels or name.rsplit("/", 1)[-1].replace("_", " ") == english_city:
            labels[label] = name
    key = None if is_english(lang) else (lambda item: alphabetical(item[0]))
    return tuple(
        (area, tuple((name, label) for label, name in sorted(labels.items(), key=key)))
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
            return _("your time zone")
        if self.source == "place":
            # Coordinates from "Use my location" (groups.filters names them so).
            if self.place in ("your location", _("your location")):
                return _("the time where you are")
            if self.place:
                return _("the time where %(place)s is") % {"place": self.place}
            return _("the time there")
        if self.source == "directory":
            return _("this directory's home time zone")
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


# Babel's date patterns (CLDR field symbols) for languages other than English: (short, long).
DATE_PATTERNS = {
    "es": ("EEE d MMM", "EEEE, d 'de' MMMM"),  # "mié 3 dic", "miércoles, 3 de diciembre"
    "fr": ("EEE d MMM", "EEEE d MMMM"),  # "mer. 3 déc.", "mercredi 3 décembre"
}

# "Fridays at 19:00", by weekday in the Meeting Guide numbering (0 = Sunday): whole sentences,
# since languages say it differently ("Los viernes a las 19:00", "Le vendredi à 19:00").
WEEKLY = (
    gettext_lazy("Sundays at %(time)s"),
    gettext_lazy("Mondays at %(time)s"),
    gettext_lazy("Tuesdays at %(time)s"),
    gettext_lazy("Wednesdays at %(time)s"),
    gettext_lazy("Thursdays at %(time)s"),
    gettext_lazy("Fridays at %(time)s"),
    gettext_lazy("Saturdays at %(time)s"),
)


def _babel_date(moment: datetime.datetime, lang: str, long: bool) -> str:
    from babel.dates import format_date, format_skeleton

    locale = _babel_locale(lang)
    patterns = DATE_PATTERNS.get(lang.split("-", 1)[0].lower())
    if patterns:
        return format_date(moment, patterns[1 if long else 0], locale=locale)
    return format_skeleton("MMMMEEEEd" if long else "MMMEd", moment, locale=locale)


def _short_date(moment: datetime.datetime) -> str:
    lang = language()
    if is_english(lang):
        return f"{moment:%a} {moment.day} {moment:%b}"
    return _babel_date(moment, lang, long=False)


def _long_date(moment: datetime.datetime) -> str:
    lang = language()
    if is_english(lang):
        return f"{moment:%A} {moment.day} {moment:%B}"
    return _babel_date(moment, lang, long=True)


def _short_weekday(moment: datetime.datetime) -> str:
    """ "Tue", "mar", "mar."."""
    lang = language()
    if is_english(lang):
        return f"{moment:%a}"
    from babel.dates import format_date

    return format_date(moment, "EEE", locale=_babel_locale(lang))


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
                return _("Today")
            if days == 1:
                return _("Tomorrow")
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
        return _("%(time)s %(city)s time") % {
            "time": f"{self.start:%H:%M}",
            "city": zone_city(self.start.tzinfo.key),
        }

    @property
    def usual_label(self) -> str:
        """The weekly time, for a meeting that is not meeting now: "Fridays at 19:00"."""
        return str(WEEKLY[week_day(self.shown)]) % {"time": self.time_label}

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
        time = f"{self.start:%H:%M}"
        if self.start.date() != self.shown.date():
            return _("%(day)s %(time)s in %(city)s") % {
                "day": _short_weekday(self.start),
                "time": time,
                "city": city,
            }
        return _("%(time)s in %(city)s") % {"time": time, "city": city}

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
