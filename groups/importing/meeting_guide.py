"""The Meeting Guide JSON feed (code4recovery spec, REFERENCE §1) read into Rows.

groups.importing.table reads spreadsheets in the table format by turning each line into a feed
entry first, so the two formats are understood by the same code. Entries written by this
directory's own feed carry a few fields of ours (see groups.feeds) that make the read exact.
"""

import json
import re

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from groups.importing import rows as r
from groups.importing.rows import Place, Rejection, Row, RowError

# Our extension fields (groups.feeds): only these values are believed.
ATTENDANCES = {r.IN_PERSON, r.HYBRID, r.ONLINE}
STATUSES = {r.ACTIVE, r.TEMPORARILY_CLOSED, r.INACTIVE}
# TSML's own `attendance_option` (newer feeds), believed as TSML UI believes it.
OPTIONS = {"in_person": r.IN_PERSON, "hybrid": r.HYBRID, "online": r.ONLINE, "inactive": ""}
# Places that are not places ("Online" as a location's address).
NOWHERE = {"online", "virtual", "zoom", "web", "internet", "remote", "tbd", "tba", "n a", "na"}

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
        self.formats_known = True  # BMLT: whether format keys could be read by world id
        self.notes: list[str] = []  # what was mended in the file as a whole

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

    def number_alike(self) -> None:
        """Rows that share an id get one each, numbered in the order the source lists them:
        several meetings of one group at one time and place with no id column, or one id that
        a source gave to two meetings. Stable while the source keeps its order."""
        seen: dict[str, int] = {}
        for row in self.rows:
            count = seen.get(row.key, 0) + 1
            seen[row.key] = count
            if count > 1:
                if not row.key_made:
                    what = _("id %(id)s is used twice: read as #%(number)s")
                    row.mended.append(("id", what % {"id": repr(row.key), "number": count}))
                row.key = f"{row.key[:250]}#{count}"
                row.slug = f"{row.slug[:60]}-{count}"


# A backslash before a character JSON does not escape ("\g"), as some PHP exports write.
_BAD_ESCAPE = re.compile(r'(?<!\\)((?:\\\\)*)\\([^"\\/bfnrtu])')


FEED, BMLT = "Meeting Guide feed", "BMLT GetSearchResults response"


def _not_utf8(what: str) -> str:
    """Whole sentences for each format (a format's name is not translated)."""
    if what == FEED:
        return _("This is not UTF-8 text, so not a Meeting Guide feed.")
    if what == BMLT:
        return _("This is not UTF-8 text, so not a BMLT GetSearchResults response.")
    return f"This is not UTF-8 text, so not a {what}."


def _invalid_json(what: str, error: json.JSONDecodeError) -> str:
    # error.msg is Python's own words, in English.
    where = {"line": error.lineno, "column": error.colno, "error": error.msg}
    if what == FEED:
        message = _(
            "This is not a Meeting Guide feed: invalid JSON at line %(line)s, column %(column)s "
            "(%(error)s)."
        )
    elif what == BMLT:
        message = _(
            "This is not a BMLT GetSearchResults response: invalid JSON at line %(line)s, "
            "column %(column)s (%(error)s)."
        )
    else:
        message = f"This is not a {what}: " + "invalid JSON at line %(line)s, column %(column)s "
        message += "(%(error)s)."
    return message % where


