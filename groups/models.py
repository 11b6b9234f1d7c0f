"""The directory's data: fellowships, their meeting vocabularies, places, groups and meetings.

Nothing here assumes one programme. Each fellowship describes itself by the facts a person
chooses by; meeting type codes live in vocabularies so that two fellowships' codes never collide.
"""

import contextvars
import datetime
import math
import re
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    validate_email,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from groups.clock import known_zones
from groups.searchtext import search_text
from groups.weektime import MINUTES_PER_WEEK, duration, week_minute

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), the same formula MeetingQuerySet.with_distance()
    runs in SQL."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def validate_timezone(value: str) -> None:
    if value not in known_zones():
        raise ValidationError(
            _(
                "%(value)s is not a time zone name. Use an IANA name such as Europe/London "
                "or America/New_York."
            ),
            code="invalid_timezone",
            params={"value": value},
        )


def validate_https(value: str) -> None:
    if value and not value.lower().startswith("https://"):
        raise ValidationError(
            _("The link must start with https:// so that joining is private."), code="not_https"
        )


validate_dial_string = RegexValidator(
    r"^\+?[0-9][0-9 ,*#+\-]*$",
    _("Use digits, spaces and + , * # only (a comma pauses the dialler)."),
    code="invalid_phone",
)


def refresh_search_text(meetings) -> None:
    """Recomputes search_text for these meetings (after a group or venue was renamed)."""
    rows = list(meetings.select_related("group", "location"))
    for meeting in rows:
        meeting.search_text = meeting.words()
    Meeting.objects.bulk_update(rows, ["search_text"], batch_size=500)


# The cache key of groups.catalogue: the lists every search reads (types, fellowships,
# languages, regions). Saving or deleting one of those rows forgets it at once.
# Kept once per language (its names are in that language): forget_catalogue() forgets them all.
CATALOGUE_KEY = "groups:catalogue:3"


def forget_catalogue() -> None:
    from django.conf import settings

    cache.delete_many(
        [
            f"{CATALOGUE_KEY}:{code}{part}"
            for code, _ in settings.LANGUAGES
            for part in ("", ":token")
        ]
    )


