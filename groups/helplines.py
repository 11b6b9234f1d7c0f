"""Which services a page offers under "Need to talk to someone now?" (issue 14, the hard hour).

The operator sets them in the admin (groups.models.Helpline): each serves a country, named by
its ISO 3166 code, and may be limited to a region of the directory's own tree. None by default,
and then no page shows the block.

A page shows, in the operator's order:
- the national helplines (no region) of one country, and
- the regional helplines whose region the search is in.

The country is, first found:
1. on a search near a place, the place's country (its coordinates give its time zone offline,
   through timezonefinder as in groups.clock, and the zone gives its country);
2. on a search of a region with no place, the country its regional helplines serve (regions
   carry no country code of their own);
3. the country of the viewer's zone (?tz=, the `tz` cookie: groups.clock.viewer_zone);
4. the country of the directory's home zone (settings.DIRECTORY_TIME_ZONE);
otherwise there is none, and no national helpline is shown. The home page has no search, so
there the viewer's cookie or the home zone decides.

A search is in a region when its region filter is that region or one inside it, or when the place
it is near is named like that region or one inside it ("Portland" is in Oregon). Coordinates alone
("Use my location") and postal codes are in no region: telling which region a point is in would
need region boundaries the directory does not have, and a regional service shown to someone
outside its area is worse than one left out (the national ones are still shown).

A zone's country comes from the Unicode CLDR's zone-to-territory table through Babel (already
used for zone names): every zone of the database, the old aliases that browsers and cookies still
send (US/Pacific, Europe/Belfast, Asia/Calcutta) included, with no file of our own to keep. UTC and
the Etc/ offsets are in no country.

A helpline's name, description, hours and languages read in the page's language where the
operator has written them in it (groups.translations), else as written.

The table is read in one small query and kept in the cache for CATALOGUE_SECONDS; saving or
deleting a helpline forgets it (groups.signals), and moves ListingsVersion on so that cached
pages change at once.
"""

import dataclasses
import functools
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from groups.clock import (
    alphabetical,
    country_at,
    country_of_zone,
    directory_zone,
    is_english,
    language,
    viewer_zone,
)
from groups.models import Helpline
from groups.translations import translated

CACHE_KEY = "groups:helplines:2"
# The texts a helpline has in other languages (groups.admin.helplines.HelplineForm).
TRANSLATED = ("name", "description", "hours", "languages")


@dataclasses.dataclass(frozen=True)
class Line:
    """One helpline as a page shows it (plain values, cheap to keep in the cache)."""

    name: str
    description: str
    phone: str
    text: str
    website: str
    hours: str
    languages: str
    country: str
    region_id: int | None
    source_name: str
    source_url: str
    # Its words in other languages ({"es": {"name": "…"}}: groups.translations).
    translations: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)

    def in_language(self) -> "Line":
        """The helpline with its texts in the active language, where they are translated."""
        if not self.translations:
            return self
        return dataclasses.replace(self, **{field: translated(self, field) for field in TRANSLATED})

    @property
    def tel(self) -> str:
        """The phone number as a `tel:` link dials it: its digits alone ("1-800-662-4357"
        is 18006624357), after a "+" if it was written in the international form."""
        return dialable(self.phone)

    @property
    def sms(self) -> str:
        return dialable(self.text)

    @property
    def website_label(self) -> str:
        """The website named by its host, as people say it: "samaritans.org"."""
        host = urlsplit(self.website).hostname or self.website
        return host.removeprefix("www.")


def dialable(number: str) -> str:
    digits = re.sub(r"[^0-9]", "", number)
    if digits and number.strip().startswith("+"):
        return f"+{digits}"
    return digits


FIELDS = [field.name for field in dataclasses.fields(Line)]


def _read() -> tuple[Line, ...]:
    rows = Helpline.objects.filter(active=True).order_by("order", "name", "pk").values_list(*FIELDS)
    return tuple(Line(*row) for row in rows)


