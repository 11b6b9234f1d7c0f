"""The meeting search, as one FilterSet: the search page, the JSON API, the referral sheet, the
feed and the calendar export all take these parameters and share this code (see groups.search).
"""

import copy
import datetime
import math

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.functions import Mod
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_filters.filters import FilterMethod

from groups import upcoming, words
from groups.catalogue import catalogue
from groups.clock import country_at, viewer_zone, zone_or_none
from groups.models import Fellowship, Location, Meeting, distance_km
from groups.places import resolve, road_unit, suggest
from groups.weektime import MINUTES_PER_WEEK

KM_PER_MILE = 1.609344
MAX_DISTANCE = 500  # in the chosen unit; further than this is not "near"
# Up to this many venues near the place, the search names them (an index reads each one's
# meetings); past it, it asks for the venues in the box in a subquery and checks each distance.
VENUE_LIST_LIMIT = 5000
# With no distance given: 25 km, or its round equivalent where distances are in miles.
DEFAULT_DISTANCE = 25
DEFAULT_DISTANCE_MILES = 15
MAX_TYPES = 10

APPROACHES = [
    ("twelve-step", gettext_lazy("Twelve Step")),
    ("secular", gettext_lazy("Secular")),
    ("faith-based", gettext_lazy("Faith-based")),
]

DAYS = [(str(value), label) for value, label in Meeting.Day.choices]

# Times of day, on the viewer's clock (else the meeting's own): (label, from, until). Night
# wraps past midnight.
TIMES_OF_DAY = {
    "morning": (gettext_lazy("Morning (5:00–11:00)"), datetime.time(5), datetime.time(11)),
    "midday": (
        gettext_lazy("Midday and afternoon (11:00–17:00)"),
        datetime.time(11),
        datetime.time(17),
    ),
    "evening": (gettext_lazy("Evening (17:00–21:00)"), datetime.time(17), datetime.time(21)),
    "night": (gettext_lazy("Night (21:00–5:00)"), datetime.time(21), datetime.time(5)),
}

SORTS = [
    ("upcoming", gettext_lazy("Starting soonest")),
    ("time", gettext_lazy("Day and time")),
    ("distance", gettext_lazy("Nearest first")),
    ("name", pgettext_lazy("sort order", "Name")),
]

# "km" reads the same in every language of the directory.
UNITS = [("km", "km"), ("mi", gettext_lazy("miles"))]

# For a hard hour: meetings in progress or starting within this many hours.
SOON = [
    ("2", gettext_lazy("Now or in the next 2 hours")),
    ("4", gettext_lazy("Now or in the next 4 hours")),
]


class KnownValuesField(forms.Field):
    """Values checked against a set of known ones given per search (`known`). Unlike a
    ChoiceField it holds no choice list, so that building the form copies nothing large: the
    lists it is drawn from live on the form (`type_choices`, …)."""

    def __init__(self, *, multiple=True, limit=None, **kwargs):
        self.multiple, self.limit, self.known = multiple, limit, frozenset()
        kwargs.setdefault("widget", forms.SelectMultiple if multiple else forms.Select)
        super().__init__(**kwargs)

    def to_python(self, value):
        if not self.multiple:
            return value or ""
        # Repeated values count once: ?type=X&type=X is a search for X.
        return list(dict.fromkeys(v for v in (value or []) if v))

    def validate(self, value):
        super().validate(value)
        values = value if self.multiple else [value] if value else []
        if self.limit and len(values) > self.limit:
            raise forms.ValidationError(
                _("Choose at most %(limit)s."), params={"limit": self.limit}
            )
        for item in values:
            if item not in self.known:
                raise forms.ValidationError(
                    _("Select a valid choice. %(value)s is not one of the available choices."),
                    params={"value": item[:64]},
                )


class KnownValuesFilter(django_filters.Filter):
    field_class = KnownValuesField


class ZoneField(forms.Field):
    """A zone name, or "" for anything that is not one: never an error."""

    widget = forms.HiddenInput

    def to_python(self, value):
        return value if isinstance(value, str) and zone_or_none(value) else ""


class ZoneFilter(django_filters.Filter):
    field_class = ZoneField


