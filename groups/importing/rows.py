"""The row every format's parser produces, and the value parsers they share.

No database here: a parser turns text into Rows (or Rejections naming the field), and
groups.importing.save decides what each Row means for the directory.
"""

import dataclasses
import datetime
import html
import math
import re
import unicodedata
from urllib.parse import urlsplit

from django.utils.text import slugify
from django.utils.translation import gettext as _

from groups.weektime import duration

DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_DAY_NAMES = {name: n for n, name in enumerate(DAYS)} | {name[:3]: n for n, name in enumerate(DAYS)}
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$", re.I)

IN_PERSON, HYBRID, ONLINE = "in_person", "hybrid", "online"
ACTIVE, TEMPORARILY_CLOSED, INACTIVE = "active", "temporarily_closed", "inactive"


class RowError(Exception):
    """A value that cannot be understood. `field` is the source's own name for it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclasses.dataclass
class Rejection:
    ref: str  # "line 4" (CSV, the header is line 1) or "entry 3" (JSON, from 0)
    key: str  # the row's id in the source, when it has one: it is not deactivated
    field: str
    message: str
    name: str = ""

    def __str__(self) -> str:
        named = f" ({self.name})" if self.name else ""
        return f"{self.ref}{named}: {self.field}: {self.message}"


@dataclasses.dataclass
class Place:
    name: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    approximate: bool = False
    notes: str = ""
    access_notes: str = ""
    regions: tuple[str, ...] = ()  # general to specific

    def key(self) -> tuple:
        """What makes two rows the same venue: the street address and town; a place known
        only approximately (an online group's home town) by its town and name."""
        if self.approximate:
            return ("near", *map(fold, (self.name, self.city, self.state, self.country)))
        return ("at", fold(self.address), fold(self.city))


@dataclasses.dataclass
class Row:
    ref: str
    key: str  # the meeting's id in the source (Meeting.source_key)
    slug: str  # the public slug it asks for
    name: str
    fellowship: str = ""  # a slug; empty means the source's fellowship
    day: int | None = None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    timezone: str = ""
    attendance: str = IN_PERSON
    status: str = ACTIVE
    status_reason: str = ""
    place: Place | None = None
    conference_url: str = ""
    conference_phone: str = ""
    conference_notes: str = ""
    types: tuple[str, ...] = ()  # Meeting Guide codes, TC and ONL already read
    languages: tuple[str, ...] | None = None  # language codes, when the source gives them
    group: str = ""
    group_notes: str = ""
    notes: str = ""
    # What reading changed in the source's values, for the report: (kind, what was done).
    mended: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    key_made: bool = False  # the source gives no id: `key` is made from what the row says


def refuse_nul(entry: dict, label=lambda key: key) -> None:
    """A NUL character is in no text (PostgreSQL cannot store one): the row is refused, naming
    the field, rather than failing when it is saved."""
    for key, value in entry.items():
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in values):
            raise RowError(label(key), _("holds a NUL character (\\x00), which is not text."))


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing removed: for matching names and addresses."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def text(value) -> str:
    """A cell or field as text; exports' literal NULL is an empty value."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value).strip()
    return "" if value.upper() == "NULL" else value


_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.I)
_TAG = re.compile(r"</?[a-z][a-z0-9]*(\s[^<>]*)?/?>", re.I)


def plain(value, mended: list | None = None, field: str = "") -> str:
    """Text as the spec wants it: HTML tags out (a <br> or end of paragraph becomes a line
    break), entities read (&amp; is &), NULL empty. What changed is noted in `mended`."""
    raw = text(value)
    if "<" not in raw and "&" not in raw:
        return raw
    cleaned = _TAG.sub("", _BREAK.sub("\n", raw))
    cleaned = html.unescape(cleaned)
    cleaned = "\n".join(" ".join(line.split()) for line in cleaned.splitlines())
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    if cleaned != raw and mended is not None:
        mended.append(("html", _("%(field)s: HTML made plain text") % {"field": field}))
    return cleaned


# Providers whose meeting links work over https (as TSML UI recognises them either way).
SECURE_PROVIDERS = (
    "zoom.us", "zoomgov.com", "meet.google.com", "teams.microsoft.com", "teams.live.com",
    "webex.com", "gotomeeting.com", "gotomeet.me", "meet.jit.si", "skype.com", "whereby.com",
    "discord.gg", "discord.com", "freeconferencecall.com", "bluejeans.com", "ringcentral.com",
    "uberconference.com", "meet.lync.com", "facebook.com", "join.me", "signal.group",
)  # fmt: skip


def conference_link(value, mended: list) -> str:
    """A join link, https as the directory requires (a link sent in the clear shows who joins
    what). http:// links are upgraded: every known provider serves the same link over https,
    and for any other host the upgrade is noted as one to check (an http link would be refused
    outright otherwise, losing the meeting's only way in)."""
    link = text(value)
    if not link:
        return ""
    several = re.split(r"[\s,;]+(?=https?://)", link, flags=re.I)
    if len(several) > 1:  # "https://…, https://…": the first is the meeting's
        link = several[0].strip(" ,;")
        mended.append(
            ("link", _("%(field)s: several links: the first kept") % {"field": "conference_url"})
        )
    if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}/", link, re.I):  # "zoom.us/j/123" without a scheme
        link = "https://" + link
        mended.append(("link", _("%(field)s: https:// added") % {"field": "conference_url"}))
    elif re.match(r"^http://", link, re.I):
        host = (urlsplit(link).hostname or "").lower()
        link = "https://" + link[7:]
        known = any(host == p or host.endswith("." + p) for p in SECURE_PROVIDERS)
        what = (
            _("%(field)s: http upgraded to https")
            if known
            else _("%(field)s: http upgraded to https on %(host)s: check it opens")
        )
        mended.append(("link", what % {"field": "conference_url", "host": host}))
    elif re.match(r"^https://", link, re.I) and not link.startswith("https://"):
        link = "https://" + link[8:]  # "Https://"
    return link


