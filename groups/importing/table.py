"""The Meeting Guide "table format": the feed's fields as spreadsheet columns with English
headers, both ways. cells() writes a feed entry as a line (groups.exports); parse_csv() and
parse_xlsx() read lines back into feed entries and on through groups.importing.meeting_guide.

Headers are matched whatever their case, spacing or punctuation ("Postal Code", "postal_code");
a CSV may start with a UTF-8 byte order mark and end its lines the Windows way.

Anyone with the import permission can send a file, so reading it is bounded: at most MAX_LINES
lines and MAX_CELL_CHARS characters a cell (a cell over it, or holding a NUL, rejects its row
and names the column), and an XLSX workbook is checked as a zip (members, uncompressed size,
compression ratio) before openpyxl opens it, whose XML is read by defusedxml (no entities).
"""

import csv
import io
import re
import zipfile
from xml.etree.ElementTree import ParseError

from groups.importing import meeting_guide
from groups.importing import rows as r

# (header, feed entry key), in the order they are written. Region and Sub Region are the two
# most specific regions; Regions (ours) is the whole chain, general to specific, "A > B > C".
COLUMNS = [
    ("ID", "slug"),
    ("Name", "name"),
    ("Day", "day"),
    ("Time", "time"),
    ("End Time", "end_time"),
    ("Location", "location"),
    ("Address", "address"),
    ("City", "city"),
    ("State", "state"),
    ("Postal Code", "postal_code"),
    ("Country", "country"),
    ("Types", "types"),
    ("Notes", "notes"),
    ("Location Notes", "location_notes"),
    ("Conference URL", "conference_url"),
    ("Conference URL Notes", "conference_url_notes"),
    ("Conference Phone", "conference_phone"),
    ("Conference Phone Notes", "conference_phone_notes"),
    ("Region", "region"),
    ("Sub Region", "sub_region"),
    ("Group", "group"),
    ("Group Notes", "group_notes"),
    ("Timezone", "timezone"),
    ("Latitude", "latitude"),
    ("Longitude", "longitude"),
    ("Approximate", "approximate"),
    ("Updated", "updated"),
    ("URL", "url"),
    # Ours (see groups.feeds):
    ("Fellowship", "fellowship"),
    ("Attendance", "attendance"),
    ("Status", "status"),
    ("Status Reason", "status_reason"),
    ("Languages", "languages"),
    ("Location Access Notes", "location_access_notes"),
    ("Regions", "regions"),
]
HEADERS = [header for header, _ in COLUMNS]
REGION_SEPARATOR = " > "
# Other spellings seen in spreadsheets.
ALIASES = {
    "slug": "slug",
    "start time": "time",
    "end": "end_time",
    "location name": "location",
    "venue": "location",
    "street address": "address",
    "formatted address": "formatted_address",
    "zip": "postal_code",
    "zip code": "postal_code",
    "postcode": "postal_code",
    "province": "state",
    "time zone": "timezone",
    "lat": "latitude",
    "lng": "longitude",
    "lon": "longitude",
    "meeting types": "types",
    "subregion": "sub_region",
    "district": "sub_region",
    "entity url": "entity_url",
    "entity website url": "entity_website_url",
    "entity": "entity",
}


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", r.text(header).casefold())


KEYS = {_normal(header): key for header, key in COLUMNS} | {
    _normal(alias): key for alias, key in ALIASES.items()
}
SPLIT_BY_COMMA = {"languages"}
# Two columns for one field: the first of these wins when both are filled (TSML's export writes
# its WordPress post number in ID beside the real Slug, and District beside Sub Region). An
# empty cell never replaces a filled one.
PREFERRED = {_normal("Slug"), _normal("Sub Region")}

