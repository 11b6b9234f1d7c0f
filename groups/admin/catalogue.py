"""The catalogue (fellowships, type codes, languages, regions): the same for everyone, public on
every page of the site; volunteers may look, coordinators change."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.translation import gettext_lazy as _

from groups.admin.base import DirectoryAdmin, _is_autocomplete, https_links
from groups.models import Fellowship, Language, MeetingType, Region, TypeVocabulary
from groups.scope import scope_of
from groups.translations import TranslatedFieldsForm

# Each text a visitor reads about a fellowship, in every other language of the interface.
FELLOWSHIP_TEXTS = (
    "name",
    "short_name",
    "description",
    "focus",
    "faith",
    "goal",
    "family_groups",
    "first_meeting",
    "open_meaning",
    "closed_meaning",
)


class InOtherLanguages:
    """Admin of a row with `translations`: a last section "In other languages" with one field
    per language for each of the form's translated fields (groups.translations)."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        form = self.form
        fields = [f"{f}__{code}" for f in form.translated_fields for code in self._codes()]
        if fields and self.has_change_permission(request, obj):
            fieldsets.append(
                (
                    _("In other languages"),
                    {
                        "fields": fields,
                        "description": _(
                            "What visitors reading in another language see. Left blank, a "
                            "text reads in English."
                        ),
                    },
                )
            )
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The per-language fields are the form's own (made in its __init__), not the model's.
        shown = kwargs.get("fields") or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [name for name in shown if "__" not in name]
        return super().get_form(request, obj, change, **kwargs)

    @staticmethod
    def _codes():
        from groups.translations import other_languages

        return [code for code, _ in other_languages()]


class FellowshipForm(TranslatedFieldsForm):
    translated_fields = FELLOWSHIP_TEXTS

    class Meta:
        model = Fellowship
        fields = "__all__"
        formfield_callback = https_links


class MeetingTypeForm(TranslatedFieldsForm):
    translated_fields = ("name",)

    class Meta:
        model = MeetingType
        fields = "__all__"


@admin.register(Fellowship)
class FellowshipAdmin(InOtherLanguages, DirectoryAdmin):
    form = FellowshipForm
    list_display = ["name", "short_name", "twelve_step", "spirituality", "audience"]
    list_filter = ["twelve_step", "spirituality", "audience"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    list_select_related = ["type_vocabulary"]
    # Grouped as /fellowships/ shows them: who it is for and how, then what meetings are like.
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "website", "description"]}),
        (
            _("Who it is for and its approach"),
            {
                "fields": [
                    "focus",
                    "audience",
                    "twelve_step",
                    "evidence_based_tools",
                    "spirituality",
                    "faith",
                    "uses_labels",
                    "goal",
                ]
            },
        ),
        (_("Meetings"), {"fields": ["led_by", "family_groups", "first_meeting"]}),
        (
            _("Open and closed meetings"),
            {
                "description": _(
                    "Leave both blank where open and closed meetings are not part "
                    "of the fellowship's own practice."
                ),
                "fields": ["open_meaning", "closed_meaning"],
            },
        ),
        (_("Meeting types"), {"fields": ["type_vocabulary"]}),
    ]


@admin.register(TypeVocabulary)
class TypeVocabularyAdmin(DirectoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(MeetingType)
class MeetingTypeAdmin(InOtherLanguages, DirectoryAdmin):
    form = MeetingTypeForm
    fieldsets = [(None, {"fields": ["vocabulary", "code", "name", "category", "language"]})]
    list_display = ["code", "name", "category", "vocabulary"]
    list_filter = ["vocabulary", "category"]
    search_fields = ["code", "name"]
    list_select_related = ["vocabulary"]


@admin.register(Language)
class LanguageAdmin(DirectoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Region)
class RegionAdmin(DirectoryAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_autocomplete(request):  # a volunteer places venues within their regions
            return scope_of(request.user).region_choices(queryset)
        return queryset
