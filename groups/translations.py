"""The listings' own words in other languages: fellowships' descriptions and facts, meeting
types' names, helplines' texts.

Decision: a table of translations in each row (`translations`, a JSON field: {"es": {"name":
"Mujeres"}, "fr": {…}}) rather than a column per language (django-modeltranslation). A new language
is then one catalogue and, where volunteers want it, rows of text: no migration, no new columns,
and meeting types keep the names the Meeting Guide spec publishes in all nine of its languages
(en, es, fr, ja, nl, pt, sk, sv, th: groups/data/meeting_guide_types.json) even where the
interface has no catalogue yet. A field with no text in a language reads in English, the
language the row was written in. Volunteers edit the texts in the admin, one field per language
(TranslatedFieldsForm).
"""

import json
from functools import cache
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils import translation

SPEC_TYPES = Path(__file__).parent / "data" / "meeting_guide_types.json"
# The languages the Meeting Guide spec publishes type names in.
SPEC_LANGUAGES = ("en", "es", "fr", "ja", "nl", "pt", "sk", "sv", "th")


def language_of(code: str | None = None) -> str:
    """The base language of a code ("es-MX" → "es"), the active one by default."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    return code.split("-")[0].lower()


def translated(row, field: str, language: str | None = None) -> str:
    """The row's `field` in the language (the active one by default), else in English."""
    language = language_of(language)
    if language != settings.LANGUAGE_CODE:
        text = ((getattr(row, "translations", None) or {}).get(language) or {}).get(field)
        if text:
            return text
    return getattr(row, field)


def name_in(translations: dict | None, english: str, language: str | None = None) -> str:
    """A name read from a row's values (no instance): its translation, else the English."""
    language = language_of(language)
    if language == settings.LANGUAGE_CODE or not translations:
        return english
    return (translations.get(language) or {}).get("name") or english


def all_names(translations: dict | None, english: str) -> set[str]:
    """Every name a row has, in any language: what a search may be typed in."""
    names = {english}
    for fields in (translations or {}).values():
        if isinstance(fields, dict) and fields.get("name"):
            names.add(fields["name"])
    return names


@cache
def spec_type_names() -> dict[str, dict[str, str]]:
    """The spec's type names: {code: {language: name}}."""
    return json.loads(SPEC_TYPES.read_text(encoding="utf-8"))["types"]


def other_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class TranslatedFieldsForm(forms.ModelForm):
    """An admin form with one field per language for each of `translated_fields`
    ("description (Español)"), kept in the row's `translations`."""

    translated_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = self.instance.translations or {}
        for field in self.translated_fields:
            model_field = self._meta.model._meta.get_field(field)
            for code, _ in other_languages():
                own = translation.get_language_info(code)["name_local"]
                self.fields[f"{field}__{code}"] = forms.CharField(
                    label=f"{model_field.verbose_name} ({own})".capitalize(),
                    required=False,
                    initial=(kept.get(code) or {}).get(field, ""),
                    widget=forms.Textarea(attrs={"rows": 3, "lang": code})
                    if isinstance(model_field.formfield(), forms.CharField)
                    and model_field.get_internal_type() == "TextField"
                    else forms.TextInput(attrs={"lang": code, "size": 60}),
                    max_length=getattr(model_field, "max_length", None),
                )

    def translation_field_names(self) -> list[str]:
        return [f"{f}__{code}" for f in self.translated_fields for code, _ in other_languages()]

    def save(self, commit=True):
        kept = {code: dict(fields) for code, fields in (self.instance.translations or {}).items()}
        for field in self.translated_fields:
            for code, _ in other_languages():
                text = (self.cleaned_data.get(f"{field}__{code}") or "").strip()
                if text:
                    kept.setdefault(code, {})[field] = text
                else:
                    kept.get(code, {}).pop(field, None)
        self.instance.translations = {code: fields for code, fields in kept.items() if fields}
        return super().save(commit)
