"""The queue of corrections and proposed meetings from the public (groups.corrections)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from groups import corrections, venues
from groups.admin.base import DirectoryAdmin, ScopedMixin
from groups.admin.listings import _place, _when
from groups.models import ChangeRequest, Fellowship, Meeting


class DecisionFilter(admin.SimpleListFilter):
    """The queue opens on what is waiting."""

    title = _lazy("decision")
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [*ChangeRequest.Decision.choices, ("all", _("All"))]

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
    """A change request under review: the proposed values, editable, and the decision, sent by
    the Approve or the Reject button (name "decide")."""

    DECIDE = [("approve", _lazy("Approve")), ("reject", _lazy("Reject"))]
    decide = forms.ChoiceField(label=_lazy("Decision"), choices=DECIDE, required=False)

    class Meta:
        model = ChangeRequest
        fields = ["reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        change = self.instance
        meeting = change.meeting if change.meeting_id else None
        current = corrections.current_values(meeting)
        for name in corrections.FIELDS:
            self.fields[name] = _value_field(name)
            self.fields[name].initial = change.proposed.get(name, current[name])
        if change.meeting_id is None:
            self.fields["fellowship"] = forms.ModelChoiceField(
                Fellowship.objects.all(), initial=change.fellowship_id, label=_("Fellowship")
            )
        self.venue_meetings = _venue_meetings(change)
        if self.venue_meetings > 1:
            self.fields["venue"] = venues.choice_field(self.venue_meetings)
        if "reason" in self.fields:
            self.fields["reason"].label = _("Reason for rejecting")
            self.fields["reason"].help_text = _("Needed to reject: the sender is told it.")
        self.prepared = None

    def clean(self):
        cleaned = super().clean()
        decide = cleaned.get("decide")
        if self.instance.decision != ChangeRequest.Decision.PENDING:
            # Read under the row's lock (ChangeRequestAdmin.get_object): a decision that came
            # first, even a moment ago, is seen here.
            raise ValidationError(corrections.decided_message(self.instance), code="decided")
        if not decide:
            raise ValidationError(_("Choose Approve or Reject."), code="undecided")
        if decide == "reject" and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason",
                _(
                    "To reject, fill in “Reason for rejecting” (the sender is told it, if they "
                    "asked for a reply)."
                ),
            )
        if decide == "approve" and not self.errors:
            values = {name: cleaned.get(name) for name in corrections.FIELDS}
            values = {k: "" if v is None else str(v) for k, v in values.items()}
            if "fellowship" in cleaned and cleaned["fellowship"] is not None:
                values["fellowship"] = str(cleaned["fellowship"].pk)
                chosen = cleaned["fellowship"].pk
                if self.scope.fellowships and chosen not in self.scope.fellowships:
                    self.add_error("fellowship", _("That fellowship is outside your scope."))
                    return cleaned
            try:
                self.prepared = corrections.prepare(
                    self.instance, values, venue=cleaned.get("venue", "")
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, problems)
                return cleaned
            meeting, place = self.prepared.meeting, self.prepared.place
            if not self.scope.allows_meeting(
                meeting.fellowship_id, place.region_id if place else None
            ):
                self.add_error(
                    None,
                    _("That is outside your scope (%(scope)s).") % {"scope": self.scope.describe()},
                )
        return cleaned


def _value_field(name: str) -> forms.Field:
    label = corrections.LABELS[name]
    if name == "day":
        choices = [("", _("By appointment")), *((str(v), lbl) for v, lbl in Meeting.Day.choices)]
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


def _venue_meetings(change: ChangeRequest) -> int:
    """How many meetings share the venue of the request's meeting (counted once a request)."""
    if not hasattr(change, "_venue_meetings"):
        meeting = change.meeting if change.meeting_id else None
        change._venue_meetings = venues.meetings_at(meeting.location if meeting else None)
    return change._venue_meetings


