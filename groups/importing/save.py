"""Rows into the directory: meetings, with their places, groups and regions, in one transaction.

A re-import of a source updates the meetings it brought in place (matched by their id in the
source), leaves alone those that did not change (their `updated` stays), and marks those it no
longer lists inactive, with a reason, rather than deleting them.

Every row is understood and validated (the model's field validators and clean()) before the
transaction commits. By default one bad row refuses the whole import and nothing is kept;
with skip_invalid the good rows are saved and the bad listed. A dry run does all of it, then
rolls back, so that its counts are the real ones.

Writes go in bulk (bulk_create, bulk_update), so each meeting's derived columns are set with
Meeting.derive(), as save() sets them.
"""

import collections
import dataclasses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from groups.importing.meeting_guide import Parsed
from groups.importing.rows import INACTIVE, Place, Rejection, Row, RowError, fold
from groups.importing.zones import ZoneFinder
from groups.models import (
    DERIVED_FIELDS,
    Fellowship,
    Group,
    ImportRun,
    ImportSource,
    Language,
    ListingsVersion,
    Location,
    Meeting,
    MeetingType,
    Region,
    validate_timezone,
)

BATCH = 1000
UPDATE_BATCH = 100
LISTED = 20  # created and updated meetings named in a report; every rejected row is named
# What an import sets on a meeting, and compares to see whether it changed.
FIELDS = [
    "fellowship",
    "group",
    "name",
    "day",
    "start_time",
    "end_time",
    "timezone",
    "attendance",
    "status",
    "status_reason",
    "location",
    "conference_url",
    "conference_phone",
    "conference_notes",
    "notes",
]
# A venue's details that a source may correct when it lists the venue again.
PLACE_DETAILS = ["name", "state", "postal_code", "country", "notes", "access_notes"]


# Names sources write for the spec's types, other than the spec's own ("Closed Discussion
# meeting" in New York's legend, "Step Meeting" in TSML's template), as spec codes.
TYPE_SYNONYMS = {
    "closed discussion": ("C", "D"),
    "open discussion": ("O", "D"),
    "speaker discussion": ("SP", "D"),
    "beginners": ("BE",),
    "beginner": ("BE",),
    "newcomers": ("BE",),
    "step": ("ST",),
    "steps": ("ST",),
    "tradition": ("TR",),
    "traditions": ("TR",),
    "big book": ("B",),
    "wheelchair": ("X",),
    "wheelchair accessible": ("X",),
}


# The kinds of mends (rows.Row.mended) and the ways a time zone is found (zones.ZoneFinder)
# are codes; a report names them in words.
MENDED_KINDS = {
    "appointment": pgettext_lazy("kind of mend", "appointment"),
    "coordinates": pgettext_lazy("kind of mend", "coordinates"),
    "html": pgettext_lazy("kind of mend", "html"),
    "id": pgettext_lazy("kind of mend", "id"),
    "link": pgettext_lazy("kind of mend", "link"),
    "phone": pgettext_lazy("kind of mend", "phone"),
}
ZONE_WAYS = {
    "coordinates": pgettext_lazy("time zone found from", "coordinates"),
    "country": pgettext_lazy("time zone found from", "country"),
    "postal code": pgettext_lazy("time zone found from", "postal code"),
    "source": pgettext_lazy("time zone found from", "source"),
    "town": pgettext_lazy("time zone found from", "town"),
}


def counts_text(counts: dict[str, int]) -> str:
    """Report.counts() in words: "created 3, updated 0, unchanged 4, deactivated 0, rejected 1"."""
    return (
        _(
            "created %(created)s, updated %(updated)s, unchanged %(unchanged)s, deactivated "
            "%(deactivated)s, rejected %(rejected)s"
        )
        % counts
    )


def _and_more(n: int) -> str:
    return ngettext("… and %(count)s more", "… and %(count)s more", n) % {"count": n}


@dataclasses.dataclass
class Change:
    ref: str
    slug: str
    name: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.ref}: {self.name} [{self.slug}]{changed}"


