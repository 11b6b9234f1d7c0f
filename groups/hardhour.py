"""Something for the hard hour: when nothing in person starts soon, say so, and offer the
online meetings starting soonest (the helplines block follows on the same page).

Asked only of the first page of a search in "starting soonest" order that is about now (near a
place with no other day named, or for today, or for meetings starting soon), and not of a search
for online meetings alone. It costs one more small
search, through the one read path, only when the offer is made.
"""

import dataclasses
import datetime

from django.utils.translation import ngettext

from groups.search import Row, search

SOON = datetime.timedelta(hours=2)
OFFERED = 3
# What carries over from the person's search to the online meetings offered: who it is for,
# not where or when.
KEPT = ("fellowship", "approach", "type", "language", "tz")


@dataclasses.dataclass
class HardHour:
    place: str  # where nothing in person starts soon ("" for no place)
    rows: list[Row]
    now: datetime.datetime

    @property
    def soonest_in(self) -> str:
        """How long until the first online meeting offered starts, when that is not soon."""
        when = self.rows[0].when if self.rows else None
        if when is None or when.in_progress or when.start - self.now <= SOON:
            return ""
        hours = round((when.start - self.now).total_seconds() / 3600)
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}


def _starts_soon(row: Row, now) -> bool:
    return row.when is not None and (row.when.in_progress or row.when.start - now <= SOON)


def offer(result, params, cookie_tz: str = "") -> HardHour | None:
    if result.errors or result.sort != "upcoming" or result.page_out_of_range:
        return None
    if result.page is not None and result.page.number != 1:
        return None
    data = result.filterset.form.cleaned_data
    if set(data.get("attendance") or []) == {"online"}:
        return None
    # About now: a search near a place (in the default order, soonest first) or for today or
    # for meetings starting soon; not one for another day.
    days = data.get("day") or []
    if days and "today" not in days:
        return None
    if result.filterset.form.origin is None and "today" not in days and not data.get("soon"):
        return None
    meeting_in_person = [
        row for row in result.rows if row.meeting.status == "active" and row.meeting.is_in_person
    ]
    if any(_starts_soon(row, result.now) for row in meeting_in_person):
        return None
    full = result.page is not None and len(result.rows) >= result.page.paginator.per_page
    if full and all(_starts_soon(row, result.now) for row in result.rows):
        # A full page of meetings all starting soon may hide one in person just after it.
        return None
    online = {key: params.getlist(key) for key in KEPT if params.getlist(key)}
    online["attendance"] = ["online"]
    if result.viewer:  # read on the same clock as the search (its place's, say)
        online["tz"] = [result.viewer.name]
    found = search(online, now=result.now, cookie_tz=cookie_tz, per_page=OFFERED, listing=True)
    rows = [row for row in found.rows if row.meeting.status == "active"]
    if found.errors or not rows:
        return None
    origin = result.filterset.form.origin
    return HardHour(place=origin[2] if origin else "", rows=rows, now=result.now)
