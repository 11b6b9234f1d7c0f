"""Helplines ("Need to talk to someone now?", groups.helplines): directory-wide reference data,
public on the results and home pages, like the catalogue. Only those given the helpline model
permissions (coordinators) see or change them; a scoped volunteer has none of them."""

import re

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from groups.admin.base import DirectoryAdmin, https_links
from groups.admin.catalogue import InOtherLanguages
from groups.helplines import country_choices
from groups.models import Helpline
from groups.translations import TranslatedFieldsForm

NUMBER = re.compile(r"\+?[0-9 ().-]+")


class HelplineForm(TranslatedFieldsForm):
    translated_fields = ("name", "description", "hours", "languages")
    country = forms.TypedChoiceField(
        choices=lambda: [("", "---------"), *country_choices()],
        help_text=_("The country it serves: its national helplines show for searches there."),
    )

    class Meta:
        model = Helpline
        formfield_callback = https_links
        fields = [
            "name",
            "description",
            "phone",
            "text",
            "website",
            "hours",
            "languages",
            "country",
            "region",
            "order",
            "active",
            "source_name",
            "source_url",
        ]

    def _number(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if value and (not NUMBER.fullmatch(value) or sum(c.isdigit() for c in value) < 3):
            raise forms.ValidationError(
                _(
                    "Write the number as people dial it, in digits (e.g. 1-800-662-4357 or "
                    "116 123). A spelled-out form such as 1-800-662-HELP can go in the "
                    "description."
                )
            )
        return value

    def clean_phone(self) -> str:
        return self._number("phone")

    def clean_text(self) -> str:
        return self._number("text")

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("text") or data.get("website")):
            raise forms.ValidationError(
                _(
                    "Give a phone number, a text number or a website: the block offers a way to "
                    "reach the service."
                )
            )
        return data


@admin.register(Helpline)
class HelplineAdmin(InOtherLanguages, DirectoryAdmin):
    form = HelplineForm
    list_display = ["name", "country", "region", "phone", "text", "source_name", "active", "order"]
    list_filter = ["active", "country"]
    list_editable = ["active", "order"]
    search_fields = ["name", "description", "phone", "region__name", "source_name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    readonly_fields = ["updated"]
    fieldsets = [
        (None, {"fields": ["name", "description"]}),
        (_("How to reach it"), {"fields": ["phone", "text", "website", "hours", "languages"]}),
        (
            _("Where it is shown"),
            {
                "fields": ["country", "region", "order", "active"],
                "description": _(
                    "National helplines show for searches in their country (or, with no place, "
                    "for viewers whose time zone is there); one with a region only for searches "
                    "in that region or a place inside it."
                ),
            },
        ),
        (
            _("Where the number is published"),
            {
                "fields": ["source_name", "source_url", "updated"],
                "description": _(
                    "Shown beside it. A number that cannot be confirmed at a public source is "
                    "left out, never guessed."
                ),
            },
        ),
    ]
