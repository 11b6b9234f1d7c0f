"""The lists every search reads and volunteers rarely change: meeting types, fellowships,
languages and regions. Read in four small queries, then kept in Django's cache for
CATALOGUE_SECONDS. Saving or deleting one of those rows forgets it at once (models.InCatalogue):
in every process when the cache is shared, within CATALOGUE_SECONDS otherwise."""

import dataclasses

from django.conf import settings
from django.core.cache import cache

from groups.models import CATALOGUE_KEY, Fellowship, Language, MeetingType
from groups.places import RegionTree


@dataclasses.dataclass
class Catalogue:
    type_choices: list[tuple[str, str]]  # each code once, named as its first vocabulary names it
    # The codes a person picks from: every type but those naming a language (the languages
    # are one list of their own, and a language type is its language).
    picker_type_choices: list[tuple[str, str]]
    type_terms: tuple[tuple[int, str, str], ...]  # (id, name, language code or "") per type
    type_ids: dict[str, list[tuple[int, int]]]  # code: [(type id, vocabulary id)]
    fellowships: list[tuple[str, str, int, int]]  # (slug, name, id, vocabulary id), by name
    languages: dict[str, tuple[str, int]]  # code: (name, id)
    language_choices: list[tuple[str, str]]
    regions: RegionTree


def _read() -> Catalogue:
    names, ids, terms, of_language = {}, {}, [], set()
    rows = MeetingType.objects.order_by("vocabulary__name", "name").values_list(
        "pk", "code", "name", "vocabulary", "category", "language__code"
    )
    for pk, code, name, vocabulary, category, language in rows:
        names.setdefault(code, name)
        ids.setdefault(code, []).append((pk, vocabulary))
        terms.append((pk, name, language or ""))
        if category == MeetingType.Category.LANGUAGE or language:
            of_language.add(code)
    languages = {
        code: (name, pk) for code, name, pk in Language.objects.values_list("code", "name", "pk")
    }
    regions = RegionTree()
    regions.choices  # noqa: B018  (computed now, so that it is cached with the tree)
    return Catalogue(
        type_choices=sorted(names.items(), key=lambda choice: choice[1]),
        picker_type_choices=sorted(
            ((c, n) for c, n in names.items() if c not in of_language), key=lambda c: c[1]
        ),
        type_terms=tuple(terms),
        type_ids=ids,
        fellowships=list(
            Fellowship.objects.order_by("name").values_list("slug", "name", "pk", "type_vocabulary")
        ),
        languages=languages,
        language_choices=sorted(
            ((code, n) for code, (n, _) in languages.items()), key=lambda c: c[1]
        ),
        regions=regions,
    )


def catalogue() -> Catalogue:
    found = cache.get(CATALOGUE_KEY)
    if found is None:
        found = _read()
        cache.set(CATALOGUE_KEY, found, settings.CATALOGUE_SECONDS)
    return found
