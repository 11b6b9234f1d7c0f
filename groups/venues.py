"""A venue changed on purpose: when a meeting's venue (Location) holds other meetings too, a
change to its name or address asks whether it is the venue that changed (every meeting there
follows) or this meeting that moved (it gets a venue of its own, or joins one already listed
with those details). Used by the correction review and the meeting form alike."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from groups.models import Location

# The venue's fields a change of name or address touches, as the forms name them.
FIELDS = ["name", "address", "city", "postal_code", "country"]

ALL, THIS = "all", "this"


def meetings_at(place: Location | None) -> int:
    """How many meetings are held at the venue (one query)."""
    return place.meetings.count() if place is not None and place.pk else 0


def choice_field(count: int) -> forms.ChoiceField:
    """The question asked when the venue holds `count` > 1 meetings; it has no default."""
    return forms.ChoiceField(
        label=_("Which meetings does this venue change apply to?"),
        choices=[
            (THIS, _("Only this meeting: it moves to a venue of its own")),
            (
                ALL,
                ngettext(
                    "All %(count)s meetings at this venue: the venue itself changes",
                    "All %(count)s meetings at this venue: the venue itself changes",
                    count,
                )
                % {"count": count},
            ),
        ],
        widget=forms.RadioSelect,
        required=False,  # required only when the venue's details change (see needs_choice)
    )


def needs_choice(place: Location | None, wanted: dict[str, str], count: int) -> bool:
    """Whether `wanted` changes a venue held by other meetings too."""
    if place is None or count < 2:
        return False
    return any((getattr(place, f) or "").strip() != (wanted.get(f) or "").strip() for f in FIELDS)


def matching(wanted: dict[str, str], exclude: Location | None = None) -> Location | None:
    """A venue already listed with these details (case and spacing aside), to move to instead
    of making a second one at the same address."""
    if not (wanted.get("address") or "").strip():
        return None
    query = Q()
    for field in FIELDS:
        query &= Q(**{f"{field}__iexact": (wanted.get(field) or "").strip()})
    found = Location.objects.filter(query)
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("pk").first()


def copy_for_move(place: Location) -> Location:
    """A new venue for a meeting leaving a shared one: where it is on the map and in which region
    come along until a volunteer says otherwise (the caller clears moved coordinates)."""
    return Location(
        timezone=place.timezone,
        region_id=place.region_id,
        state=place.state,
        latitude=place.latitude,
        longitude=place.longitude,
        approximate=place.approximate,
        access_notes=place.access_notes,
        notes=place.notes,
    )


class VenueFields(forms.Form):
    """The meeting form's venue details (groups.admin.listings.MeetingForm): edited there, they
    change the chosen venue, and a venue other meetings are held at asks which meetings the
    change is for. `save_venue` (before the meeting is saved) carries it out."""

    venue_name = forms.CharField(label=_lazy("Venue name"), required=False, max_length=200)
    venue_address = forms.CharField(label=_lazy("Street address"), required=False, max_length=255)
    venue_city = forms.CharField(label=_lazy("Town or city"), required=False, max_length=120)
    venue_postal_code = forms.CharField(label=_lazy("Postal code"), required=False, max_length=20)
    venue_country = forms.CharField(label=_lazy("Country"), required=False, max_length=80)
    venue_change = forms.ChoiceField(
        label=_lazy("Which meetings does a change to these details apply to?"),
        choices=[(THIS, _lazy("Only this meeting")), (ALL, _lazy("All meetings at this venue"))],
        widget=forms.RadioSelect,
        required=False,
        help_text=_lazy(
            "Asked only when the venue's details change and other meetings are held there."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        place = self.instance.location if self.instance.location_id else None
        for field in FIELDS:
            self.initial.setdefault(f"venue_{field}", getattr(place, field) if place else "")
        count = meetings_at(place)
        if count > 1:
            self.fields["venue_change"].choices = choice_field(count).choices
        self._venue_plan = None

    def clean(self):
        cleaned = super().clean()
        edited = [f for f in FIELDS if f"venue_{f}" in self.changed_data]
        place = cleaned.get("location")
        if not edited or place is None or self.errors:
            return cleaned
        wanted = {f: (cleaned.get(f"venue_{f}") or "").strip() for f in FIELDS}
        current = {f: getattr(place, f) for f in FIELDS}
        others = place.meetings.exclude(pk=self.instance.pk).count()
        found = None
        if others and wanted != current:
            choice = cleaned.get("venue_change")
            if choice not in (ALL, THIS):
                self.add_error(
                    "venue_change",
                    ngettext(
                        "%(count)s other meeting is held at this venue: choose whether the "
                        "change is to the venue (all of them) or to this meeting only.",
                        "%(count)s other meetings are held at this venue: choose whether the "
                        "change is to the venue (all of them) or to this meeting only.",
                        others,
                    )
                    % {"count": others},
                )
                return cleaned
            if choice == THIS:
                found = matching(wanted, exclude=place)
                place = found or copy_for_move(place)
        if found is None:
            if any(wanted[f] != current[f] for f in ("address", "city", "postal_code")):
                place.latitude = place.longitude = None  # the new wait for a volunteer
                place.approximate = False
            for field, value in wanted.items():
                setattr(place, field, value)
            try:
                place.full_clean(exclude=["region"])
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    name = f"venue_{field}"
                    self.add_error(name if name in self.fields else None, problems)
                return cleaned
        self._venue_plan = place
        return cleaned

    def save_venue(self, user) -> None:
        """Saves the venue as changed (a new one is the user's) and puts the meeting there."""
        place = self._venue_plan
        if place is None:
            return
        if place.pk is None:
            place.created_by = user
        place._change_reason = "Venue details changed in the meeting form"
        place.save()
        self.instance.location = place