class SearchForm(forms.Form):
    """Checks the parameters that only make sense together."""

    def clean(self):
        data = super().clean()
        # What the words name (groups.words): "women", "español".
        self.terms = words.read(data["q"], self.catalogue) if data.get("q") else []
        lat, lng, near = data.get("lat"), data.get("lng"), data.get("near")
        half_a_point = (lat is None) != (lng is None)
        if half_a_point and not (self.has_error("lat") or self.has_error("lng")):
            missing = "lng" if lng is None else "lat"
            self.add_error(missing, _("Give both lat and lng, or use near instead."))
        # (latitude, longitude, name) of the place searched near, or None.
        self.origin = None
        # A place that resolves to nothing may be a near-miss of one ("Edinbrugh").
        self.near_suggestion = ""
        country = ""  # the origin's (ISO 3166 alpha-2), for the unit
        if lat is not None and lng is not None:
            self.origin = (float(lat), float(lng), _("your location"))
            country = country_at(float(lat), float(lng))
        elif near:
            place = resolve(near, self.regions)
            named = words.read(near, self.catalogue) if place is None else []
            if named and all(term.type_ids or term.language for term in named):
                # Not a place but what the meeting is ("mujeres", "Spanish" typed in the one
                # box of the home page): searched as words, and shown in the words' box.
                data["q"] = " ".join(filter(None, (data.get("q"), near)))
                data["near"] = ""
                self.terms = words.read(data["q"], self.catalogue)
                self.data = self.data.copy()
                self.data["q"], self.data["near"] = data["q"], ""
            elif place is None:
                self.near_suggestion = suggest(near, self.regions) or ""
                if self.near_suggestion:
                    message = _(
                        "We could not find a place called “%(place)s”. Did you mean %(suggestion)s?"
                    )
                else:
                    message = _(
                        "We could not find a place called “%(place)s”. "
                        "Try a town, city or postal code."
                    )
                self.add_error(
                    "near", message % {"place": near, "suggestion": self.near_suggestion}
                )
            else:
                self.origin = (place.latitude, place.longitude, place.name)
                country = place.country
        if not data.get("unit") and not self.has_error("unit"):
            # Miles where the place's roads are signed in miles; an explicit ?unit= wins.
            data["unit"] = road_unit(country)
            # The form's select shows the unit used (the request's parameters are untouched).
            self.data = self.data.copy()
            self.data["unit"] = data["unit"]
        has_origin = self.origin is not None
        if data.get("distance") is not None and not has_origin and not self.errors:
            self.add_error("distance", _("A distance needs a place: fill in near."))
        if data.get("sort") == "distance" and not has_origin and not self.errors:
            self.add_error("sort", _("Sorting by distance needs a place: fill in near."))
        # The zone times are read in; an unknown ?tz= is ignored, like a missing one.
        self.viewer = viewer_zone(
            data.get("tz"), self.cookie_tz, self.origin, place_first=self.place_first
        )
        return data


