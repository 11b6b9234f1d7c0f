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
from django.utils import dateformat, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from groups import venues
from groups.importing.save import unique_slugs
from groups.models import (
    ChangeRequest,
    Fellowship,
    Language,
    ListingsVersion,
    Location,
    Meeting,
    MeetingType,
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
# The meeting's types (of its fellowship's vocabulary, those naming a language left out: a
# language is one of its languages) and its languages, as sorted comma-separated codes.
SET_FIELDS = ["types", "languages"]
FIELDS = MEETING_FIELDS + [f"location_{f}" for f in PLACE_FIELDS] + STATUS_FIELDS + SET_FIELDS

LABELS = {
    "name": gettext_lazy("Name"),
    "day": gettext_lazy("Day"),
    "start_time": gettext_lazy("Start time"),
    "end_time": gettext_lazy("End time"),
    "timezone": gettext_lazy("Time zone"),
    "attendance": gettext_lazy("How people attend"),
    "conference_url": gettext_lazy("Online meeting link"),
    "conference_phone": gettext_lazy("Dial-in phone"),
    "conference_notes": gettext_lazy("Online joining notes"),
    "notes": gettext_lazy("Notes"),
    "location_name": gettext_lazy("Venue name"),
    "location_address": gettext_lazy("Street address"),
    "location_city": gettext_lazy("Town or city"),
    "location_postal_code": gettext_lazy("Postal code"),
    "location_country": gettext_lazy("Country"),
    "status": gettext_lazy("Status"),
    "status_reason": gettext_lazy("Status note"),
    "types": gettext_lazy("Types"),
    "languages": gettext_lazy("Languages"),
    "fellowship": gettext_lazy("Fellowship"),
}

# What each kind of report proposes about the listing's status.
REPORT_STATUS = {
    ChangeRequest.Report.TEMPORARILY_CLOSED: Meeting.Status.TEMPORARILY_CLOSED,
    ChangeRequest.Report.CLOSED: Meeting.Status.INACTIVE,
}


def from_public(**fields) -> ChangeRequest:
    """A request sent with one of the public's forms, in the language the sender wrote in
    (the request's), so that the answer to them is written in it too (_tell_sender)."""
    return ChangeRequest(language=translation.get_language() or "", **fields)


def as_text(value) -> str:
    """A field value as the forms and the JSON store write it."""
    if value is None:
        return ""
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple | set | frozenset):  # codes of types or languages
        return ",".join(sorted({str(v).strip() for v in value} - {""}))
    return str(value)


def codes(text: str) -> list[str]:
    """The codes of a comma-separated value, as the forms and the review write them."""
    return sorted({code.strip() for code in text.split(",")} - {""})


def is_language_type(meeting_type: MeetingType) -> bool:
    """A type that names a language (Spanish, ASL): offered as a language, not a type."""
    return (
        meeting_type.category == MeetingType.Category.LANGUAGE
        or meeting_type.language_id is not None
    )


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
    values["types"] = as_text([t.code for t in meeting.types.all() if not is_language_type(t)])
    values["languages"] = as_text([language.code for language in meeting.languages.all()])
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
        return _("(empty)")
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
    # For types and languages, the change in words: "added Women; removed Open".
    words: str = ""

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
    return _sets_in_words(change, rows, now)


def code_names(field: str, values: list[str], vocabulary_id: int | None) -> dict[str, str]:
    """{code: name} of the types (of that vocabulary) or languages named by those codes."""
    if field == "languages":
        rows = Language.objects.filter(code__in=values)
    else:
        rows = MeetingType.objects.filter(vocabulary_id=vocabulary_id, code__in=values)
    return dict(rows.values_list("code", "name"))


def _vocabulary_of(change: ChangeRequest) -> int | None:
    fellowship = change.meeting.fellowship_id if change.meeting_id else None
    fellowship = fellowship or change.proposed.get("fellowship") or change.fellowship_id
    query = Fellowship.objects.filter(pk=fellowship)
    return query.values_list("type_vocabulary", flat=True).first()


