"""The Meeting Guide feed (code4recovery spec): our meetings as other tools read them.

Private contacts never appear. Types are the spec's codes: a fellowship whose vocabulary is the
Meeting Guide's exports its codes as they are; "TC" marks a temporarily closed meeting.

A few fields are ours, not the spec's (readers ignore what they do not know), so that a feed of
this directory reads back into another one as it was (groups.importing): `fellowship` (slug),
`attendance` and `status` (explicit, where the spec leaves them to be inferred from TC and the
online details), `status_reason`, `languages` (codes) and `location_access_notes` (the part of
`location_notes` about access).
"""

import datetime
import json

from django.conf import settings

from groups.models import Meeting

SPEC_VOCABULARY = "meeting-guide"


def _regions(location, regions) -> list[str]:
    """General to specific, from the region tree already in memory (no query)."""
    by_pk = {row[0]: row for row in regions.rows}
    chain, pk = [], location.region_id
    while pk is not None and pk in by_pk:
        chain.append(by_pk[pk][2])
        pk = by_pk[pk][4]
    return chain[::-1]


def entry(meeting: Meeting, request, regions) -> dict:
    """One meeting as a Meeting Guide feed entry."""
    data = {
        "name": meeting.name,
        "slug": meeting.slug,
        "url": request.build_absolute_uri(meeting.get_absolute_url()),
        "feedback_url": request.build_absolute_uri(f"{meeting.get_absolute_url()}correction/"),
        "updated": meeting.updated.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "timezone": meeting.timezone,
        "notes": meeting.notes,
        "entity": settings.SITE_NAME,
        "entity_website_url": request.build_absolute_uri("/"),
        # Not in the spec (see the module's docstring): read back by groups.importing.
        "fellowship": meeting.fellowship.slug,
        "attendance": meeting.attendance,
        "status": meeting.status,
        "languages": sorted(language.code for language in meeting.languages.all()),
    }
    if meeting.status_reason:
        data["status_reason"] = meeting.status_reason
    if not meeting.by_appointment:
        data["day"] = meeting.day
        data["time"] = meeting.start_time.strftime("%H:%M")
        data["end_time"] = meeting.effective_end_time.strftime("%H:%M")
    types = [
        t.code
        for t in meeting.types.all()
        if t.vocabulary.slug == SPEC_VOCABULARY and t.code != "TC"
    ]
    if meeting.status == Meeting.Status.TEMPORARILY_CLOSED:
        types.append("TC")
    data["types"] = sorted(types)
    if meeting.group:
        data["group"] = meeting.group.name
        if meeting.group.notes:
            data["group_notes"] = meeting.group.notes
    place = meeting.location
    if place is not None:
        approximate = place.approximate or not meeting.is_in_person
        data.update(
            {
                "location": place.name,
                "city": place.city,
                "state": place.state,
                "postal_code": place.postal_code,
                "country": place.country,
                "approximate": "yes" if approximate else "no",
                "location_notes": "\n".join(n for n in (place.access_notes, place.notes) if n),
            }
        )
        if place.access_notes:
            data["location_access_notes"] = place.access_notes
        if not approximate:
            data["address"] = place.address
            data["formatted_address"] = place.formatted_address
        if place.has_coordinates:
            data["latitude"] = round(place.latitude, 5)
            data["longitude"] = round(place.longitude, 5)
        chain = _regions(place, regions)
        if chain:
            data["regions"] = chain
    if meeting.is_online:
        if meeting.conference_url:
            data["conference_url"] = meeting.conference_url
            data["conference_url_notes"] = meeting.conference_notes
        if meeting.conference_phone:
            data["conference_phone"] = meeting.conference_phone
            data["conference_phone_notes"] = meeting.conference_notes
    return data


def entries(queryset, request, regions, chunk: int = 500):
    """Feed entries one by one, reading the meetings a chunk at a time by primary key (keyset
    pagination, so that memory stays flat however many meetings match and whatever the
    database driver buffers)."""
    last = 0
    rows = (
        queryset.select_related("fellowship", "group", "location")
        .prefetch_related("types__vocabulary", "languages")
        .order_by("pk")
    )
    while True:
        batch = list(rows.filter(pk__gt=last)[:chunk])
        for meeting in batch:
            yield entry(meeting, request, regions)
        if len(batch) < chunk:
            break
        last = batch[-1].pk


def stream(queryset, request, regions, chunk: int = 500):
    """The feed as JSON text in pieces."""
    yield "["
    first = True
    for data in entries(queryset, request, regions, chunk):
        yield ("" if first else ",\n") + json.dumps(data)
        first = False
    yield "]\n"
