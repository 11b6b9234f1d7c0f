"""BMLT's search results (`client_interface/json/?switcher=GetSearchResults`, REFERENCE §2)
read into Rows.

BMLT numbers weekdays 1 = Sunday … 7 = Saturday, says how a meeting is attended (venue_type 1
in person, 2 virtual, 3 hybrid) and describes it with its own format keys. Those keys are not
Meeting Guide codes (BMLT's B is Beginners, the spec's B is Big Book), so each is mapped here,
explicitly, to the Meeting Guide code that means the same; a key with no equivalent is reported
as unknown.
"""

from groups.importing import meeting_guide
from groups.importing import rows as r
from groups.importing.rows import Place, Row

# BMLT format key -> Meeting Guide type codes (NA's world format keys and common local ones).
FORMATS = {
    "O": ("O",),
    "C": ("C",),
    "B": ("BE",),  # Beginners
    "BK": ("LIT",),  # Book study
    "BT": ("LIT",),  # Basic Text
    "IW": ("LIT",),  # It Works: How and Why
    "JT": ("LIT",),  # Just for Today
    "LC": ("LIT",),  # Living Clean
    "D": ("D",),
    "SD": ("SP", "D"),  # Speaker/Discussion
    "SPK": ("SP",),
    "So": ("SP",),  # Speaker only
    "St": ("ST",),
    "STEP": ("ST",),
    "SG": ("ST",),  # Step Working Guide
    "SWG": ("ST",),
    "Tr": ("TR",),  # Tradition study
    "TRAD": ("TR",),
    "TW": ("TR",),
    "M": ("M",),
    "W": ("W",),
    "GL": ("LGBTQ",),
    "YP": ("Y",),
    "WC": ("X",),
    "WCHR": ("X",),
    "ME": ("MED",),
    "MED": ("MED",),
    "CAN": ("CAN",),
    "CW": ("CF",),  # Children welcome
    "SMOK": ("SM",),
    "Sm": ("SM",),
    "Ag": ("A",),  # Agnostic
    "ES": ("S",),  # Spanish
    "SPAN": ("S",),
    "ASL": ("ASL",),
    "SL": ("ASL",),
}
# Keys that say how and whether a meeting is held, read with venue_type.
VIRTUAL, HYBRID_KEY, CLOSED = "VM", "HY", "TC"
VENUE_TYPES = {"1": r.IN_PERSON, "2": r.ONLINE, "3": r.HYBRID}

LABELS = {
    "meeting.slug": "id_bigint",
    "meeting.name": "meeting_name",
    "meeting.day": "weekday_tinyint",
    "meeting.start_time": "start_time",
    "meeting.end_time": "duration_time",
    "meeting.timezone": "time_zone",
    "meeting.conference_url": "virtual_meeting_link",
    "meeting.conference_phone": "phone_meeting_number",
    "meeting.conference_notes": "virtual_meeting_additional_info",
    "meeting.notes": "comments",
    "meeting.location": "location_street",
    "location.name": "location_text",
    "location.address": "location_street",
    "location.city": "location_municipality",
    "location.state": "location_province",
    "location.postal_code": "location_postal_code_1",
    "location.country": "location_nation",
    "location.notes": "location_info",
    "location.timezone": "time_zone",
}


def parse(content: bytes) -> meeting_guide.Parsed:
    data = meeting_guide.load_json(content, "BMLT GetSearchResults response")
    if isinstance(data, dict):  # with get_used_formats, the meetings are under "meetings"
        data = data.get("meetings")
    if not isinstance(data, list):
        raise ValueError("This is not a BMLT GetSearchResults response (a JSON array).")
    parsed = meeting_guide.Parsed(LABELS)
    for index, meeting in enumerate(data):
        ref = f"entry {index}"
        if not isinstance(meeting, dict):
            parsed.rejected.append(r.Rejection(ref, "", "entry", "is not a JSON object."))
            continue
        read = lambda m=meeting, ref=ref: rows_of(m, ref)  # noqa: E731
        parsed.add(ref, read, meeting, "id_bigint", "meeting_name")
    return parsed


def _place(meeting: dict, online_only: bool) -> Place | None:
    def field(name):
        return r.text(meeting.get(name))

    latitude = r.number(meeting.get("latitude"), "latitude")
    longitude = r.number(meeting.get("longitude"), "longitude")
    if not latitude and not longitude:
        latitude = longitude = None  # BMLT writes 0, 0 for "not known"
    place = Place(
        name=field("location_text"),
        address=field("location_street"),
        city=field("location_municipality"),
        state=field("location_province"),
        postal_code=field("location_postal_code_1"),
        country=field("location_nation"),
        latitude=latitude,
        longitude=longitude,
        notes=field("location_info"),
    )
    if online_only or not place.address:
        place.approximate, place.address = True, ""
    if not (place.name or place.address or place.city):
        return None
    return place


def rows_of(meeting: dict, ref: str) -> list[Row]:
    name = r.text(meeting.get("meeting_name"))
    if not name:
        raise r.RowError("meeting_name", "a meeting needs a name.")
    keys = r.codes(meeting.get("formats"))
    link = r.text(meeting.get("virtual_meeting_link"))
    phone = r.text(meeting.get("phone_meeting_number"))
    venue = r.text(meeting.get("venue_type"))
    attendance = VENUE_TYPES.get(venue)
    status = r.ACTIVE
    if attendance is None:
        online = bool(link or phone) or VIRTUAL in keys or HYBRID_KEY in keys
        has_street = bool(r.text(meeting.get("location_street")))
        in_person = has_street and (HYBRID_KEY in keys or VIRTUAL not in keys)
        attendance, status = r.attendance(online, in_person, CLOSED in keys, False)
    elif CLOSED in keys and attendance == r.IN_PERSON:
        status = r.TEMPORARILY_CLOSED
    elif CLOSED in keys and attendance == r.HYBRID:
        attendance = r.ONLINE  # the room is closed; the meeting goes on online
    start = r.time(meeting.get("start_time"), "start_time")
    day_list = r.days(meeting.get("weekday_tinyint"), "weekday_tinyint", first=1)
    types = []
    for key in keys:
        if key in (VIRTUAL, HYBRID_KEY, CLOSED):
            continue
        # Unmapped keys travel on, prefixed, so that the report can name them.
        types.extend(FORMATS.get(key) or FORMATS.get(key.upper()) or (f"bmlt:{key}",))
    row = Row(
        ref=ref,
        key=r.text(meeting.get("id_bigint")),
        slug="",
        name=name,
        start_time=start,
        end_time=r.after(start, r.text(meeting.get("duration_time")), "duration_time")
        if start
        else None,
        timezone=r.text(meeting.get("time_zone")),
        attendance=attendance,
        status=status,
        place=_place(meeting, attendance == r.ONLINE),
        conference_url=link,
        conference_phone=phone,
        conference_notes=r.text(meeting.get("virtual_meeting_additional_info")),
        types=tuple(dict.fromkeys(types)),
        notes=r.text(meeting.get("comments")),
    )
    row.slug = r.slug_for("", name, day_list[0], start)
    if not row.key:
        row.key = r.key_for(name, day_list, start, row.place)
    rows = r.one_per_day(row, day_list)
    for each in rows:
        r.check_times(each, "weekday_tinyint", "start_time")
    return rows
