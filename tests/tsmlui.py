"""TSML UI's own reading of a Meeting Guide entry, restated (REFERENCE §1), to check that this
directory stores each meeting as TSML UI would show it: its day, its time in its zone, how it is
attended, and its street address. Used by the tests and by bench/realworld.py.

TSML UI's rules, as its code and the spec's README describe them:
- the zone is the entry's `timezone`, else the one the page is told (`data-timezone`);
- `approximate` is believed when given; otherwise a `formatted_address` of fewer than four
  comma-separated parts is approximate (a town, not a street);
- `ONL` is ignored; `TC` means the room is closed;
- in person: not `TC`, and a real (not approximate) address; online: a conference URL or
  phone; both: hybrid; neither: inactive. `attendance_option`, where TSML writes it, says it
  outright;
- without `formatted_address`, address, city, state, postal code and country are joined
  with commas and read the same way;
- the street to go to is the first part of the address of a meeting held in person.
"""

import re

DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]


def _days(value) -> list[int | None]:
    if isinstance(value, list):
        return [day for item in value for day in _days(item)] or [None]
    word = str(value).strip().casefold() if value is not None else ""
    if word.isdigit() and 0 <= int(word) <= 6:
        return [int(word)]
    if word in DAY_NAMES:
        return [DAY_NAMES.index(word)]
    return [None]


def _time(value) -> str:
    word = str(value or "").strip()
    match = re.match(r"^(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?m?\.?$", word, re.I)
    if not match:
        return ""
    hours, minutes = int(match[1]), int(match[2])
    if match[3]:
        hours = hours % 12 + (12 if match[3].lower() == "p" else 0)
    return f"{hours:02d}:{minutes:02d}"


def _parts(text: str) -> list[str]:
    return [part.strip() for part in str(text or "").split(",") if part.strip()]


def read(entry: dict, data_timezone: str = "") -> list[dict]:
    """What TSML UI shows of one entry: one dict a day (day None: by appointment)."""
    types = entry.get("types") or []
    if isinstance(types, str):
        types = [part.strip(" []") for part in types.split(",")]
    types = {str(code).strip().upper() for code in types}
    # Without formatted_address, the separate fields joined as TSML UI joins them.
    formatted = entry.get("formatted_address") or ", ".join(
        str(entry[key]).strip()
        for key in ("address", "city", "state", "postal_code", "country")
        if entry.get(key) not in (None, "")
    )
    given = str(entry.get("approximate") or "").strip().casefold()
    approximate = given == "yes" if given in ("yes", "no") else len(_parts(formatted)) < 4
    if str(formatted).strip().casefold() in ("online", "virtual", ""):
        approximate = True
    online = bool(entry.get("conference_url") or entry.get("conference_phone"))
    in_person = "TC" not in types and not approximate
    option = str(entry.get("attendance_option") or "").strip().casefold()
    if option in ("in_person", "hybrid", "online", "inactive") and "TC" not in types:
        attendance = option
    elif in_person and online:
        attendance = "hybrid"
    elif online:
        attendance = "online"
    elif in_person:
        attendance = "in_person"
    else:
        attendance = "inactive"
    held_in_person = attendance in ("in_person", "hybrid")
    street = _parts(formatted)[0] if held_in_person and _parts(formatted) else ""
    time = _time(entry.get("time"))
    return [
        {
            "day": day,
            "time": time if day is not None else "",
            "timezone": entry.get("timezone") or data_timezone,
            "attendance": attendance,
            "street": street,
        }
        for day in _days(entry.get("day"))
    ]
