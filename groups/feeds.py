"""The Meeting Guide feed (code4recovery spec): our meetings as other tools read them.

Two editions of the same entries (Edition):
- the mixed feed (/feeds/meeting-guide.json): every fellowship, types in the spec's codes only,
  and a few fields of ours (below) so that it reads back exactly;
- a fellowship's feed (/feeds/<slug>/meeting-guide.json): that fellowship's meetings, types in
  its own vocabulary's codes (the spec's for the fellowships that use it), spec fields only.
  The Meeting Guide app reads a feed as one programme's meetings, and our extra fields would
  only be noise there; another copy of this directory reads the mixed feed instead.

What every edition keeps to, so that a reader never shows a meeting wrongly:
- "TC" marks a temporarily closed meeting (a vocabulary's own TC code is not written).
  In-person ones carry no online details; hybrid ones keep them, which readers take as "the
  room is closed, the meeting goes on online", as the meeting's own page offers its link.
- A temporarily closed online meeting has no room to close: TC with a link reads as an active
  online meeting, and the spec has no code for "paused". So it is left out of every feed and
  export (published()). It cannot be kept without its link either: an online meeting needs a
  link or a phone, so our own importer would refuse it. Its page still says it is paused.
- An online meeting's place is approximate, where the group is based: `approximate: "yes"`
  and its town as `formatted_address` ("Portland, OR, United States" from its location's city,
  state and country, else its regions, specific first); never a street, whatever its location
  holds. One with neither town nor region has no address, which the spec allows.
- Phones are written in the spec's characters (digits and + , * #): groups.importing.rows.
  dial_string. Group phones are not exported.
- `entity_website_url` is the site's public address (SITE_URL; groups.checks refuses the
  default in production), not the host a request came in on.
- Private contacts never appear.

Ours, in the mixed feed only (readers ignore what they do not know), read back by
groups.importing: `fellowship` (slug), `attendance` and `status` (explicit, where the spec leaves
them to be inferred from TC and the online details), `status_reason`, `languages` (codes) and
`location_access_notes` (the part of `location_notes` about access).
"""

import dataclasses
import datetime
import hashlib
import json
from pathlib import Path

from django.conf import settings

from groups.importing.rows import dial_string
from groups.models import Meeting

SPEC_VOCABULARY = "meeting-guide"

# Changes with this module's code, so that a release that writes entries differently is not
# taken for the feed a reader already holds (the feed's ETag: groups.views._feed).
FORMAT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


@dataclasses.dataclass(frozen=True)
class Edition:
    """Which feed an entry is written for: whose type codes, and whether our fields go in."""

    vocabulary_id: int | None = None  # None: the spec's vocabulary (found by its slug)
    ours: bool = True


MIXED = Edition()


def for_fellowship(vocabulary_id: int) -> Edition:
    return Edition(vocabulary_id=vocabulary_id, ours=False)


def published(queryset):
    """The meetings a feed may show: paused online meetings are left out (module docstring)."""
    return queryset.exclude(
        attendance=Meeting.Attendance.ONLINE, status=Meeting.Status.TEMPORARILY_CLOSED
    )


def site_url(request) -> str:
    """The site's public address. A command's SiteAddress (groups.exports) may name another."""
    return (getattr(request, "site_url", "") or settings.SITE_URL).rstrip("/") + "/"


def _regions(location, regions) -> list[str]:
    """General to specific, from the region tree already in memory (no query)."""
    by_pk = {row[0]: row for row in regions.rows}
    chain, pk = [], location.region_id
    while pk is not None and pk in by_pk:
        chain.append(by_pk[pk][2])
        pk = by_pk[pk][4]
    return chain[::-1]


def town(place, chain: list[str]) -> str:
    """An approximate place in words: its town, else its regions, specific first; never a
    street or a postal code (which would make it read as a real address: TSML UI takes four
    comma-separated parts or more for one)."""
    parts = [part for part in (place.city, place.state, place.country) if part]
    return ", ".join(parts or chain[::-1])


def _types(meeting: Meeting, codes) -> list[str]:
    """The meeting's codes in the edition's vocabulary, with TC as its status says."""
    codes = [code for code in codes if code != "TC"]
    if meeting.status == Meeting.Status.TEMPORARILY_CLOSED:
        codes.append("TC")
    return sorted(codes)


def _venue(meeting: Meeting, regions) -> dict:
    """Where the meeting is: its venue, or for an online meeting the town it is based in."""
    place = meeting.location
    if place is None:
        return {"approximate": "yes"} if meeting.is_online_only else {}
    chain = _regions(place, regions)
    approximate = place.approximate or meeting.is_online_only
    data = {
        "location": place.name,
        "city": place.city,
        "state": place.state,
        "postal_code": place.postal_code,
        "country": place.country,
        "approximate": "yes" if approximate else "no",
        "location_notes": "\n".join(n for n in (place.access_notes, place.notes) if n),
    }
    if place.access_notes:
        data["location_access_notes"] = place.access_notes
    if not approximate:
        data["address"] = place.address
        data["formatted_address"] = place.formatted_address
    elif town(place, chain):
        data["formatted_address"] = town(place, chain)
    if place.has_coordinates:
        data["latitude"] = round(place.latitude, 5)
        data["longitude"] = round(place.longitude, 5)
    if chain:
        data["regions"] = chain
    return data


