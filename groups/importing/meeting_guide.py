"""The Meeting Guide JSON feed (code4recovery spec, REFERENCE §1) read into Rows.

groups.importing.table reads spreadsheets in the table format by turning each line into a feed
entry first, so the two formats are understood by the same code. Entries written by this
directory's own feed carry a few fields of ours (see groups.feeds) that make the read exact.
"""

import json
import re

from groups.importing import rows as r
from groups.importing.rows import Place, Rejection, Row, RowError

# Our extension fields (groups.feeds): only these values are believed.
ATTENDANCES = {r.IN_PERSON, r.HYBRID, r.ONLINE}
STATUSES = {r.ACTIVE, r.TEMPORARILY_CLOSED, r.INACTIVE}

# Where a model field's value comes from in an entry, to name it in a validation error.
LABELS = {
    "meeting.name": "name",
    "meeting.start_time": "time",
    "meeting.conference_notes": "conference_url_notes",
    "meeting.status_reason": "status_reason",
    "location.name": "location",
    "location.notes": "location_notes",
    "location.access_notes": "location_access_notes",
    "location.timezone": "timezone",
    "group.name": "group",
    "group.notes": "group_notes",
    "region.name": "regions",
}


class Parsed:
    """What a parser read: rows, rejected rows, and what it noticed about the source."""

    def __init__(self, labels: dict[str, str]):
        self.rows: list[Row] = []
        self.rejected: list[Rejection] = []
        self.ignored: list[str] = []  # columns not understood
        self.entity = self.entity_url = ""
        self.labels = labels

    def label(self, field: str) -> str:
        """The source's name for a model field ("meeting.day", "location.latitude")."""
        return self.labels.get(field, field.partition(".")[2])

    def add(self, ref: str, read, entry: dict, key_field: str, name_field: str) -> None:
        """Adds the rows read(entry) makes, or the rejection it raises."""
        try:
            self.rows.extend(read())
        except RowError as error:
            key, name = r.text(entry.get(key_field)), r.text(entry.get(name_field))
            self.rejected.append(Rejection(ref, key, error.field, error.message, name))


def load_json(content: bytes, what: str):
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError(f"This is not UTF-8 text, so not a {what}.") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"This is not a {what}: invalid JSON at line {error.lineno}, column {error.colno} "
            f"({error.msg})."
        ) from None


def parse(content: bytes) -> Parsed:
    """A feed: a JSON array of meeting objects. ValueError if it is not one."""
    entries = load_json(content, "Meeting Guide feed")
    if not isinstance(entries, list):
        raise ValueError("This is not a Meeting Guide feed: it should be a JSON array of meetings.")
    parsed = Parsed(LABELS)
    for index, entry in enumerate(entries):
        ref = f"entry {index}"
        if not isinstance(entry, dict):
            parsed.rejected.append(Rejection(ref, "", "entry", "is not a JSON object."))
            continue
        parsed.add(ref, lambda e=entry, ref=ref: rows_of(e, ref), entry, "slug", "name")
        note_entity(parsed, entry)
    return parsed


def note_entity(parsed: Parsed, entry: dict) -> None:
    """The service body that publishes the feed (tools write entity_url or entity_website_url)."""
    if not parsed.entity:
        parsed.entity = r.text(entry.get("entity"))[:200]
    if not parsed.entity_url:
        url = r.text(entry.get("entity_website_url") or entry.get("entity_url"))
        if re.match(r"^https?://\S+$", url) and len(url) <= 500:
            parsed.entity_url = url