# The search form's class by language, with the catalogue it was built from.
_form_classes: dict[str, tuple] = {}


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Search words"), method="filter_text", max_length=200
    )
    fellowship = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Fellowship"),
        choices=[],  # set per search in __init__, as are language and region
        method="filter_fellowship",
        widget=forms.CheckboxSelectMultiple,
    )
    approach = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Approach"),
        choices=APPROACHES,
        method="filter_approach",
        widget=forms.CheckboxSelectMultiple,
    )
    day = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Day"),
        choices=[("today", gettext_lazy("Today")), ("tomorrow", gettext_lazy("Tomorrow")), *DAYS],
        method="filter_day",
        widget=forms.CheckboxSelectMultiple,
    )
    time = django_filters.ChoiceFilter(
        label=gettext_lazy("Time of day"),
        choices=[(key, label) for key, (label, _, _) in TIMES_OF_DAY.items()],
        method="filter_time_of_day",
        empty_label=gettext_lazy("Any time"),
    )
    soon = django_filters.ChoiceFilter(
        label=pgettext_lazy("meeting time", "Starting"),
        choices=SOON,
        method="filter_soon",
        empty_label=gettext_lazy("Any time"),
    )
    start_after = django_filters.TimeFilter(
        label=gettext_lazy("Starting at or after"),
        method="filter_start",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    start_before = django_filters.TimeFilter(
        label=gettext_lazy("Starting before"),
        method="filter_start",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    attendance = django_filters.MultipleChoiceFilter(
        label=pgettext_lazy("attendance", "How"),
        choices=[
            ("in_person", gettext_lazy("In person")),
            ("online", gettext_lazy("Online")),
            ("hybrid", gettext_lazy("Hybrid")),
        ],
        method="filter_attendance",
        widget=forms.CheckboxSelectMultiple,
    )
    type = KnownValuesFilter(
        label=gettext_lazy("Meeting types"), limit=MAX_TYPES, method="filter_types"
    )
    language = KnownValuesFilter(label=gettext_lazy("Language"), method="filter_language")
    region = KnownValuesFilter(label=gettext_lazy("Region"), multiple=False, method="filter_region")
    near = django_filters.CharFilter(
        label=pgettext_lazy("place", "Near"), method="filter_nothing", max_length=100
    )
    lat = django_filters.NumberFilter(
        label=gettext_lazy("Latitude"),
        method="filter_nothing",
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        widget=forms.HiddenInput,
    )
    lng = django_filters.NumberFilter(
        label=gettext_lazy("Longitude"),
        method="filter_nothing",
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        widget=forms.HiddenInput,
    )
    distance = django_filters.NumberFilter(
        label=pgettext_lazy("distance", "Within"),
        method="filter_nothing",
        validators=[MinValueValidator(0.1), MaxValueValidator(MAX_DISTANCE)],
    )
    unit = django_filters.ChoiceFilter(
        label=gettext_lazy("Unit"), choices=UNITS, method="filter_nothing", empty_label=None
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"),
        choices=Meeting.Status.choices,
        method="filter_status",
        widget=forms.CheckboxSelectMultiple,
    )
    sort = django_filters.ChoiceFilter(
        label=pgettext_lazy("sort order", "Order"),
        choices=SORTS,
        method="filter_nothing",
        empty_label=None,
    )
    # The zone to read times in, when a link names one (groups.clock); anything that is not a
    # zone is ignored rather than refused. Changed on /time-zone/, not typed.
    tz = ZoneFilter(method="filter_nothing")

    class Meta:
        model = Meeting
        fields: list[str] = []
        form = SearchForm

    def __init__(self, data=None, queryset=None, *, now=None, cookie_tz="", place_first=False):
        # As django-filter's FilterSet.__init__, but each filter copied shallowly rather than
        # deeply: a search changes nothing in its filters but their owner (the form class, with
        # the catalogue's choices, is built once: get_form_class).
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset if queryset is not None else Meeting.objects.all()
        self.request, self.form_prefix = None, None
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = self.filters[name] = copy.copy(base)
            filter_.model, filter_.parent = Meeting, self
            if base.method is not None:  # calls this search's method, not the base's
                filter_.filter = FilterMethod(filter_)
        self.now = now or timezone.now()
        self.cookie_tz, self.place_first = cookie_tz, place_first
        # The lists serve both to check the parameters and to draw the form.
        known = self.known = catalogue()
        self.type_choices, self.type_ids = known.type_choices, known.type_ids
        self.picker_type_choices = known.picker_type_choices
        self.fellowships = known.fellowships
        self.languages, self.language_choices = known.languages, known.language_choices
        self.regions = known.regions

    def get_form_class(self):
        """The form's class, built once for each catalogue (it is per language, and replaced
        when a fellowship, type, language or region changes: groups.catalogue)."""
        language = translation.get_language()
        held = _form_classes.get(language)
        if held is not None and held[0] is self.known:
            return held[1]
        fields = {}
        for name, filter_ in self.base_filters.items():
            filter_ = copy.deepcopy(filter_)
            if name == "fellowship":
                filter_.extra["choices"] = [(f[0], f[1]) for f in self.fellowships]
            fields[name] = filter_.field
        form_class = type("MeetingFilterForm", (self._meta.form,), fields)
        _form_classes[language] = (self.known, form_class)
        return form_class

    @property
    def form(self):
        form = super().form
        if hasattr(form, "regions"):
            return form
        form.regions = self.regions
        form.cookie_tz, form.place_first = self.cookie_tz, self.place_first
        form.fields["type"].known = frozenset(self.type_ids)
        form.fields["language"].known = frozenset(self.languages)
        form.fields["region"].known = frozenset(self.regions.by_slug)
        form.catalogue = self.known
        form.type_choices, form.language_choices = self.picker_type_choices, self.language_choices
        # The form offers the regions it has room for, and always the one chosen.
        shown = self.regions.shown_in_form() | {self.data.get("region") if self.data else None}
        form.region_choices = [c for c in self.regions.choices if c[0] in shown]
        return form

    @property
    def viewer(self):
        """The zone times are read in (groups.clock.ViewerZone). Known once the form is
        cleaned; for parameters that fail, the zone of the link or the cookie."""
        form = self.form
        if hasattr(form, "viewer"):
            return form.viewer
        tz = self.data.get("tz") if self.data else None
        return viewer_zone(tz, self.cookie_tz)

    # Lookups are decimals in django-filter's NumberFilter; distances and coordinates are floats.
    def _float(self, name):
        value = self.form.cleaned_data.get(name)
        return None if value is None else float(value)

    def filter_nothing(self, queryset, name, value):
        # Handled as a whole in filter_queryset (place and distance) or by groups.search (sort, tz).
        return queryset

    def filter_text(self, queryset, name, value):
        # Every word must appear in the meeting's name, group, venue, town or notes, all kept
        # in search_text (trigram-indexed on PostgreSQL); a word that names a type or a
        # language also finds the meetings tagged with it (groups.words).
        types = Meeting.types.through.objects
        languages = Meeting.languages.through.objects
        for term in self.form.terms[:8]:
            condition = Q(search_text__icontains=term.text)
            if term.label and term.label.casefold() != term.text.casefold():
                condition |= Q(search_text__icontains=term.label)  # "Women's": "Women"
            if term.type_ids:
                tagged = types.filter(meeting=OuterRef("pk"), meetingtype_id__in=term.type_ids)
                condition |= Q(Exists(tagged))
            if term.language in self.languages:
                spoken = languages.filter(
                    meeting=OuterRef("pk"), language_id=self.languages[term.language][1]
                )
                condition |= Q(Exists(spoken))
            queryset = queryset.filter(condition)
        return queryset

    def filter_fellowship(self, queryset, name, value):
        wanted = set(value)
        return queryset.filter(fellowship_id__in=[f[2] for f in self.fellowships if f[0] in wanted])

    def filter_approach(self, queryset, name, value):
        condition = Q()
        if "twelve-step" in value:
            condition |= Q(fellowship__twelve_step=True)
        if "secular" in value:
            condition |= Q(fellowship__spirituality=Fellowship.Spirituality.SECULAR)
        if "faith-based" in value:
            condition |= Q(fellowship__spirituality=Fellowship.Spirituality.FAITH_BASED)
        return queryset.filter(condition)

    # Times on the viewer's clock. Each meeting's key (groups.upcoming) is the minutes until it
    # next starts, negative while it is in progress; windows of the viewer's time become ranges
    # of it, and the indexed week_minute narrows the rows read.

    def _keyed(self, queryset):
        if "soon_key" in queryset.query.annotations:
            return queryset
        return queryset.alias(soon_key=upcoming.upcoming_key(self.now))

    def on_viewers_clock(self, queryset):
        """With each meeting's next start as a minute of the week (`viewer_week_minute`, 0 =
        Sunday 00:00) and of the day (`viewer_minute_of_day`) on the viewer's clock."""
        queryset = self._keyed(queryset)
        if "viewer_minute_of_day" in queryset.query.annotations:
            return queryset
        week = upcoming.viewer_week_minute(self.now, self.viewer.zone, F("soon_key"))
        return queryset.alias(
            viewer_week_minute=week,
            viewer_minute_of_day=Mod(F("viewer_week_minute"), 1440, output_field=IntegerField()),
        )

    def _own_start(self, queryset):
        if "own_start_minute" in queryset.query.annotations:
            return queryset
        return queryset.alias(own_start_minute=upcoming.start_minute())

    def _within(self, low: int | None, high: int) -> Q:
        """Meetings whose key lies in [low, high); no low: in progress included."""
        condition = Q(soon_key__lt=high) & upcoming.near_in_week(self.now, low or -60, high)
        return condition & Q(soon_key__gte=low) if low is not None else condition

    def filter_day(self, queryset, name, value):
        """Weekdays as the viewer's clock has them; "today" is what is left of the viewer's
        date (in progress or still to start: those that have ended are left out), "tomorrow"
        the whole of the next date. With no zone known, each meeting's own clock."""
        queryset = self._keyed(queryset)
        weekdays = {int(day) for day in value if day.isdigit()}
        condition = Q()
        viewer = self.viewer
        if viewer:
            to_midnight = [
                upcoming.minutes_until(self.now, upcoming.local_midnight(self.now, viewer.zone, n))
                for n in (1, 2)
            ]
            if "today" in value:
                condition |= self._within(None, to_midnight[0])
            if "tomorrow" in value:
                condition |= self._within(to_midnight[0], to_midnight[1])
            if weekdays:
                queryset = self.on_viewers_clock(queryset)
                local = self.now.astimezone(viewer.zone)
                local_minute = ((local.weekday() + 1) % 7) * 1440 + local.hour * 60 + local.minute
                for day in weekdays:
                    # The day's minutes from now, as keys: a range of the indexed week_minute
                    # holds all its meetings (and a few more), so the expression is computed
                    # for the day's meetings only.
                    low = (day * 1440 - local_minute) % MINUTES_PER_WEEK
                    condition |= upcoming.near_in_week(self.now, low, low + 1440) & Q(
                        viewer_week_minute__gte=day * 1440, viewer_week_minute__lt=(day + 1) * 1440
                    )
            return queryset.filter(condition)
        # A meeting's own date: its start, s minutes after its midnight, is key minutes away.
        queryset = self._own_start(queryset)
        start = F("own_start_minute")
        if "today" in value:
            condition |= Q(soon_key__lte=start, soon_key__gt=start - 1440)
        if "tomorrow" in value:
            condition |= Q(soon_key__gt=start, soon_key__lte=start + 1440)
        if weekdays:
            condition |= Q(day__in=weekdays)
        return queryset.filter(condition)

    def filter_soon(self, queryset, name, value):
        return self._keyed(queryset).filter(self._within(None, int(value) * 60))

    def _minute_range(self, queryset, start: datetime.time, end: datetime.time | None):
        """Meetings starting at or after `start` and before `end` (wrapping past midnight), on
        the viewer's clock, else their own."""
        low = start.hour * 60 + start.minute
        high = None if end is None else end.hour * 60 + end.minute
        if self.viewer:
            queryset, minute = self.on_viewers_clock(queryset), "viewer_minute_of_day"
        else:
            queryset, minute = self._own_start(queryset), "own_start_minute"
        if high is None:
            return queryset.filter(**{f"{minute}__gte": low})
        if low <= high:
            return queryset.filter(**{f"{minute}__gte": low, f"{minute}__lt": high})
        return queryset.filter(Q(**{f"{minute}__gte": low}) | Q(**{f"{minute}__lt": high}))

    def filter_time_of_day(self, queryset, name, value):
        start, end = TIMES_OF_DAY[value][1:]
        return self._minute_range(queryset, start, end)

    def filter_start(self, queryset, name, value):
        if name == "start_after":
            return self._minute_range(queryset, value, None)
        return self._minute_range(queryset, datetime.time(0), value)

    def filter_attendance(self, queryset, name, value):
        # A hybrid meeting is both in person and online.
        wanted = set(value)
        if "in_person" in value or "online" in value:
            wanted.add("hybrid")
        return queryset.filter(attendance__in=wanted)

    def filter_types(self, queryset, name, value):
        # Every chosen type must match, in the meeting's own fellowship's vocabulary: for each
        # vocabulary that has the code, its fellowships' meetings tagged with that type.
        through = Meeting.types.through.objects
        fellowships_of = {}
        for *_names, pk, vocabulary in self.fellowships:
            fellowships_of.setdefault(vocabulary, []).append(pk)
        for code in value:
            match = Q(pk__in=[])
            for type_id, vocabulary in self.type_ids.get(code, ()):
                tagged = Exists(through.filter(meeting=OuterRef("pk"), meetingtype_id=type_id))
                match |= Q(tagged, fellowship_id__in=fellowships_of.get(vocabulary, []))
            queryset = queryset.filter(match)
        return queryset

    def filter_language(self, queryset, name, value):
        through = Meeting.languages.through.objects
        ids = [self.languages[code][1] for code in value]
        return queryset.filter(Exists(through.filter(meeting=OuterRef("pk"), language_id__in=ids)))

    def filter_region(self, queryset, name, value):
        region = self.regions.by_slug[value]
        return queryset.filter(location__region__in=self.regions.below(region[0]))

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value)

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not data.get("status"):
            queryset = queryset.listed()
        queryset = super().filter_queryset(queryset)
        origin = self.form.origin
        if origin is not None:
            queryset = self.filter_distance(queryset, origin)
        return queryset

    def distance_km(self) -> float:
        miles = self.form.cleaned_data.get("unit") == "mi"
        default = DEFAULT_DISTANCE_MILES if miles else DEFAULT_DISTANCE
        distance = self._float("distance") or default
        if miles:
            return distance * KM_PER_MILE
        return distance

    def near_venues(self, origin) -> dict[int, float] | None:
        """The venues within the distance of the origin, with their distance in km: those in
        the bounding box, read from the coordinate index, then each distance checked here.
        None when there are too many to name (VENUE_LIST_LIMIT)."""
        if not hasattr(self, "_near_venues"):
            lat, lng, _ = origin
            radius = self.distance_km()
            box = Location.objects.filter(_bounding_box(lat, lng, radius))
            inside = box.values_list("pk", "latitude", "longitude")[: VENUE_LIST_LIMIT + 1]
            distances = {pk: distance_km(lat, lng, y, x) for pk, y, x in inside}
            if len(distances) > VENUE_LIST_LIMIT:
                self._near_venues = None
            else:
                self._near_venues = {pk: d for pk, d in distances.items() if d <= radius}
        return self._near_venues

    def filter_distance(self, queryset, origin):
        """Meetings within the distance of the origin; online-only meetings stay in unless the
        person asked for in-person meetings only."""
        lat, lng, _ = origin
        radius = self.distance_km()
        venues = self.near_venues(origin)
        if venues is not None:
            # The venues by id: the bounding box is pruned before any meeting is read, and the
            # meetings are read from the location index (with those online, from theirs),
            # never joined to every venue.
            within = Q(location_id__in=sorted(venues))
        else:
            queryset = queryset.with_distance(lat, lng)
            box = Location.objects.filter(_bounding_box(lat, lng, radius)).values("pk")
            within = Q(location__in=box) & Q(distance__lte=radius)
        self.within = within  # for counting those near apart from those online (groups.search)
        attendance = set(self.form.cleaned_data.get("attendance") or [])
        if "in_person" in attendance and "online" not in attendance:
            return queryset.filter(within)
        return queryset.filter(within | Q(attendance=Meeting.Attendance.ONLINE))


def _bounding_box(lat: float, lng: float, radius_km: float) -> Q:
    """A box around the circle, on the indexed coordinates: a cheap prefilter before the exact
    distance. Wraps across the date line; near the poles it keeps every longitude."""
    dlat = radius_km / 111.045
    box = Q(latitude__gte=lat - dlat, latitude__lte=lat + dlat)
    cos_lat = math.cos(math.radians(lat))
    if cos_lat < 0.01 or radius_km / (111.045 * cos_lat) >= 180:
        return box
    dlng = radius_km / (111.045 * cos_lat)
    west, east = lng - dlng, lng + dlng
    if west < -180:
        return box & (Q(longitude__gte=west + 360) | Q(longitude__lte=east))
    if east > 180:
        return box & (Q(longitude__gte=west) | Q(longitude__lte=east - 360))
    return box & Q(longitude__gte=west, longitude__lte=east)
