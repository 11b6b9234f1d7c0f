"""{{ fellowship|translated:"description" }}: a row's text in the page's language, else in
English (groups.translations)."""

from django import template

from groups.translations import language_of
from groups.translations import translated as in_language

register = template.Library()


@register.filter
def translated(row, field: str):
    if row is None or row == "":
        return ""
    return in_language(row, field)


@register.filter
def language_name(language) -> str:
    """A language (groups.models.Language) named in the page's language ("Inglés")."""
    from groups.catalogue import language_name as named

    return named(language.code, language.name, language_of())


@register.filter
def name_language(meeting) -> str:
    """The language a meeting's name is written in, for its `lang` attribute, when it is held in
    one language only and that is not the page's; else "" (the page's own)."""
    languages = list(meeting.languages.all())
    if len(languages) != 1:
        return ""
    code = languages[0].code
    return code if code.split("-")[0] != language_of() else ""


@register.filter
def in_sentence(name) -> str:
    """A weekday's name as it is written inside a sentence: capitalised in English ("Every
    Sunday"), lower case where the language writes it so ("Cada domingo", "Chaque dimanche"),
    as CLDR has it."""
    from babel.dates import get_day_names

    name = str(name)
    try:
        lower = get_day_names("wide", locale=language_of())[6].islower()
    except (ValueError, LookupError):
        lower = False
    return name[:1].lower() + name[1:] if lower else name