def rows_of(entry: dict, ref: str, label=lambda key: key) -> list[Row]:
    """One entry as one Row per day. `label` names an entry key as the source does (a
    spreadsheet's column header)."""
    name = r.text(entry.get("name"))
    if not name:
        raise RowError(label("name"), "a meeting needs a name.")
    day_list = r.days(entry.get("day"), label("day"))
    start = r.time(entry.get("time"), label("time"))
    types = r.codes(entry.get("types"))
    conference_url = r.text(entry.get("conference_url"))
    conference_phone = r.text(entry.get("conference_phone"))
    online = bool(conference_url or conference_phone)
    place = place_of(entry, label)
    in_person = place is not None and not place.approximate
    attendance, status = r.attendance(online, in_person, "TC" in types, "ONL" in types)
    attendance = _ours(entry, "attendance", ATTENDANCES, attendance)
    status = _ours(entry, "status", STATUSES, status)
    if place is not None and attendance == r.ONLINE:
        place.approximate = True  # an online meeting's place is where the group is based
        place.address = ""
    languages = entry.get("languages")
    row = Row(
        ref=ref,
        key=r.text(entry.get("slug"))[:255],
        slug=r.text(entry.get("slug")),
        name=name,
        fellowship=r.text(entry.get("fellowship")),
        start_time=start,
        end_time=r.time(entry.get("end_time"), label("end_time")),
        timezone=r.text(entry.get("timezone")),
        attendance=attendance,
        status=status,
        status_reason=r.text(entry.get("status_reason")),
        place=place,
        conference_url=conference_url,
        conference_phone=conference_phone,
        conference_notes=_joined(
            entry.get("conference_url_notes"), entry.get("conference_phone_notes")
        ),
        types=tuple(code for code in types if code not in ("TC", "ONL")),
        languages=tuple(r.codes(languages)) if languages is not None else None,
        group=r.text(entry.get("group")),
        group_notes=r.text(entry.get("group_notes")),
        notes=r.text(entry.get("notes")),
    )
    row.slug = r.slug_for(row.slug, name, day_list[0], start)
    if not row.key:
        row.key = r.key_for(name, day_list, start, place)
    rows = r.one_per_day(row, day_list)
    for each in rows:
        r.check_times(each, label("day"), label("time"))
    return rows


def _ours(entry: dict, key: str, allowed: set[str], derived: str) -> str:
    value = r.text(entry.get(key)).casefold().replace(" ", "_").replace("-", "_")
    return value if value in allowed else derived


def _joined(*notes) -> str:
    return "\n".join(dict.fromkeys(r.text(n) for n in notes if r.text(n)))


_STATE_POSTAL = re.compile(r"^(?P<state>.*?)\s*(?P<postal>\d[\d\- ]*|[A-Z]\d[A-Z] ?\d[A-Z]\d)?$")


def _split_formatted(formatted: str, approximate: bool) -> dict[str, str]:
    """Best effort for feeds that give only `formatted_address` ("12 Main St, Springfield,
    IL 62701, USA"); the separate fields win whenever a feed has them."""
    parts = [part.strip() for part in formatted.split(",") if part.strip()]
    if approximate:  # "Portland, OR, USA": no street
        parts = ["", *parts]
    found = dict(zip(("address", "city"), parts, strict=False))
    rest = parts[2:]
    if len(rest) >= 2:
        found["country"] = rest.pop()
    if rest:
        match = _STATE_POSTAL.match(rest[0])
        found["state"], found["postal_code"] = match["state"], match["postal"] or ""
    return found


def place_of(entry: dict, label) -> Place | None:
    """The venue, or an online group's approximate home; None when the entry gives no place."""
    fields = {
        key: r.text(entry.get(key))
        for key in ("location", "address", "city", "state", "postal_code", "country")
    }
    approximate = r.yes(entry.get("approximate"))
    formatted = r.text(entry.get("formatted_address"))
    if formatted and not (fields["address"] or fields["city"]):
        split = _split_formatted(formatted, approximate)
        fields.update({key: value for key, value in split.items() if value})
    latitude = r.number(entry.get("latitude"), label("latitude"))
    longitude = r.number(entry.get("longitude"), label("longitude"))
    if latitude is None or longitude is None:
        latitude = longitude = None  # half a pair is no position; the place still counts
    access = r.text(entry.get("location_access_notes"))
    notes = r.text(entry.get("location_notes"))
    if access and notes.startswith(access):
        notes = notes[len(access) :].strip()
    regions = entry.get("regions")
    if regions is None:
        regions = [entry.get("region"), entry.get("sub_region")]
    chain = tuple(r.codes(regions if isinstance(regions, list) else [regions]))
    if not any(fields.values()) and latitude is None:
        return None
    return Place(
        name=fields["location"],
        address="" if approximate else fields["address"],
        city=fields["city"],
        state=fields["state"],
        postal_code=fields["postal_code"],
        country=fields["country"],
        latitude=latitude,
        longitude=longitude,
        approximate=approximate or not fields["address"],
        notes=notes,
        access_notes=access,
        regions=chain,
    )