def load_json(content: bytes, what: str, notes: list | None = None):
    """The JSON in `content`; ValueError, in words, if it is none. `what` is FEED or BMLT
    (another name is said in English)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_not_utf8(what)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Invalid \\escape":
            try:
                data = json.loads(_BAD_ESCAPE.sub(r"\1\2", text))
            except json.JSONDecodeError:
                pass
            else:
                if notes is not None:
                    notes.append(
                        _(
                            "The file has backslashes before letters JSON does not escape (at "
                            "line %(line)s, column %(column)s, and maybe more): read as the "
                            "letters alone."
                        )
                        % {"line": error.lineno, "column": error.colno}
                    )
                return data
        raise ValueError(_invalid_json(what, error)) from None


def parse(content: bytes) -> Parsed:
    """A feed: a JSON array of meeting objects. ValueError if it is not one."""
    notes: list[str] = []
    entries = load_json(content, FEED, notes)
    if not isinstance(entries, list):
        raise ValueError(
            _("This is not a Meeting Guide feed: it should be a JSON array of meetings.")
        )
    parsed = Parsed(LABELS)
    parsed.notes = notes
    for index, entry in enumerate(entries):
        ref = entry_ref(index)
        if not isinstance(entry, dict):
            parsed.rejected.append(Rejection(ref, "", *not_an_object()))
            continue
        parsed.add(ref, lambda e=entry, ref=ref: rows_of(e, ref), entry, "slug", "name")
        note_entity(parsed, entry)
    parsed.number_alike()
    return parsed


def entry_ref(index: int) -> str:
    """A JSON entry as a report names it ("entry 3", counted from 0)."""
    return _("entry %(number)s") % {"number": index}


def not_an_object() -> tuple[str, str]:
    """(field, message) for an entry that is not a JSON object."""
    return pgettext("import field", "entry"), _("is not a JSON object.")


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
    spreadsheet's column header). Values are read as the tool that made them meant them
    (REFERENCE §1); what had to be mended is noted on the row."""
    r.refuse_nul(entry, label)
    mended: list[tuple[str, str]] = []
    name = r.plain(entry.get("name"), mended, label("name"))
    if not name:
        raise RowError(label("name"), needs_a_name())
    day_list = r.days(entry.get("day"), label("day"))
    start = r.time(entry.get("time"), label("time"))
    if start is not None and day_list == [None]:
        start = None  # a time with no day, as some exports write appointment-only meetings
        what = _("%(field)s: a time with no day: by appointment") % {"field": label("time")}
        mended.append(("appointment", what))
    types = r.type_codes(entry.get("types"))
    conference_url = r.conference_link(entry.get("conference_url"), mended)
    conference_phone = r.dial_string(entry.get("conference_phone"), mended)
    online = bool(conference_url or conference_phone)
    place = place_of(entry, label, mended)
    closed = "TC" in types
    in_person = place is not None and not place.approximate
    attendance, status = r.attendance(online, in_person, closed, place is not None)
    option = r.text(entry.get("attendance_option")).casefold()
    if option in OPTIONS and not closed:
        attendance, status = OPTIONS[option] or attendance, r.ACTIVE
        if option == "inactive":
            status = r.TEMPORARILY_CLOSED
        if attendance == r.IN_PERSON and not in_person and online:
            attendance = r.ONLINE  # no street to go to
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
        end_time=r.time(entry.get("end_time"), label("end_time")) if start else None,
        timezone=r.text(entry.get("timezone")),
        attendance=attendance,
        status=status,
        status_reason=r.plain(entry.get("status_reason")),
        place=place,
        conference_url=conference_url,
        conference_phone=conference_phone,
        conference_notes=_joined(
            r.plain(entry.get("conference_url_notes"), mended, label("conference_url_notes")),
            r.plain(entry.get("conference_phone_notes"), mended, label("conference_phone_notes")),
        ),
        types=tuple(code for code in types if code not in ("TC", "ONL")),
        languages=tuple(r.codes(languages)) if languages is not None else None,
        group=r.plain(entry.get("group"), mended, label("group")),
        group_notes=r.plain(entry.get("group_notes"), mended, label("group_notes")),
        notes=r.plain(entry.get("notes"), mended, label("notes")),
        mended=mended,
    )
    row.slug = r.slug_for(row.slug, name, day_list[0], start)
    if not row.key:
        row.key = r.key_for(name, day_list, start, place, ",".join(sorted(row.types)))
        row.key_made = True
    rows = r.one_per_day(row, day_list)
    for each in rows:
        r.check_times(each, label("day"), label("time"))
    return rows


def needs_a_name() -> str:
    return _("a meeting needs a name.")


def _ours(entry: dict, key: str, allowed: set[str], derived: str) -> str:
    value = r.text(entry.get(key)).casefold().replace(" ", "_").replace("-", "_")
    return value if value in allowed else derived


