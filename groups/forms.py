"""The public's forms: a correction to a listing, and a meeting that is missing.

Both become a ChangeRequest in the volunteers' queue (groups.corrections); nothing here changes
a listing. The honeypot field `website` is hidden from people and filled in only by robots.
"""

import re

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from groups import corrections
from groups.catalogue import catalogue, language_name, sort_key
from groups.clock import known_zones, viewer_zone, zone_at, zone_choices, zone_label
from groups.models import (
    ChangeRequest,
    Fellowship,
    Language,
    Meeting,
    MeetingType,
    Region,
    TypeVocabulary,
    validate_dial_string,
    validate_https,
)
from groups.places import resolve
from groups.translations import language_of, name_in, translated

DAY_CHOICES = [("", gettext_lazy("No fixed day (by appointment)")), *Meeting.Day.choices]


# The vocabulary whose types the missing-meeting form offers before a fellowship is chosen
# (the page works without JavaScript): every seeded fellowship uses it.
COMMON_VOCABULARY = "meeting-guide"
# With this many languages or fewer in the directory, all are offered; with more, those that
# listed meetings are held in (and the meeting's own), so that the list stays short.
ALL_LANGUAGES_UP_TO = 15

# The zone database's areas in words: "Indian" alone reads like a people, not an ocean.
# The others are named in the reader's language too.
AREA_WORDS = {
    "Africa": pgettext_lazy("time zone area", "Africa"),
    "America": pgettext_lazy("time zone area", "The Americas"),
    "Antarctica": pgettext_lazy("time zone area", "Antarctica"),
    "Asia": pgettext_lazy("time zone area", "Asia"),
    "Atlantic": pgettext_lazy("time zone area", "Atlantic Ocean"),
    "Australia": pgettext_lazy("time zone area", "Australia"),
    "Europe": pgettext_lazy("time zone area", "Europe"),
    "Indian": pgettext_lazy("time zone area", "Indian Ocean"),
    "Pacific": pgettext_lazy("time zone area", "Pacific Ocean"),
}


def _filled(message, values) -> str:
    return message % values


# A lazy message with its placeholders filled in once it is read, in the language of the time.
filled = lazy(_filled, str)

# A time as people type it: 19:30, 19.30, 7:30 pm, 7.30 p.m., 7pm.
_MERIDIEM = re.compile(r"\s*([ap])\.?\s*m\.?$")
_DOT = re.compile(r"^(\d{1,2})\.(\d{2})")


class ZoneChoiceField(forms.ChoiceField):
    """A zone from a list of cities; any zone of the database is accepted (an alias too)."""

    default_error_messages = {
        "invalid_choice": gettext_lazy(
            "Choose a place from the list of time zones, or leave it to be "
            "worked out from the town or postal code."
        )
    }

    def valid_value(self, value):
        return value in known_zones() or super().valid_value(value)


