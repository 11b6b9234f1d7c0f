"""Referral sheets: a printable list of meetings, or a PDF of it, made from any search.

Nothing about the client is asked for or kept: the options are the staff member's service,
a short note for everyone (e.g. "Ask for Sam at reception"), layout, paper and the sheet's
language. Sheets are not logged with their search terms.

A sheet may be printed in any of the site's languages, whatever the staff member's own: the form
and its preview stay in theirs; the sheet, its PDF and its live link (the search page under that
language's prefix) are drawn in the one chosen (`lang`, kept in the sheet's query).
"""

import datetime
import re
import unicodedata
from urllib.parse import urlencode, urlsplit

import segno
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from groups.clock import week_day
from groups.filters import MeetingFilter
from groups.translations import translated

# A sheet lists at most this many meetings; past it, it says so and suggests narrowing.
SHEET_LIMIT = 200
# The sheet's own parameters (SheetOptions, the meetings left out, the form's preview button),
# not the search's: the live search takes none of them.
SHEET_OPTIONS = {"service", "note", "group_by", "paper", "online", "lang", "drop", "preview"}
# What a sheet is when the form leaves an option out: in-person and hybrid meetings only (a
# clinic hands over meetings near it; online ones are an explicit choice).
DEFAULTS = {"group_by": "day", "paper": "a4", "online": "no"}


def active_language() -> str:
    """The active language as one of settings.LANGUAGES: the staff member's own (the page's),
    or the sheet's while it is drawn (translation.override)."""
    codes = [code for code, _name in settings.LANGUAGES]
    current = translation.get_language() or settings.LANGUAGE_CODE
    if current in codes:
        return current
    base = current.split("-")[0].lower()
    return base if base in codes else settings.LANGUAGE_CODE