# A model field's column, to name it in a validation error.
LABELS = {
    "meeting.slug": "ID",
    "meeting.name": "Name",
    "meeting.day": "Day",
    "meeting.start_time": "Time",
    "meeting.end_time": "End Time",
    "meeting.timezone": "Timezone",
    "meeting.conference_url": "Conference URL",
    "meeting.conference_phone": "Conference Phone",
    "meeting.conference_notes": "Conference URL Notes",
    "meeting.notes": "Notes",
    "meeting.status_reason": "Status Reason",
    "meeting.fellowship": "Fellowship",
    "meeting.types": "Types",
    "meeting.languages": "Languages",
    "meeting.location": "Address",
    "location.name": "Location",
    "location.address": "Address",
    "location.city": "City",
    "location.state": "State",
    "location.postal_code": "Postal Code",
    "location.country": "Country",
    "location.latitude": "Latitude",
    "location.longitude": "Longitude",
    "location.notes": "Location Notes",
    "location.access_notes": "Location Access Notes",
    "location.timezone": "Timezone",
    "group.name": "Group",
    "group.notes": "Group Notes",
    "region.name": "Region",
}
_HEADER_OF = {key: header for header, key in COLUMNS}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV injection advice): text that
    starts with = + - @, a tab or a carriage return gets a leading apostrophe. Plain numbers
    (a longitude of -3.19) are left as they are; read_cell() takes the apostrophe off again."""
    if not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def read_cell(value):
    """A cell as written: the apostrophe safe_cell() put before a formula character removed."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def cells(entry: dict) -> list[str]:
    """A feed entry (groups.feeds.entry) as one line of the table."""
    values = dict(entry)
    if entry.get("day") is not None:
        values["day"] = r.DAYS[entry["day"]].capitalize()
    chain = entry.get("regions") or []
    values["region"], values["sub_region"] = (chain[-2:] if len(chain) > 1 else [*chain, "", ""])[
        :2
    ]
    values["regions"] = REGION_SEPARATOR.join(chain)
    values["types"] = ", ".join(entry.get("types", []))
    values["languages"] = ", ".join(entry.get("languages", []))
    return [safe_cell(r.text(values.get(key))) for _, key in COLUMNS]


# Bounds on what a file may hold (a 10,000-meeting table is about 9 MB and 10,000 lines; the
# longest notes seen in real feeds are a few thousand characters).
MAX_LINES = 50_000
MAX_CELL_CHARS = 32_768
MAX_COLUMNS = 200  # read from a workbook's first sheet; the table format has 35
# An XLSX workbook is a zip: checked before anything is decompressed (a 256 KB file can hold
# gigabytes). The sizes are those the zip declares; zipfile stops at them and refuses a member
# whose content does not match.
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 200  # for members over 1 MiB; a real sheet's XML compresses 10-50 times
BAD = "\0bad"  # an entry's key for the first cell that cannot be read: (column, message)


def _bad_cell(cell: str) -> str:
    """Why a cell cannot be read, or ""."""
    if len(cell) > MAX_CELL_CHARS:
        return f"a cell of {len(cell):,} characters; a cell may hold at most {MAX_CELL_CHARS:,}."
    if "\x00" in cell:
        return "holds a NUL character (\\x00), which is not text: is the file damaged?"
    return ""


def _entries(lines, parsed) -> list[tuple[int, dict]]:
    """(line number, feed entry) for each non-empty line after the header (line 1)."""
    lines = iter(lines)
    header = next(lines, None)
    if not header or not any(r.text(cell) for cell in header):
        raise ValueError("The first line should be the column headers (Name, Day, Time, …).")
    names = [_normal(cell) for cell in header]
    keys = [KEYS.get(name) for name in names]
    parsed.ignored = [r.text(cell) for cell, key in zip(header, keys, strict=True) if not key]
    if "name" not in keys:
        raise ValueError("No Name column: the first line should be the column headers.")
    found = []
    for number, line in enumerate(lines, start=2):
        if number > MAX_LINES + 1:
            raise ValueError(
                f"The file has more than {MAX_LINES:,} lines of meetings, the most the directory "
                "reads from one file: split it, or import the source by its feed."
            )
        values, preferred = {}, set()
        for name, key, cell in zip(names, keys, map(read_cell, line), strict=False):
            if key and isinstance(cell, str) and (problem := _bad_cell(cell)):
                values.setdefault(BAD, (_HEADER_OF.get(key, key), problem))
                cell = ""
            if not key or (key in values and not r.text(cell)):
                continue
            filled = key in values and r.text(values[key])
            if key in preferred or (filled and name not in PREFERRED):
                continue
            values[key] = cell
            if name in PREFERRED and r.text(cell):
                preferred.add(key)
        if BAD not in values and not any(r.text(value) for value in values.values()):
            continue
        if "regions" in values:
            chain = r.text(values["regions"]).split(REGION_SEPARATOR.strip())
            values["regions"] = [part.strip() for part in chain if part.strip()] or None
        for key in SPLIT_BY_COMMA & values.keys():
            values[key] = r.codes(values[key]) if r.text(values[key]) else None
        found.append((number, values))
    return found