def all_lines() -> tuple[Line, ...]:
    """Every active helpline, from the cache when it has them (an empty tuple is kept too)."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = _read()
        cache.set(CACHE_KEY, found, settings.CATALOGUE_SECONDS)
    return found


def forget(**kwargs) -> None:
    """Forget the kept table: now, and again when the change is committed, so that a page
    read meanwhile (still seeing the old rows) does not keep them for CATALOGUE_SECONDS."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


# Countries ----------------------------------------------------------------------------------


def country_choices(lang: str | None = None) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country that has a time zone, by name in the active language (or
    `lang`): the countries a helpline can be shown in."""
    return _country_choices(lang or language())


@functools.cache
def _country_choices(lang: str) -> tuple[tuple[str, str], ...]:
    from babel import Locale, UnknownLocaleError

    english = Locale("en").territories
    codes = {c for c in _zone_countries() if c in english}
    if is_english(lang):
        return tuple(sorted(((code, english[code]) for code in codes), key=lambda c: c[1]))
    try:
        names = Locale.parse(lang, sep="-").territories
    except (UnknownLocaleError, ValueError):
        names = {}
    named = ((code, names.get(code) or english[code]) for code in codes)
    return tuple(sorted(named, key=lambda c: alphabetical(c[1])))


def _zone_countries() -> set[str]:
    from babel.core import get_global

    return {country_of_zone(zone) for zone in get_global("zone_territories")} - {""}


# Which a page shows -------------------------------------------------------------------------


def _ancestors(regions, pk: int) -> set[int]:
    """The region and every region it is inside."""
    parents = {row[0]: row[4] for row in regions.rows}
    found: set[int] = set()
    while pk is not None and pk not in found:
        found.add(pk)
        pk = parents.get(pk)
    return found


def choose(country: str, inside: set[int] = frozenset()) -> list[Line]:
    """The national helplines of `country` and the regional ones of the regions in `inside`,
    in the active language."""
    return [
        line.in_language()
        for line in all_lines()
        if (line.region_id is None and line.country.upper() == country)
        or (line.region_id is not None and line.region_id in inside)
    ]


def _zone_country(zone) -> str:
    return country_of_zone(zone.key) if zone is not None else ""


def for_search(result) -> list[Line]:
    """What a page of search results (found or empty) shows: see the module's docstring."""
    lines = all_lines()
    if not lines:
        return []
    form = result.filterset.form
    data = getattr(form, "cleaned_data", {}) or {}
    origin = getattr(form, "origin", None)

    inside: set[int] = set()
    if any(line.region_id is not None for line in lines):
        regions = result.filterset.regions
        if data.get("region") in regions.by_slug:
            inside |= _ancestors(regions, regions.by_slug[data["region"]][0])
        near = data.get("near") or ""
        if origin is not None and data.get("lat") is None and near.strip():
            named = regions.named(" ".join(near.split()))
            if named is not None:
                inside |= _ancestors(regions, named[0])

    country = country_at(origin[0], origin[1]) if origin is not None else ""
    if not country and inside:
        # A search of a region alone is in the country its regional helplines serve.
        country = next((ln.country.upper() for ln in lines if ln.region_id in inside), "")
    if not country:
        # The viewer's zone, which falls back on the home zone; the home zone again for a
        # viewer whose zone is in no country (UTC).
        country = _zone_country(result.viewer.zone) or country_of_zone(directory_zone())
    return choose(country, inside)


def for_request(request) -> list[Line]:
    """What a page with no search (the home page) shows: the helplines of the viewer's
    country, told by the `tz` cookie, else by the directory's home zone."""
    if not all_lines():
        return []
    cookie = unquote(request.COOKIES.get("tz", "")) if request is not None else ""
    zone = viewer_zone(None, cookie).zone
    return choose(_zone_country(zone) or country_of_zone(directory_zone()))
