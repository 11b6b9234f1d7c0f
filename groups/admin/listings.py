"""Listings: venues, groups and meetings, with their checks, and the list of listings that need
checking. Each is scoped (groups.admin.base.ScopedMixin) and keeps its history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from groups.admin.base import (
    CheckedFilter,
    DirectoryAdmin,
    FlaggedFilter,
    LocationRegionFilter,
    RegionFilter,
    ScopedAdmin,
    ScopedMixin,
    _is_autocomplete,
    https_links,
)
from groups.admin.meeting_form import (
    VerificationForm,
    types_field,
    vocabulary_of,
    with_language_types,
)
from groups.concurrency import ConcurrencyForm
from groups.models import (
    Fellowship,
    Group,
    ListingsVersion,
    Location,
    Meeting,
    MeetingType,
    NeedsChecking,
    Verification,
)
from groups.scope import scope_of
from groups.venues import VenueFields


class MeetingInline(admin.TabularInline):
    """The meetings of a group or at a venue, to open from there (edited on their own page,
    where history and scope apply)."""

    model = Meeting
    fields = ["name", "fellowship", "day", "start_time", "attendance", "status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ["day", "start_time"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("fellowship")


class WithMeetingsInline:
    """A new group or venue holds no meetings yet: no list of them, so nothing a crafted form
    could send as one (Django would build meetings from it, then fail on their empty fields)."""

    inlines = [MeetingInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []


# Venues ------------------------------------------------------------------------------------


class LocationForm(ConcurrencyForm):
    class Meta:
        model = Location
        fields = "__all__"
        formfield_callback = https_links

    def clean_region(self):
        region = self.cleaned_data.get("region")
        scope = self.scope
        if scope.regions and (region is None or region.pk not in scope.regions):
            raise ValidationError(
                _("Choose a region within your scope (%(scope)s).") % {"scope": scope.describe()}
            )
        return region


@admin.register(Location)
class LocationAdmin(WithMeetingsInline, ScopedAdmin):
    scope_method = "locations"
    form = LocationForm
    list_display = ["__str__", "address", "city", "region", "timezone", "has_coordinates"]
    list_filter = [LocationRegionFilter, "country", "timezone", "approximate"]
    search_fields = ["name", "address", "city", "postal_code", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    fieldsets = [
        (None, {"fields": ["name", "address", "city", "state", "postal_code", "country"]}),
        (
            _lazy("On the map"),
            {
                "fields": ["latitude", "longitude", "approximate", "timezone", "region"],
                "description": _lazy(
                    "Coordinates may wait: the venue is listed without them, "
                    "and is found by distance once they are given."
                ),
            },
        ),
        (_lazy("For visitors"), {"fields": ["access_notes", "notes"]}),
        (None, {"fields": ["loaded_at"], "classes": ["hidden"]}),
    ]

    @admin.display(boolean=True, description=_lazy("Coordinates"))
    def has_coordinates(self, obj):
        return obj.has_coordinates

    def get_queryset(self, request):
        if _is_autocomplete(request):  # any venue they may hold a meeting at
            return scope_of(request.user).venues(Location.objects.all())
        return super().get_queryset(request)


# Groups ------------------------------------------------------------------------------------


class GroupForm(ConcurrencyForm):
    class Meta:
        model = Group
        fields = "__all__"
        formfield_callback = https_links


@admin.register(Group)
class GroupAdmin(WithMeetingsInline, ScopedAdmin):
    scope_method = "groups"
    form = GroupForm
    list_display = ["name", "fellowship", "email", "updated"]
    list_filter = [("fellowship", admin.RelatedOnlyFieldListFilter)]  # in scope only
    search_fields = ["name", "slug", "fellowship__name", "email"]
    list_select_related = ["fellowship"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "fellowship", "notes"]}),
        (
            _lazy("Public service contacts"),
            {
                "fields": ["website", "email", "phone"],
                "description": _lazy("Shown on the listing."),
            },
        ),
        (
            _lazy("Private contacts"),
            {
                "fields": [
                    "private_contact_name",
                    "private_contact_email",
                    "private_contact_phone",
                    "private_notes",
                ],
                "description": _lazy(
                    "For volunteers only: never shown publicly, exported or put in a feed."
                ),
            },
        ),
        (None, {"fields": ["loaded_at"], "classes": ["hidden"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fellowship":
            kwargs["queryset"] = scope_of(request.user).fellowship_choices(Fellowship.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Meetings ----------------------------------------------------------------------------------


class MeetingForm(VenueFields, ConcurrencyForm):
    types = types_field()

    class Meta:
        model = Meeting
        fields = "__all__"
        formfield_callback = https_links

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "types" in self.fields:
            # The fellowship's own vocabulary, following a fellowship changed in the form.
            self.vocabulary_id = vocabulary_of(self)
            if self.vocabulary_id is not None:
                types = self.fields["types"]
                types.queryset = types.queryset.filter(vocabulary_id=self.vocabulary_id)
            if "types" in self.initial:
                # Its language codes are shown once, as languages.
                self.initial["types"] = [
                    t
                    for t in self.initial["types"]
                    if not isinstance(t, MeetingType)
                    or (t.category != MeetingType.Category.LANGUAGE and t.language_id is None)
                ]

    def clean(self):
        cleaned = super().clean()
        if "types" in cleaned and "languages" in cleaned:
            cleaned["types"] = with_language_types(
                cleaned["types"], cleaned["languages"], self.vocabulary_id
            )
        group, location = cleaned.get("group"), cleaned.get("location")
        fellowship = cleaned.get("fellowship") or (group.fellowship if group else None)
        if fellowship is None:
            return cleaned
        region_id = location.region_id if location else None
        if not self.scope.allows_meeting(fellowship.pk, region_id):
            field = "location" if self.scope.regions and "location" in self.fields else "fellowship"
            self.add_error(
                field,
                _(
                    "This would put the meeting outside your scope (%(scope)s). "
                    "Ask a coordinator to move it."
                )
                % {"scope": self.scope.describe()},
            )
        return cleaned


class VerificationInline(admin.TabularInline):
    model = Verification
    form = VerificationForm
    fields = ["method", "verified_on", "note", "verified_by"]
    readonly_fields = ["verified_by"]
    extra = 1
    max_num = 50
    can_delete = False
    verbose_name = _lazy("check")
    verbose_name_plural = _lazy("checks (record one when you have confirmed the listing)")

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened, not edited afterwards

    def get_queryset(self, request):
        # Each row is titled by its meeting (Verification.__str__): read with the rows.
        return super().get_queryset(request).select_related("verified_by", "meeting")


class VerifyActionForm(helpers.ActionForm):
    method = forms.ChoiceField(
        label=_lazy("How it was checked"),
        required=False,
        choices=[("", _lazy("(for “mark checked”)")), *Verification.Method.choices],
    )


def _when(obj) -> str:
    if obj.by_appointment:
        return _("By appointment")
    return f"{obj.get_day_display()[:3]} {obj.start_time:%H:%M}"


def _place(obj) -> str:
    if obj.location is None:
        return _("Online")
    return obj.location.city or obj.location.name or str(obj.location)


def record_checks(queryset, user, method: str) -> int:
    today = timezone.localdate()
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:  # nothing of theirs was selected
        return 0
    Verification.objects.bulk_create(
        Verification(meeting_id=pk, verified_by=user, method=method, verified_on=today)
        for pk in ids
    )
    Meeting.objects.filter(pk__in=ids).update(last_verified=today, flagged_on=None, flag_reason="")
    ListingsVersion.bump()
    return len(ids)


@admin.action(description=_lazy("Mark the selected listings checked today"), permissions=["change"])
def mark_checked(modeladmin, request, queryset):
    """How they were checked comes from the field beside the action (VerifyActionForm)."""
    method = request.POST.get("method", "")
    if method not in Verification.Method.values:
        modeladmin.message_user(
            request,
            _("Choose how the listings were checked (next to the action), then try again."),
            messages.ERROR,
        )
        return
    count = record_checks(queryset, request.user, method)
    modeladmin.message_user(
        request,
        ngettext(
            "Recorded a check of %(count)s listing today.",
            "Recorded a check of %(count)s listings today.",
            count,
        )
        % {"count": count},
    )


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    scope_method = "meetings"
    form = MeetingForm
    action_form = VerifyActionForm
    list_display = [
        "when",
        "name",
        "fellowship",
        "place",
        "attendance",
        "status",
        "last_verified",
    ]
    list_display_links = ["name"]
    list_filter = [
        ("fellowship", admin.RelatedOnlyFieldListFilter),  # in scope only
        "day",
        "attendance",
        "status",
        CheckedFilter,
        RegionFilter,
    ]
    search_fields = [
        "name",
        "slug",
        "group__name",
        "location__name",
        "location__address",
        "location__city",
        "location__postal_code",
        "notes",
    ]
    list_select_related = ["fellowship", "location"]
    ordering = ["day", "start_time", "name"]
    autocomplete_fields = ["group", "location"]
    filter_horizontal = ["languages"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["last_verified", "flagged_on", "flag_reason", "source", "source_key"]
    inlines = [VerificationInline]
    delete_confirmation_template = "admin/groups/meeting/archive_confirmation.html"
    actions = [
        mark_checked,
        "archive",
        "restore",
        "purge",
        "export_meetings_csv",  # groups.admin.imports
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "fellowship", "group"]}),
        (_lazy("When"), {"fields": ["day", "start_time", "end_time", "timezone"]}),
        (
            _lazy("Where and how"),
            {
                "fields": [
                    "attendance",
                    "location",
                    "conference_url",
                    "conference_phone",
                    "conference_notes",
                ]
            },
        ),
        (
            _lazy("The venue's details"),
            {
                "fields": [
                    "venue_name",
                    "venue_address",
                    "venue_city",
                    "venue_postal_code",
                    "venue_country",
                    "venue_change",
                ],
                "description": _lazy(
                    "Edit these when the venue's name or address has changed; a venue other "
                    "meetings are held at asks whether the change is for all of them."
                ),
            },
        ),
        (_lazy("About the meeting"), {"fields": ["types", "languages", "notes"]}),
        (
            _lazy("Status and checks"),
            {
                "fields": [
                    "status",
                    "status_reason",
                    "last_verified",
                    "flagged_on",
                    "flag_reason",
                    "source",
                    "source_key",
                ]
            },
        ),
        (None, {"fields": ["loaded_at"], "classes": ["hidden"]}),
    ]

    @admin.display(description=_lazy("When"), ordering="week_minute")
    def when(self, obj):
        return _when(obj)

    @admin.display(description=_lazy("Place"), ordering="location__city")
    def place(self, obj):
        return _place(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = scope_of(request.user)
        if db_field.name == "fellowship":
            kwargs["queryset"] = scope.fellowship_choices(Fellowship.objects.all())
        elif db_field.name == "group":
            kwargs["queryset"] = scope.groups(Group.objects.all())
        elif db_field.name == "location":
            kwargs["queryset"] = scope.venues(Location.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        form.save_venue(request.user)  # groups.venues: a venue changed on purpose
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for verification in formset.save(commit=False):
            verification.verified_by = request.user
            verification.save()

    # Deleting archives; restoring undoes it; only staff who may purge delete for good.

    def _archive(self, request, queryset):
        reason = f"Archived by {request.user.get_username()} on {timezone.localdate():%-d %b %Y}"
        for meeting in queryset.exclude(status=Meeting.Status.INACTIVE):
            meeting.status, meeting.status_reason = Meeting.Status.INACTIVE, reason
            meeting._change_reason = "Archived"
            meeting.save()

    def delete_model(self, request, obj):
        if getattr(request, "_purging", False):
            return super().delete_model(request, obj)
        self._archive(request, Meeting.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        if getattr(request, "_purging", False):
            return super().delete_queryset(request, queryset)
        self._archive(request, queryset)

    def log_deletions(self, request, queryset):
        if getattr(request, "_purging", False):
            return super().log_deletions(request, queryset)
        return [self.log_change(request, obj, "Archived") for obj in queryset]

    def delete_view(self, request, object_id, extra_context=None):
        # This page archives (delete_model), so it is named for what it does.
        extra_context = {"title": _("Archive this meeting?"), **(extra_context or {})}
        return super().delete_view(request, object_id, extra_context)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_purging", False):
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            _(
                "“%(meeting)s” is archived: it has left the directory, and the Restore action "
                "brings it back."
            )
            % {"meeting": obj_display},
        )
        return HttpResponseRedirect(reverse("admin:groups_meeting_changelist"))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_lazy("Archive the selected meetings"), permissions=["delete"])
    def archive(self, request, queryset):
        self._archive(request, queryset)
        self.message_user(request, _("Archived. They no longer appear in the directory."))

    @admin.action(description=_lazy("Restore the selected meetings"), permissions=["change"])
    def restore(self, request, queryset):
        restored = 0
        for meeting in queryset.filter(status=Meeting.Status.INACTIVE):
            meeting.status, meeting.status_reason = Meeting.Status.ACTIVE, ""
            meeting._change_reason = "Restored"
            meeting.save()
            restored += 1
        self.message_user(
            request,
            ngettext(
                "Restored %(count)s meeting to the directory.",
                "Restored %(count)s meetings to the directory.",
                restored,
            )
            % {"count": restored},
        )

    @admin.action(
        description=_lazy("Delete the selected meetings permanently"), permissions=["purge"]
    )
    def purge(self, request, queryset):
        request._purging = True
        return delete_selected(self, request, queryset)

    def has_purge_permission(self, request):
        return request.user.has_perm("groups.purge_meeting")


@admin.register(NeedsChecking)
class NeedsCheckingAdmin(ScopedMixin, DirectoryAdmin):
    """Listings in the user's scope not checked within VERIFICATION_INTERVAL_DAYS (or flagged),
    the longest unchecked first: a read-only list whose rows open the meeting's own change form,
    where its scope, history and checks apply. It has no form of its own to edit a meeting by."""

    action_form = VerifyActionForm
    list_display = ["listing", "fellowship", "when", "place", "status", "last_checked", "flag"]
    list_display_links = None
    list_filter = [
        ("fellowship", admin.RelatedOnlyFieldListFilter),  # in scope only
        RegionFilter,
        "attendance",
        FlaggedFilter,
    ]
    search_fields = ["name", "location__city", "group__name"]
    list_select_related = ["fellowship", "location"]
    ordering = [F("last_verified").asc(nulls_first=True), "pk"]
    actions = [mark_checked]

    def get_queryset(self, request):
        return super().get_queryset(request).needing_check()  # in scope: ScopedMixin

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.changelist_view), name=f"{name}_changelist"),
            path("<path:object_id>/change/", view(self.open_listing), name=f"{name}_change"),
        ]

    def open_listing(self, request, object_id):
        """An old link to a row opens the meeting's own change form."""
        return redirect(reverse("admin:groups_meeting_change", args=[object_id]))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's "mark checked" action needs the permission; no row is edited here.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_lazy("Listing"), ordering="name")
    def listing(self, obj):
        url = reverse("admin:groups_meeting_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)

    @admin.display(description=_lazy("When"), ordering="week_minute")
    def when(self, obj):
        return _when(obj)

    @admin.display(description=_lazy("Place"))
    def place(self, obj):
        return _place(obj)

    @admin.display(description=_lazy("Last checked"), ordering="last_verified")
    def last_checked(self, obj):
        return obj.last_verified or _("Never")

    @admin.display(description=_lazy("Flagged"))
    def flag(self, obj):
        return obj.flag_reason
