"""The catalogue (fellowships, type codes, languages, regions): the same for everyone, public on
every page of the site; volunteers may look, coordinators change."""

from django.contrib import admin

from groups.admin.base import DirectoryAdmin, _is_autocomplete
from groups.models import Fellowship, Language, MeetingType, Region, TypeVocabulary
from groups.scope import scope_of


@admin.register(Fellowship)
class FellowshipAdmin(DirectoryAdmin):
    list_display = ["name", "short_name", "twelve_step", "spirituality", "audience"]
    list_filter = ["twelve_step", "spirituality", "audience"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    list_select_related = ["type_vocabulary"]
    # Grouped as /fellowships/ shows them: who it is for and how, then what meetings are like.
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "website", "description"]}),
        (
            "Who it is for and its approach",
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
        ("Meetings", {"fields": ["led_by", "family_groups", "first_meeting"]}),
        (
            "Open and closed meetings",
            {
                "description": "Leave both blank where open and closed meetings are not part "
                "of the fellowship's own practice.",
                "fields": ["open_meaning", "closed_meaning"],
            },
        ),
        ("Meeting types", {"fields": ["type_vocabulary"]}),
    ]


@admin.register(TypeVocabulary)
class TypeVocabularyAdmin(DirectoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(MeetingType)
class MeetingTypeAdmin(DirectoryAdmin):
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