class ClockTimeField(forms.TimeField):
    """A time of day typed on either clock: "19:30" or "7:30 pm" (also 19.30, 7pm, 7.30 p.m.).
    A plain text box, so that what the help text says is what the person types: a native time
    control shows a 12- or 24-hour clock as the browser likes."""

    input_formats = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I %p"]

    def __init__(self, *, label, invalid, example: tuple[str, str], **kwargs):
        # The example on each clock ("19:30", "7:30 pm") is filled into the messages, which
        # are whole sentences: `invalid` has %(time24)s and %(time12)s.
        times = {"time24": example[0], "time12": example[1]}
        super().__init__(
            label=label,
            required=False,
            widget=forms.TimeInput(  # type="text"
                attrs={"autocomplete": "off", "size": 8, "spellcheck": "false"}, format="%H:%M"
            ),
            help_text=filled(gettext_lazy("e.g. %(time24)s or %(time12)s."), times),
            error_messages={"invalid": filled(invalid, times)},
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = _MERIDIEM.sub(r" \1m", value.strip().lower())
            value = _DOT.sub(r"\1:\2", value)
        return super().to_python(value)


class CodesField(forms.MultipleChoiceField):
    """Plain checkboxes of codes (types or languages); a code not offered is refused by name
    (`invalid`, with %(value)s)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, invalid, **kwargs):
        super().__init__(required=False, error_messages={"invalid_choice": invalid}, **kwargs)


def type_choices(vocabulary_id) -> list[tuple[str, list[tuple[str, str]]]]:
    """The vocabulary's types but those naming a language, by category in the order of
    MeetingType.Category, each alphabetical: [("Format", [("C", "Closed"), …]), …]. The names
    are in the reader's language where the type has one (groups.translations)."""
    rows = (
        MeetingType.objects.filter(vocabulary_id=vocabulary_id)
        .exclude(Q(category=MeetingType.Category.LANGUAGE) | Q(language__isnull=False))
        .order_by("name")
        .values_list("code", "name", "category", "translations")
    )
    reader = language_of()
    named = [(code, name_in(names, name, reader), category) for code, name, category, names in rows]
    if reader != settings.LANGUAGE_CODE:
        named.sort(key=lambda row: sort_key(row[1]))
    groups: dict[str, list[tuple[str, str]]] = {value: [] for value in MeetingType.Category}
    for code, name, category in named:
        groups.setdefault(category, []).append((code, name))
    labels = dict(MeetingType.Category.choices)
    return [(labels.get(c, c), choices) for c, choices in groups.items() if choices]


def language_choices(own=()) -> list[tuple[str, str]]:
    """Every language if the directory knows few; else those listed meetings are held in, and
    `own` (the meeting's). Each named in the reader's language (groups.catalogue)."""
    languages = Language.objects.order_by("name")
    if languages.count() > ALL_LANGUAGES_UP_TO:
        used = Language.objects.filter(meetings__in=Meeting.objects.listed().values("pk")).values(
            "pk"
        )
        languages = languages.filter(Q(pk__in=used) | Q(code__in=list(own)))
    reader = language_of()
    if reader == settings.LANGUAGE_CODE:
        return list(languages.values_list("code", "name"))
    named = [
        (code, language_name(code, name, reader))
        for code, name in languages.values_list("code", "name")
    ]
    return sorted(named, key=lambda choice: sort_key(choice[1]))


class FellowshipChoiceField(forms.ModelChoiceField):
    """A fellowship by its name in the reader's language, where it has one."""

    def label_from_instance(self, obj):
        return translated(obj, "name")


class _ListingFields(forms.Form):
    name = forms.CharField(label=gettext_lazy("Meeting name"), max_length=255)
    day = forms.TypedChoiceField(
        label=gettext_lazy("Day"), choices=DAY_CHOICES, coerce=int, empty_value=None, required=False
    )
    start_time = ClockTimeField(
        label=gettext_lazy("Start time"),
        invalid=gettext_lazy(
            "Give the start time as a time of day, e.g. %(time24)s or %(time12)s."
        ),
        example=("19:30", "7:30 pm"),
    )
    end_time = ClockTimeField(
        label=gettext_lazy("End time"),
        invalid=gettext_lazy("Give the end time as a time of day, e.g. %(time24)s or %(time12)s."),
        example=("20:30", "8:30 pm"),
    )
    timezone = ZoneChoiceField(
        label=gettext_lazy("Time zone"),
        required=False,
        help_text=gettext_lazy(
            "Leave it to be worked out from the town, or choose the city nearest the "
            "meeting that keeps the same time."
        ),
    )
    types = CodesField(
        label=gettext_lazy("Kind of meeting"),
        invalid=gettext_lazy("“%(value)s” is not one of the kinds of meeting listed."),
        help_text=gettext_lazy("Tick every one that applies."),
    )
    languages = CodesField(
        label=gettext_lazy("Languages"),
        invalid=gettext_lazy("“%(value)s” is not one of the languages listed."),
        help_text=gettext_lazy(
            "The languages it is held in. Another language? Say so in the last box."
        ),
    )
    attendance = forms.ChoiceField(
        label=gettext_lazy("How people take part"),
        choices=Meeting.Attendance.choices,
        widget=forms.RadioSelect,
    )
    location_name = forms.CharField(
        label=gettext_lazy("Venue name"), max_length=200, required=False
    )
    location_address = forms.CharField(
        label=gettext_lazy("Street address"), max_length=255, required=False
    )
    location_city = forms.CharField(
        label=gettext_lazy("Town or city"), max_length=120, required=False
    )
    location_postal_code = forms.CharField(
        label=gettext_lazy("Postal code"), max_length=20, required=False
    )
    location_country = forms.CharField(label=gettext_lazy("Country"), max_length=80, required=False)
    conference_url = forms.URLField(
        label=gettext_lazy("Online meeting link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_https],
    )
    conference_phone = forms.CharField(
        label=gettext_lazy("Dial-in phone"),
        max_length=60,
        required=False,
        validators=[validate_dial_string],
    )
    conference_notes = forms.CharField(
        label=gettext_lazy("Online joining notes"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Please do not post a passcode here; say how to ask for it."),
    )
    notes = forms.CharField(
        label=gettext_lazy("About the meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=gettext_lazy("Anything else the volunteers should know"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail (optional)"),
        required=False,
        help_text=gettext_lazy(
            "Only to tell you what happened. Never shown, and not kept once you are told."
        ),
    )
    # The honeypot: hidden by the page, left empty by people.
    website = forms.CharField(label=gettext_lazy("Leave this empty"), required=False)

    FROM_THE_TOWN = gettext_lazy("Work it out from the town or postal code given below")

    def __init__(self, *args, viewer_tz: str = "", vocabulary_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer_tz = viewer_tz
        groups = [(AREA_WORDS.get(area, area), zones) for area, zones in zone_choices()]
        current = self.initial.get("timezone")
        if current and not any(current == zone for _, zones in groups for zone, _ in zones):
            groups.insert(0, (_("Current"), ((current, zone_label(current)),)))
        self.fields["timezone"].choices = [("", self.FROM_THE_TOWN), *groups]
        self.fields["types"].choices = type_choices(vocabulary_id)
        self.fields["languages"].choices = language_choices(
            corrections.codes(self.initial.get("languages", ""))
        )

    @property
    def type_groups(self) -> list[tuple[str, list]]:
        """The types' checkboxes by category, for a fieldset each."""
        category = {
            code: label for label, choices in self.fields["types"].choices for code, _ in choices
        }
        groups: dict[str, list] = {}
        for box in self["types"]:
            groups.setdefault(category[box.data["value"]], []).append(box)
        return list(groups.items())

    def _zone_of_place(self, cleaned) -> str:
        """The zone of the town or postal code entered, found offline; "" if unknown."""
        town = cleaned.get("location_city", "").strip()
        country = cleaned.get("location_country", "").strip()
        for text in (f"{town}, {country}" if town and country else "", town):
            place = resolve(text) if text else None
            if place is not None:
                return zone_at(place.latitude, place.longitude) or ""
        postal_code = cleaned.get("location_postal_code", "").strip()
        place = resolve(postal_code) if postal_code else None
        if place is None:
            return ""
        return zone_at(place.latitude, place.longitude) or ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("timezone") and "timezone" not in self.errors:
            # From the place entered, else the viewer's zone, else the directory's; never UTC
            # unless chosen.
            zone = self._zone_of_place(cleaned) or viewer_zone(None, self.viewer_tz).name
            if zone:
                cleaned["timezone"] = zone
            else:
                self.add_error(
                    "timezone",
                    _("Choose the time zone: we could not tell it from the town or postal code."),
                )
        if (cleaned.get("day") is None) != (cleaned.get("start_time") is None) and not (
            self.errors.keys() & {"day", "start_time"}
        ):
            missing = "day" if cleaned.get("day") is None else "start_time"
            self.add_error(
                missing, _("Give both a day and a start time, or neither for one by appointment.")
            )
        attendance = cleaned.get("attendance")
        if (
            attendance in ("online", "hybrid")
            and not (cleaned.get("conference_url") or cleaned.get("conference_phone"))
            and "conference_url" not in self.errors
        ):
            self.add_error(
                "conference_url", _("An online or hybrid meeting needs a link or a phone number.")
            )
        if attendance in ("in_person", "hybrid") and not (
            cleaned.get("location_address") or cleaned.get("location_name")
        ):
            self.add_error("location_address", _("Give the address of an in-person meeting."))
        return cleaned

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def listing_values(self) -> dict[str, str]:
        return {
            name: corrections.as_text(self.cleaned_data.get(name))
            for name in corrections.FIELDS
            if name in self.cleaned_data
        }


class CorrectionForm(_ListingFields):
    REPORTS = [
        (
            ChangeRequest.Report.CHANGED,
            gettext_lazy("Some details are wrong: I have corrected them below"),
        ),
        (
            ChangeRequest.Report.NOBODY_THERE,
            gettext_lazy("I went at the time listed and nobody was there"),
        ),
        (ChangeRequest.Report.TEMPORARILY_CLOSED, gettext_lazy("It is closed for now")),
        (ChangeRequest.Report.CLOSED, gettext_lazy("It has closed for good")),
    ]
    report = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"),
        choices=REPORTS,
        widget=forms.RadioSelect,
        initial=ChangeRequest.Report.CHANGED,
    )
    field_order = ["report"]

    def __init__(self, *args, meeting: Meeting, **kwargs):
        self.meeting = meeting
        kwargs.pop("viewer_tz", None)  # a listing has its zone already
        initial = corrections.current_values(meeting)
        initial["day"] = meeting.day
        initial["start_time"] = meeting.start_time
        initial["end_time"] = meeting.end_time
        super().__init__(
            *args,
            initial=initial,
            vocabulary_id=meeting.fellowship.type_vocabulary_id,
            **kwargs,
        )
        for name in corrections.SET_FIELDS:  # the codes as ticked boxes
            self.initial[name] = corrections.codes(initial[name])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        changes = corrections.proposed_changes(self.meeting, self.listing_values())
        if (
            cleaned.get("report") == ChangeRequest.Report.CHANGED
            and not changes
            and not cleaned.get("note", "").strip()
        ):
            self.add_error(
                "report",
                _(
                    "Nothing here differs from the listing. Correct the details that are wrong, "
                    "or tell the volunteers in the last box."
                ),
            )
        return cleaned

    def change_request(self) -> ChangeRequest:
        meeting, report = self.meeting, self.cleaned_data["report"]
        proposed = corrections.proposed_changes(meeting, self.listing_values())
        status = corrections.REPORT_STATUS.get(report)
        if status:
            proposed["status"] = status
            proposed["status_reason"] = self.cleaned_data["note"][:255]
        return corrections.from_public(
            meeting=meeting,
            fellowship_id=meeting.fellowship_id,
            region_id=meeting.location.region_id if meeting.location else None,
            report=report,
            proposed=proposed,
            note=self.cleaned_data["note"],
            email=self.cleaned_data["email"],
            listing_updated=meeting.updated,
        )


class NewMeetingForm(_ListingFields):
    fellowship = FellowshipChoiceField(
        label=gettext_lazy("Fellowship"),
        queryset=Fellowship.objects.order_by("name"),
        empty_label=gettext_lazy("Choose…"),
    )
    region = forms.ChoiceField(label=gettext_lazy("Region (if you know it)"), required=False)
    field_order = ["fellowship", "name"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"attendance": "in_person"})
        common = TypeVocabulary.objects.filter(slug=COMMON_VOCABULARY)
        super().__init__(*args, vocabulary_id=common.values_list("pk", flat=True).first(), **kwargs)
        self.fields["region"].choices = [("", _("Not sure")), *catalogue().regions.choices]
        self.fields["types"].help_text = _(
            "Tick every one that applies. These are the kinds most fellowships use; the "
            "volunteers put them in the fellowship's own words."
        )

    def clean(self):
        cleaned = super().clean()
        fellowship, codes = cleaned.get("fellowship"), cleaned.get("types")
        if fellowship is not None and codes:
            offered = {
                code
                for _, choices in type_choices(fellowship.type_vocabulary_id)
                for code, _ in choices
            }
            names = dict(c for _, choices in self.fields["types"].choices for c in choices)
            other = [names.get(code, code) for code in codes if code not in offered]
            if other:
                self.add_error(
                    "types",
                    _(
                        "%(fellowship)s meetings are not described as: %(types)s. Untick "
                        "them, or say so in the last box."
                    )
                    % {"fellowship": translated(fellowship, "name"), "types": ", ".join(other)},
                )
        return cleaned

    def change_request(self) -> ChangeRequest:
        proposed = corrections.proposed_changes(None, self.listing_values())
        proposed["fellowship"] = str(self.cleaned_data["fellowship"].pk)
        region = Region.objects.filter(slug=self.cleaned_data.get("region") or "").first()
        return corrections.from_public(
            fellowship=self.cleaned_data["fellowship"],
            region=region,
            report=ChangeRequest.Report.NEW,
            proposed=proposed,
            note=self.cleaned_data["note"],
            email=self.cleaned_data["email"],
        )