def _sets_in_words(change: ChangeRequest, rows: list[DiffRow], now: dict) -> list[DiffRow]:
    """The rows of types and languages by name, with what is added and removed in words."""
    vocabulary = _vocabulary_of(change)
    for index, row in enumerate(rows):
        if row.field not in SET_FIELDS:
            continue
        before = codes(now[row.field])
        after = codes(change.proposed.get(row.field, now[row.field]))
        names = code_names(row.field, before + after, vocabulary)

        def words(values, names=names):
            return ", ".join(sorted(names.get(code, code) for code in values))

        added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
        if added and removed:
            said = _("added %(added)s; removed %(removed)s") % {
                "added": words(added),
                "removed": words(removed),
            }
        elif added:
            said = _("added %(names)s") % {"names": words(added)}
        elif removed:
            said = _("removed %(names)s") % {"names": words(removed)}
        else:
            said = ""
        proposed = words(after) or _("(none)")
        rows[index] = dataclasses.replace(
            row,
            current=words(before) or _("(none)"),
            # The words in the cell itself, so that any table of the diff shows them.
            proposed=f"{proposed} ({said})" if said else proposed,
            words=said,
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
            raise ValidationError({field: _("Give the time as HH:MM, e.g. 19:30.")}) from None
    return value


@dataclasses.dataclass
class Prepared:
    """A validated, unsaved outcome of approving a request."""

    meeting: Meeting
    place: Location | None
    new_place: bool
    # The types (language types left out) and languages to set; None leaves them as they are.
    types: list[MeetingType] | None = None
    languages: list[Language] | None = None
    sets_applied: bool = False


def prepare(change: ChangeRequest, values: dict[str, str], venue: str = "") -> Prepared:
    """Applies the values to (a copy of) the listing and validates it, saving nothing.
    Raises ValidationError keyed by the form's field names.

    A change to the name or address of a venue that holds other meetings too needs `venue`:
    venues.ALL changes the venue for all of them, venues.THIS moves this meeting alone to a
    venue already listed with the new details, or else to a new one."""
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
        count = venues.meetings_at(place) if change.meeting_id else 0
        found = None
        if place is None:
            found = venues.matching(wanted)
            place = found or Location(
                timezone=meeting.timezone or settings.TIME_ZONE, region=change.region
            )
        elif venues.needs_choice(place, wanted, count):
            if venue not in (venues.ALL, venues.THIS):
                message = ngettext(
                    "%(count)s meeting is held at this venue: choose whether the "
                    "change is to the venue (all of them) or to this meeting only.",
                    "%(count)s meetings are held at this venue: choose whether the "
                    "change is to the venue (all of them) or to this meeting only.",
                    count,
                )
                raise ValidationError({"venue": message % {"count": count}})
            if venue == venues.THIS:
                found = venues.matching(wanted, exclude=place)
                place = found or venues.copy_for_move(place)
        new_place = place.pk is None
        if found is None:  # a venue already listed with these details is taken as it is
            moved = any(wanted[f] != current[f] for f in ("address", "city", "postal_code"))
            for field, value in wanted.items():
                setattr(place, field, value)
            if moved:  # the old coordinates point at the old place; the new wait for a volunteer
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
    return Prepared(meeting, place, new_place, **_proposed_sets(meeting, values))


def _proposed_sets(meeting: Meeting, values: dict[str, str]) -> dict:
    """The types (of the meeting's fellowship's vocabulary) and languages named by the codes
    proposed; a ValidationError names the codes that are neither."""
    chosen, errors = {}, {}
    vocabulary = (
        Fellowship.objects.filter(pk=meeting.fellowship_id)
        .values_list("type_vocabulary", flat=True)
        .first()
    )
    for field in SET_FIELDS:
        if field not in values:
            continue
        wanted = codes(as_text(values[field]))
        if field == "languages":
            rows = list(Language.objects.filter(code__in=wanted))
            refusal = _("Not a language of the directory: %(codes)s.")
        else:
            found = MeetingType.objects.filter(vocabulary_id=vocabulary, code__in=wanted)
            rows = [t for t in found if not is_language_type(t)]
            refusal = _(
                "Not a type of this fellowship's meetings (a language goes under Languages): "
                "%(codes)s."
            )
        unknown = sorted(set(wanted) - {row.code for row in rows})
        if unknown:
            errors[field] = refusal % {"codes": ", ".join(unknown)}
        chosen[field] = rows
    if errors:
        raise ValidationError(errors)
    return chosen


def _apply_sets(meeting: Meeting, prepared: Prepared, quietly: bool = False) -> None:
    """Sets the types and languages approved, once. A listed meeting takes them `quietly`
    just before it is saved, with no history entries of their own: its save records them with
    the rest. A new meeting takes them once it is saved and has an id."""
    if prepared.sets_applied or meeting.pk is None:
        return
    prepared.sets_applied = True
    if quietly:
        meeting.skip_history_when_saving = True
    try:
        if prepared.types is not None:
            kept = [t for t in meeting.types.all() if is_language_type(t)]
            meeting.types.set(kept + prepared.types)
        if prepared.languages is not None:
            meeting.languages.set(prepared.languages)
    finally:
        if quietly:
            del meeting.skip_history_when_saving


class AlreadyDecided(Exception):
    """Another decision on the request came first (its message says whose, and when)."""


def decided_message(change: ChangeRequest) -> str:
    who = change.decided_by.get_username() if change.decided_by_id else _("someone")
    # "5 Mar 2025 14:03", the month's name in the language of the page.
    when = dateformat.format(timezone.localtime(change.decided_at), "j M Y H:i")
    if change.decision == ChangeRequest.Decision.REJECTED:
        message = _("This request was already rejected by %(who)s at %(when)s.")
    else:
        message = _("This request was already approved by %(who)s at %(when)s.")
    return message % {"who": who, "when": when}


def _lock_pending(change: ChangeRequest, user) -> None:
    """Takes the request's row until the transaction ends, so that of two decisions one waits
    for the other and then finds it decided; refuses one outside the user's scope (its meeting
    may have left it since the page was opened)."""
    # of=self: the row alone (PostgreSQL locks no nullable side of a join).
    current = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
    if current.decision != ChangeRequest.Decision.PENDING:
        raise AlreadyDecided(decided_message(current))
    if not scope_of(user).allows(current):
        raise PermissionDenied(_("That request is outside your scope."))


def reports_of(change: ChangeRequest):
    """The "nobody was there" reports of the request's meeting, oldest first (one query)."""
    if change.report != ChangeRequest.Report.NOBODY_THERE or change.meeting_id is None:
        return ChangeRequest.objects.none()
    return ChangeRequest.objects.filter(
        meeting_id=change.meeting_id, report=ChangeRequest.Report.NOBODY_THERE
    ).order_by("created", "pk")


def what_approving_does(change: ChangeRequest, waiting: int = 1) -> str:
    """In plain words, for the review page; `waiting` counts the reports decided together."""
    report = change.report
    if report == ChangeRequest.Report.NOBODY_THERE:
        text = _(
            "Approving agrees the meeting may not be happening: the listing stays in the "
            "directory but is flagged for checking (it appears in the listings that need "
            "checking) and does not count as checked. To take it out of the directory now, set "
            "Status to “Temporarily closed” or “Inactive” before approving."
        )
        if waiting > 1:
            together = ngettext(
                "All %(count)s waiting reports of this meeting are decided together.",
                "All %(count)s waiting reports of this meeting are decided together.",
                waiting,
            )
            text += " " + together % {"count": waiting}
        return text
    if report == ChangeRequest.Report.TEMPORARILY_CLOSED:
        return _(
            "Approving marks the listing temporarily closed: it leaves search results and "
            "printed sheets until its status is set back to Active."
        )
    if report == ChangeRequest.Report.CLOSED:
        return _("Approving takes the listing out of the directory: its page says it has closed.")
    if report == ChangeRequest.Report.NEW:
        return _("Approving adds this meeting to the directory as below.")
    return _("Approving changes the listing as below, and it counts as checked today.")


def _nobody_there(change: ChangeRequest, meeting: Meeting) -> bool:
    """Approving "nobody was there" and leaving the listing active: flagged, not checked."""
    return (
        change.report == ChangeRequest.Report.NOBODY_THERE
        and meeting.status == Meeting.Status.ACTIVE
    )


def _lock_siblings(change: ChangeRequest) -> list[ChangeRequest]:
    """The other waiting "nobody was there" reports of the meeting, decided with this one."""
    return list(
        reports_of(change)
        .exclude(pk=change.pk)
        .filter(decision=ChangeRequest.Decision.PENDING)
        .select_for_update(of=("self",))
    )


@transaction.atomic
def approve(change: ChangeRequest, prepared: Prepared, user) -> Meeting:
    _lock_pending(change, user)
    siblings = _lock_siblings(change)
    # What is kept with the listing (its history, its flag, its check) is in the directory's
    # language, whoever approves: every volunteer reads the same records.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Change request #%(number)s approved") % {"number": change.pk}
        checked = _("Change request #%(number)s") % {"number": change.pk}
    meeting, place = prepared.meeting, prepared.place
    if place is not None:
        if prepared.new_place:
            place.created_by = user
        place._change_reason = reason
        place.save()
        meeting.location = place
    if _nobody_there(change, meeting):
        reports = 1 + len(siblings)
        meeting.flagged_on = meeting.flagged_on or timezone.localdate()
        with translation.override(settings.LANGUAGE_CODE):
            meeting.flag_reason = (
                _("Nobody was there: %(count)s report(s), approved by %(user)s")
                % {"count": reports, "user": user.get_username()}
            )[:255]
    _apply_sets(meeting, prepared, quietly=True)  # a listed meeting's save records them
    meeting._change_reason = reason
    meeting.save()
    _apply_sets(meeting, prepared)  # a new meeting, now that it has an id
    if not _nobody_there(change, meeting):
        Verification.objects.create(
            meeting=meeting,
            verified_by=user,
            method=Verification.Method.CORRECTION,
            note=checked,
        )
    change.meeting = meeting
    for decided in [change, *siblings]:
        _decide(decided, ChangeRequest.Decision.APPROVED, user)
    return meeting


@transaction.atomic
def reject(change: ChangeRequest, reason: str, user) -> None:
    _lock_pending(change, user)
    for decided in [change, *_lock_siblings(change)]:
        decided.reason = reason
        _decide(decided, ChangeRequest.Decision.REJECTED, user)


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
    # In the language the sender wrote in (from_public), not the volunteer's.
    with translation.override(change.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "groups/emails/change_request_decided.txt",
            {"change": change, "site_name": settings.SITE_NAME},
        )
        subject = (
            _("Thank you: the directory has been updated")
            if change.decision == ChangeRequest.Decision.APPROVED
            else _("About the change you suggested to the directory")
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
    # Kept with the listing: in the directory's language, not the sender's.
    with translation.override(settings.LANGUAGE_CODE):
        reason = ngettext(
            "%(count)s person reported that nobody was there in the last %(days)s days",
            "%(count)s people reported that nobody was there in the last %(days)s days",
            reports,
        ) % {"count": reports, "days": settings.NOBODY_THERE_DAYS}
    Meeting.objects.filter(pk=change.meeting_id, flagged_on__isnull=True).update(
        flagged_on=timezone.localdate(), flag_reason=reason
    )
    ListingsVersion.bump()
    return True
