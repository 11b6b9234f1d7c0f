"""The admin, as volunteers use it: scoped to their listings (groups.scope), with history and
revert (django-simple-history), archive instead of delete, refusal of conflicting edits
(groups.concurrency), verification records and the queue of corrections from the public."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from groups import corrections
from groups.catalogue import catalogue
from groups.concurrency import ConcurrencyForm
from groups.models import (
    ChangeRequest,
    Fellowship,
    Group,
    Language,
    ListingsVersion,
    Location,
    Meeting,
    MeetingType,
    NeedsChecking,
    Region,
    TypeVocabulary,
    Verification,
    Volunteer,
    needs_check_q,
)
from groups.scope import scope_of

admin.site.site_header = f"{settings.SITE_NAME}: volunteers"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Keep the listings current"


class DirectoryAdmin(admin.ModelAdmin):
    # A bare "example.org" typed into a link field means https://example.org.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


def https_links(field, **kwargs):
    """Form fields for the admin's model forms: a bare link means https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def _is_autocomplete(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


# Filters ------------------------------------------------------------------------------------


class RegionFilter(admin.SimpleListFilter):
    """A region and every place inside it."""

    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return catalogue().regions.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        tree = catalogue().regions
        row = tree.by_slug.get(self.value())
        ids = tree.below(row[0]) if row else []
        return queryset.filter(**{self.field_path: ids})

    field_path = "location__region_id__in"


class LocationRegionFilter(RegionFilter):
    field_path = "region_id__in"