def language_choices() -> list[tuple[str, str]]:
    """The sheet's languages, each named in its own words ("Español", "Français")."""
    return [
        (code, capfirst(translation.get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


class SheetOptions(forms.Form):
    service = forms.CharField(
        label=gettext_lazy("Your service's name"),
        max_length=80,
        required=False,
        help_text=gettext_lazy(
            "Printed at the top. Do not enter anything about the person you are helping."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("A note for everyone who gets this list"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example “Ask for Sam at reception”. Nothing about the client."),
    )
    group_by = forms.ChoiceField(
        label=gettext_lazy("Group the meetings"),
        choices=[
            ("day", gettext_lazy("By day")),
            ("fellowship", gettext_lazy("By fellowship, then day")),
        ],
        required=False,
    )
    paper = forms.ChoiceField(
        label=pgettext_lazy("paper size", "Paper"),
        choices=[("a4", "A4"), ("letter", pgettext_lazy("paper size", "Letter"))],
        required=False,
    )
    online = forms.ChoiceField(
        label=gettext_lazy("Online meetings"),
        choices=[
            ("no", gettext_lazy("In-person and hybrid meetings only")),
            (
                "yes",
                gettext_lazy("Add online meetings, with their times in the client's time zone"),
            ),
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("The client's time zone is that of the place you search near."),
    )
    # The sheet may be in the client's language, whatever the staff member's own: the form
    # stays in theirs, the sheet (and its PDF) is drawn in this one.
    lang = forms.ChoiceField(
        label=gettext_lazy("Language of the sheet"),
        choices=(),
        required=False,
    )

    def __init__(self, data=None, *args, **kwargs):
        # A search carried over from the finder names no sheet option: the form shows, and
        # the sheet uses, the defaults.
        defaults = self.defaults()
        if data is not None:
            data = data.copy()
            for name, value in defaults.items():
                if not data.get(name):
                    data[name] = value
        super().__init__(data, *args, **kwargs)
        self.fields["lang"].choices = language_choices()
        for name, value in defaults.items():
            self.fields[name].initial = value

    @staticmethod
    def defaults() -> dict[str, str]:
        """DEFAULTS, and the sheet in the staff member's own language."""
        return {**DEFAULTS, "lang": active_language()}

    def clean(self):
        data = super().clean()
        for name, value in self.defaults().items():
            data[name] = data.get(name) or value
        return data


def _set(params):
    """The parameters with each value once and no empty ones (`?day=1&day=1&day=` is `day=1`)."""
    params = params.copy()
    for name in list(params):
        values = list(dict.fromkeys(value for value in params.getlist(name) if value))
        if values:
            params.setlist(name, values)
        else:
            del params[name]
    return params


def search_params(params):
    """The search a sheet lists: the request's search, in week order; in person (a hybrid
    meeting is also in person) unless online meetings are asked for or the search names how;
    meetings that are meeting (temporarily closed ones are left out) unless the search names a
    status. A value given twice counts once and an empty one not at all."""
    params = _set(params)
    params["sort"] = "time"  # the sheet is in week order, whatever order the finder had
    if params.get("online") != "yes" and not params.getlist("attendance"):
        params.setlist("attendance", ["in_person"])
    if not params.getlist("status"):
        params.setlist("status", ["active"])
    return params


def sheet_query(params, lang: str | None = None) -> str:
    """The sheet's own query, for its links to the PDF and back to the form: the parameters set
    (no empty ones), without the preview button; with the sheet's language, when given, so
    that the PDF and the form keep it."""
    params = _set(params)
    params.pop("preview", None)
    if lang:
        params["lang"] = lang
    return params.urlencode()


def dropped(params) -> set[str]:
    """The slugs of the meetings staff left out (`?drop=<slug>`, as many as a sheet lists)."""
    slugs = [value for value in params.getlist("drop") if re.fullmatch(r"[-\w]{1,255}", value)]
    return set(slugs[:SHEET_LIMIT])


def live_link(params) -> str:
    """The query of the search page that lists the same meetings, for the sheet's "check before
    you go" link and its QR code: only the search's own parameters (`params` as search_params()
    gives them, each value once), none of the sheet's options."""
    known = MeetingFilter.base_filters.keys() - SHEET_OPTIONS
    pairs = [(name, values) for name, values in params.lists() if name in known and values]
    # A distance and its unit mean something only near a place; the unit alone, as the form's
    # select always sends it, only repeats what the search page infers from the place.
    has_place = any(name in ("near", "lat") for name, _values in pairs)
    has_distance = has_place and any(name == "distance" for name, _values in pairs)
    pairs = [
        (name, values)
        for name, values in pairs
        if (name != "distance" or has_place) and (name != "unit" or has_distance)
    ]
    return urlencode(pairs, doseq=True)


def file_word(word: str, english: str) -> str:
    """A word of a file name, in ASCII letters, digits and hyphens ("réunions" is "reunions"),
    else the English one."""
    return slugify(word)[:30].strip("-") or english


def pdf_name(place: str | None, day: datetime.date) -> str:
    """The PDF's file name: "meetings-leith-2026-12-01.pdf" (the first word in the active
    language); ASCII letters, digits and hyphens only, so that it is safe in a header and on
    any disk."""
    first = file_word(pgettext("file name of a referral sheet", "meetings"), "meetings")
    words = slugify(place or "")[:40].strip("-")
    return f"{first}-{words + '-' if words else ''}{day:%Y-%m-%d}.pdf"


# How the sheet says the day it was printed: as it always has in English, else in the way of the
# language (Django's DATE_FORMAT: "1 de diciembre de 2026", "1 décembre 2026").
PRINTED_DATE = {"en": "j F Y"}


def printed_date(day: datetime.date) -> str:
    """The date the sheet was printed, in the active language."""
    return date_format(day, PRINTED_DATE.get(active_language()) or get_format("DATE_FORMAT"))


def page_counter_css() -> str:
    """The PDF's "Page 1 of 2" in the active language, as a stylesheet (WeasyPrint draws it;
    the HTML sheet keeps sheet.css's English one, which the Content-Security-Policy allows by
    its hash)."""
    words = _("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\((?:page|pages)\)s)", words)
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    content = " ".join(counters.get(part) or _css_string(part) for part in parts if part)
    return f"@page {{ @bottom-right {{ content: {content}; }} }}"


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + escaped.replace("\n", " ") + '"'


def readable_dial(value: str) -> str:
    """A dial string as a person reads and dials it: "+16465550100,,98765432101#" is
    "+1 646 555 0100, then meeting ID 987 6543 2101 #". Pauses (commas) become "then"; the
    first code after the number is the meeting ID, the next the passcode (a one-tap "*" before
    it is for phones that dial it themselves)."""
    number, *steps = value.split(",")
    words = [_spaced_number(number.strip())]
    labels = iter(("meeting ID", "passcode"))
    for step in (step.strip() for step in steps):
        if not step:
            continue
        digits = step.rstrip("#").lstrip("*")
        if digits.isdigit():
            label = next(labels, "")
            pound = " #" if step.endswith("#") else ""
            if label == "meeting ID":
                # Translators: a step of dialling in to a meeting by phone, after a pause.
                words.append(_("then meeting ID %(code)s") % {"code": _grouped(digits) + pound})
            elif label == "passcode":
                # Translators: a step of dialling in to a meeting by phone, after a pause.
                words.append(_("then passcode %(code)s") % {"code": digits + pound})
            else:
                words.append(_("then %(code)s") % {"code": digits + pound})
        else:
            # Translators: a step of dialling in to a meeting by phone, after a pause.
            words.append(_("then %(code)s") % {"code": step})
    return ", ".join(words)


def _spaced_number(number: str) -> str:
    """A North American number in its groups ("+1 646 555 0100"); any other as written."""
    digits = re.sub(r"[^0-9]", "", number)
    if number.startswith("+1") and len(digits) == 11 and " " not in number:
        return f"+1 {digits[1:4]} {digits[4:7]} {digits[7:]}"
    return number


def _grouped(digits: str) -> str:
    """A meeting ID in the groups it is shown in: 987 654 321, 987 654 3210, 987 6543 2101."""
    if len(digits) == 11:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 10:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


# Meetings named for family and friends, where neither the fellowship (Fellowship.audience) nor
# a type says so: "SMART Recovery Family & Friends", "Hope for Families", "Family Group".
FAMILY_NAME = re.compile(r"famil(y|ies)\s*(&|and)\s*friends|\bfamilies\b|\bfamily group", re.I)


def for_family(meeting) -> bool:
    """Whether a meeting is for family and friends of someone with an addiction: its
    fellowship's audience, a type for families, or its name. Reads no database beyond what
    Meeting.objects.for_listing() fetched."""
    if meeting.fellowship.audience == meeting.fellowship.Audience.FAMILY:
        return True
    if any("famil" in t.name.lower() for t in meeting.types.all()):
        return True
    return bool(FAMILY_NAME.search(meeting.name))


# Plain words for the types a sheet may print whose names alone say little to a client. Open and
# Closed are explained in each fellowship's own words (Fellowship.open_meaning, closed_meaning).
PLAIN_TYPES = {
    # Translators: what a "Discussion" meeting is, on a referral sheet's legend.
    "D": gettext_lazy("members talk in turn about a topic"),
    # Translators: what a "Speaker" meeting is, on a referral sheet's legend.
    "SP": gettext_lazy("one member tells their story"),
    # Translators: what a "Beginner" meeting is, on a referral sheet's legend.
    "BE": gettext_lazy("for people new to recovery"),
    # Translators: what a "Step study" meeting is, on a referral sheet's legend.
    "ST": gettext_lazy("members read and talk about one of the steps"),
}


def dressed(rows) -> list:
    """The rows with what the sheet prints beside each meeting, in the active language:
    `for_family`, `dial` (its dial-in number as a person reads it) and `type_names`."""
    for row in rows:
        meeting = row.meeting
        row.for_family = for_family(meeting)
        row.dial = readable_dial(meeting.conference_phone) if meeting.conference_phone else ""
        row.type_names = [translated(t, "name") for t in meeting.types.all()]
    return rows


def about(fellowships) -> list[dict]:
    """What the sheet says about each fellowship on it, in the active language (where the
    fellowship's texts have been translated; else in English)."""
    about = [
        {
            "name": translated(f, "name"),
            "focus": translated(f, "focus"),
            "audience": "" if f.audience == f.Audience.ANYONE else str(f.get_audience_display()),
            "description": translated(f, "description"),
        }
        for f in fellowships
    ]
    return sorted(about, key=lambda f: _sort_key(f["name"]))


def _sort_key(text: str) -> tuple[str, str]:
    """Alphabetical as a reader expects it, accents and case aside."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return ("".join(ch for ch in plain if not unicodedata.combining(ch)), text)


def legend(rows) -> list[tuple[str, str]]:
    """What the words on the sheet mean, for those it uses only: [("Open (AA)", "anyone may
    come…"), ("Hybrid", …), ("For family and friends", …)]. Needs dressed() rows."""
    from groups.templatetags.fellowship_words import MEANINGS, _lower_first

    entries: dict[str, str] = {}
    kinds = {row.meeting.attendance for row in rows}
    if "hybrid" in kinds:
        entries[pgettext("meeting attendance", "Hybrid")] = _(
            "held in a room and online at the same time; either way is welcome"
        )
    if "online" in kinds:
        entries[pgettext("meeting attendance", "Online")] = _(
            "joined by the link, the QR code or the phone number given"
        )
    if any(row.for_family for row in rows):
        entries[_("For family and friends")] = _(
            "for people affected by someone else's drinking or drug use, not for the person "
            "who uses"
        )
    seen = set()
    for row in rows:
        fellowship = row.meeting.fellowship
        for meeting_type in row.meeting.types.all():
            key = (fellowship.pk, meeting_type.code)
            if key in seen:
                continue
            seen.add(key)
            if meeting_type.code in MEANINGS:
                label, field = MEANINGS[meeting_type.code]
                words = (translated(fellowship, field) or "").strip().rstrip(".")
                if words:
                    # Translators: a term on a referral sheet's legend: "Open (AA)".
                    term = _("%(type)s (%(fellowship)s)") % {
                        "type": label,
                        "fellowship": translated(fellowship, "short_name"),
                    }
                    entries[term] = _lower_first(words)
            elif meeting_type.code in PLAIN_TYPES:
                entries[translated(meeting_type, "name")] = str(PLAIN_TYPES[meeting_type.code])
    return sorted(entries.items(), key=lambda entry: _sort_key(entry[0]))


def short_link(url: str, length: int = 42) -> str:
    """A join link written short for paper: host and path, without scheme or query."""
    parts = urlsplit(url)
    text = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/")
    return text if len(text) <= length else text[: length - 1] + "…"


def _qr_code(url: str):
    """The QR code to the URL, or None for a URL longer than a QR code holds."""
    try:
        return segno.make(url, error="m")
    except segno.DataOverflowError:
        return None


def qr_svg(url: str, scale: int = 2) -> str:
    """An inline SVG QR code to the URL (drawn on the server; nothing is fetched), or "" for a
    URL longer than a QR code holds: the sheet prints the link alone then."""
    code = _qr_code(url)
    if code is None:
        return ""
    # A viewBox rather than a fixed size, so that the stylesheet sets the printed size.
    return mark_safe(code.svg_inline(scale=scale, border=2, omitsize=True))


def qr_image(url: str) -> str:
    """The same code as an image, for the PDF: WeasyPrint draws a small PNG far quicker than an
    SVG path of the same code (a sheet of 150 meetings with 55 join links: about a second less
    at 100,000 meetings). One pixel a module, scaled without smoothing by the stylesheet, so that
    it prints as sharp."""
    code = _qr_code(url)
    if code is None:
        return ""
    return format_html('<img src="{}" alt="">', code.png_data_uri(scale=1, border=2))


def groups_of(rows, group_by: str) -> list[tuple[str, list]]:
    """The sheet's sections: by day (Sunday first, by appointment last), or by fellowship. Days
    are those of the sheet's clock (groups.clock.When.shown): an online meeting from another zone
    is filed under the day it falls on for the client."""
    sections: dict[str, list] = {}
    if group_by == "fellowship":
        names = {
            row.meeting.fellowship.pk: translated(row.meeting.fellowship, "name") for row in rows
        }
        ordered = sorted(
            rows, key=lambda r: (_sort_key(names[r.meeting.fellowship.pk]), _week_order(r))
        )
        for row in ordered:
            sections.setdefault(names[row.meeting.fellowship.pk], []).append(row)
        return list(sections.items())
    by_appointment = _("By appointment")
    for row in sorted(rows, key=_week_order):
        # The weekday in the active language (Django's own names: "lunes", "lundi").
        title = by_appointment if row.when is None else capfirst(date_format(row.when.shown, "l"))
        sections.setdefault(title, []).append(row)
    return list(sections.items())


def _week_order(row):
    if row.when is None:
        return (7, datetime.time(0), row.meeting.name)
    shown = row.when.shown
    return (week_day(shown), shown.time(), row.meeting.name)


def pdf(html: str) -> bytes:
    """The sheet as a PDF, drawn on the server. Everything it shows is inline: nothing is
    fetched, from this site or any other."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    # Its QR codes are data: images, read from the page itself; any other address is refused.
    inline_only = URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=inline_only).write_pdf()