def dial_string(value, mended: list | None = None) -> str:
    """A phone number in the Meeting Guide spec's characters: digits and + , * # only, as TSML
    UI keeps them ("(800) 555-1212" → "8005551212"). A Zoom one-tap string keeps its pauses and
    numeric passcode ("+15873281099,,82900440659#,,#,,12345#"); a part after a pause that holds
    letters (a web passcode no keypad can dial) is dropped with what follows it."""
    raw = text(value)
    parts = raw.split(",")
    kept = []
    for index, part in enumerate(parts):
        if index and re.search(r"[a-z]", part, re.I):
            break
        kept.append(re.sub(r"[^0-9+*#]", "", part))
    phone = ",".join(kept).rstrip(",")
    if len(phone) > 60:  # the longest the directory keeps; cut at a pause
        phone = phone[:60].rsplit(",", 1)[0].rstrip(",")
    if phone != raw and mended is not None:
        what = _("%(field)s: %(raw)s dialled as %(phone)s")
        mended.append(
            ("phone", what % {"field": "conference_phone", "raw": repr(raw), "phone": repr(phone)})
        )
    return phone


def days(value, field: str, *, first: int = 0) -> list[int | None]:
    """A day as a number (`first` is Sunday), a weekday name, or a list of them. [None] when
    there is none (by appointment)."""
    if isinstance(value, list | tuple):
        found = [day for item in value for day in days(item, field, first=first)]
        return list(dict.fromkeys(d for d in found if d is not None)) or [None]
    word = text(value)
    if not word:
        return [None]
    if re.fullmatch(r"\d+", word):
        number = int(word) - first
        if 0 <= number <= 6:
            return [number]
        last = first + 6
        raise RowError(
            field,
            _("%(value)s is not a day (use %(first)s–%(last)s, %(first)s = Sunday).")
            % {"value": repr(word), "first": first, "last": last},
        )
    if word.casefold() in _DAY_NAMES:
        return [_DAY_NAMES[word.casefold()]]
    if "," in word:
        return days([part for part in word.split(",") if part.strip()], field, first=first)
    raise RowError(field, _("%(value)s is not a day of the week.") % {"value": repr(word)})


def time(value, field: str) -> datetime.time | None:
    """H:MM, HH:MM, HH:MM:SS or 7:00 PM; None when empty."""
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    word = text(value)
    if not word:
        return None
    match = _TIME.match(word)
    if match:
        hours, minutes = int(match[1]), int(match[2] or 0)
        if match[4] and 1 <= hours <= 12:
            hours = hours % 12 + (12 if match[4].lower() == "p" else 0)
        elif match[4]:
            hours = 99
        if hours == 24 and minutes == 0:
            hours = 0  # an end at midnight
        if hours < 24 and minutes < 60 and (match[2] or match[4]):
            return datetime.time(hours, minutes)
    raise RowError(
        field, _("%(value)s is not a time (use HH:MM, 24-hour).") % {"value": repr(word)}
    )


def after(start: datetime.time, span: str, field: str) -> datetime.time:
    """The time `span` (H:MM or H:MM:SS) after `start`."""
    length = time(span, field) if span else None
    if length is None:
        return None
    minutes = length.hour * 60 + length.minute
    moment = datetime.datetime.combine(datetime.date(2000, 1, 1), start)
    return (moment + datetime.timedelta(minutes=minutes)).time()


