from django.contrib import admin
from django.db import models

from groups.models import (
    Fellowship,
    Group,
    Language,
    Location,
    Meeting,
    MeetingType,
    Region,
    TypeVocabulary,
)


class DirectoryAdmin(admin.ModelAdmin):
    # A bare "example.org" typed into a link field means https://example.org.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Fellowship)
class FellowshipAdmin(DirectoryAdmin):
    list_display = ["name", "short_name", "twelve_step", "spirituality", "audience"]
    list_filter = ["twelve_step", "spirituality", "audience"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    list_select_related = ["type_vocabulary"]


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


@admin.register(Location)
class LocationAdmin(DirectoryAdmin):
    list_display = ["name", "address", "city", "region", "timezone", "has_coordinates"]
    list_filter = ["country", "timezone"]
    search_fields = ["name", "address", "city", "postal_code", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]

    @admin.display(boolean=True, description="Coordinates")
    def has_coordinates(self, obj):
        return obj.has_coordinates


@admin.register(Group)
class GroupAdmin(DirectoryAdmin):
    list_display = ["name", "fellowship"]
    list_filter = ["fellowship"]
    search_fields = ["name", "fellowship__name"]
    list_select_related = ["fellowship"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Meeting)
class MeetingAdmin(DirectoryAdmin):
    list_display = [
        "name",
        "day",
        "start_time",
        "fellowship",
        "location",
        "attendance",
        "status",
        "last_verified",
    ]
    list_filter = ["fellowship", "day", "attendance", "status"]
    search_fields = ["name", "group__name", "location__name", "location__city", "notes"]
    list_select_related = ["fellowship", "location"]
    autocomplete_fields = ["group", "location"]
    filter_horizontal = ["types", "languages"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["export_meetings_csv"]  # groups.admin_imports


from groups import admin_imports  # noqa: E402, F401  (import sources; the CSV export action)