def _online(meeting: Meeting) -> dict:
    data = {}
    if meeting.conference_url:
        data["conference_url"] = meeting.conference_url
        data["conference_url_notes"] = meeting.conference_notes
    phone = dial_string(meeting.conference_phone)
    if phone:
        data["conference_phone"] = phone
        data["conference_phone_notes"] = meeting.conference_notes
    return data


OUR_FIELDS = (
    "fellowship",
    "attendance",
    "status",
    "status_reason",
    "languages",
    "location_access_notes",
)


def entry(
    meeting: Meeting, request, regions, edition: Edition = MIXED, *, codes=(), languages=()
) -> dict:
    """One meeting as a Meeting Guide feed entry; `codes` are its types' codes in the edition's
    vocabulary, `languages` its languages' codes (read for a chunk at a time: entries())."""
    url = request.build_absolute_uri(meeting.get_absolute_url())
    data = {
        "name": meeting.name,
        "slug": meeting.slug,
        "url": url,
        "feedback_url": f"{url}correction/",
        "updated": meeting.updated.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "timezone": meeting.timezone,
        "notes": meeting.notes,
        "entity": settings.SITE_NAME,
        "entity_website_url": site_url(request),
        "fellowship": meeting.fellowship.slug,
        "attendance": meeting.attendance,
        "status": meeting.status,
        "languages": sorted(languages),
    }
    if meeting.status_reason:
        data["status_reason"] = meeting.status_reason
    if not meeting.by_appointment:
        data["day"] = meeting.day
        data["time"] = meeting.start_time.strftime("%H:%M")
        data["end_time"] = meeting.effective_end_time.strftime("%H:%M")
    data["types"] = _types(meeting, codes)
    if meeting.group:
        data["group"] = meeting.group.name
        if meeting.group.notes:
            data["group_notes"] = meeting.group.notes
    data.update(_venue(meeting, regions))
    if meeting.is_online:
        data.update(_online(meeting))
    if not edition.ours:
        for name in OUR_FIELDS:
            data.pop(name, None)
    return data


# What an entry reads of a meeting, its fellowship, group and venue: nothing else is fetched
# (a fellowship's description or a meeting's search text would be read once a meeting).
ENTRY_FIELDS = (
    *("name", "slug", "updated", "timezone", "notes", "attendance", "status", "status_reason"),
    *("day", "start_time", "end_time", "conference_url", "conference_phone", "conference_notes"),
    *("fellowship__slug", "group__name", "group__notes"),
    *("location__name", "location__address", "location__city", "location__state"),
    *("location__postal_code", "location__country", "location__approximate"),
    *("location__access_notes", "location__notes", "location__latitude", "location__longitude"),
    "location__region",
)


def _codes_by_meeting(rows) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for meeting_id, code in rows:
        found.setdefault(meeting_id, []).append(code)
    return found


def entries(queryset, request, regions, chunk: int = 500, edition: Edition = MIXED):
    """Feed entries one by one, reading the meetings a chunk at a time by primary key (keyset
    pagination, so that memory stays flat however many meetings match and whatever the
    database driver buffers: behind a transaction pooler there are no server-side cursors,
    and .iterator() would hold every row). Each chunk's type and language codes are read as
    plain values, two queries: no model objects for them, and none of the reference cycles
    that prefetched ones make, which Python's collector (tuned to run seldom: wsgi.py) would
    leave to pile up over a long feed."""
    last = 0
    rows = (
        published(queryset)
        .select_related("fellowship", "group", "location")
        .only(*ENTRY_FIELDS)
        .order_by("pk")
    )
    types = Meeting.types.through.objects
    if edition.vocabulary_id is None:
        types = types.filter(meetingtype__vocabulary__slug=SPEC_VOCABULARY)
    else:
        types = types.filter(meetingtype__vocabulary_id=edition.vocabulary_id)
    languages = Meeting.languages.through.objects
    while True:
        batch = list(rows.filter(pk__gt=last)[:chunk])
        if not batch:
            break
        ids = [meeting.pk for meeting in batch]
        codes = _codes_by_meeting(
            types.filter(meeting_id__in=ids).values_list("meeting_id", "meetingtype__code")
        )
        spoken = _codes_by_meeting(
            languages.filter(meeting_id__in=ids).values_list("meeting_id", "language__code")
        )
        for meeting in batch:
            yield entry(
                meeting,
                request,
                regions,
                edition,
                codes=codes.get(meeting.pk, ()),
                languages=spoken.get(meeting.pk, ()),
            )
        if len(batch) < chunk:
            break
        last = batch[-1].pk


def stream(queryset, request, regions, chunk: int = 500, edition: Edition = MIXED):
    """The feed as JSON text in pieces."""
    yield "["
    first = True
    for data in entries(queryset, request, regions, chunk, edition):
        yield ("" if first else ",\n") + json.dumps(data)
        first = False
    yield "]\n"
