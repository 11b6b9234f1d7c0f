"""One-tap ways to widen a search that found nothing, each with the meetings it would find:
without the filter that narrows it most, at twice the distance, with online meetings included.

Counted on the same read path as the page (groups.search: the same FilterSet, capped like the
page's own count), and only for an empty page: `Result.widenings` reads it lazily.
"""

import dataclasses

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, to_locale

from groups.clock import is_english, language
from groups.filters import DEFAULT_DISTANCE, DEFAULT_DISTANCE_MILES, MAX_DISTANCE

# Filters a widening may drop, each with the words for the search without it. The two ends of a
# start-time window go together.
DROPPABLE = (
    (("day",), gettext_lazy("Any day")),
    (("time",), gettext_lazy("Any time of day")),
    (("soon",), gettext_lazy("Starting at any time")),
    (("start_after", "start_before"), gettext_lazy("Any start time")),
    (("type",), gettext_lazy("Any type of meeting")),
    (("language",), gettext_lazy("Any language")),
    (("fellowship",), gettext_lazy("Any fellowship")),
    (("approach",), gettext_lazy("Any approach")),
    (("attendance",), gettext_lazy("In person or online")),
    (("region",), gettext_lazy("Any region")),
    (("q",), gettext_lazy("Without the search words")),
    (("status",), gettext_lazy("Any status")),
)

# Of the filters that could go, those whose removal finds the most meetings: two at most, so
# that the page offers a short choice rather than every filter back.
DROPS_SHOWN = 2


@dataclasses.dataclass(frozen=True)
class Widening:
    label: str  # "Any day", "Within 50 km"
    count: int
    capped: bool  # the count stopped at the cap: "more than"
    query: QueryDict  # the search's parameters with the one change, without a page

    @property
    def meetings(self) -> str:
        """ "12 meetings", "1 meeting", "more than 1000 meetings"."""
        if self.capped:
            cap = settings.SEARCH_COUNT_CAP
            return ngettext("more than %(count)s meeting", "more than %(count)s meetings", cap) % {
                "count": cap
            }
        return ngettext("%(count)s meeting", "%(count)s meetings", self.count) % {
            "count": self.count
        }


def _within(distance: float, shown: str, unit: str) -> str:
    """ "Within 50 km", "Within 30 miles", the number written as the reader's language writes
    it ("Dans un rayon de 7,5 km")."""
    lang = language()
    if not is_english(lang):
        from babel.numbers import format_decimal

        shown = format_decimal(distance, locale=to_locale(lang))
    if unit == "mi":
        return _("Within %(distance)s miles") % {"distance": shown}
    return _("Within %(distance)s km") % {"distance": shown}


def _query(params) -> QueryDict:
    """The parameters as a mutable QueryDict, without a page: a widened search starts at 1."""
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        if key != "page":
            query.setlist(key, values)
    return query


def _changed(query: QueryDict, changes: dict[str, list[str] | None]) -> QueryDict:
    query = query.copy()
    for key, values in changes.items():
        if values is None:
            query.pop(key, None)
        else:
            query.setlist(key, values)
    return query


def widenings(result) -> list[Widening]:
    """The widenings of an empty search that would find meetings, best first (see module)."""
    from groups.search import _capped_count, _filterset

    if result.errors or result.count or result.page_out_of_range:
        return []
    form = result.filterset.form
    data = form.cleaned_data
    link = _query(result.filterset.data)

    # What each widening counts: the same search with the one change, on the place already
    # found (its coordinates: nothing looks it up again), in the unit and the zone the search
    # used, so that the distance and "today" mean what they meant on the page.
    counted = link.copy()
    if form.origin is not None:
        counted.pop("near", None)
        counted["lat"], counted["lng"] = str(form.origin[0]), str(form.origin[1])
    counted["unit"] = result.unit
    if result.viewer:
        counted["tz"] = result.viewer.name
    cap = settings.SEARCH_COUNT_CAP

    def widening(label, changes: dict[str, list[str] | None]) -> Widening | None:
        filterset = _filterset(_changed(counted, changes), result.now, "")
        if not filterset.is_valid():
            return None
        count = _capped_count(filterset.qs, cap)
        if not count:
            return None
        return Widening(str(label), min(count, cap), count > cap, _changed(link, changes))

    attendance = data.get("attendance") or []
    excludes_online = bool(attendance) and "online" not in attendance
    drops = []
    for names, label in DROPPABLE:
        if not any(link.getlist(name) for name in names):
            continue
        if names == ("attendance",) and excludes_online:
            continue  # that is "Include online meetings", below
        if names == ("q",) and data.get("q"):
            label = _("Without “%(words)s”") % {"words": data["q"]}
        found = widening(label, dict.fromkeys(names))
        if found is not None:
            drops.append(found)
    drops.sort(key=lambda w: (w.capped, w.count), reverse=True)
    offered = drops[:DROPS_SHOWN]

    if form.origin is not None:
        unit = result.unit
        default = DEFAULT_DISTANCE_MILES if unit == "mi" else DEFAULT_DISTANCE
        distance = float(data.get("distance") or default)
        wider = min(distance * 2, MAX_DISTANCE)
        if wider > distance:
            shown = f"{wider:g}"
            found = widening(_within(wider, shown, unit), {"distance": [shown]})
            if found is not None:
                offered.append(found)

    if excludes_online:
        found = widening(_("Include online meetings"), {"attendance": [*attendance, "online"]})
        if found is not None:
            offered.append(found)
    return offered