@dataclasses.dataclass
class Report:
    source: str
    read: int = 0
    created: list[Change] = dataclasses.field(default_factory=list)
    updated: list[Change] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    deactivated: list[Change] = dataclasses.field(default_factory=list)
    rejected: list[Rejection] = dataclasses.field(default_factory=list)
    unknown_types: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    unknown_languages: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)
    # What reading changed in the source's values: (row, kind, what was done), every one.
    mended: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    zones_found: dict[str, int] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    new_places: int = 0
    new_groups: int = 0
    new_regions: int = 0
    saved: bool = False
    refused: str = ""  # why nothing was saved, when it was refused
    run: ImportRun | None = None

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "deactivated": len(self.deactivated),
            "rejected": len({rejection.ref for rejection in self.rejected}),
        }

    def mended_by_kind(self) -> collections.Counter:
        return collections.Counter(kind for _ref, kind, _what in self.mended)

    def summary(self) -> str:
        mended = len({ref for ref, _kind, _what in self.mended})
        return ngettext(
            "%(source)s: %(read)s row read; %(counts)s; mended %(mended)s.",
            "%(source)s: %(read)s rows read; %(counts)s; mended %(mended)s.",
            self.read,
        ) % {
            "source": self.source,
            "read": self.read,
            "counts": counts_text(self.counts()),
            "mended": mended,
        }

    def text(self, limit: int | None = LISTED, mended_limit: int | None = None) -> str:
        """The report for a person: counts, then what changed (every rejected row; every mend
        unless `mended_limit` says how many)."""
        lines = [self.summary()]
        if self.refused:
            lines.append(_("Nothing was saved: %(reason)s") % {"reason": self.refused})
        elif not self.saved:
            lines.append(_("Dry run: nothing was saved."))
        extra = [
            what % {"count": n}
            for n, what in (
                (
                    self.new_places,
                    ngettext("%(count)s new place", "%(count)s new places", self.new_places),
                ),
                (
                    self.new_groups,
                    ngettext("%(count)s new group", "%(count)s new groups", self.new_groups),
                ),
                (
                    self.new_regions,
                    ngettext("%(count)s new region", "%(count)s new regions", self.new_regions),
                ),
            )
            if n
        ]
        if extra:
            lines.append(_("Also %(new)s.") % {"new": ", ".join(extra)})
        if self.zones_found:
            ways = ", ".join(
                f"{ZONE_WAYS.get(how, how)} {n}" for how, n in sorted(self.zones_found.items())
            )
            lines.append(
                _("Time zones not given by the source, found from: %(ways)s.") % {"ways": ways}
            )
        lines += self.notes
        for title, items, bound in (
            (pgettext("import report", "Rejected"), self.rejected, None),
            (pgettext("import report", "Created"), self.created, limit),
            (pgettext("import report", "Updated"), self.updated, limit),
            (_("Marked inactive (no longer in the source)"), self.deactivated, limit),
        ):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {item}" for item in items[:bound]]
                if bound is not None and len(items) > bound:
                    lines.append(f"  {_and_more(len(items) - bound)}")
        if self.unknown_types:
            codes = ", ".join(f"{code} ({n})" for code, n in sorted(self.unknown_types.items()))
            lines.append(_("Unknown type codes, left out: %(codes)s") % {"codes": codes})
        if self.unknown_languages:
            codes = ", ".join(f"{c} ({n})" for c, n in sorted(self.unknown_languages.items()))
            lines.append(_("Unknown language codes, left out: %(codes)s") % {"codes": codes})
        if self.ignored_columns:
            columns = ", ".join(self.ignored_columns)
            lines.append(_("Columns not understood, ignored: %(columns)s") % {"columns": columns})
        if self.mended:
            kinds = ", ".join(
                f"{MENDED_KINDS.get(kind, kind)} {n}"
                for kind, n in sorted(self.mended_by_kind().items())
            )
            lines.append(_("Mended (%(kinds)s):") % {"kinds": kinds})
            lines += [f"  {ref}: {what}" for ref, _kind, what in self.mended[:mended_limit]]
            if mended_limit is not None and len(self.mended) > mended_limit:
                lines.append(f"  {_and_more(len(self.mended) - mended_limit)}")
        return "\n".join(lines)


class _Rollback(Exception):
    pass


# Imports match venues, groups and regions by what they hold, then create the missing ones: two
# imports at once would each miss the other's new venue and make it twice. They take turns
# instead, on PostgreSQL with a lock held until the import's transaction ends (SQLite lets one
# writer in at a time anyway). Imports are rare and short: waiting costs nothing anyone sees.
IMPORT_LOCK = 0x4D_41_44_49  # "MADI", this directory's own advisory lock number


