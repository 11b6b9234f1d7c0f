"""What the words of a search mean: "women", "spanish" or "español" name a meeting type or a
language, so that a person who types them finds those meetings, and is told so.

A word that names a type or a language widens the word search rather than replacing it: it finds
the meetings tagged with it *or* with the word in their name, group, venue, town or notes
("women" finds the 39 women's meetings and "Women in Recovery", untagged). Names are matched
whole, longest first ("young people" before "young"), without case or accents ("espanol"), in
English and in each language's own name (Babel, from CLDR), and in Spanish and French; types by
their names in every language they are translated into ("mujeres", "femmes"), and by everyday
words in English, Spanish and French.
"""

import contextlib
import dataclasses
import functools
import unicodedata

# Words that only join others in a search ("meetings in Spanish", "reunión en español").
FILLERS = frozenset(
    {"a", "an", "the", "in", "for", "of", "meeting", "meetings", "group", "groups"}
    | {"en", "de", "la", "las", "el", "los", "para", "reunion", "reuniones"}
    | {"le", "les", "pour", "reunions"}
)

# Everyday words for the needs people search by most (REFERENCE §3), by the type's English
# name, in English, Spanish and French (the types' own names in each language come from their
# translations: "Mujeres", "Femmes").
SYNONYMS = {
    "women": ("woman", "womens", "women only", "ladies")
    + ("mujer", "mujeres", "solo mujeres", "damas")
    + ("femme", "femmes", "entre femmes"),
    "men": ("man", "mens", "men only")
    + ("hombre", "hombres", "solo hombres", "varones")
    + ("homme", "hommes", "entre hommes"),
    "lgbtq": ("lgbt", "lgbtq+", "lgbtqia", "lgbtqia+", "queer", "lgbti", "lgbtqi+"),
    "young people": ("young", "youth", "young persons")
    + ("jovenes", "joven", "gente joven", "juventud")
    + ("jeune", "jeunes", "jeunesse"),
    "newcomer": ("newcomers", "beginner", "beginners", "new comers", "first timers")
    + ("principiante", "principiantes", "recien llegados", "recien llegado", "nuevos")
    + ("nouveaux", "nouveau", "nouveaux venus", "nouvelles personnes", "debutants"),
    "beginners": ("beginner", "newcomer", "newcomers"),
    "wheelchair access": ("wheelchair", "wheelchair accessible", "step free", "accessible")
    + ("silla de ruedas", "accesible", "acceso para silla de ruedas")
    + ("fauteuil roulant", "accessible en fauteuil", "acces fauteuil roulant"),
}

SPEECH_LOCALES = ("en", "es", "fr")


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, other punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("'", "").replace("’", "")
    return " ".join("".join(ch if ch.isalnum() or ch == "+" else " " for ch in text).split())


@dataclasses.dataclass(frozen=True)
class Term:
    """A word or phrase of the search, and the type or language it names, if any."""

    text: str  # as typed
    type_ids: frozenset = frozenset()  # the types it names, in every vocabulary
    language: str = ""  # a language code
    label: str = ""  # the type's or language's name, to say what was understood


def _language_names(code: str, name: str) -> set[str]:
    from babel import Locale, UnknownLocaleError

    names = {name}
    with contextlib.suppress(UnknownLocaleError, ValueError):
        names.add(Locale.parse(code).get_display_name(code) or "")
    for speech in SPEECH_LOCALES:
        names.add(Locale(speech).languages.get(code, ""))
    return {fold(n) for n in names if n}


@functools.lru_cache(maxsize=8)
def _index(type_terms: tuple, type_words: tuple, languages: tuple) -> dict[str, Term]:
    """Folded phrase → Term. Keyed by the catalogue's contents, so a changed catalogue builds a
    new index."""
    index: dict[str, Term] = {}
    for code, (name, _) in languages:
        for phrase in _language_names(code, name):
            index.setdefault(phrase, Term(phrase, language=code, label=name))
    named: dict[str, tuple[str, set]] = {}
    labels = {pk: name for pk, name, _ in type_terms}  # in the reader's language
    english = {}
    for pk, name, _ in type_words:
        english.setdefault(pk, set()).add(fold(name))
    for pk, name, language in type_words:
        if language:  # a language type is the language ("Spanish" is Spanish)
            label = dict(languages).get(language, (name,))[0]
            index.setdefault(fold(name), Term(name, language=language, label=label))
            continue
        label = labels.get(pk, name)
        synonyms = (fold(s) for each in english[pk] for s in SYNONYMS.get(each, ()))
        for phrase in {fold(name), *synonyms}:
            named.setdefault(phrase, (label, set()))[1].add(pk)
    for phrase, (label, ids) in named.items():
        index.setdefault(phrase, Term(phrase, type_ids=frozenset(ids), label=label))
    return index


def read(text: str, known) -> list[Term]:
    """The terms of a search's words, given the catalogue (groups.catalogue.Catalogue)."""
    index = _index(known.type_terms, known.type_words, tuple(sorted(known.languages.items())))
    words = text.split()
    folded = [fold(word) for word in words]
    terms: list[Term] = []
    i = 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            phrase = " ".join(w for w in folded[i : i + size] if w)
            if i + size <= len(words) and phrase in index:
                found = index[phrase]
                terms.append(dataclasses.replace(found, text=" ".join(words[i : i + size])))
                i += size
                break
        else:
            terms.append(Term(words[i]))
            i += 1
    meaningful = [t for t in terms if t.type_ids or t.language or folded_of(t) not in FILLERS]
    return meaningful or terms


def folded_of(term: Term) -> str:
    return fold(term.text)
