"""Corrections and missing meetings from the public: what was proposed, how it differs from the
listing, and what approving it does.

A change request stores only what the sender changed (`proposed`, by field name). A volunteer
sees it as a field-by-field diff, may edit the values, and approves: the listing is changed
(recorded in its history as the approval of request #N by that volunteer) and counts as checked
today. The sender, if they left an address, is told the outcome, and the address is then
forgotten.
"""

import dataclasses
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from groups.importing.save import unique_slugs
from groups.models import (
    ChangeRequest,
    Fellowship,
    ListingsVersion,
    Location,
    Meeting,
    Verification,
)
from groups.scope import scope_of

# Fields of the listing that the public may propose, in the order the forms show them.
MEETING_FIELDS = [
    "name",
    "day",
    "start_time",
    "end_time",
    "timezone",
    "attendance",
    "conference_url",
    "conference_phone",
    "conference_notes",
    "notes",
]
# The place, by Location field: proposed as location_<field>.
PLACE_FIELDS = ["name", "address", "city", "postal_code", "country"]
STATUS_FIELDS = ["status", "status_reason"]
FIELDS = MEETING_FIELDS + [f"location_{f}" for f in PLACE_FIELDS] + STATUS_FIELDS

LABELS = {
    "name": "Name",
    "day": "Day",
    "start_time": "Start time",
    "end_time": "End time",
    "timezone": "Time zone",
    "attendance": "How people attend",
    "conference_url": "Online meeting link",
    "conference_phone": "Dial-in phone",
    "conference_notes": "Online joining notes",
    "notes": "Notes",
    "location_name": "Venue name",
    "location_address": "Street address",
    "location_city": "Town or city",
    "location_postal_code": "Postal code",
    "location_country": "Country",
    "status": "Status",
    "status_reason": "Status note",
    "fellowship": "Fellowship",
}

# What each kind of report proposes about the listing's status.
REPORT_STATUS = {
    ChangeRequest.Report.TEMPORARILY_CLOSED: Meeting.Status.TEMPORARILY_CLOSED,
    ChangeRequest.Report.CLOSED: Meeting.Status.INACTIVE,
}


def as_text(value) -> str:
    """A field value as the forms and the JSON store write it."""
    if value is None:
        return ""
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def current_values(meeting: Meeting | None) -> dict[str, str]:
    if meeting is None:  # a new meeting starts from the model's defaults
        return {
            **dict.fromkeys(FIELDS, ""),
            "status": Meeting.Status.ACTIVE,
            "attendance": Meeting.Attendance.IN_PERSON,
        }
    values = {field: as_text(getattr(meeting, field)) for field in MEETING_FIELDS + STATUS_FIELDS}
    place = meeting.location
    for field in PLACE_FIELDS:
        values[f"location_{field}"] = as_text(getattr(place, field)) if place else ""
    return values


def proposed_changes(meeting: Meeting | None, values: dict) -> dict[str, str]:
    """Only the values that differ from the listing."""
    now = current_values(meeting)
    return {
        field: as_text(values.get(field))
        for field in FIELDS
        if field in values and as_text(values.get(field)).strip() != now[field].strip()
    }


def _display(field: str, value: str) -> str:
    if value == "":
        return "(empty)"
    if field == "day":
        return Meeting.Day(int(value)).label
    if field == "attendance":
        return Meeting.Attendance(value).label
    if field == "status":
        return Meeting.Status(value).label
    if field == "fellowship":
        return str(Fellowship.objects.filter(pk=value).first() or value)
    return value


@dataclasses.dataclass
class DiffRow:
    field: str
    label: str
    current: str
    proposed: str

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


def diff(change: ChangeRequest) -> list[DiffRow]:
    """Every proposable field: the listing now and what the request proposes."""
    now = current_values(change.meeting)
    rows = []
    fields = FIELDS + (["fellowship"] if change.meeting_id is None else [])
    for field in fields:
        current = now.get(field, "")
        proposed = change.proposed.get(field, current)
        rows.append(
            DiffRow(field, LABELS[field], _display(field, current), _display(field, proposed))
        )
    return rows


# Approving ---------------------------------------------------------------------------------


def _parse(field: str, value: str):
    """A proposed value as the model field holds it; a ValidationError names the field."""
    if value == "":
        return None if field in ("day", "start_time", "end_time") else ""
    if field == "day":
        return int(value)
    if field in ("start_time", "end_time"):
        try:
            return datetime.time.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: "Give the time as HH:MM, e.g. 19:30."}) from None
    return value


@dataclasses.dataclass
class Prepared:
    """A validated, unsaved outcome of approving a request."""

    meeting: Meeting
    place: Location | None
    new_place: bool


