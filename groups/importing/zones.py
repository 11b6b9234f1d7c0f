"""The time zone of an imported meeting that does not give one (most TSML feeds do not:
TSML keeps one zone for the whole site, REFERENCE §1).

In this order: the place's coordinates (offline, timezonefinder through groups.clock); else its
town, with its state or country, from the offline gazetteer (groups.places); else its country,
when the country keeps one zone; else the zone given for the source. Never UTC by default: a
meeting none of these place is refused by the importer, with the row named.
"""

import functools

from groups.clock import zone_at, zone_or_none
from groups.importing.rows import Place, fold

# Country names and codes as sources write them, to ISO codes (and the gazetteer's).
_COUNTRY_ALIASES = {"usa": "US", "u s a": "US", "u s": "US", "uk": "GB", "england": "GB"}
_COUNTRY_ALIASES |= {"scotland": "GB", "wales": "GB", "northern ireland": "GB"}


@functools.cache
def _countries() -> dict[str, str]:
    from babel import Locale

    names = {fold(name): code for code, name in Locale("en").territories.items()}
    names |= {code.casefold(): code for code in Locale("en").territories if len(code) == 2}
    return names | _COUNTRY_ALIASES


def country_code(country: str) -> str:
    return _countries().get(fold(country), "") if country else ""


@functools.cache
def _country_zones(code: str) -> frozenset[str]:
    """The zones of a country, with their aliases (timezonefinder and CLDR name some zones
    differently: Asia/Calcutta and Asia/Kolkata)."""
    from babel.core import get_global
    from babel.dates import get_timezone

    zones = set(get_global("territory_zones").get(code, []))
    aliases = get_global("zone_aliases")
    zones |= {alias for alias, canonical in aliases.items() if canonical in zones}
    zones |= {get_timezone(zone).key for zone in list(zones) if zone_or_none(zone)}
    return frozenset(zones)


@functools.cache
def _country_zone(code: str) -> str:
    from babel.core import get_global

    zones = get_global("territory_zones").get(code, [])
    return zones[0] if len(zones) == 1 and zone_or_none(zones[0]) else ""


@functools.cache
def town_zone(city: str, state: str, country: str) -> str:
    """The zone of a town by name, if the gazetteer knows one town of that name there (or all
    the towns it knows by that name keep one zone)."""
    from groups.places import _city_index

    entries = _city_index().get(city.strip().casefold(), ())
    code = country_code(country).casefold()
    if code:
        entries = [e for e in entries if e[3] == code]
    if state:
        by_state = [e for e in entries if e[4] == state.strip().casefold()]
        entries = by_state or entries
    zones = {zone_at(e[1], e[2]) for e in entries}
    zones.discard(None)
    return zones.pop() if len(zones) == 1 else ""


@functools.cache
def zip_zone(postal_code: str) -> str:
    """The zone of a US ZIP code (offline, zipcodes)."""
    import zipcodes

    try:
        found = zipcodes.matching(postal_code[:5])
    except (TypeError, ValueError):
        return ""
    return zone_at(float(found[0]["lat"]), float(found[0]["long"])) or "" if found else ""


@functools.cache
def _point_zone(latitude: float, longitude: float) -> str:
    return zone_at(latitude, longitude) or ""


class ZoneFinder:
    def __init__(self, source_zone: str = ""):
        self.source_zone = source_zone
        self.found: dict[str, int] = {}  # how many meetings got their zone each way

    def of(self, place: Place | None) -> str:
        """The zone of a place, or the source's, or "" when neither is known."""
        for how, zone in self._candidates(place):
            if zone:
                self.found[how] = self.found.get(how, 0) + 1
                return zone
        return ""

    def _candidates(self, place: Place | None):
        if place is not None:
            code = country_code(place.country)
            if place.latitude is not None and place.longitude is not None:
                point = round(place.latitude, 3), round(place.longitude, 3)
                zone = _point_zone(*point)
                # Coordinates in another country than the address says are a slip (a
                # longitude of 0 puts Texas in Algeria): the address is believed instead.
                if not code or zone in _country_zones(code):
                    yield "coordinates", zone
            zip_code = place.postal_code.strip()
            if zip_code[:5].isdigit() and code in ("US", ""):
                yield "postal code", zip_zone(zip_code)
            if place.city:
                yield "town", town_zone(place.city, place.state, place.country)
            if place.country:
                yield "country", _country_zone(country_code(place.country))
        yield "source", self.source_zone
