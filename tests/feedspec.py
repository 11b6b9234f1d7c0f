"""The Meeting Guide spec's rules for a feed entry (code4recovery/spec README, restated in
REFERENCE §1), written out here so that the tests check our feeds against the spec, not
against our own code. The spec ships no JSON schema: its README is the contract."""

import re
import zoneinfo

# The spec's type codes (data/types.json), adopted ones only.
# fmt: off
SPEC_TYPES = {
    "11", "12x12", "A", "ABSI", "AF", "AL", "AL-AN", "AM", "AR", "ASL", "B", "BA", "BE", "BG",
    "BI", "BRK", "C", "CAN", "CF", "D", "DA", "DB", "DD", "DE", "DR", "EL", "EN", "FA", "FI",
    "FF", "FR", "G", "GR", "H", "HE", "HI", "HR", "HU", "IS", "ITA", "JA", "KA", "KOR", "L",
    "LGBTQ", "LIT", "LS", "LT", "M", "MED", "ML", "MT", "N", "NB", "NDG", "NE", "NL", "NO",
    "O", "OUT", "P", "POA", "POC", "POL", "POR", "PUN", "RUS", "S", "SEN", "SK", "SL", "SM",
    "SP", "ST", "SV", "T", "TC", "TH", "TL", "TR", "TUR", "UK", "W", "X", "XB", "XT", "Y",
}
# fmt: on
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]+")
DIAL = re.compile(r"[0-9+,*#]+")
UPDATED = re.compile(r"\d{4}-\d\d-\d\d [0-2]\d:[0-5]\d:[0-5]\d")


def problems(entry: dict, *, spec_types: bool = True) -> list[str]:
    """What in one entry breaks the spec; empty when it keeps to it."""
    found = []
    name, slug = entry.get("name"), entry.get("slug")
    if not isinstance(name, str) or not name or len(name) > 255:
        found.append(f"name {name!r}: required, at most 255 characters")
    if not isinstance(slug, str) or len(slug) > 64 or not URL_SAFE.fullmatch(slug):
        found.append(f"slug {slug!r}: required, URL-safe, at most 64 characters")
    days = entry.get("day")
    for day in days if isinstance(days, list) else [days] if days is not None else []:
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            found.append(f"day {day!r}: 0 (Sunday) to 6")
    for key in ("time", "end_time"):
        if key in entry and not (isinstance(entry[key], str) and TIME.fullmatch(entry[key])):
            found.append(f"{key} {entry[key]!r}: HH:MM, 24 hours")
    if ("day" in entry) != ("time" in entry):
        found.append("day and time come together (neither: by appointment)")
    if "timezone" in entry and entry["timezone"] not in zoneinfo.available_timezones():
        found.append(f"timezone {entry['timezone']!r}: an IANA name")
    types = entry.get("types", [])
    if not isinstance(types, list) or not all(isinstance(code, str) for code in types):
        found.append(f"types {types!r}: a list of codes")
    elif spec_types and set(types) - SPEC_TYPES:
        found.append(f"types {sorted(set(types) - SPEC_TYPES)}: not the spec's codes")
    if "updated" in entry and not UPDATED.fullmatch(str(entry["updated"])):
        found.append(f"updated {entry['updated']!r}: YYYY-MM-DD HH:MM:SS (UTC)")
    if entry.get("approximate", "no") not in ("yes", "no"):
        found.append(f"approximate {entry['approximate']!r}: yes or no")
    for key, limit in (("latitude", 90), ("longitude", 180)):
        value = entry.get(key)
        if value is not None and not (isinstance(value, int | float) and -limit <= value <= limit):
            found.append(f"{key} {value!r}: a number within ±{limit}")
    if "conference_phone" in entry and not DIAL.fullmatch(entry["conference_phone"]):
        found.append(f"conference_phone {entry['conference_phone']!r}: digits and + , * # only")
    if "conference_url" in entry and not re.match(r"https?://\S+$", entry["conference_url"]):
        found.append(f"conference_url {entry['conference_url']!r}: a link")
    regions = entry.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(r, str) and r for r in regions):
        found.append(f"regions {regions!r}: names, general to specific")
    if entry.get("approximate") == "yes":
        if entry.get("address"):
            found.append(f"address {entry['address']!r}: an approximate place has no street")
        if len(entry.get("formatted_address", "").split(",")) >= 4:
            found.append(f"formatted_address {entry['formatted_address']!r}: reads as a street")
    return found


def assert_valid_feed(entries: list[dict], *, spec_types: bool = True) -> None:
    """Every entry keeps to the spec, and slugs are unique in the feed."""
    found = {e.get("slug"): problems(e, spec_types=spec_types) for e in entries}
    assert not {slug: p for slug, p in found.items() if p}
    slugs = [e.get("slug") for e in entries]
    assert len(slugs) == len(set(slugs)), "slugs must be unique in a feed"
