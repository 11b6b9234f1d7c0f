"""One tap to what people look for: the needs people search by most (REFERENCE §3) and the
languages meetings are held in, offered as plain choices on the home page and in the search form.

Only what the directory has: a need is offered when a listed meeting has that type, a language
when a listed meeting is held in it (not the language most meetings are in: that is the
default, not a choice). Read in two small queries and kept in the cache for QUICK_SECONDS: a
language a first meeting is held in is offered within minutes, and a busy directory does not
count its meetings' languages again after every edit.
"""

import dataclasses

from babel import Locale, UnknownLocaleError
from django.core.cache import cache
from django.db.models import Count, Q

from groups.models import Language, Meeting, MeetingType

# (Meeting Guide code, label) in the order offered. Codes, like links: ?type=W.
NEEDS = (
    ("W", "Women"),
    ("M", "Men"),
    ("LGBTQ", "LGBTQ+"),
    ("Y", "Young people"),
    ("BE", "Newcomers"),
    ("X", "Wheelchair access"),
)


QUICK_KEY = "groups:quick-choices"
QUICK_SECONDS = 300


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    own: str = ""  # a language's own name ("Español"), when it differs from the label
    lang: str = ""  # the language of `own`, for its lang attribute


def _own_name(code: str, english: str) -> str:
    """A language's name as its speakers write it ("Español"), if it differs from English."""
    try:
        own = Locale.parse(code).get_display_name(code) or ""
    except (UnknownLocaleError, ValueError):
        return ""
    own = f"{own[:1].upper()}{own[1:]}"
    return "" if own.casefold() == english.casefold() else own


def _read() -> dict[str, list[Choice]]:
    listed = ~Q(meetings__status=Meeting.Status.INACTIVE) & Q(meetings__isnull=False)
    codes = [code for code, _ in NEEDS]
    used = dict(
        MeetingType.objects.filter(code__in=codes)
        .values_list("code")
        .annotate(n=Count("meetings", filter=listed, distinct=True))
        .filter(n__gt=0)
    )
    needs = [Choice(code, label, used[code]) for code, label in NEEDS if code in used]
    spoken = list(
        Language.objects.annotate(n=Count("meetings", filter=listed, distinct=True))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("code", "name", "n")
    )
    languages = []
    for code, name, n in spoken[1:]:  # the most spoken is the default, not a choice
        own = _own_name(code, name)
        languages.append(Choice(code, name, n, own, code if own else ""))
    languages.sort(key=lambda choice: choice.label.casefold())
    return {"needs": needs, "languages": languages}


def quick_choices() -> dict[str, list[Choice]]:
    found = cache.get(QUICK_KEY)
    if found is None:
        found = _read()
        cache.set(QUICK_KEY, found, QUICK_SECONDS)
    return found
