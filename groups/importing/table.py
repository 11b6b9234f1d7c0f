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

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def _n(number: float) -> str:
    """A number as the active language writes it, in groups of thousands ("131,072")."""
    return number_format(round(number), force_grouping=True)


def _bad_cell(cell: str) -> str:
    """Why a cell cannot be read, or ""."""
    if len(cell) > MAX_CELL_CHARS:
        return ngettext(
            "a cell of %(count)s character; a cell may hold at most %(most)s.",
            "a cell of %(count)s characters; a cell may hold at most %(most)s.",
            len(cell),
        ) % {"count": _n(len(cell)), "most": _n(MAX_CELL_CHARS)}
    if "\x00" in cell:
        return _("holds a NUL character (\\x00), which is not text: is the file damaged?")
    return ""


def _entries(lines, parsed) -> list[tuple[int, dict]]:
    """(line number, feed entry) for each non-empty line after the header (line 1)."""
    lines = iter(lines)
    header = next(lines, None)
    if not header or not any(r.text(cell) for cell in header):
        raise ValueError(_("The first line should be the column headers (Name, Day, Time, …)."))
    names = [_normal(cell) for cell in header]
    keys = [KEYS.get(name) for name in names]
    parsed.ignored = [r.text(cell) for cell, key in zip(header, keys, strict=True) if not key]
    if "name" not in keys:
        raise ValueError(
            _("No %(column)s column: the first line should be the column headers.")
            % {"column": "Name"}
        )
    found = []
    for number, line in enumerate(lines, start=2):
        if number > MAX_LINES + 1:
            raise ValueError(
                _(
                    "The file has more than %(most)s lines of meetings, the most the directory "
                    "reads from one file: split it, or import the source by its feed."
                )
                % {"most": _n(MAX_LINES)}
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
        ref = _("line %(number)s") % {"number": number}  # the header is line 1

        def read(entry=entry, ref=ref):
            if BAD in entry:
                raise r.RowError(*entry[BAD])
            return meeting_guide.rows_of(entry, ref, _HEADER_OF.get)

        parsed.add(ref, read, entry, "slug", "name")
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
        raise ValueError(_("This file is neither UTF-8 nor Windows-1252 text.")) from None


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
            _(
                "Line %(line)s could not be read (%(error)s); a cell may hold at most %(most)s "
                "characters."
            )
            % {"line": reader.line_num, "error": error, "most": _n(MAX_CELL_CHARS)}
        ) from None


def check_zip(content: bytes) -> None:
    """Refuses a workbook that would decompress to too much (a zip bomb), before any of it is."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValueError(_not_a_workbook()) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise ValueError(
            ngettext(
                "This workbook holds %(count)s file; an Excel workbook has a few dozen, and the "
                "directory opens none with more than %(most)s.",
                "This workbook holds %(count)s files; an Excel workbook has a few dozen, and the "
                "directory opens none with more than %(most)s.",
                len(members),
            )
            % {"count": _n(len(members)), "most": _n(XLSX_MAX_MEMBERS)}
        )
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ValueError(
            _(
                "This workbook would take %(size)s once decompressed, more than the %(most)s the "
                "directory reads: save it as CSV, or split it."
            )
            % {"size": _mib(total), "most": _mib(XLSX_MAX_UNCOMPRESSED)}
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > XLSX_MAX_RATIO:
            raise ValueError(
                _(
                    "This workbook's %(member)s would decompress %(ratio)s times over (to "
                    "%(size)s): a real workbook compresses a few dozen times at most, so it is "
                    "refused as a zip bomb."
                )
                % {"member": member.filename, "ratio": _n(ratio), "size": _mib(member.file_size)}
            )


def _mib(size: int) -> str:
    return _("%(number)s MiB") % {"number": _n(size / (1024 * 1024))}


def _not_a_workbook() -> str:
    return _("This is not an Excel (.xlsx) workbook.")


def parse_xlsx(content: bytes) -> meeting_guide.Parsed:
    """The first sheet of an Excel workbook."""
    import defusedxml
    import openpyxl

    check_zip(content)
    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False in the environment
        raise ValueError(
            _("Workbooks cannot be read safely here: openpyxl is not using defusedxml.")
        )
    entities = ValueError(
        _(
            "This workbook declares XML entities, which no spreadsheet program writes and the "
            "directory does not read (they can expand to gigabytes)."
        )
    )
    unreadable = (zipfile.BadZipFile, OSError, KeyError, IndexError, ParseError)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (*unreadable, ValueError, TypeError) as error:
        # openpyxl wraps what its XML parser raised in a ValueError of its own.
        chain = (error, error.__cause__, error.__context__)
        if any(isinstance(link, defusedxml.DefusedXmlException) for link in chain):
            raise entities from None
        raise ValueError(_not_a_workbook()) from None
    try:
        sheet = book.worksheets[0]
        return _parse(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except defusedxml.DefusedXmlException:
        raise entities from None
    except unreadable as error:
        raise ValueError(
            _("This workbook's sheet could not be read (%(error)s).") % {"error": error}
        ) from None
    finally:
        book.close()