def prepare(change: ChangeRequest, values: dict[str, str]) -> Prepared:
    """Applies the values to (a copy of) the listing and validates it, saving nothing.
    Raises ValidationError keyed by the form's field names."""
    if change.meeting_id:
        meeting = Meeting.objects.select_related("location", "group").get(pk=change.meeting_id)
    else:
        meeting = Meeting(fellowship_id=values.get("fellowship") or change.fellowship_id)
    for field in MEETING_FIELDS + STATUS_FIELDS:
        if field in values:
            setattr(meeting, field, _parse(field, values[field]))
    if meeting.status == Meeting.Status.ACTIVE:
        meeting.status_reason = ""

    place, new_place = meeting.location, False
    wanted = {f: values.get(f"location_{f}", "").strip() for f in PLACE_FIELDS}
    current = {f: getattr(place, f) if place else "" for f in PLACE_FIELDS}
    if any(wanted.values()) and wanted != current:
        shared = place is not None and place.meetings.exclude(pk=meeting.pk).exists()
        if place is None or shared:
            # Another meeting is held at the old place: this one moves to a new place.
            place = Location(
                timezone=meeting.timezone or (place.timezone if place else settings.TIME_ZONE),
                region=change.region if place is None else place.region,
                state=place.state if place else "",
            )
            new_place = True
        moved = any(wanted[f] != current[f] for f in ("address", "city", "postal_code"))
        for field, value in wanted.items():
            setattr(place, field, value)
        if moved:  # the old coordinates point at the old place; the new ones wait for a volunteer
            place.latitude = place.longitude = None
            place.approximate = False
        try:
            place.full_clean(exclude=["region"])
        except ValidationError as error:
            raise ValidationError(
                {f"location_{k}": v for k, v in error.message_dict.items()}
            ) from None
    if not meeting.timezone and place is not None:
        meeting.timezone = place.timezone
    if not meeting.slug:
        meeting.slug = unique_slugs(Meeting, [slugify(meeting.name)[:56] or "meeting"], 64)[0]

    # Validate as the admin would, with the place as it will be (a new place is saved only
    # on approval, so the checks that need its id are left to the database then).
    meeting.location = place
    exclude = ["week_minute", "duration", "search_text", "group", "types", "languages"]
    if new_place:
        exclude.append("location")
    try:
        meeting.full_clean(exclude=exclude)
    except ValidationError as error:
        errors = {
            ("location_address" if k == "location" else k): v
            for k, v in error.message_dict.items()
            if not (new_place and k == "location")
        }
        if errors:
            raise ValidationError(errors) from None
    return Prepared(meeting, place, new_place)


class AlreadyDecided(Exception):
    """Another decision on the request came first (its message says whose, and when)."""


def decided_message(change: ChangeRequest) -> str:
    who = change.decided_by.get_username() if change.decided_by_id else "someone"
    when = timezone.localtime(change.decided_at).strftime("%-d %b %Y %H:%M")
    return f"This request was already {change.get_decision_display().lower()} by {who} at {when}."


def _lock_pending(change: ChangeRequest, user) -> None:
    """Takes the request's row until the transaction ends, so that of two decisions one waits
    for the other and then finds it decided; refuses one outside the user's scope (its meeting
    may have left it since the page was opened)."""
    # of=self: the row alone (PostgreSQL locks no nullable side of a join).
    current = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
    if current.decision != ChangeRequest.Decision.PENDING:
        raise AlreadyDecided(decided_message(current))
    if not scope_of(user).allows(current):
        raise PermissionDenied("That request is outside your scope.")


@transaction.atomic
def approve(change: ChangeRequest, prepared: Prepared, user) -> Meeting:
    _lock_pending(change, user)
    reason = f"Change request #{change.pk} approved"
    meeting, place = prepared.meeting, prepared.place
    if place is not None:
        if prepared.new_place:
            place.created_by = user
        place._change_reason = reason
        place.save()
        meeting.location = place
    meeting._change_reason = reason
    meeting.save()
    Verification.objects.create(
        meeting=meeting,
        verified_by=user,
        method=Verification.Method.CORRECTION,
        note=f"Change request #{change.pk}",
    )
    change.meeting = meeting
    _decide(change, ChangeRequest.Decision.APPROVED, user)
    return meeting


@transaction.atomic
def reject(change: ChangeRequest, reason: str, user) -> None:
    _lock_pending(change, user)
    change.reason = reason
    _decide(change, ChangeRequest.Decision.REJECTED, user)


def _decide(change: ChangeRequest, decision: str, user) -> None:
    change.decision = decision
    change.decided_by = user
    change.decided_at = timezone.now()
    if change.email:
        pk, email = change.pk, change.email
        transaction.on_commit(lambda: _tell_sender(pk, email))
        change.email = ""  # kept no longer than needed to answer
    change.save()


def _tell_sender(pk: int, email: str) -> None:
    change = ChangeRequest.objects.select_related("meeting").get(pk=pk)
    body = render_to_string(
        "groups/emails/change_request_decided.txt",
        {"change": change, "site_name": settings.SITE_NAME},
    )
    subject = (
        "Thank you: the directory has been updated"
        if change.decision == ChangeRequest.Decision.APPROVED
        else "About the change you suggested to the directory"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)


# Reports of "nobody was there" --------------------------------------------------------------


def note_report(change: ChangeRequest) -> bool:
    """Flags the listing for checking once enough people report nobody there in the window.
    Returns whether it is flagged now."""
    if change.report != ChangeRequest.Report.NOBODY_THERE or change.meeting_id is None:
        return False
    since = timezone.now() - datetime.timedelta(days=settings.NOBODY_THERE_DAYS)
    reports = ChangeRequest.objects.filter(
        meeting_id=change.meeting_id,
        report=ChangeRequest.Report.NOBODY_THERE,
        created__gte=since,
    ).count()
    if reports < settings.NOBODY_THERE_REPORTS:
        return False
    Meeting.objects.filter(pk=change.meeting_id, flagged_on__isnull=True).update(
        flagged_on=timezone.localdate(),
        flag_reason=f"{reports} people reported that nobody was there "
        f"in the last {settings.NOBODY_THERE_DAYS} days",
    )
    ListingsVersion.bump()
    return True
