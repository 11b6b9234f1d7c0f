"""One tap to what people look for: the needs people search by most (REFERENCE §3) and the
languages meetings are held in, offered as plain choices on the home page and in the search form.

Only what the directory has: a need is offered when a listed meeting has that type, a language
when a listed meeting is held in it (not the language most meetings are in: that is the
default, not a choice). Read in two small queries and kept in the cache for QUICK_SECONDS: a
language a first meeting is held in is offered within minutes, and a busy directory does not
count its meetings' languages again after every edit.

What is kept is codes and counts only; the words are the page's language's, found as it is read:
a need's label from the catalogue of translations, a language by its own name ("Español") with,
beside it, its name in the page's language when that differs ("Español (espagnol)" on a French
page, "Español" alone on a Spanish one).
"""

import dataclasses
import functools

from babel import Locale, UnknownLocaleError
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from groups.clock import alphabetical, is_english, language
from groups.models import Language, Meeting, MeetingType

# (Meeting Guide code, label) in the order offered. Codes, like links: ?type=W.
NEEDS = (
    ("W", gettext_lazy("Women")),
    ("M", gettext_lazy("Men")),
    ("LGBTQ", "LGBTQ+"),
    ("Y", gettext_lazy("Young people")),
    ("BE", gettext_lazy("Newcomers")),
    ("X", gettext_lazy("Wheelchair access")),
)


# What is kept holds codes and counts only: the words are found when a page is read, in its
# language.
QUICK_KEY = "groups:quick-choices:2"
QUICK_SECONDS = 300


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    own: str = ""  # a language's own name ("Español"), when it differs from the label
    lang: str = ""  # the language of `own`, for its lang attribute


@functools.cache
def _own_name(code: str) -> str:
    """A language's name as its speakers write it ("Español"), or "" if Babel has none."""
    try:
        own = Locale.parse(code).get_display_name(code) or ""
    except (UnknownLocaleError, ValueError):
        return ""
    return f"{own[:1].upper()}{own[1:]}"


@functools.cache
def _name_in(code: str, reader: str) -> str:
    """A language's name in the reader's language ("espagnol" for a French reader), or ""."""
    try:
        names = Locale.parse(reader, sep="-").languages
    except (UnknownLocaleError, ValueError):
        return ""
    key = code.replace("-", "_")
    return names.get(key) or names.get(key.split("_", 1)[0]) or ""


def _language_choice(code: str, name: str, n: int, reader: str) -> Choice:
    """A language as a chip: its own name, and its name in the reader's language beside it
    when that differs ("Español (Spanish)", "Español (espagnol)", but "Español" alone for a
    Spanish reader). English readers read the directory's own English name."""
    label = name if is_english(reader) else (_name_in(code, reader) or name)
    own = _own_name(code)
    if own.casefold() == label.casefold():
        own = ""
    if not own and not is_english(reader):
        label = f"{label[:1].upper()}{label[1:]}"  # standing alone, a chip's label is capitalised
    return Choice(code, label, n, own, code if own else "")


def _read() -> dict[str, list[tuple]]:
    """What the choices are made of: (code, count) of the needs, (code, name, count) of the
    languages, most spoken first."""
    listed = ~Q(meetings__status=Meeting.Status.INACTIVE) & Q(meetings__isnull=False)
    codes = [code for code, _ in NEEDS]
    used = dict(
        MeetingType.objects.filter(code__in=codes)
        .values_list("code")
        .annotate(n=Count("meetings", filter=listed, distinct=True))
        .filter(n__gt=0)
    )
    needs = [(code, used[code]) for code, _ in NEEDS if code in used]
    spoken = list(
        Language.objects.annotate(n=Count("meetings", filter=listed, distinct=True))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("code", "name", "n")
    )
    return {"needs": needs, "languages": spoken}


def quick_choices() -> dict[str, list[Choice]]:
    found = cache.get(QUICK_KEY)
    if found is None:
        found = _read()
        cache.set(QUICK_KEY, found, QUICK_SECONDS)
    reader = language()
    labels = dict(NEEDS)
    needs = [Choice(code, str(labels[code]), n) for code, n in found["needs"]]
    # The most spoken is the default, not a choice.
    languages = [
        _language_choice(code, name, n, reader) for code, name, n in found["languages"][1:]
    ]
    if is_english(reader):
        languages.sort(key=lambda choice: choice.label.casefold())
    else:
        languages.sort(key=lambda choice: alphabetical(choice.label))
    return {"needs": needs, "languages": languages}