def _parse(lines) -> meeting_guide.Parsed:
    parsed = meeting_guide.Parsed(LABELS)
    for number, entry in _entries(lines, parsed):

        def read(entry=entry, ref=f"line {number}"):
            if BAD in entry:
                raise r.RowError(*entry[BAD])
            return meeting_guide.rows_of(entry, ref, _HEADER_OF.get)

        parsed.add(f"line {number}", read, entry, "slug", "name")
        meeting_guide.note_entity(parsed, entry)
    parsed.number_alike()
    return parsed


def decode(content: bytes) -> str:
    """UTF-8 (with or without a byte order mark); else Mac Roman for a file with classic-Mac
    line endings (CR only, as old Mac exports write them); else Windows-1252 as Excel saves it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\r" in content and b"\n" not in content:
        return content.decode("mac_roman")  # every byte is a character in Mac Roman
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError("This file is neither UTF-8 nor Windows-1252 text.") from None


def parse_csv(content: bytes) -> meeting_guide.Parsed:
    if content.startswith(b"PK\x03\x04"):  # an .xlsx sent as CSV
        return parse_xlsx(content)
    text = decode(content)
    header = text.splitlines()[0] if text.strip() else ""  # \n, \r\n or a lone \r
    # Comma-separated, unless the header has none: spreadsheets in some locales use ; or tabs.
    delimiter = next((d for d in ",;\t" if d in header), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _parse(reader)
    except csv.Error as error:  # a cell over csv's own limit (128 KiB), or a broken quote
        raise ValueError(
            f"Line {reader.line_num} could not be read ({error}); a cell may hold at most "
            f"{MAX_CELL_CHARS:,} characters."
        ) from None


def check_zip(content: bytes) -> None:
    """Refuses a workbook that would decompress to too much (a zip bomb), before any of it is."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValueError("This is not an Excel (.xlsx) workbook.") from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise ValueError(
            f"This workbook holds {len(members):,} files; an Excel workbook has a few dozen, and "
            f"the directory opens none with more than {XLSX_MAX_MEMBERS:,}."
        )
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ValueError(
            f"This workbook would take {_mib(total)} once decompressed, more than the "
            f"{_mib(XLSX_MAX_UNCOMPRESSED)} the directory reads: save it as CSV, or split it."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > XLSX_MAX_RATIO:
            raise ValueError(
                f"This workbook's {member.filename} would decompress {ratio:,.0f} times over "
                f"(to {_mib(member.file_size)}): a real workbook compresses a few dozen times "
                "at most, so it is refused as a zip bomb."
            )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB"


def parse_xlsx(content: bytes) -> meeting_guide.Parsed:
    """The first sheet of an Excel workbook."""
    import defusedxml
    import openpyxl

    check_zip(content)
    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment
        raise ValueError("Workbooks cannot be read safely here: openpyxl is not using defusedxml.")
    entities = ValueError(
        "This workbook declares XML entities, which no spreadsheet program writes and the "
        "directory does not read (they can expand to gigabytes)."
    )
    unreadable = (zipfile.BadZipFile, OSError, KeyError, IndexError, ParseError)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (*unreadable, ValueError, TypeError) as error:
        # openpyxl wraps what its XML parser raised in a ValueError of its own.
        chain = (error, error.__cause__, error.__context__)
        if any(isinstance(link, defusedxml.DefusedXmlException) for link in chain):
            raise entities from None
        raise ValueError("This is not an Excel (.xlsx) workbook.") from None
    try:
        sheet = book.worksheets[0]
        return _parse(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except defusedxml.DefusedXmlException:
        raise entities from None
    except unreadable as error:
        raise ValueError(f"This workbook's sheet could not be read ({error}).") from None
    finally:
        book.close()