class CheckedFilter(admin.SimpleListFilter):
    title = "last checked"
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        days = settings.VERIFICATION_INTERVAL_DAYS
        return [
            ("stale", f"Needs checking (over {days} days, never, or flagged)"),
            ("recent", f"Checked in the last {days} days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.filter(needs_check_q())
        if self.value() == "recent":
            return queryset.exclude(needs_check_q())
        return queryset


# Scoped admins ------------------------------------------------------------------------------


class ScopedAdmin(SimpleHistoryAdmin, DirectoryAdmin):
    """Lists, opens, changes and deletes only what the user's scope allows; a crafted URL or
    POST for anything else finds nothing. `scope_method` names the groups.scope.Scope method."""

    scope_method = "meetings"

    def get_queryset(self, request):
        return getattr(scope_of(request.user), self.scope_method)(super().get_queryset(request))

    def _in_scope(self, request, obj) -> bool:
        if obj is None or obj.pk is None:
            return True
        checked = request.__dict__.setdefault("_scope_checks", {})
        key = (type(obj)._meta.concrete_model, obj.pk)
        if key not in checked:
            checked[key] = scope_of(request.user).allows(obj)
        return checked[key]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_of(request.user)
        return form

    def save_model(self, request, obj, form, change):
        # The form checked the scope; this refuses anything that got past it.
        super().save_model(request, obj, form, change)
        if not scope_of(request.user).allows(obj):
            raise PermissionDenied("That would put the listing outside your scope.")


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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_autocomplete(request):  # a volunteer places venues within their regions
            return scope_of(request.user).region_choices(queryset)
        return queryset


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
            raise ValidationError(f"Choose a region within your scope ({scope.describe()}).")
        return region


@admin.register(Location)
class LocationAdmin(ScopedAdmin):
    scope_method = "locations"
    form = LocationForm
    list_display = ["__str__", "address", "city", "region", "timezone", "has_coordinates"]
    list_filter = [LocationRegionFilter, "country", "timezone", "approximate"]
    search_fields = ["name", "address", "city", "postal_code", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    inlines = [MeetingInline]
    fieldsets = [
        (None, {"fields": ["name", "address", "city", "state", "postal_code", "country"]}),
        (
            "On the map",
            {
                "fields": ["latitude", "longitude", "approximate", "timezone", "region"],
                "description": "Coordinates may wait: the venue is listed without them, "
                "and is found by distance once they are given.",
            },
        ),
        ("For visitors", {"fields": ["access_notes", "notes"]}),
        (None, {"fields": ["loaded_at"], "classes": ["hidden"]}),
    ]

    @admin.display(boolean=True, description="Coordinates")
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
class GroupAdmin(ScopedAdmin):
    scope_method = "groups"
    form = GroupForm
    list_display = ["name", "fellowship", "email", "updated"]
    list_filter = ["fellowship"]
    search_fields = ["name", "slug", "fellowship__name", "email"]
    list_select_related = ["fellowship"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MeetingInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "fellowship", "notes"]}),
        (
            "Public service contacts",
            {"fields": ["website", "email", "phone"], "description": "Shown on the listing."},
        ),
        (
            "Private contacts",
            {
                "fields": [
                    "private_contact_name",
                    "private_contact_email",
                    "private_contact_phone",
                    "private_notes",
                ],
                "description": "For volunteers only: never shown publicly, exported or put "
                "in a feed.",
            },
        ),
        (None, {"fields": ["loaded_at"], "classes": ["hidden"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fellowship":
            kwargs["queryset"] = scope_of(request.user).fellowship_choices(Fellowship.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Meetings ----------------------------------------------------------------------------------


class MeetingForm(ConcurrencyForm):
    class Meta:
        model = Meeting
        fields = "__all__"
        formfield_callback = https_links

    def clean(self):
        cleaned = super().clean()
        group, location = cleaned.get("group"), cleaned.get("location")
        fellowship = cleaned.get("fellowship") or (group.fellowship if group else None)
        if fellowship is None:
            return cleaned
        region_id = location.region_id if location else None
        if not self.scope.allows_meeting(fellowship.pk, region_id):
            field = "location" if self.scope.regions and "location" in self.fields else "fellowship"
            self.add_error(
                field,
                f"This would put the meeting outside your scope ({self.scope.describe()}). "
                "Ask a coordinator to move it.",
            )
        return cleaned


class VerificationInline(admin.TabularInline):
    model = Verification
    fields = ["verified_on", "method", "note", "verified_by"]
    readonly_fields = ["verified_by"]
    extra = 1
    max_num = 50
    can_delete = False
    verbose_name = "check"
    verbose_name_plural = "checks (record one when you have confirmed the listing)"

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened, not edited afterwards

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")


class VerifyActionForm(helpers.ActionForm):
    method = forms.ChoiceField(
        label="How it was checked",
        required=False,
        choices=[("", "(for “mark checked”)"), *Verification.Method.choices],
    )


def _when(obj) -> str:
    if obj.by_appointment:
        return "By appointment"
    return f"{obj.get_day_display()[:3]} {obj.start_time:%H:%M}"


def _place(obj) -> str:
    if obj.location is None:
        return "Online"
    return obj.location.city or obj.location.name or str(obj.location)


def record_checks(queryset, user, method: str) -> int:
    today = timezone.localdate()
    ids = list(queryset.values_list("pk", flat=True))
    Verification.objects.bulk_create(
        Verification(meeting_id=pk, verified_by=user, method=method, verified_on=today)
        for pk in ids
    )
    Meeting.objects.filter(pk__in=ids).update(last_verified=today, flagged_on=None, flag_reason="")
    ListingsVersion.bump()
    return len(ids)


@admin.action(description="Mark the selected listings checked today", permissions=["change"])
def mark_checked(modeladmin, request, queryset):
    """How they were checked comes from the field beside the action (VerifyActionForm)."""
    method = request.POST.get("method", "")
    if method not in Verification.Method.values:
        modeladmin.message_user(
            request,
            "Choose how the listings were checked (next to the action), then try again.",
            messages.ERROR,
        )
        return
    count = record_checks(queryset, request.user, method)
    modeladmin.message_user(request, f"Recorded a check of {count} listing(s) today.")


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
    list_filter = ["fellowship", "day", "attendance", "status", CheckedFilter, RegionFilter]
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
    filter_horizontal = ["types", "languages"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["last_verified", "flagged_on", "flag_reason", "source", "source_key"]
    inlines = [VerificationInline]
    delete_confirmation_template = "admin/groups/meeting/archive_confirmation.html"
    actions = [
        mark_checked,
        "archive",
        "restore",
        "purge",
        "export_meetings_csv",  # groups.admin_imports
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "fellowship", "group"]}),
        ("When", {"fields": ["day", "start_time", "end_time", "timezone"]}),
        (
            "Where and how",
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
        ("About the meeting", {"fields": ["types", "languages", "notes"]}),
        (
            "Status and checks",
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

    @admin.display(description="When", ordering="week_minute")
    def when(self, obj):
        return _when(obj)

    @admin.display(description="Place", ordering="location__city")
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

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_purging", False):
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            f"“{obj_display}” is archived: it has left the directory, and the Restore action "
            "brings it back.",
        )
        return HttpResponseRedirect(reverse("admin:groups_meeting_changelist"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "types" in form.base_fields:
            # The meeting's own fellowship's codes (vocabularies are kept apart).
            vocabulary = obj.fellowship.type_vocabulary_id
            form.base_fields["types"].queryset = MeetingType.objects.filter(
                vocabulary_id=vocabulary
            ).select_related("vocabulary")
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Archive the selected meetings", permissions=["delete"])
    def archive(self, request, queryset):
        self._archive(request, queryset)
        self.message_user(request, "Archived. They no longer appear in the directory.")

    @admin.action(description="Restore the selected meetings", permissions=["change"])
    def restore(self, request, queryset):
        restored = 0
        for meeting in queryset.filter(status=Meeting.Status.INACTIVE):
            meeting.status, meeting.status_reason = Meeting.Status.ACTIVE, ""
            meeting._change_reason = "Restored"
            meeting.save()
            restored += 1
        self.message_user(request, f"Restored {restored} meeting(s) to the directory.")

    @admin.action(description="Delete the selected meetings permanently", permissions=["purge"])
    def purge(self, request, queryset):
        request._purging = True
        return delete_selected(self, request, queryset)

    def has_purge_permission(self, request):
        return request.user.has_perm("groups.purge_meeting")


@admin.register(NeedsChecking)
class NeedsCheckingAdmin(DirectoryAdmin):
    """Listings in the user's scope not checked within VERIFICATION_INTERVAL_DAYS (or flagged),
    the longest unchecked first."""

    action_form = VerifyActionForm
    list_display = ["listing", "fellowship", "when", "place", "status", "last_checked", "flag"]
    list_display_links = None
    list_filter = ["fellowship", RegionFilter, "attendance"]
    search_fields = ["name", "location__city", "group__name"]
    list_select_related = ["fellowship", "location"]
    ordering = [F("last_verified").asc(nulls_first=True), "pk"]
    actions = [mark_checked]

    def get_queryset(self, request):
        return scope_of(request.user).meetings(super().get_queryset(request).needing_check())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Listing", ordering="name")
    def listing(self, obj):
        url = reverse("admin:groups_meeting_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)

    @admin.display(description="When", ordering="week_minute")
    def when(self, obj):
        return _when(obj)

    @admin.display(description="Place")
    def place(self, obj):
        return _place(obj)

    @admin.display(description="Last checked", ordering="last_verified")
    def last_checked(self, obj):
        return obj.last_verified or "Never"

    @admin.display(description="Flagged")
    def flag(self, obj):
        return obj.flag_reason


# The queue of corrections -------------------------------------------------------------------


class DecisionFilter(admin.SimpleListFilter):
    """The queue opens on what is waiting."""

    title = "decision"
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [*ChangeRequest.Decision.choices, ("all", "All")]

    def choices(self, changelist):
        current = self.value() or ChangeRequest.Decision.PENDING
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or ChangeRequest.Decision.PENDING
        return queryset if value == "all" else queryset.filter(decision=value)


class ReviewForm(forms.ModelForm):
    """A change request under review: the proposed values, editable, and the decision."""

    DECIDE = [
        ("", "Decide later"),
        ("approve", "Approve: change the listing as below"),
        ("reject", "Reject: change nothing"),
    ]
    decide = forms.ChoiceField(label="Decision", choices=DECIDE, required=False)

    class Meta:
        model = ChangeRequest
        fields = ["reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        change = self.instance
        current = corrections.current_values(change.meeting if change.meeting_id else None)
        for name in corrections.FIELDS:
            self.fields[name] = _value_field(name)
            self.fields[name].initial = change.proposed.get(name, current[name])
        if change.meeting_id is None:
            self.fields["fellowship"] = forms.ModelChoiceField(
                Fellowship.objects.all(), initial=change.fellowship_id
            )
        self.prepared = None

    def clean(self):
        cleaned = super().clean()
        decide = cleaned.get("decide")
        if self.instance.decision != ChangeRequest.Decision.PENDING and decide:
            raise ValidationError("This request has already been decided.")
        if decide == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the reason (the sender is told it, if they asked).")
        if decide == "approve" and not self.errors:
            values = {name: cleaned.get(name) for name in corrections.FIELDS}
            values = {k: "" if v is None else str(v) for k, v in values.items()}
            if "fellowship" in cleaned and cleaned["fellowship"] is not None:
                values["fellowship"] = str(cleaned["fellowship"].pk)
                if not self.scope.allows_meeting(cleaned["fellowship"].pk, None) and (
                    self.scope.fellowships
                ):
                    self.add_error("fellowship", "That fellowship is outside your scope.")
                    return cleaned
            try:
                self.prepared = corrections.prepare(self.instance, values)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, problems)
                return cleaned
            meeting, place = self.prepared.meeting, self.prepared.place
            if not self.scope.allows_meeting(
                meeting.fellowship_id, place.region_id if place else None
            ):
                self.add_error(None, f"That is outside your scope ({self.scope.describe()}).")
        return cleaned


def _value_field(name: str) -> forms.Field:
    label = corrections.LABELS[name]
    if name == "day":
        choices = [("", "By appointment"), *((str(v), lbl) for v, lbl in Meeting.Day.choices)]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    if name in ("start_time", "end_time"):
        return forms.TimeField(label=label, required=False, widget=forms.TimeInput(format="%H:%M"))
    if name == "attendance":
        return forms.ChoiceField(label=label, choices=Meeting.Attendance.choices)
    if name == "status":
        return forms.ChoiceField(label=label, choices=Meeting.Status.choices)
    if name == "notes":
        return forms.CharField(label=label, required=False, widget=forms.Textarea({"rows": 3}))
    return forms.CharField(label=label, required=False)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(DirectoryAdmin):
    form = ReviewForm
    change_form_template = "admin/groups/changerequest/change_form.html"
    list_display = ["created", "report", "subject", "fellowship", "changes", "decision"]
    list_display_links = ["created", "report"]
    list_filter = [DecisionFilter, "report", "fellowship"]
    search_fields = ["meeting__name", "note"]
    list_select_related = ["meeting", "fellowship"]
    ordering = ["created"]
    readonly_fields = ["report", "listing", "note", "created", "reply_wanted", "decided"]

    def get_queryset(self, request):
        return scope_of(request.user).change_requests(super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # they come from the public forms

    @admin.display(description="Listing")
    def subject(self, obj):
        if obj.meeting_id:
            return obj.meeting.name
        return f"New: {obj.proposed.get('name', '')}"

    @admin.display(description="Proposed")
    def changes(self, obj):
        names = [corrections.LABELS.get(f, f).lower() for f in obj.proposed]
        return ", ".join(names) or (obj.note[:60] if obj.note else "")

    @admin.display(description="Listing")
    def listing(self, obj):
        if not obj.meeting_id:
            return "A new meeting (not yet in the directory)"
        url = reverse("admin:groups_meeting_change", args=[obj.meeting_id])
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">public page</a>)',
            url,
            obj.meeting.name,
            obj.meeting.get_absolute_url(),
        )

    @admin.display(description="Sender wants a reply")
    def reply_wanted(self, obj):
        # The address itself stays out of sight; it is used once, to answer.
        return "Yes, by e-mail when this is decided" if obj.email else "No"

    @admin.display(description="Decided")
    def decided(self, obj):
        if obj.decision == ChangeRequest.Decision.PENDING:
            return "Not yet"
        who = obj.decided_by.get_username() if obj.decided_by else "someone"
        return f"{obj.get_decision_display()} by {who} on {obj.decided_at:%-d %b %Y %H:%M}"

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The proposed values are the form's own fields, not the model's.
        kwargs["fields"] = ["reason"]
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_of(request.user)
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("The request", {"fields": self.readonly_fields}),
            (None, {"fields": ["decide", "reason"]}),
        ]
        values = (["fellowship"] if obj and obj.meeting_id is None else []) + corrections.FIELDS
        fieldsets.append(
            (
                "The listing after approval (edit before approving if needed)",
                {"fields": values},
            )
        )
        return fieldsets

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"diff": corrections.diff(obj) if obj else [], "change_request": obj}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        decide = form.cleaned_data.get("decide")
        if decide == "approve":
            meeting = corrections.approve(obj, form.prepared, request.user)
            self.message_user(
                request,
                format_html(
                    'Approved: <a href="{}">{}</a> is changed and counts as checked today.',
                    meeting.get_absolute_url(),
                    meeting.name,
                ),
            )
        elif decide == "reject":
            corrections.reject(obj, form.cleaned_data["reason"], request.user)
            self.message_user(request, "Rejected: the listing is unchanged.")
        else:
            obj.save(update_fields=["reason"])

    def save_related(self, request, form, formsets, change):
        pass

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"changed": {"fields": ["decision"]}}]


# Volunteers' scopes, edited with their user account -----------------------------------------


class VolunteerInline(admin.StackedInline):
    model = Volunteer
    can_delete = True
    filter_horizontal = ["fellowships", "regions"]
    verbose_name_plural = "volunteer scope (which listings they keep current)"


admin.site.unregister(User)


@admin.register(User)
class VolunteerUserAdmin(UserAdmin):
    inlines = [VolunteerInline]
    list_display = ["username", "first_name", "email", "is_staff", "is_active", "scope"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("volunteer__fellowships", "volunteer__regions")
        )

    @admin.display(description="Scope")
    def scope(self, obj):
        if obj.is_superuser:
            return "Every listing"
        volunteer = getattr(obj, "volunteer", None)
        if volunteer is None:
            return ""
        names = [f.short_name for f in volunteer.fellowships.all()]
        names += [r.name for r in volunteer.regions.all()]
        return ", ".join(names)


from groups import admin_imports  # noqa: E402, F401  (import sources; the CSV export action)
