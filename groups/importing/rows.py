"""The row every format's parser produces, and the value parsers they share.

No database here: a parser turns text into Rows (or Rejections naming the field), and
groups.importing.save decides what each Row means for the directory.
"""

import dataclasses
import datetime
import re
import unicodedata

from django.utils.text import slugify

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


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing removed: for matching names and addresses."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
        raise RowError(field, f"{word!r} is not a day (use {first}–{last}, {first} = Sunday).")
    if word.casefold() in _DAY_NAMES:
        return [_DAY_NAMES[word.casefold()]]
    if "," in word:
        return days([part for part in word.split(",") if part.strip()], field, first=first)
    raise RowError(field, f"{word!r} is not a day of the week.")


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
    raise RowError(field, f"{word!r} is not a time (use HH:MM, 24-hour).")


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
        return float(word)
    except ValueError:
        raise RowError(field, f"{word!r} is not a number.") from None


def yes(value) -> bool:
    return text(value).casefold() in ("yes", "y", "true", "1")


def codes(value) -> list[str]:
    """A list, or text separated by commas."""
    if isinstance(value, list | tuple):
        return [text(item) for item in value if text(item)]
    return [part.strip() for part in text(value).split(",") if part.strip()]


def attendance(online: bool, in_person: bool, closed: bool, legacy_online: bool):
    """(attendance, status) as tools derive them from a Meeting Guide entry (REFERENCE §1):
    TC with online details → online; TC alone → temporarily closed; online details and a real
    address → hybrid; online details and an approximate address or none → online; the legacy
    ONL type → online; neither → in person."""
    if closed:
        return (ONLINE, ACTIVE) if online else (IN_PERSON, TEMPORARILY_CLOSED)
    if legacy_online or (online and not in_person):
        return ONLINE, ACTIVE
    return (HYBRID if online else IN_PERSON), ACTIVE


def slug_for(wanted: str, name: str, day: int | None, start: datetime.time | None) -> str:
    """The public slug a row asks for: the source's own, else one from its name and time."""
    slug = slugify(wanted)
    if not slug:
        when = f"{DAYS[day]} {start:%H%M}" if day is not None and start else "appointment"
        slug = slugify(f"{name} {when}")
    return slug[:64].strip("-") or "meeting"


def key_for(name: str, day, start, place: Place | None) -> str:
    """An id for a row that has none: its name, time and address."""
    where = place.key() if place else ()
    return "|".join(map(str, (fold(name), day, start, *where)))[:255]


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
        raise RowError(day_field, "a start time needs a day (leave both empty: by appointment).")
    if row.day is not None and row.start_time is None:
        raise RowError(time_field, "a day needs a start time.")
    if row.start_time is None:
        row.end_time = None
    elif row.end_time is not None and duration(row.start_time, row.end_time) == 1440:
        row.end_time = None  # "ends when it starts" means the spec's default hour