def _one_import_at_a_time() -> None:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def _first_error(error: ValidationError, label) -> RowError:
    field, messages = next(iter(error.message_dict.items()))
    where = pgettext("import field", "row") if field == "__all__" else label(field)
    return RowError(where, " ".join(messages))


def unique_slugs(model, wanted: list[str], max_length: int) -> list[str]:
    """Each wanted slug if no row of `model` has it and no earlier one here asked for it;
    otherwise the first free variant (name-2, name-3, …)."""
    taken = set()
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    result, used = [], set()
    for slug in wanted:
        if slug in taken or slug in used:
            stem = slug[: max_length - 4].rstrip("-")
            taken.update(model.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
            n = 2
            while f"{stem}-{n}" in taken or f"{stem}-{n}" in used:
                n += 1
            slug = f"{stem}-{n}"
        used.add(slug)
        result.append(slug)
    return result


class Regions:
    """The region tree, matched by name (general to specific) and grown where a source names
    a region the directory does not have."""

    def __init__(self, report: Report):
        self.report = report
        self.all = list(Region.objects.all())
        self.by_parent = {(region.parent_id, fold(region.name)): region for region in self.all}

    def find(self, chain: tuple[str, ...], place: Place) -> Region | None:
        parent = None
        for depth, name in enumerate(chain):
            found = self.by_parent.get((parent.pk if parent else None, fold(name)))
            if found is None and depth == 0:
                # A source may start below our top level ("Leith" for UK > … > Leith).
                named = [region for region in self.all if fold(region.name) == fold(name)]
                found = named[0] if len(named) == 1 else None
            parent = found or self._create(name, parent, place)
        return parent

    def _create(self, name: str, parent: Region | None, place: Place) -> Region:
        if fold(name) == fold(place.country) and parent is None:
            kind = Region.Kind.COUNTRY
        elif fold(name) == fold(place.state) or (parent and parent.kind == Region.Kind.COUNTRY):
            kind = Region.Kind.STATE
        else:
            kind = Region.Kind.AREA
        wanted = slugify(name)[:80] or "region"
        if wanted in {region.slug for region in self.all} and parent is not None:
            wanted = slugify(f"{name} {parent.name}")[:80]
        slug = unique_slugs(Region, [wanted], 80)[0]
        region = Region.objects.create(name=name[:120], slug=slug, kind=kind, parent=parent)
        self.all.append(region)
        self.by_parent[(region.parent_id, fold(region.name))] = region
        self.report.new_regions += 1
        return region


class Places:
    """Venues found by normalized address (approximate ones by town), or made new."""

    def __init__(self, parsed: Parsed):
        self.label = parsed.label
        self.by_key: dict[tuple, Location] = {}
        for location in Location.objects.all():
            place = Place(
                name=location.name,
                address=location.address,
                city=location.city,
                state=location.state,
                country=location.country,
                approximate=location.approximate or not location.address,
            )
            self.by_key.setdefault(place.key(), location)
        self.new: list[Location] = []
        self.corrected: dict[int, Location] = {}
        self.chains: dict[int, tuple[tuple[str, ...], Place]] = {}  # id(location) -> regions

    def known(self, place: Place | None) -> Location | None:
        """The venue already found for this place, if any."""
        return self.by_key.get(place.key()) if place is not None else None

    def find(self, place: Place | None, zone: str) -> Location | None:
        if place is None:
            return None
        key = place.key()
        location = self.by_key.get(key)
        if location is None:
            location = Location(
                name=place.name,
                address=place.address,
                city=place.city,
                state=place.state,
                postal_code=place.postal_code,
                country=place.country,
                latitude=place.latitude,
                longitude=place.longitude,
                approximate=place.approximate,
                timezone=zone,
                notes=place.notes,
                access_notes=place.access_notes,
            )
            try:
                location.full_clean(
                    exclude=["region"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                raise _first_error(error, lambda f: self.label(f"location.{f}")) from None
            self.by_key[key] = location
            self.new.append(location)
            self.chains[id(location)] = (place.regions, place)
        elif location.pk and location.pk not in self.corrected:
            self._correct(location, place)
        return location

    def _correct(self, location: Location, place: Place) -> None:
        """A venue listed again may come with corrected details: they are taken."""
        before = _details(location)
        for field in PLACE_DETAILS:
            value = getattr(place, field)
            if value:
                setattr(location, field, value)
        if place.latitude is not None:
            location.latitude, location.longitude = place.latitude, place.longitude
        if place.regions:
            self.chains[id(location)] = (place.regions, place)
        self.corrected[location.pk] = (location, before)

    def save(self, regions: Regions) -> int:
        """Creates the new venues and saves corrected ones; returns how many were corrected."""
        for location in [*self.new, *(loc for loc, _before in self.corrected.values())]:
            chain, place = self.chains.get(id(location), ((), None))
            if chain:
                location.region = regions.find(chain, place)
        Location.objects.bulk_create(self.new, batch_size=BATCH)
        corrected = 0
        for location, before in self.corrected.values():
            if _details(location) == before:
                continue
            try:
                location.clean_fields(exclude=["region"])
            except ValidationError:
                location.refresh_from_db()  # a correction that does not fit is not taken
                continue
            location.save()  # also refreshes its meetings' search text
            corrected += 1
        return corrected


def _details(location: Location) -> tuple:
    fields = [getattr(location, field) for field in PLACE_DETAILS]
    return (*fields, location.latitude, location.longitude, location.region_id)


class Groups:
    """Groups found by fellowship and name, or made new."""

    def __init__(self, parsed: Parsed):
        self.label = parsed.label
        self.by_key = {(g.fellowship_id, fold(g.name)): g for g in Group.objects.all()}
        self.new: list[Group] = []
        self.noted: dict[int, Group] = {}

    def find(self, fellowship: Fellowship, name: str, notes: str) -> Group | None:
        if not name:
            return None
        key = (fellowship.pk, fold(name))
        group = self.by_key.get(key)
        if group is None:
            group = Group(fellowship=fellowship, name=name, notes=notes)
            try:
                group.clean_fields(exclude=["fellowship", "slug"])
            except ValidationError as error:
                raise _first_error(error, lambda f: self.label(f"group.{f}")) from None
            self.by_key[key] = group
            self.new.append(group)
        elif group.pk and notes and group.notes != notes:
            group.notes = notes
            self.noted[group.pk] = group
        return group

    def save(self) -> None:
        slugs = unique_slugs(Group, [slugify(g.name)[:80] or "group" for g in self.new], 80)
        for group, slug in zip(self.new, slugs, strict=True):
            group.slug = slug
        Group.objects.bulk_create(self.new, batch_size=BATCH)
        for group in self.noted.values():
            group.save(update_fields=["notes", "updated"])


@dataclasses.dataclass
class Plan:
    row: Row
    meeting: Meeting
    type_ids: set[int]
    language_ids: set[int]
    changed: tuple[str, ...] = ()


class Importer:
    def __init__(self, source: ImportSource, parsed: Parsed, *, default_timezone="", progress=None):
        self.source, self.parsed = source, parsed
        # Never the server's zone by default: a meeting whose zone cannot be found is refused.
        self.zones = ZoneFinder(default_timezone or source.timezone)
        self.progress = progress or (lambda items, **options: items)
        self.now = timezone.now()
        self.report = Report(
            source=source.name,
            read=len(parsed.rows) + len(parsed.rejected),
            rejected=list(parsed.rejected),
            ignored_columns=list(parsed.ignored),
        )
        self.report.notes += parsed.notes
        if not getattr(parsed, "formats_known", True):
            self.report.notes.append(
                _(
                    "The BMLT response carries no format list, so format keys (which are each "
                    "server's own, in its own language) were not read: ask the server with "
                    "%(parameter)s."
                )
                % {"parameter": "&get_used_formats=1"}
            )
        self.fellowships = {f.slug: f for f in Fellowship.objects.all()}
        self.types: dict[int, dict[str, tuple[int, int | None]]] = {}
        for pk, code, vocabulary, language in MeetingType.objects.values_list(
            "pk", "code", "vocabulary", "language"
        ):
            self.types.setdefault(vocabulary, {})[code] = (pk, language)
        self.folded = {
            vocabulary: {code.casefold(): value for code, value in codes.items()}
            for vocabulary, codes in self.types.items()
        }
        # Type names as well as codes (TSML's spreadsheets write "Open, Wheelchair Access").
        for pk, name, vocabulary, language in MeetingType.objects.values_list(
            "pk", "name", "vocabulary", "language"
        ):
            self.folded.setdefault(vocabulary, {}).setdefault(fold(name), (pk, language))
        self.languages = dict(Language.objects.values_list("code", "pk"))

    # Reading -----------------------------------------------------------------------------

    def _types(self, row: Row, fellowship: Fellowship) -> tuple[set[int], set[int]]:
        """The fellowship's own types for the row's codes, and the languages they imply."""
        vocabulary = self.types.get(fellowship.type_vocabulary_id, {})
        folded = self.folded.get(fellowship.type_vocabulary_id, {})
        type_ids, language_ids = set(), set()
        for code in row.types:
            found = vocabulary.get(code) or folded.get(code.casefold())
            matches = [found] if found else self._by_name(code, vocabulary, folded)
            if not matches:
                self.report.unknown_types[code] += 1
                continue
            for pk, language in matches:
                type_ids.add(pk)
                if language:
                    language_ids.add(language)
        if row.languages is not None:
            language_ids = set()
            for code in row.languages:
                if code in self.languages:
                    language_ids.add(self.languages[code])
                else:
                    self.report.unknown_languages[code] += 1
        return type_ids, language_ids

    @staticmethod
    def _by_name(name: str, vocabulary: dict, folded: dict) -> list[tuple[int, int | None]]:
        """A type named in words: its name in the vocabulary (any case or accents), without a
        trailing "meeting", a known other name, or names joined by "and" ("Lesbian and
        Bisexual")."""
        words = fold(name)
        shorter = words.removesuffix(" meeting").removesuffix(" meetings")
        for candidate in (words, shorter, shorter.removesuffix(" speaking")):
            if candidate in folded:
                return [folded[candidate]]
            codes = TYPE_SYNONYMS.get(candidate, ())
            if codes and all(code in vocabulary for code in codes):
                return [vocabulary[code] for code in codes]
        parts = [part.strip() for part in words.replace(" and ", "/").split("/") if part.strip()]
        if len(parts) > 1:
            found = [Importer._by_name(part, vocabulary, folded) for part in parts]
            if all(found):
                return [match for matches in found for match in matches]
        return []

    def _plan(self, row: Row, meeting: Meeting | None) -> Plan:
        label = self.parsed.label
        slug = row.fellowship or self.source.fellowship.slug
        fellowship = self.fellowships.get(slug)
        if fellowship is None:
            raise RowError(
                label("meeting.fellowship"),
                _("no fellowship %(slug)s here.") % {"slug": repr(slug)},
            )
        zone = row.timezone
        if zone:
            try:
                validate_timezone(zone)
            except ValidationError as error:
                raise RowError(label("meeting.timezone"), " ".join(error.messages)) from None
        known = self.places.known(row.place)
        zone = zone or (known.timezone if known is not None else "") or self.zones.of(row.place)
        if not zone:
            raise RowError(
                label("meeting.timezone"),
                _(
                    "no time zone: the source gives none, and the place has no coordinates and no "
                    "town or country that has one zone. Give the source's zone (%(option)s)."
                )
                % {"option": "--timezone"},
            )
        location = self.places.find(row.place, zone)
        group = self.groups.find(fellowship, row.group, row.group_notes)
        type_ids, language_ids = self._types(row, fellowship)
        if meeting is None:
            meeting = Meeting(source=self.source, source_key=row.key, slug=row.slug)
            before = None
        else:
            before = {f: getattr(meeting, Meeting._meta.get_field(f).attname) for f in FIELDS}
        values = {
            "fellowship": fellowship,
            "group": group,
            "name": row.name,
            "day": row.day,
            "start_time": row.start_time,
            "end_time": row.end_time,
            "timezone": zone,
            "attendance": row.attendance,
            "status": row.status,
            "status_reason": row.status_reason,
            "location": location,
            "conference_url": row.conference_url,
            "conference_phone": row.conference_phone,
            "conference_notes": row.conference_notes,
            "notes": row.notes,
        }
        for field, value in values.items():
            setattr(meeting, field, value)
        try:
            meeting.clean_fields(exclude=["fellowship", "group", "location", "source", "slug"])
        except ValidationError as error:
            raise _first_error(error, lambda f: label(f"meeting.{f}")) from None
        plan = Plan(row, meeting, type_ids, language_ids)
        if before is not None:
            plan.changed = tuple(f for f in FIELDS if _comparable(values[f]) != before[f])
        return plan

    # Writing -----------------------------------------------------------------------------

    def _check(self, plan: Plan) -> bool:
        """The model's own rules across fields (Meeting.clean), now that places exist."""
        meeting = plan.meeting
        meeting.source = self.source
        meeting.location, meeting.group = meeting.location, meeting.group  # their new ids
        try:
            meeting.clean()
        except ValidationError as error:
            failure = _first_error(error, lambda f: self.parsed.label(f"meeting.{f}"))
            self._reject(plan.row, failure)
            return False
        meeting.derive()
        return True

    def _reject(self, row: Row, error: RowError) -> None:
        self.report.rejected.append(
            Rejection(row.ref, row.key, error.field, error.message, row.name)
        )

    def _links(self, plans: list[Plan], old_types: dict, old_languages: dict) -> None:
        """Types and languages: new meetings get theirs; changed ones are replaced."""
        for through, attr, wanted, old, column in (
            (Meeting.types.through, "type_ids", "types", old_types, "meetingtype_id"),
            (Meeting.languages.through, "language_ids", "languages", old_languages, "language_id"),
        ):
            stale = [p.meeting.pk for p in plans if p.meeting.pk in old and wanted in p.changed]
            for start in range(0, len(stale), BATCH):
                through.objects.filter(meeting_id__in=stale[start : start + BATCH]).delete()
            links = [
                through(meeting_id=p.meeting.pk, **{column: pk})
                for p in plans
                if p.meeting.pk not in old or wanted in p.changed
                for pk in getattr(p, attr)
            ]
            through.objects.bulk_create(links, batch_size=BATCH)

    def _update(self, changed: list[Plan]) -> None:
        """bulk_update writes a CASE per column over its batch: only the columns that changed,
        grouped, in small batches."""
        by_columns = collections.defaultdict(list)
        for plan in changed:
            columns = [field for field in plan.changed if field in FIELDS]
            by_columns[tuple(columns)].append(plan.meeting)
        for columns, meetings in by_columns.items():
            fields = [*columns, *DERIVED_FIELDS, "updated"]
            Meeting.objects.bulk_update(meetings, fields, batch_size=UPDATE_BATCH)

    def _deactivate(self, existing: dict[str, Meeting], seen: set[str]) -> None:
        # Kept on the meeting and shown on its public page: in the directory's own language,
        # whoever imports.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("No longer listed by %(source)s (import of %(date)s)") % {
                "source": self.source.name,
                "date": f"{self.now:%Y-%m-%d}",
            }
        gone = [
            meeting
            for key, meeting in existing.items()
            if key not in seen and key.split("/")[0] not in seen and meeting.status != INACTIVE
        ]
        for meeting in gone:
            meeting.status, meeting.status_reason, meeting.updated = (
                INACTIVE,
                reason[:255],
                self.now,
            )
            self.report.deactivated.append(Change(meeting.source_key, meeting.slug, meeting.name))
        fields = ["status", "status_reason", "updated"]
        Meeting.objects.bulk_update(gone, fields, batch_size=UPDATE_BATCH)

    def _import(self, skip_invalid: bool) -> None:
        _one_import_at_a_time()
        report = self.report
        existing: dict[str, Meeting] = {}
        old_types, old_languages = collections.defaultdict(set), collections.defaultdict(set)
        if self.source.pk:
            meetings = Meeting.objects.filter(source=self.source).select_related(
                "group", "location"
            )
            existing = {meeting.source_key: meeting for meeting in meetings}
            for links, column, into in (
                (Meeting.types.through, "meetingtype_id", old_types),
                (Meeting.languages.through, "language_id", old_languages),
            ):
                rows = links.objects.filter(meeting__source=self.source)
                for meeting_id, pk in rows.values_list("meeting_id", column):
                    into[meeting_id].add(pk)
        self.places, self.groups = Places(self.parsed), Groups(self.parsed)
        seen = {rejection.key for rejection in report.rejected if rejection.key}
        plans: list[Plan] = []
        by_key: dict[str, str] = {}
        noted: set[int] = set()  # a meeting on several days shares its row's notes
        for row in self.progress(self.parsed.rows, desc="Reading", unit=" rows"):
            if id(row.mended) not in noted:
                noted.add(id(row.mended))
                report.mended += [(row.ref, kind, what) for kind, what in row.mended]
            if row.key in by_key:
                twice = _("%(id)s is used twice.") % {"id": repr(row.key)}
                error = RowError(self.parsed.label("meeting.slug"), twice)
                self._reject(row, error)
                continue
            by_key[row.key] = row.ref
            seen.add(row.key)
            try:
                plans.append(self._plan(row, existing.get(row.key)))
            except RowError as error:
                self._reject(row, error)
        report.zones_found = dict(self.zones.found)
        if report.rejected and not skip_invalid:
            return  # refused: write nothing at all
        # Only the places and groups of rows that were understood are made.
        used = {
            id(related) for plan in plans for related in (plan.meeting.location, plan.meeting.group)
        }
        self.places.new = [location for location in self.places.new if id(location) in used]
        self.groups.new = [group for group in self.groups.new if id(group) in used]
        if self.source.pk is None:
            self.source.save()
        regions = Regions(report)
        self.places.save(regions)
        report.new_places, report.new_groups = len(self.places.new), len(self.groups.new)
        self.groups.save()
        plans = [plan for plan in self.progress(plans, desc="Checking") if self._check(plan)]
        if report.rejected and not skip_invalid:
            return
        for plan in plans:
            pk = plan.meeting.pk
            if pk is not None:
                if old_types[pk] != plan.type_ids:
                    plan.changed += ("types",)
                if old_languages[pk] != plan.language_ids:
                    plan.changed += ("languages",)
        new = [plan for plan in plans if plan.meeting.pk is None]
        changed = [plan for plan in plans if plan.meeting.pk is not None and plan.changed]
        slugs = unique_slugs(Meeting, [plan.meeting.slug for plan in new], 64)
        for plan, slug in zip(new, slugs, strict=True):
            plan.meeting.slug = slug
        for plan in changed:
            plan.meeting.updated = self.now
        Meeting.objects.bulk_create([plan.meeting for plan in new], batch_size=BATCH)
        self._update(changed)
        self._links(new + changed, old_types, old_languages)
        self._deactivate(existing, seen)
        report.created = [Change(p.row.ref, p.meeting.slug, p.meeting.name) for p in new]
        report.updated = [
            Change(p.row.ref, p.meeting.slug, p.meeting.name, p.changed) for p in changed
        ]
        report.unchanged = len(plans) - len(new) - len(changed)

    def run(self, *, skip_invalid=False, dry_run=False, user=None, record=None) -> Report:
        """Imports, or refuses, or (dry_run) rolls back; records an applied run (updating
        `record`, a previewed run, when given)."""
        report = self.report
        if not self.parsed.rows and not report.rejected:
            report.refused = _(
                "the source lists no meetings (an empty source would mark every meeting it "
                "brought inactive)."
            )
            return report
        try:
            with transaction.atomic():
                self._import(skip_invalid)
                if report.rejected and not skip_invalid:
                    n = report.counts()["rejected"]
                    report.refused = ngettext(
                        "%(count)s row could not be understood. Correct them, or import with "
                        "%(option)s to save the others.",
                        "%(count)s rows could not be understood. Correct them, or import with "
                        "%(option)s to save the others.",
                        n,
                    ) % {"count": n, "option": "--skip-invalid"}
                    raise _Rollback
                if dry_run:
                    raise _Rollback
                report.saved = True
                self._record(user, record, skip_invalid)
                # Bulk writes send no signals: cached pages are forgotten here (groups.pagecache).
                ListingsVersion.bump()
        except _Rollback:
            report.saved = False
        return report

    def _record(self, user, run: ImportRun | None, skip_invalid: bool) -> None:
        source = self.source
        source.last_run = self.now
        source.entity = self.parsed.entity or source.entity
        source.entity_url = self.parsed.entity_url or source.entity_url
        source.save()
        run = run or ImportRun(source=source)
        run.user = user or run.user
        run.status = ImportRun.Status.APPLIED
        run.skip_invalid = skip_invalid
        run.content = b""  # kept only between an upload's preview and its confirmation
        for name, n in self.report.counts().items():
            setattr(run, name, n)
        run.report = self.report.text()
        run.save()
        self.report.run = run


def _comparable(value):
    """A value to compare with a column's: a related row's id, or a mark for one not yet
    saved (always a change)."""
    if isinstance(value, Location | Group | Fellowship):
        return value.pk if value.pk is not None else ("new", id(value))
    return value
