"""The lists every search reads and volunteers rarely change: meeting types, fellowships,
languages and regions. Read in four small queries, then kept in Django's cache for
CATALOGUE_SECONDS, once per language, since its names are in the reader's language (types' and
fellowships' from their translations, languages' from CLDR through Babel). Saving or deleting one
of those rows forgets it at once (models.InCatalogue): in every process when the cache is
shared, within CATALOGUE_SECONDS otherwise."""

import dataclasses
import unicodedata
import uuid

from django.conf import settings
from django.core.cache import cache

from groups.models import CATALOGUE_KEY, Fellowship, Language, MeetingType
from groups.places import RegionTree
from groups.translations import all_names, language_of, name_in


@dataclasses.dataclass
class Catalogue:
    type_choices: list[tuple[str, str]]  # each code once, named as its first vocabulary names it
    # The codes a person picks from: every type but those naming a language (the languages
    # are one list of their own, and a language type is its language).
    picker_type_choices: list[tuple[str, str]]
    type_terms: tuple[tuple[int, str, str], ...]  # (id, name, language code or "") per type
    # (id, name, language code or "") for each of a type's names in every language: what
    # a search's words are matched against (groups.words)
    type_words: tuple[tuple[int, str, str], ...]
    type_ids: dict[str, list[tuple[int, int]]]  # code: [(type id, vocabulary id)]
    fellowships: list[tuple[str, str, int, int]]  # (slug, name, id, vocabulary id), by name
    languages: dict[str, tuple[str, int]]  # code: (name, id)
    language_choices: list[tuple[str, str]]
    regions: RegionTree


def sort_key(name: str) -> str:
    """Alphabetical as a reader expects it, accents aside ("Árabe" among the A's)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(ch)
    )


# Sign languages that CLDR does not name in every language of the interface.
SIGN_LANGUAGES = {
    "ase": {"es": "Lengua de señas americana", "fr": "Langue des signes américaine"},
    "bfi": {"es": "Lengua de señas británica", "fr": "Langue des signes britannique"},
}


def language_name(code: str, english: str, reader: str) -> str:
    """A language's name in the reader's language (CLDR), capitalised as a list item is."""
    if reader == settings.LANGUAGE_CODE:
        return english
    if code in SIGN_LANGUAGES and reader in SIGN_LANGUAGES[code]:
        return SIGN_LANGUAGES[code][reader]
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(reader).languages.get(code, "")
    except (UnknownLocaleError, ValueError):
        name = ""
    return name[:1].upper() + name[1:] if name else english


def _read(reader: str) -> Catalogue:
    names, ids, terms, words, of_language = {}, {}, [], [], set()
    rows = MeetingType.objects.order_by("vocabulary__name", "name").values_list(
        "pk", "code", "name", "vocabulary", "category", "language__code", "translations"
    )
    for pk, code, english, vocabulary, category, language, translations in rows:
        name = name_in(translations, english, reader)
        names.setdefault(code, name)
        ids.setdefault(code, []).append((pk, vocabulary))
        terms.append((pk, name, language or ""))
        words.extend(
            (pk, each, language or "") for each in sorted(all_names(translations, english))
        )
        if category == MeetingType.Category.LANGUAGE or language:
            of_language.add(code)
    languages = {
        code: (language_name(code, name, reader), pk)
        for code, name, pk in Language.objects.values_list("code", "name", "pk")
    }
    regions = RegionTree()
    regions.choices  # noqa: B018  (computed now, so that it is cached with the tree)
    return Catalogue(
        type_choices=sorted(names.items(), key=lambda choice: choice[1]),
        picker_type_choices=sorted(
            ((c, n) for c, n in names.items() if c not in of_language), key=lambda c: c[1]
        ),
        type_terms=tuple(terms),
        type_words=tuple(words),
        type_ids=ids,
        fellowships=sorted(
            (
                (slug, name_in(translations, name, reader), pk, vocabulary)
                for slug, name, pk, vocabulary, translations in Fellowship.objects.values_list(
                    "slug", "name", "pk", "type_vocabulary", "translations"
                )
            ),
            key=lambda row: sort_key(row[1]),
        ),
        languages=languages,
        language_choices=sorted(
            ((code, n) for code, (n, _) in languages.items()), key=lambda c: sort_key(c[1])
        ),
        regions=regions,
    )


# The catalogue last read by this process, per language, with the token it was stored under:
# a page asks for the catalogue several times, and reading back a 40 KB pickle from the cache
# costs about 2 ms each time. The token, a small value beside it in the cache, says whether the
# copy is still current; forgetting the catalogue (models.forget_catalogue) deletes both.
_held: dict[str, tuple[str, Catalogue]] = {}


def catalogue() -> Catalogue:
    """The catalogue in the active language."""
    reader = language_of()
    if reader not in dict(settings.LANGUAGES):
        reader = settings.LANGUAGE_CODE
    key = f"{CATALOGUE_KEY}:{reader}"
    token = cache.get(f"{key}:token")
    held = _held.get(reader)
    if token is not None and held is not None and held[0] == token:
        return held[1]
    kept = cache.get(key)
    if kept is None or token is None or kept[0] != token:
        token = uuid.uuid4().hex
        kept = (token, _read(reader))
        cache.set_many({key: kept, f"{key}:token": token}, settings.CATALOGUE_SECONDS)
    _held[reader] = kept
    return kept[1]