class InCatalogue(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_catalogue()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_catalogue()
        return result


class SlugManager(models.Manager):
    """Fixtures refer to rows by slug, so demo data does not depend on primary keys."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Fellowship(InCatalogue):
    """A mutual aid fellowship or programme, described in its own terms."""

    class Spirituality(models.TextChoices):
        SPIRITUAL = "spiritual", _("Spiritual (a higher power of one's own understanding)")
        FAITH_BASED = "faith_based", _("Faith-based")
        SECULAR = "secular", _("Secular")
        OPEN = "open", _("Open to any belief or none")

    class LedBy(models.TextChoices):
        PEERS = "peers", _("Members, in turn (peers)")
        FACILITATORS = "facilitators", _("Trained volunteer facilitators")
        LEADERS = "leaders", _("Trained volunteer leaders, with peers sharing")

    class Audience(models.TextChoices):
        ANYONE = "anyone", _("Anyone who wants help with their own use")
        WOMEN = "women", _("Women")
        FAMILY = "family", _("Family and friends of someone with an addiction")

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    short_name = models.CharField(
        max_length=30, help_text=_("For example AA or SMART."), verbose_name=_("short name")
    )
    slug = models.SlugField(
        max_length=40,
        unique=True,
        help_text=_("Used in links and commands."),
        verbose_name=_("slug"),
    )
    website = models.URLField(blank=True, verbose_name=_("website"))
    # This row's words in other languages, {"es": {"description": "…"}, "fr": {…}}; a field left out
    # reads in English (groups.translations).
    translations = models.JSONField(default=dict, blank=True, editable=False)
    description = models.TextField(
        help_text=_("A plain, neutral account of the approach, in our own words."),
        verbose_name=_("description"),
    )
    focus = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("What it is for, e.g. 'alcohol' or 'any drug'."),
        verbose_name=_("focus"),
    )
    twelve_step = models.BooleanField(_("Twelve Step programme"), default=False)
    spirituality = models.CharField(
        max_length=20, choices=Spirituality.choices, verbose_name=_("spirituality")
    )
    faith = models.CharField(
        max_length=80,
        blank=True,
        help_text=_(
            "The faith or tradition it draws on, if any (e.g. Christian, Buddhist-inspired)."
        ),
        verbose_name=_("faith"),
    )
    evidence_based_tools = models.BooleanField(
        default=False,
        help_text=_("Uses tools from psychological research (e.g. CBT, motivational)."),
        verbose_name=_("evidence based tools"),
    )
    audience = models.CharField(
        max_length=20, choices=Audience.choices, default=Audience.ANYONE, verbose_name=_("audience")
    )
    uses_labels = models.BooleanField(
        default=True,
        help_text=_("Members commonly introduce themselves with labels such as 'addict'."),
        verbose_name=_("uses labels"),
    )
    # The facts a person or a clinician compares fellowships by (REFERENCE §4), each in the
    # fellowship's own terms; seeded by migrations, kept up to date in the admin.
    goal = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "What members work towards, in the fellowship's own terms "
            "(e.g. 'Abstinence from alcohol')."
        ),
        verbose_name=_("goal"),
    )
    led_by = models.CharField(
        _("who leads meetings"),
        max_length=20,
        choices=LedBy.choices,
        blank=True,
    )
    family_groups = models.CharField(
        _("for family and friends"),
        max_length=255,
        blank=True,
        help_text=_("Whether it has meetings for family and friends, or where they are found."),
    )
    first_meeting = models.TextField(
        _("what a first meeting is like"), blank=True, help_text=_("Two or three plain sentences.")
    )
    open_meaning = models.CharField(
        _("what an open meeting means"),
        max_length=255,
        blank=True,
        help_text=_(
            "Shown beside the type Open, e.g. 'Anyone may come, including family and friends'."
        ),
    )
    closed_meaning = models.CharField(
        _("what a closed meeting means"),
        max_length=255,
        blank=True,
        help_text=_("Shown beside the type Closed, e.g. 'For people who want to stop drinking'."),
    )
    type_vocabulary = models.ForeignKey(
        "TypeVocabulary",
        on_delete=models.PROTECT,
        related_name="fellowships",
        help_text=_("The meeting type codes this fellowship's listings use."),
        verbose_name=_("type vocabulary"),
    )

    objects = SlugManager()

    class Meta:
        # Alphabetical: the directory never ranks one fellowship above another.
        ordering = ["name"]
        verbose_name = _("fellowship")
        verbose_name_plural = _("fellowships")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("fellowship", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def is_faith_based(self) -> bool:
        return self.spirituality == self.Spirituality.FAITH_BASED

    @property
    def is_secular(self) -> bool:
        return self.spirituality == self.Spirituality.SECULAR


class TypeVocabulary(InCatalogue):
    """A set of meeting type codes. Codes are unique within a vocabulary, not across them."""

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=40, unique=True, verbose_name=_("slug"))
    description = models.TextField(blank=True, verbose_name=_("description"))

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("type vocabularies")
        verbose_name = _("type vocabulary")

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.slug,)


class LanguageManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Language(InCatalogue):
    """A language a meeting is held in. First-class so that searches filter on it directly."""

    code = models.CharField(
        max_length=12,
        unique=True,
        help_text=_("BCP 47 code, e.g. en, es, ase (American Sign Language)."),
        verbose_name=_("code"),
    )
    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))

    objects = LanguageManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class MeetingTypeManager(models.Manager):
    def get_by_natural_key(self, vocabulary_slug, code):
        return self.get(vocabulary__slug=vocabulary_slug, code=code)


class MeetingType(InCatalogue):
    class Category(models.TextChoices):
        FORMAT = "format", _("Format")
        COMMUNITY = "community", _("Community")
        ACCESSIBILITY = "accessibility", _("Accessibility")
        LANGUAGE = "language", _("Language")
        OTHER = "other", _("Other")

    vocabulary = models.ForeignKey(
        TypeVocabulary, on_delete=models.PROTECT, related_name="types", verbose_name=_("vocabulary")
    )
    code = models.CharField(max_length=12, verbose_name=_("code"))
    name = models.CharField(max_length=80, verbose_name=_("name"))
    category = models.CharField(max_length=20, choices=Category.choices, verbose_name=_("category"))
    language = models.ForeignKey(
        Language,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For language codes: the language a meeting of this type is held in."),
        verbose_name=_("language"),
    )
    # The type's name in other languages, {"es": {"name": "…"}, "fr": {…}}; a field left out
    # reads in English (groups.translations).
    translations = models.JSONField(default=dict, blank=True, editable=False)

    objects = MeetingTypeManager()

    class Meta:
        ordering = ["vocabulary", "name"]
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "code"], name="meeting_type_code_unique_in_vocabulary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def natural_key(self):
        return (self.vocabulary.slug, self.code)

    natural_key.dependencies = ["groups.typevocabulary"]


class Region(InCatalogue):
    """A place in a tree: country, then state or province, then city or area."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        STATE = "state", _("State or province")
        AREA = "area", _("City or area")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="region_not_its_own_parent"
            ),
            models.UniqueConstraint(
                fields=["parent", "name"], name="region_name_unique_under_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self) -> None:
        # A cycle (A under B under A) cannot be expressed as a constraint; refuse it here.
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A region cannot be inside itself.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def ancestors(self) -> list["Region"]:
        """General to specific, ending with this region. One query per level."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class Location(models.Model):
    """A place where meetings happen. Coordinates may wait: a save never needs them."""

    name = models.CharField(_("venue name"), max_length=200, blank=True)
    address = models.CharField(_("street address"), max_length=255, blank=True)
    city = models.CharField(max_length=120, blank=True, verbose_name=_("city"))
    state = models.CharField(_("state or province"), max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True, verbose_name=_("postal code"))
    country = models.CharField(max_length=80, blank=True, verbose_name=_("country"))
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        verbose_name=_("latitude"),
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        verbose_name=_("longitude"),
    )
    approximate = models.BooleanField(
        _("address is approximate"),
        default=False,
        help_text=_("Only a city or area is known, e.g. the home of an online group."),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("e.g. Europe/London"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("region"),
    )
    access_notes = models.TextField(
        blank=True,
        help_text=_("Step-free access, entrances, lifts, accessible toilets."),
        verbose_name=_("access notes"),
    )
    notes = models.TextField(
        blank=True,
        help_text=_("Parking, public transport, finding the room."),
        verbose_name=_("notes"),
    )
    created = models.DateTimeField(auto_now_add=True, verbose_name=pgettext_lazy("date", "created"))
    # Who made it in the admin: while it has no meetings it is theirs (and coordinators'),
    # not every volunteer's (groups.scope). Empty for imports and older rows.
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated = models.DateTimeField(auto_now=True, verbose_name=pgettext_lazy("date", "updated"))

    # Who changed what and when, with a revert in the admin (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "address"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        indexes = [
            # Bounding-box prefilter of the finder's distance search (?near=…&distance=…).
            models.Index(fields=["latitude", "longitude"], name="location_lat_lng_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_coordinates_both_or_neither",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_in_range",
            ),
            models.CheckConstraint(condition=~Q(timezone=""), name="location_has_timezone"),
        ]

    def __str__(self) -> str:
        parts = (self.name, self.address, self.city)
        return ", ".join(part for part in parts if part) or "Location"

    def save(self, *args, **kwargs):
        existed = not self._state.adding
        super().save(*args, **kwargs)
        if existed:  # its meetings are found by the venue's name and town
            refresh_search_text(self.meetings.all())

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: _("Give both latitude and longitude, or neither.")})

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def formatted_address(self) -> str:
        region = " ".join(part for part in (self.state, self.postal_code) if part)
        parts = (self.address, self.city, region, self.country)
        return ", ".join(part for part in parts if part)


class Group(models.Model):
    """A group that holds one or more meetings. Private contacts are for volunteers only."""

    fellowship = models.ForeignKey(
        Fellowship, on_delete=models.PROTECT, related_name="groups", verbose_name=_("fellowship")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    email = models.EmailField(
        _("service e-mail"), blank=True, help_text=_("The group's service address, shown publicly.")
    )
    phone = models.CharField(
        _("service phone"), max_length=40, blank=True, validators=[validate_dial_string]
    )
    private_contact_name = models.CharField(
        max_length=120, blank=True, verbose_name=_("private contact name")
    )
    private_contact_email = models.EmailField(blank=True, verbose_name=_("private contact email"))
    private_contact_phone = models.CharField(
        max_length=40, blank=True, verbose_name=_("private contact phone")
    )
    private_notes = models.TextField(
        blank=True,
        help_text=_("Never shown publicly, exported or put in a feed."),
        verbose_name=_("private notes"),
    )
    created = models.DateTimeField(auto_now_add=True, verbose_name=pgettext_lazy("date", "created"))
    # Who made it in the admin: while it has no meetings it is theirs (and coordinators'),
    # not every volunteer's (groups.scope). Empty for imports and older rows.
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated = models.DateTimeField(auto_now=True, verbose_name=pgettext_lazy("date", "updated"))

    # Who changed what and when, with a revert in the admin (django-simple-history).
    history = HistoricalRecords()

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        existed = not self._state.adding
        super().save(*args, **kwargs)
        if existed:  # its meetings are found by the group's name
            refresh_search_text(self.meetings.all())

    def natural_key(self):
        return (self.slug,)


def needs_check_q() -> Q:
    """A listing that is due a check (see MeetingQuerySet.needing_check)."""
    cutoff = timezone.localdate() - datetime.timedelta(days=settings.VERIFICATION_INTERVAL_DAYS)
    return Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff) | Q(flagged_on__isnull=False)


class MeetingQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def active(self):
        """Meetings that are meeting: not temporarily closed, not inactive."""
        return self.filter(status=Meeting.Status.ACTIVE)

    def listed(self):
        """What the public sees by default: active and temporarily closed, never inactive."""
        return self.exclude(status=Meeting.Status.INACTIVE)

    def needing_check(self):
        """Listed meetings never checked, checked longer ago than VERIFICATION_INTERVAL_DAYS, or
        flagged by reports that nobody was there; the longest unchecked first. The admin's
        "needs checking" list and `flag_stale_listings` both read it."""
        return (
            self.listed()
            .filter(needs_check_q())
            .order_by(models.F("last_verified").asc(nulls_first=True), "pk")
        )

    def on_day(self, *days: int):
        """Meetings on any of the given weekdays (0 = Sunday … 6 = Saturday)."""
        return self.filter(day__in=days)

    def with_distance(self, latitude: float, longitude: float):
        """Annotates `distance`: km from the point to the meeting's venue (haversine, in SQL on
        SQLite and PostgreSQL alike); NULL where the venue has no coordinates, and for online
        meetings, whose place is at most the home town of the group."""
        lat1, lng1 = math.radians(latitude), math.radians(longitude)
        lat2 = Radians("location__latitude")
        lng2 = Radians("location__longitude")
        a = Power(Sin((lat2 - lat1) / 2), 2) + math.cos(lat1) * Cos(lat2) * Power(
            Sin((lng2 - lng1) / 2), 2
        )
        return self.annotate(
            distance=models.Case(
                models.When(attendance=Meeting.Attendance.ONLINE, then=None),
                default=2 * EARTH_RADIUS_KM * ASin(Sqrt(Least(a, 1.0))),
                output_field=models.FloatField(),
            )
        )

    def for_listing(self):
        """Everything a list row, printout or feed entry shows, in a fixed number of queries."""
        return self.select_related(
            "fellowship", "group", "location", "location__region"
        ).prefetch_related("types", "languages")


# The fields week_minute and duration are derived from.
TIME_FIELDS = {"day", "start_time", "end_time", "timezone"}
# The columns Meeting.derive() computes.
DERIVED_FIELDS = ("week_minute", "duration", "search_text")


class Meeting(models.Model):
    class Day(models.IntegerChoices):
        SUNDAY = 0, _("Sunday")
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")

    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid (in person and online)")
        ONLINE = "online", _("Online")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
        INACTIVE = "inactive", _("Inactive")

    fellowship = models.ForeignKey(
        Fellowship,
        on_delete=models.PROTECT,
        related_name="meetings",
        blank=True,
        help_text=_("Left empty, the group's fellowship is used."),
        verbose_name=_("fellowship"),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("group"),
    )
    name = models.CharField(max_length=255, verbose_name=_("name"))
    slug = models.SlugField(max_length=64, unique=True, verbose_name=_("slug"))
    day = models.PositiveSmallIntegerField(
        choices=Day.choices,
        null=True,
        blank=True,
        help_text=_("Leave empty, with no start time, for a meeting by appointment."),
        verbose_name=_("day"),
    )
    start_time = models.TimeField(null=True, blank=True, verbose_name=_("start time"))
    end_time = models.TimeField(
        null=True,
        blank=True,
        help_text=_("May be after midnight. Empty means one hour."),
        verbose_name=_("end time"),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("Left empty, the location's time zone is used. Required for online meetings."),
    )
    attendance = models.CharField(
        max_length=10,
        choices=Attendance.choices,
        default=Attendance.IN_PERSON,
        verbose_name=_("attendance"),
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    status_reason = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("e.g. 'Church hall closed for repairs until March'."),
        verbose_name=_("status reason"),
    )
    status_until = models.DateField(
        _("closed until"),
        null=True,
        blank=True,
        help_text=_("For a temporarily closed meeting: the date it is expected back, if known."),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("location"),
    )
    conference_url = models.URLField(
        _("online meeting link"),
        max_length=500,
        blank=True,
        validators=[validate_https],
        help_text=_("A link that opens the meeting directly (https only)."),
    )
    conference_phone = models.CharField(
        _("dial-in phone"), max_length=60, blank=True, validators=[validate_dial_string]
    )
    conference_notes = models.CharField(
        _("online joining notes"),
        max_length=255,
        blank=True,
        help_text=_("e.g. 'Passcode on request: write to the group's service e-mail'."),
    )
    types = models.ManyToManyField(
        MeetingType, blank=True, related_name="meetings", verbose_name=_("types")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="meetings", verbose_name=_("languages")
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    last_verified = models.DateField(
        null=True,
        blank=True,
        help_text=_("When a volunteer last confirmed the listing (set by recording a check)."),
        verbose_name=_("last verified"),
    )
    # Set when people report that nobody was there (see groups.corrections); recording a check
    # clears it. A flagged listing is on the "needs checking" list whatever its last check.
    flagged_on = models.DateField(_("flagged for checking on"), null=True, blank=True)
    flag_reason = models.CharField(_("why it was flagged"), max_length=255, blank=True)
    # Derived from day, start_time, end_time and timezone by save() (see groups.weektime): they
    # let the "starting soonest" order run in SQL with integer arithmetic only.
    week_minute = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    duration = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Derived by save() from the meeting's, group's and venue's names, town and notes (see
    # groups.searchtext); Group.save() and Location.save() refresh it for their meetings.
    search_text = models.TextField(blank=True, editable=False)
    # --- Imports (groups.importing): where the listing came from, and its id there. --------
    source = models.ForeignKey(
        "ImportSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        help_text=_("The feed or file this meeting is imported from; a re-import updates it."),
        verbose_name=_("source"),
    )
    source_key = models.CharField(
        _("id in the source"), max_length=255, blank=True, help_text=_("Its slug or id there.")
    )
    # --- end of imports ---------------------------------------------------------------------
    created = models.DateTimeField(auto_now_add=True, verbose_name=pgettext_lazy("date", "created"))
    updated = models.DateTimeField(auto_now=True, verbose_name=pgettext_lazy("date", "updated"))

    # Who changed what and when, with a revert in the admin (django-simple-history). The
    # derived fields are left out: save() computes them again from the recorded ones.
    history = HistoricalRecords(
        excluded_fields=["week_minute", "duration", "search_text"],
        m2m_fields=[types, languages],
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["day", "start_time", "name"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        permissions = [
            ("edit_every_listing", "Can edit every listing, whatever the volunteer's scope"),
            ("purge_meeting", "Can delete meetings permanently (not just archive them)"),
        ]
        indexes = [
            # The finder's day search and its time order (/meetings/?day=1, sort=time).
            models.Index(fields=["day", "start_time"], name="meeting_day_time_idx"),
            # A fellowship's meetings in week order (/fellowships/<slug>/, ?fellowship=).
            models.Index(fields=["fellowship", "day", "start_time"], name="meeting_fship_day_idx"),
            # The in person / online / hybrid filter (?attendance=online).
            models.Index(fields=["attendance", "day", "start_time"], name="meeting_attend_day_idx"),
            # Hiding inactive meetings from every public list (listed()).
            models.Index(fields=["status"], name="meeting_status_idx"),
            # "Starting soonest" (the default order): meetings starting in the next hours are
            # read by range on this index (groups.search._upcoming_ids).
            models.Index(fields=["week_minute"], name="meeting_week_minute_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance="online") | Q(location__isnull=False),
                name="meeting_in_person_has_location",
                violation_error_message=_("An in-person or hybrid meeting needs a location."),
            ),
            models.CheckConstraint(
                condition=Q(attendance="in_person")
                | ~Q(conference_url="")
                | ~Q(conference_phone=""),
                name="meeting_online_has_link_or_phone",
                violation_error_message=_(
                    "An online or hybrid meeting needs an online meeting link or a dial-in phone."
                ),
            ),
            models.CheckConstraint(
                condition=Q(conference_url="") | Q(conference_url__startswith="https://"),
                name="meeting_conference_url_https",
                violation_error_message=_("The online meeting link must start with https://."),
            ),
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(day__gte=0, day__lte=6),
                name="meeting_day_in_week",
            ),
            models.CheckConstraint(
                condition=Q(day__isnull=True, start_time__isnull=True)
                | Q(day__isnull=False, start_time__isnull=False),
                name="meeting_day_and_time_together",
                violation_error_message=_(
                    "Give both a day and a start time, or neither for a meeting by appointment."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=False) | Q(end_time__isnull=True),
                name="meeting_end_time_needs_start_time",
            ),
            models.CheckConstraint(
                condition=~Q(timezone=""),
                name="meeting_has_timezone",
                violation_error_message=_("A meeting needs a time zone."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "temporarily_closed", "inactive"]),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=["in_person", "hybrid", "online"]),
                name="meeting_attendance_valid",
            ),
            models.CheckConstraint(
                condition=Q(week_minute__isnull=True, day__isnull=True)
                | Q(week_minute__gte=0, week_minute__lt=MINUTES_PER_WEEK),
                name="meeting_week_minute_in_week",
            ),
            models.CheckConstraint(
                condition=Q(duration__isnull=True, start_time__isnull=True)
                | Q(duration__gte=1, duration__lte=1440),
                name="meeting_duration_in_day",
            ),
            # One meeting per id in each source. Its index is what a re-import matches by
            # (groups.importing.save reads a source's meetings by source, then source_key).
            models.UniqueConstraint(
                fields=["source", "source_key"], name="meeting_source_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *DERIVED_FIELDS}
        retired = self._retired_slug(update_fields)
        super().save(*args, **kwargs)
        if retired is not None:
            MeetingSlug.keep(self, retired)
        self._stored_slug = self.slug

    def get_absolute_url(self) -> str:
        return reverse("meeting", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @classmethod
    def from_db(cls, db, field_names, values):
        meeting = super().from_db(db, field_names, values)
        # The slug as stored, so that save() can keep the old one without reading it again.
        meeting._stored_slug = meeting.__dict__.get("slug")
        return meeting

    def _retired_slug(self, update_fields) -> str | None:
        """The slug this save replaces, if it changes one: printed QR codes, bookmarks and
        calendar subscriptions carry it, so it keeps answering (see MeetingSlug). Reads the
        stored slug only for an instance not loaded from the database (e.g. a history revert)."""
        if self.pk is None or (update_fields is not None and "slug" not in update_fields):
            return None
        stored = getattr(self, "_stored_slug", None)
        if stored is None:
            stored = (
                type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True).first()
            )
        return stored if stored and stored != self.slug else None

    def derive(self) -> None:
        """Sets the columns computed from the others. save() calls it; code that writes with
        bulk_create or bulk_update (imports) must call it too. Reads the group and venue."""
        self.week_minute = week_minute(self.day, self.start_time, self.timezone)
        self.duration = duration(self.start_time, self.end_time)
        self.search_text = self.words()

    def words(self) -> str:
        """The text a search finds this meeting by. Reads its group and venue."""
        group, place = self.group, self.location
        return search_text(
            self.name,
            group.name if group else "",
            place.name if place else "",
            place.city if place else "",
            self.notes,
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.group_id and not self.fellowship_id:
            self.fellowship_id = self.group.fellowship_id
        if not self.fellowship_id:
            errors["fellowship"] = _("Choose the fellowship, or a group to take it from.")
        elif self.group_id and self.group.fellowship_id != self.fellowship_id:
            errors["fellowship"] = _(
                "The group %(group)s belongs to %(fellowship)s; "
                "a meeting takes its group's fellowship."
            ) % {"group": self.group, "fellowship": self.group.fellowship}

        if not self.timezone and self.location_id:
            self.timezone = self.location.timezone
        if not self.timezone:
            errors["timezone"] = _("Give the time zone; online meetings with no location need one.")

        # Whole sentences for each kind of meeting (is_in_person: in person or hybrid;
        # is_online: online or hybrid).
        needs_location = {
            "in_person": _("An in-person meeting needs a location."),
            "hybrid": _("A hybrid meeting needs a location."),
        }
        needs_link = {
            "hybrid": _(
                "A hybrid meeting needs an online meeting link or a dial-in phone "
                "so that people can join."
            ),
            "online": _(
                "An online meeting needs an online meeting link or a dial-in phone "
                "so that people can join."
            ),
        }
        if self.is_in_person and not self.location_id:
            errors["location"] = needs_location[self.attendance]
        if self.is_online and not (self.conference_url or self.conference_phone):
            errors["conference_url"] = needs_link[self.attendance]

        if (self.day is None) != (self.start_time is None):
            missing = "day" if self.day is None else "start_time"
            errors[missing] = _(
                "Give both a day and a start time, or neither for a meeting by appointment."
            )
        if self.end_time is not None and self.start_time is None:
            errors["end_time"] = _("An end time needs a start time.")
        if errors:
            raise ValidationError(errors)

    @property
    def by_appointment(self) -> bool:
        return self.day is None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def effective_end_time(self) -> datetime.time | None:
        """The end time, or one hour after the start as the Meeting Guide spec defaults."""
        if self.end_time is not None or self.start_time is None:
            return self.end_time
        start = datetime.datetime.combine(datetime.date(2000, 1, 1), self.start_time)
        return (start + datetime.timedelta(hours=1)).time()

    @property
    def is_online(self) -> bool:
        return self.attendance in (self.Attendance.ONLINE, self.Attendance.HYBRID)

    @property
    def is_online_only(self) -> bool:
        return self.attendance == self.Attendance.ONLINE

    @property
    def is_in_person(self) -> bool:
        return self.attendance in (self.Attendance.IN_PERSON, self.Attendance.HYBRID)


class MeetingSlug(models.Model):
    """A slug a meeting had before: its old links (page, calendar file, correction form) answer
    with a permanent redirect to the current ones. Meeting.save() keeps them; a slug that is
    current again, for any meeting, is no longer an old one, so an old slug never shadows a
    current slug."""

    slug = models.SlugField(max_length=64, unique=True, verbose_name=_("slug"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="old_slugs", verbose_name=_("meeting")
    )
    retired = models.DateTimeField(_("replaced on"), auto_now_add=True)

    class Meta:
        ordering = ["-retired", "-pk"]
        verbose_name = _("old slug")
        verbose_name_plural = _("old slugs")

    def __str__(self) -> str:
        return self.slug

    @classmethod
    def keep(cls, meeting: Meeting, old: str) -> None:
        """Records `old` as a former slug of `meeting`, and frees its new slug if it was one."""
        cls.objects.filter(slug=meeting.slug).delete()
        cls.objects.update_or_create(slug=old, defaults={"meeting": meeting})


# Volunteers and public corrections ------------------------------------------------------------


class Volunteer(models.Model):
    """A volunteer's scope: the listings they keep current in the admin (see groups.scope).

    With fellowships only, they keep those fellowships' listings everywhere; with regions only,
    every listing in those regions (and the places inside them); with both, the listings that
    are in both. Staff with the "edit every listing" permission, and superusers, need no scope.
    """

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="volunteer", verbose_name=_("user")
    )
    fellowships = models.ManyToManyField(
        Fellowship,
        blank=True,
        related_name="volunteers",
        help_text=_("Leave empty for any."),
        verbose_name=_("fellowships"),
    )
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="volunteers",
        help_text=_("Includes every place inside each region. Leave empty for anywhere."),
        verbose_name=_("regions"),
    )

    class Meta:
        verbose_name = _("volunteer scope")
        verbose_name_plural = _("volunteer scopes")

    def __str__(self) -> str:
        return f"Scope of {self.user}"


class Verification(models.Model):
    """A record that someone checked a listing: when, who and how."""

    class Method(models.TextChoices):
        CALLED = "called", _("Called or wrote to the group's contact")
        ATTENDED = "attended", _("Attended the meeting")
        WEBSITE = "website", _("Checked the group's own website")
        CORRECTION = "correction", _("Approved a correction from the public")
        OTHER = "other", _("Other (see the note)")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("meeting")
    )
    verified_on = models.DateField(_("checked on"), default=datetime.date.today)
    verified_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    note = models.CharField(max_length=255, blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["-verified_on", "-pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        indexes = [
            # A meeting's checks, newest first (the inline under each meeting).
            models.Index(fields=["meeting", "-verified_on"], name="verification_meeting_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["called", "attended", "website", "correction", "other"]),
                name="verification_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} checked on {self.verified_on:%-d %B %Y}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The listing's last check is the newest; a check answers any "nobody was there" flag.
        Meeting.objects.filter(pk=self.meeting_id).filter(
            Q(last_verified__isnull=True) | Q(last_verified__lt=self.verified_on)
        ).update(last_verified=self.verified_on)
        Meeting.objects.filter(pk=self.meeting_id, flagged_on__lte=self.verified_on).update(
            flagged_on=None, flag_reason=""
        )


class NeedsChecking(Meeting):
    """The admin's "needs checking" list: the same meetings, listed oldest check first."""

    class Meta:
        proxy = True
        verbose_name = _("listing that needs checking")
        verbose_name_plural = _("listings that need checking")


