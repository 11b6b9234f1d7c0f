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
