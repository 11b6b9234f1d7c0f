"""Referral sheets: a printable list of meetings, or a PDF of it, made from any search.

Nothing about the client is asked for or kept: the options are the staff member's service,
a short note for everyone (e.g. "Ask for Sam at reception"), layout and paper. Sheets are not
logged with their search terms.
"""

import datetime
from urllib.parse import urlencode, urlsplit

import segno
from django import forms
from django.utils.safestring import mark_safe

from groups.clock import week_day
from groups.filters import MeetingFilter

# A sheet lists at most this many meetings; past it, it says so and suggests narrowing.
SHEET_LIMIT = 200
# The sheet's own parameters (SheetOptions), not the search's.
SHEET_OPTIONS = {"service", "note", "group_by", "paper", "online"}


class SheetOptions(forms.Form):
    service = forms.CharField(
        label="Your service's name",
        max_length=80,
        required=False,
        help_text="Printed at the top. Do not enter anything about the person you are helping.",
    )
    note = forms.CharField(
        label="A note for everyone who gets this list",
        max_length=200,
        required=False,
        help_text="For example “Ask for Sam at reception”. Nothing about the client.",
    )
    group_by = forms.ChoiceField(
        label="Group the meetings",
        choices=[("day", "By day"), ("fellowship", "By fellowship, then day")],
        required=False,
    )
    paper = forms.ChoiceField(
        label="Paper", choices=[("a4", "A4"), ("letter", "Letter")], required=False
    )
    online = forms.ChoiceField(
        label="Online meetings",
        choices=[("yes", "Include online meetings"), ("no", "In-person and hybrid only")],
        required=False,
    )

    def clean(self):
        data = super().clean()
        data["group_by"] = data.get("group_by") or "day"
        data["paper"] = data.get("paper") or "a4"
        data["online"] = data.get("online") or "yes"
        return data


def search_params(params):
    """The search a sheet lists: the request's search, in week order, and in person only when
    online meetings are left out (a hybrid meeting is also in person). A value given twice
    counts once and an empty one not at all (`?day=1&day=1&day=` is a sheet of Mondays)."""
    params = params.copy()
    for name in list(params):
        values = list(dict.fromkeys(value for value in params.getlist(name) if value))
        if values:
            params.setlist(name, values)
        else:
            del params[name]
    params.setdefault("sort", "time")
    if params.get("online") == "no" and not params.getlist("attendance"):
        params.setlist("attendance", ["in_person"])
    return params


def live_link(params) -> str:
    """The query of the search page that lists the same meetings, for the sheet's "check before
    you go" link and its QR code: only the search's own parameters (`params` as search_params()
    gives them, each value once), none of the sheet's options."""
    known = MeetingFilter.base_filters.keys() - SHEET_OPTIONS
    return urlencode([(name, value) for name, value in params.lists() if name in known], doseq=True)


def short_link(url: str, length: int = 42) -> str:
    """A join link written short for paper: host and path, without scheme or query."""
    parts = urlsplit(url)
    text = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/")
    return text if len(text) <= length else text[: length - 1] + "…"


def qr_svg(url: str, scale: int = 2) -> str:
    """An inline SVG QR code to the URL (drawn on the server; nothing is fetched), or "" for a
    URL longer than a QR code holds: the sheet prints the link alone then."""
    try:
        code = segno.make(url, error="m")
    except segno.DataOverflowError:
        return ""
    # A viewBox rather than a fixed size, so that the stylesheet sets the printed size.
    return mark_safe(code.svg_inline(scale=scale, border=2, omitsize=True))


def groups_of(rows, group_by: str) -> list[tuple[str, list]]:
    """The sheet's sections: by day (Sunday first, by appointment last), or by fellowship. Days
    are those of the sheet's clock (groups.clock.When.shown): an online meeting from another zone
    is filed under the day it falls on for the client."""
    sections: dict[str, list] = {}
    if group_by == "fellowship":
        ordered = sorted(rows, key=lambda r: (r.meeting.fellowship.name, _week_order(r)))
        for row in ordered:
            sections.setdefault(row.meeting.fellowship.name, []).append(row)
        return list(sections.items())
    for row in sorted(rows, key=_week_order):
        title = "By appointment" if row.when is None else f"{row.when.shown:%A}"
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

    def refuse(url, *args, **kwargs):
        raise ValueError(f"A referral sheet fetches nothing ({url}).")

    return weasyprint.HTML(string=html, url_fetcher=refuse).write_pdf()