class ChangeRequest(models.Model):
    """A correction or a missing meeting sent in by the public, waiting in the admin's queue.

    `proposed` holds only the values the sender changed, by Meeting field name (and
    location_* for the place). The sender's e-mail is private, and cleared once they have
    been told the outcome.
    """

    class Report(models.TextChoices):
        CHANGED = "changed", _("Some details have changed")
        NOBODY_THERE = "nobody_there", _("I went and nobody was there")
        TEMPORARILY_CLOSED = "temporarily_closed", _("It is closed for now")
        CLOSED = "closed", _("It has closed for good")
        NEW = "new", _("A meeting that is missing from the directory")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_requests",
        help_text=_("Empty for a proposed new meeting."),
        verbose_name=_("meeting"),
    )
    # For scope: the meeting's, or what the sender chose for a new meeting.
    fellowship = models.ForeignKey(
        Fellowship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fellowship"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    report = models.CharField(_("what is wrong"), max_length=20, choices=Report.choices)
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    note = models.TextField(_("sender's note"), blank=True)
    email = models.EmailField(
        _("sender's e-mail"),
        blank=True,
        help_text=_("Private. Cleared once the sender is answered."),
    )
    listing_updated = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the listing last changed before this was sent."),
        verbose_name=_("listing updated"),
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    # The language the sender wrote in, so that the answer to them is in it too.
    language = models.CharField(
        max_length=10, blank=True, editable=False, verbose_name=_("language")
    )
    decision = models.CharField(
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        verbose_name=_("decision"),
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was rejected (sent to the sender).")
    )
    decided_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        ordering = ["created"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        indexes = [
            # The queue: waiting requests, oldest first.
            models.Index(fields=["decision", "created"], name="changerequest_queue_idx"),
            # "Nobody was there" reports for one meeting in a window.
            models.Index(fields=["meeting", "report", "created"], name="changerequest_report_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(report="new") | Q(meeting__isnull=False),
                name="changerequest_correction_has_meeting",
                violation_error_message=_("A correction is about a meeting."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="rejected") | ~Q(reason=""),
                name="changerequest_rejection_has_reason",
                violation_error_message=_("Give the reason for rejecting it."),
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "approved", "rejected"]),
                name="changerequest_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        subject = self.meeting.name if self.meeting_id else self.proposed.get("name", "")
        return f"{self.get_report_display()}: {subject}"


# --- Imports --------------------------------------------------------------------------------


def email_list(text: str) -> list[str]:
    """Addresses written comma-separated, semicolon-separated or one a line."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


def validate_email_list(text: str) -> None:
    bad = []
    for address in email_list(text):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not an e-mail address: %(addresses)s.") % {"addresses": ", ".join(bad)}
        )


class ImportSource(models.Model):
    """A feed or file that meetings are imported from, again and again: a re-import updates
    the meetings it brought (matched by their id in it) and marks those it no longer lists
    inactive. See groups.importing."""

    class Format(models.TextChoices):
        MEETING_GUIDE = "meeting-guide", _("Meeting Guide JSON feed")
        CSV = "csv", _("Spreadsheet, table format (CSV)")
        XLSX = "xlsx", _("Spreadsheet, table format (Excel .xlsx)")
        BMLT = "bmlt", _("BMLT GetSearchResults JSON")

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text=_("Its URL or file name unless named otherwise."),
        verbose_name=_("name"),
    )
    format = models.CharField(max_length=20, choices=Format.choices, verbose_name=_("format"))
    fellowship = models.ForeignKey(
        Fellowship,
        on_delete=models.PROTECT,
        related_name="import_sources",
        help_text=_("For entries that do not name their own fellowship."),
        verbose_name=_("fellowship"),
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    file_name = models.CharField(max_length=255, blank=True, verbose_name=_("file name"))
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_(
            "For meetings whose zone cannot be found from their place (coordinates, ZIP "
            "code, town or country). Empty: such meetings are refused, never put in UTC."
        ),
    )
    entity = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who publishes it, as the source itself says."),
        verbose_name=_("entity"),
    )
    entity_url = models.URLField(_("entity's website"), max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True, verbose_name=pgettext_lazy("date", "created"))
    # Who made it: a volunteer imports only into their own sources (groups.scope).
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_run = models.DateTimeField(_("last imported"), null=True, blank=True)

    # A subscription: the URL is fetched again every refresh_hours (groups.importing.refresh).
    class Outcome(models.TextChoices):
        OK = "ok", _("Refreshed")
        REFUSED = "refused", _("Refused, nothing changed")
        FAILED = "failed", _("Failed, nothing changed")

    refresh_hours = models.PositiveIntegerField(
        _("refresh every (hours)"),
        null=True,
        blank=True,
        help_text=_(
            "Fetch the URL again this often (manage.py refresh_sources, run by cron). "
            "Empty or 0: not subscribed, imported only by hand."
        ),
    )
    stewards = models.TextField(
        blank=True,
        validators=[validate_email_list],
        help_text=_(
            "E-mail addresses, comma-separated or one a line: told what each refresh "
            "changed, and why one changed nothing."
        ),
        verbose_name=_("stewards"),
    )
    max_deactivate_percent = models.PositiveSmallIntegerField(
        _("largest share a refresh may mark inactive (%)"),
        default=20,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Of the source's listed meetings. A refresh that would mark more of them "
            "inactive (a broken or truncated feed, usually) changes nothing and tells the stewards."
        ),
    )
    refresh_skip_invalid = models.BooleanField(
        _("save the good rows when some are bad"),
        default=False,
        help_text=_(
            "Off: one row that cannot be understood refuses the whole refresh. On: the "
            "others are saved and the bad ones listed to the stewards (their meetings stay as "
            "they were)."
        ),
    )
    last_checked = models.DateTimeField(_("last refresh"), null=True, blank=True)
    last_outcome = models.CharField(
        _("outcome of the last refresh"), max_length=10, choices=Outcome.choices, blank=True
    )
    last_message = models.TextField(_("what the last refresh said"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=["meeting-guide", "csv", "xlsx", "bmlt"]),
                name="import_source_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(refresh_hours__isnull=True) | Q(refresh_hours=0) | ~Q(url=""),
                name="import_source_subscription_has_url",
                violation_error_message=_("A subscribed source needs a URL to fetch."),
            ),
            models.CheckConstraint(
                condition=Q(max_deactivate_percent__lte=100),
                name="import_source_max_deactivate_percent_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subscribed(self) -> bool:
        return bool(self.refresh_hours and self.url)

    def steward_addresses(self) -> list[str]:
        return email_list(self.stewards)

    def clean(self):
        if self.refresh_hours and not self.url:
            raise ValidationError({"url": _("A subscribed source needs a URL to fetch.")})


class ImportRun(models.Model):
    """One import of a source: its counts and report. An admin upload is kept here between
    its preview and the volunteer's confirmation (content), then emptied."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Previewed, not saved")
        APPLIED = "applied", _("Saved")

    source = models.ForeignKey(
        ImportSource, on_delete=models.CASCADE, related_name="runs", verbose_name=_("source")
    )
    started = models.DateTimeField(auto_now_add=True, verbose_name=_("started"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, verbose_name=_("status"))
    file_name = models.CharField(max_length=255, blank=True, verbose_name=_("file name"))
    created = models.PositiveIntegerField(default=0, verbose_name=_("created"))
    updated = models.PositiveIntegerField(default=0, verbose_name=_("updated"))
    unchanged = models.PositiveIntegerField(default=0, verbose_name=_("unchanged"))
    deactivated = models.PositiveIntegerField(default=0, verbose_name=_("deactivated"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("rejected"))
    report = models.TextField(blank=True, verbose_name=_("report"))
    skip_invalid = models.BooleanField(default=False, verbose_name=_("skip invalid"))
    content = models.BinaryField(blank=True, editable=False)

    class Meta:
        ordering = ["-started", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [
            # A source's admin page lists its runs, newest first.
            models.Index(fields=["source", "-started"], name="import_run_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["preview", "applied"]), name="import_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} at {self.started:%Y-%m-%d %H:%M}"


_listings_version: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "listings_version", default=None
)


class ListingsVersion(models.Model):
    """One row: when any listing last changed. Cached public pages are keyed by it
    (groups.pagecache), so that an edit shows at once in every app server."""

    changed = models.DateTimeField(verbose_name=_("changed"))

    class Meta:
        verbose_name = _("listings version")
        verbose_name_plural = _("listings versions")

    def __str__(self) -> str:
        return f"Listings changed {self.changed:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(changed=timezone.now()):
            cls.objects.create(pk=1, changed=timezone.now())
        cls.forget_current()

    @classmethod
    def current(cls) -> str:
        """When the listings last changed, as text ("-" before the first change): read once a
        request (a request starts afresh: groups.signals), and again after a change here.
        Everything kept of the listings (pages, result rows, the zones in use) is kept under
        it, and so forgotten at once, in every process, when it moves on."""
        version = _listings_version.get()
        if version is None:
            changed = cls.objects.values_list("changed", flat=True).first()
            version = changed.isoformat() if changed else "-"
            _listings_version.set(version)
        return version

    @staticmethod
    def forget_current(**kwargs) -> None:
        _listings_version.set(None)


class Helpline(models.Model):
    """A service to talk to someone now ("Need to talk to someone now?"), set by the operator
    for a country, or for a region inside it. None by default (groups.helplines)."""

    name = models.CharField(
        max_length=120, help_text=_("e.g. SAMHSA's National Helpline."), verbose_name=_("name")
    )
    description = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("Who it is for and what it offers, in plain words."),
        verbose_name=_("description"),
    )
    phone = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("As people dial it, e.g. 1-800-662-4357."),
        verbose_name=_("phone"),
    )
    text = models.CharField(_("text message number"), max_length=40, blank=True)
    website = models.URLField(
        blank=True,
        help_text=_("Its own page, with chat if it offers it."),
        verbose_name=_("website"),
    )
    hours = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("e.g. '24 hours a day, every day'."),
        verbose_name=_("hours"),
    )
    languages = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("e.g. 'English and Spanish'."),
        verbose_name=_("languages"),
    )
    country = models.CharField(
        max_length=2,
        help_text=_("ISO 3166 two-letter code of the country it serves, e.g. US."),
        verbose_name=_("country"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="helplines",
        help_text=_("Only for a regional service: shown for searches in this region."),
        verbose_name=_("region"),
    )
    source_name = models.CharField(
        _("public source"),
        max_length=200,
        help_text=_(
            "Where the number is published, e.g. 'samhsa.gov'. A number that cannot be "
            "confirmed there is left out."
        ),
    )
    source_url = models.URLField(_("public source's address"))
    # This row's words in other languages, {"es": {"description": "…"}, "fr": {…}}; a field left out
    # reads in English (groups.translations).
    translations = models.JSONField(default=dict, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    updated = models.DateTimeField(auto_now=True, verbose_name=pgettext_lazy("date", "updated"))

    class Meta:
        ordering = ["country", "order", "name"]
        verbose_name = _("helpline")
        verbose_name_plural = _("helplines")

    def __str__(self) -> str:
        return self.name