def _joined(*notes) -> str:
    return "\n".join(dict.fromkeys(r.text(n) for n in notes if r.text(n)))


# A postal code on its own: US ZIP, Canadian, British.
_POSTAL = re.compile(
    r"^(\d{4,5}(-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$", re.I
)
# "IL 62701", "ON M5V 2T6".
_STATE_POSTAL = re.compile(
    r"^(?P<state>.*?)\s+(?P<postal>\d[\d\-]*|[A-Z]\d[A-Z] ?\d[A-Z]\d)$", re.I
)


def comma_parts(address: str) -> list[str]:
    return [part.strip() for part in address.split(",") if part.strip()]


def is_approximate(formatted: str) -> bool:
    """As TSML UI infers it when a feed does not say: fewer than four comma-separated parts
    ("Philadelphia, PA, USA") is a town, not a street."""
    return len(comma_parts(formatted)) < 4


def split_address(formatted: str, approximate: bool) -> dict[str, str]:
    """Best effort for feeds that give the whole address in one field ("12 Main St,
    Springfield, IL 62701, USA"; "…, Hatboro, PA, 19040, USA" with the ZIP code as its own
    part; "Philadelphia, PA, USA" for a town). The separate fields win whenever a feed has
    them."""
    parts = comma_parts(formatted)
    found = {}
    postal = [part for part in parts[1:] if _POSTAL.match(part)]
    if postal:
        found["postal_code"] = postal[-1]
        parts = [part for part in parts if part is not postal[-1]]
    if approximate:  # "Portland, OR, USA": no street
        parts = ["", *parts]
    found.update(dict(zip(("address", "city"), parts, strict=False)))
    rest = parts[2:]
    if len(rest) >= 2:
        found["country"] = rest.pop()
    if rest:
        state = rest[0]
        match = _STATE_POSTAL.match(state)
        if match and "postal_code" not in found:
            state, found["postal_code"] = match["state"], match["postal"]
        found["state"] = state
    return found


def place_of(entry: dict, label, mended: list | None = None) -> Place | None:
    """The venue, or an online group's approximate home; None when the entry gives no place."""
    fields = {
        key: r.plain(entry.get(key))
        for key in ("location", "address", "city", "state", "postal_code", "country")
    }
    formatted = r.plain(entry.get("formatted_address"))
    if fold_nowhere(formatted) or fold_nowhere(fields["address"]):
        formatted = fields["address"] = ""
    # The whole address in `address`, as some exporters write it ("8318 104 St, Edmonton,
    # Alberta, T6E 4E8, Canada"); with separate town, state or country fields, commas in
    # `address` are the street's own ("7 West 55th Street, 5th Floor").
    others = ("city", "state", "postal_code", "country")
    alone = not any(fields[key] for key in others)
    whole = fields["address"] if "," in fields["address"] and alone else ""
    given = r.text(entry.get("approximate")).casefold()
    if given in ("yes", "no", "true", "false", "1", "0", "y", "n"):
        approximate = r.yes(given)
    else:
        approximate = bool(formatted or whole) and is_approximate(formatted or whole)
    if formatted and not (fields["address"] or fields["city"]):
        split = split_address(formatted, approximate)
        fields.update({key: value for key, value in split.items() if value})
    elif whole:
        split = split_address(whole, approximate)
        fields.update({key: value for key, value in split.items() if value})
        fields["address"] = split.get("address", "")
    latitude = r.number(entry.get("latitude"), label("latitude"))
    longitude = r.number(entry.get("longitude"), label("longitude"))
    if latitude == 0 or longitude == 0:
        if mended is not None and latitude is not None and longitude is not None:
            what = _("%(field)s: a 0 is no position: left out") % {"field": "latitude/longitude"}
            mended.append(("coordinates", what))
        latitude = longitude = None
    if latitude is None or longitude is None:
        latitude = longitude = None  # half a pair is no position; the place still counts
    access = r.plain(entry.get("location_access_notes"))
    notes = r.plain(entry.get("location_notes"), mended, label("location_notes"))
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


def fold_nowhere(text: str) -> bool:
    return r.fold(text) in NOWHERE
