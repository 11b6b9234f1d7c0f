"""BMLT's search results (`client_interface/json/?switcher=GetSearchResults`, REFERENCE §2)
read into Rows.

BMLT numbers weekdays 1 = Sunday … 7 = Saturday, says how a meeting is attended (venue_type 1
in person, 2 virtual, 3 hybrid) and describes it with its own format keys. Those keys are not
Meeting Guide codes (BMLT's B is Beginners, the spec's B is Big Book), so each is mapped here,
explicitly, to the Meeting Guide code that means the same; a key with no equivalent is reported
as unknown.
"""

from django.utils.translation import gettext as _

from groups.importing import meeting_guide
from groups.importing import rows as r
from groups.importing.rows import Place, Row

# BMLT world format IDs -> Meeting Guide type codes. A format's key (key_string) is the
# server's own, in its own language (Italian D is Donne, women; English D is Discussion), so
# formats are read by the world_id the server's format list gives each key
# (`&get_used_formats=1`), as BMLT's own Meeting Guide exporter does. An id with no
# equivalent, or a key the response does not define, is reported as unknown.
WORLD_IDS = {
    "OPEN": ("O",),
    "CLOSED": ("C",),
    "BEG": ("BE",),  # Beginners / newcomers
    "BT": ("LIT",),  # Basic Text
    "IW": ("LIT",),  # It Works: How and Why
    "JFT": ("LIT",),  # Just for Today
    "LC": ("LIT",),  # Living Clean
    "LIT": ("LIT",),
    "IP": ("LIT",),  # Informational pamphlets
    "GP": ("LIT",),  # Guiding Principles
    "SPAD": ("LIT",),  # A Spiritual Principle a Day
    "DISC": ("D",),
    "TOP": ("D",),  # Topic discussion
    "S-D": ("SP", "D"),  # Speaker/Discussion
    "SPK": ("SP",),
    "STEP": ("ST",),
    "SWG": ("ST",),  # Step Working Guide
    "TRAD": ("TR",),
    "M": ("M",),
    "W": ("W",),
    "GL": ("LGBTQ",),
    "Y": ("Y",),
    "WCHR": ("X",),
    "MED": ("MED",),
    "CAN": ("CAN",),
    "CW": ("CF",),  # Children welcome
    "SMOK": ("SM",),
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


def world_ids(formats) -> dict[str, str]:
    """key_string -> world_id, from the format list a response carries (get_used_formats)."""
    found = {}
    for item in formats if isinstance(formats, list) else []:
        if isinstance(item, dict) and r.text(item.get("key_string")):
            found[r.text(item["key_string"])] = r.text(item.get("world_id")).upper()
    return found


def parse(content: bytes) -> meeting_guide.Parsed:
    data = meeting_guide.load_json(content, meeting_guide.BMLT)
    formats = {}
    if isinstance(data, dict):  # with get_used_formats, the meetings are under "meetings"
        formats = world_ids(data.get("formats"))
        data = data.get("meetings")
    if not isinstance(data, list):
        raise ValueError(_("This is not a BMLT GetSearchResults response (a JSON array)."))
    parsed = meeting_guide.Parsed(LABELS)
    parsed.formats_known = bool(formats)
    for index, meeting in enumerate(data):
        ref = meeting_guide.entry_ref(index)
        if not isinstance(meeting, dict):
            parsed.rejected.append(r.Rejection(ref, "", *meeting_guide.not_an_object()))
            continue
        read = lambda m=meeting, ref=ref: rows_of(m, ref, formats)  # noqa: E731
        parsed.add(ref, read, meeting, "id_bigint", "meeting_name")
    parsed.number_alike()
    return parsed


def _place(meeting: dict, online_only: bool) -> Place | None:
    def field(name):
        return r.plain(meeting.get(name))

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


def rows_of(meeting: dict, ref: str, formats: dict[str, str] | None = None) -> list[Row]:
    r.refuse_nul(meeting)
    mended: list[tuple[str, str]] = []
    name = r.plain(meeting.get("meeting_name"), mended, "meeting_name")
    if not name:
        raise r.RowError("meeting_name", meeting_guide.needs_a_name())
    formats = formats or {}
    keys = [formats.get(key) or key for key in r.codes(meeting.get("formats"))]
    link = r.conference_link(meeting.get("virtual_meeting_link"), mended)
    phone = r.dial_string(meeting.get("phone_meeting_number"), mended)
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
        # Unmapped ids and undefined keys travel on, prefixed, so that the report names them.
        types.extend(WORLD_IDS.get(key) or (f"bmlt:{key}",))
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
        conference_notes=r.plain(
            meeting.get("virtual_meeting_additional_info"),
            mended,
            "virtual_meeting_additional_info",
        ),
        types=tuple(dict.fromkeys(types)),
        notes=r.plain(meeting.get("comments"), mended, "comments"),
        mended=mended,
    )
    row.slug = r.slug_for("", name, day_list[0], start)
    if not row.key:
        row.key = r.key_for(name, day_list, start, row.place, ",".join(sorted(row.types)))
        row.key_made = True
    rows = r.one_per_day(row, day_list)
    for each in rows:
        r.check_times(each, "weekday_tinyint", "start_time")
    return rows