def _when_and_where(obj: ChangeRequest) -> tuple[str, str]:
    """The meeting's day, time and place as listed (or as proposed, for a new meeting), to tell
    meetings of one name apart."""
    meeting = obj.meeting if obj.meeting_id else None
    if meeting is not None:
        return _when(meeting), _place(meeting)
    proposed = obj.proposed
    day = proposed.get("day", "")
    when = _("By appointment")
    if day != "":
        when = f"{str(Meeting.Day(int(day)).label)[:3]} {proposed.get('start_time', '')}".strip()
    place = proposed.get("location_city") or proposed.get("location_name") or _("Online")
    return when, place


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ScopedMixin, DirectoryAdmin):
    """The queue: requests in the user's scope as their meetings are now. A decision locks the
    request's row for the length of the admin's transaction (the change view is one), so that
    of two decisions at once the second waits, then is told who decided and when."""

    scope_method = "change_requests"
    form = ReviewForm
    change_form_template = "admin/groups/changerequest/change_form.html"
    list_display = [
        "created",
        "report",
        "subject",
        "when",
        "place",
        "fellowship",
        "changes",
        "decision",
    ]
    list_display_links = ["created", "report"]
    list_filter = [DecisionFilter, "report", ("fellowship", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["meeting__name", "note"]
    list_select_related = ["meeting__location", "fellowship"]
    ordering = ["created"]
    readonly_fields = ["report", "listing", "note", "created", "reply_wanted", "decided"]

    def has_add_permission(self, request):
        return False  # they come from the public forms

    def get_queryset(self, request):
        # The list's and the review's (the changelist skips list_select_related after this).
        return (
            super()
            .get_queryset(request)
            .select_related("meeting__location", "fellowship", "decided_by")
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None or request.method != "POST":
            return obj
        if not transaction.get_connection().in_atomic_block:
            return obj  # nothing is saved outside the change view's transaction
        # of=self: the row alone (PostgreSQL locks no nullable side of a join).
        locked = self.get_queryset(request).select_for_update(of=("self",))
        return locked.filter(pk=obj.pk).first()

    @admin.display(description=_lazy("Listing"))
    def subject(self, obj):
        if obj.meeting_id:
            return obj.meeting.name
        # Translators: a proposed new meeting in the queue, by the name the sender gave.
        return _("New: %(name)s") % {"name": obj.proposed.get("name", "")}

    @admin.display(description=_lazy("When"))
    def when(self, obj):
        return _when_and_where(obj)[0]

    @admin.display(description=_lazy("Place"))
    def place(self, obj):
        return _when_and_where(obj)[1]

    @admin.display(description=_lazy("Proposed"))
    def changes(self, obj):
        names = [str(corrections.LABELS.get(f, f)).lower() for f in obj.proposed]
        return ", ".join(names) or (obj.note[:60] if obj.note else "")

    @admin.display(description=_lazy("Listing"))
    def listing(self, obj):
        when, place = _when_and_where(obj)
        if not obj.meeting_id:
            return _("A new meeting (not yet in the directory): %(when)s, %(place)s") % {
                "when": when,
                "place": place,
            }
        url = reverse("admin:groups_meeting_change", args=[obj.meeting_id])
        return format_html(
            '<a href="{}">{}</a>, {}, {} (<a href="{}">{}</a>)',
            url,
            obj.meeting.name,
            when,
            place,
            obj.meeting.get_absolute_url(),
            _("public page"),
        )

    @admin.display(description=_lazy("Sender wants a reply"))
    def reply_wanted(self, obj):
        # The address itself stays out of sight; it is used once, to answer.
        return _("Yes, by e-mail when this is decided") if obj.email else _("No")

    @admin.display(description=_lazy("Decided"))
    def decided(self, obj):
        if obj.decision == ChangeRequest.Decision.PENDING:
            return _("Not yet")
        values = {
            "decision": obj.get_decision_display(),
            "date": format_date(obj.decided_at, "j M Y H:i"),
        }
        if obj.decided_by is None:
            # Translators: decision is Approved or Rejected.
            return _("%(decision)s by someone on %(date)s") % values
        # Translators: decision is Approved or Rejected; user is who decided.
        return _("%(decision)s by %(user)s on %(date)s") % {
            **values,
            "user": obj.decided_by.get_username(),
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The proposed values are the form's own fields, not the model's.
        kwargs["fields"] = ["reason"]
        return super().get_form(request, obj, change, **kwargs)

    @staticmethod
    def _diff(obj) -> list:
        if not hasattr(obj, "_review_diff"):
            obj._review_diff = corrections.diff(obj)
        return obj._review_diff

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(_("The request"), {"fields": self.readonly_fields})]
        if obj is None:
            return fieldsets
        values = (["fellowship"] if obj.meeting_id is None else []) + corrections.FIELDS
        changed = [row.field for row in self._diff(obj) if row.changed]
        if obj.meeting_id is None:
            changed = values
        elif obj.report == ChangeRequest.Report.NOBODY_THERE:
            changed += [f for f in corrections.STATUS_FIELDS if f not in changed]
        shown = [f for f in values if f in changed]
        if _venue_meetings(obj) > 1:
            shown.append("venue")
        if shown:
            fieldsets.append((_("The listing after approval (edit if needed)"), {"fields": shown}))
        rest = [f for f in values if f not in changed]
        if rest:
            title = ngettext(
                "The other %(count)s field, unchanged",
                "The other %(count)s fields, unchanged",
                len(rest),
            ) % {"count": len(rest)}
            fieldsets.append((title, {"fields": rest, "classes": ["collapse"]}))
        fieldsets.append((_("If you reject it"), {"fields": ["reason"]}))
        return fieldsets

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The object the form was made from: its diff is worked out once (see _diff).
        if obj is not None:
            diff = self._diff(obj)
            reports = list(corrections.reports_of(obj))
            waiting = sum(r.decision == ChangeRequest.Decision.PENDING for r in reports) or 1
            context.update(
                change_request=obj,
                diff=diff,
                changed_rows=[row for row in diff if row.changed],
                reports=reports,
                approving_does=corrections.what_approving_does(obj, waiting),
                pending=obj.decision == ChangeRequest.Decision.PENDING,
                # The listing changed after the request was sent: "the listing now" may
                # already hold some of it, or something newer the request would undo.
                changed_since=(
                    obj.meeting.updated
                    if obj.meeting_id
                    and obj.listing_updated
                    and obj.meeting.updated > obj.listing_updated
                    else None
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        decide = form.cleaned_data.get("decide")
        try:
            self._decide(request, obj, form, decide)
        except corrections.AlreadyDecided as error:  # a path that took no lock beforehand
            request._not_decided = True
            self.message_user(request, str(error), messages.ERROR)

    def _decide(self, request, obj, form, decide):
        if decide == "approve":
            meeting = corrections.approve(obj, form.prepared, request.user)
            link = format_html('<a href="{}">{}</a>', meeting.get_absolute_url(), meeting.name)
            if meeting.flagged_on and obj.report == ChangeRequest.Report.NOBODY_THERE:
                # Translators: meeting is the meeting's name, as a link to its page.
                done = _("Approved: {meeting} is flagged for checking.")
            else:
                # Translators: meeting is the meeting's name, as a link to its page.
                done = _("Approved: {meeting} is changed and counts as checked today.")
            self.message_user(request, format_html(done, meeting=link), messages.SUCCESS)
        elif decide == "reject":
            corrections.reject(obj, form.cleaned_data["reason"], request.user)
            self.message_user(request, _("Rejected: the listing is unchanged."), messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        pass

    def response_change(self, request, obj):
        # One message: the decision's (save_model), not also the admin's "changed successfully".
        if getattr(request, "_not_decided", False):
            return HttpResponseRedirect(request.path)
        changelist = reverse("admin:groups_changerequest_changelist")
        preserved = request.GET.get("_changelist_filters")
        return HttpResponseRedirect(f"{changelist}?{preserved}" if preserved else changelist)

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"changed": {"fields": ["decision"]}}]