def number(value, field: str) -> float | None:
    word = text(value)
    if not word:
        return None
    try:
        found = float(word)
    except ValueError:
        raise RowError(field, _not_a_number(word)) from None
    if not math.isfinite(found):  # "NaN", "inf", 1e999: no place is there
        raise RowError(field, _not_a_number(word))
    return found


def _not_a_number(word: str) -> str:
    return _("%(value)s is not a number.") % {"value": repr(word[:40])}


def yes(value) -> bool:
    return text(value).casefold() in ("yes", "y", "true", "1")


def codes(value) -> list[str]:
    """A list, or text separated by commas ("[open]" and "[O, X]" as some exports write
    them)."""
    if isinstance(value, list | tuple):
        return [text(item) for item in value if text(item)]
    words = text(value)
    if words.startswith("[") and words.endswith("]"):
        words = words[1:-1]
    return [part.strip().strip("'\"") for part in re.split(r"[,\n]", words) if part.strip()]


# TSML's names for the two codes that say how a meeting is held, as its CSV files write them.
STATUS_TYPE_NAMES = {
    "tc": "TC",
    "temporary closure": "TC",
    "location temporarily closed": "TC",
    "temporarily closed": "TC",
    "onl": "ONL",
    "online": "ONL",
    "online meeting": "ONL",
}


def type_codes(value) -> list[str]:
    """Type codes or names as a source gives them; TC and ONL (whatever their case or name)
    as codes. Other names are matched in each fellowship's vocabulary on import. A list with
    its own legend ("C = Closed Discussion meeting", as New York's export writes it) is read
    by the legend's words, since its codes are its own."""
    if isinstance(value, str):
        value = plain(value)
    found = []
    for item in codes(value):
        code, equals, meaning = item.partition("=")
        item = meaning.strip() if equals and meaning.strip() else item
        found.append(STATUS_TYPE_NAMES.get(fold(item), item))
    return found


def attendance(online: bool, in_person: bool, closed: bool, has_place: bool):
    """(attendance, status) as TSML UI derives them from a Meeting Guide entry (REFERENCE §1).
    The legacy ONL type is not read: TSML adds it to every meeting with a link, hybrid ones too.
    TC with online details → online; TC alone → temporarily closed; online details and a real
    address → hybrid; online details and an approximate address or none → online; a real
    address → in person; an approximate place and no online details → inactive."""
    if closed:
        return (ONLINE, ACTIVE) if online else (IN_PERSON, TEMPORARILY_CLOSED)
    if online:
        return (HYBRID if in_person else ONLINE), ACTIVE
    if has_place and not in_person:
        return IN_PERSON, INACTIVE
    return IN_PERSON, ACTIVE


def slug_for(wanted: str, name: str, day: int | None, start: datetime.time | None) -> str:
    """The public slug a row asks for: the source's own, else one from its name and time."""
    slug = slugify(wanted)
    if not slug:
        when = f"{DAYS[day]} {start:%H%M}" if day is not None and start else "appointment"
        slug = slugify(f"{name} {when}")
    return slug[:64].strip("-") or "meeting"


def key_for(name: str, day, start, place: Place | None, *details: str) -> str:
    """An id for a row that has none: its name, time and address, and the details that tell
    apart meetings of one group at one time and place (the room, its types, its notes). Rows
    alike in all of these are numbered in the order the source lists them
    (meeting_guide.Parsed.number_alike)."""
    where = place.key() if place else ()
    room = place.notes if place else ""
    parts = (fold(name), day, start, *where, fold(room), *map(fold, details))
    return "|".join(map(str, parts))[:255]


def one_per_day(row: Row, day_list: list[int | None]) -> list[Row]:
    """A meeting held on several days becomes one meeting a day, each with its own id and
    slug (the day appended)."""
    if len(day_list) == 1:
        row.day = day_list[0]
        return [row]
    copies = []
    for day in day_list:
        suffix = DAYS[day]
        copies.append(
            dataclasses.replace(
                row,
                day=day,
                key=f"{row.key}/{suffix}"[:255],
                slug=f"{row.slug[: 63 - len(suffix)].strip('-')}-{suffix}",
            )
        )
    return copies


def check_times(row: Row, day_field: str, time_field: str) -> None:
    if row.start_time is not None and row.day is None:
        raise RowError(day_field, _("a start time needs a day (leave both empty: by appointment)."))
    if row.day is not None and row.start_time is None:
        raise RowError(time_field, _("a day needs a start time."))
    if row.start_time is None:
        row.end_time = None
    elif row.end_time is not None and duration(row.start_time, row.end_time) == 1440:
        row.end_time = None  # "ends when it starts" means the spec's default hour
