"""How a listing reads in a list row and on its page: its types without the ones that only
name a language (the languages are listed once, as languages), and a plain warning when no
volunteer has checked it for a long time."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from groups.models import MeetingType

register = template.Library()


@register.filter
def shown_types(meeting) -> list:
    return [t for t in meeting.types.all() if t.category != MeetingType.Category.LANGUAGE]


@register.filter
def shown_languages(meeting) -> list:
    """The meeting's languages, unless it is held only in the interface's own language, which
    goes without saying."""
    languages = list(meeting.languages.all())
    default = settings.LANGUAGE_CODE.split("-")[0]
    if len(languages) == 1 and languages[0].code == default:
        return []
    return languages


def _long_ago(days: int) -> str:
    """The warning, with the time since the check in days, months or years: one sentence for
    each, so that each language words and agrees it as a whole."""
    if days < 60:
        count = days
        sentence = ngettext(
            "Last checked %(count)s day ago: call or check before you go.",
            "Last checked %(count)s days ago: call or check before you go.",
            count,
        )
    elif (count := round(days / 30.44)) < 24:
        sentence = ngettext(
            "Last checked %(count)s month ago: call or check before you go.",
            "Last checked %(count)s months ago: call or check before you go.",
            count,
        )
    else:
        count = round(days / 365.25)
        sentence = ngettext(
            "Last checked %(count)s year ago: call or check before you go.",
            "Last checked %(count)s years ago: call or check before you go.",
            count,
        )
    return sentence % {"count": count}


@register.filter
def checked_long_ago(meeting, today: datetime.date | None = None) -> str:
    """ "Last checked 18 months ago: call or check before you go", for a listing not checked
    within VERIFICATION_INTERVAL_DAYS; "" for one checked recently, or never (an imported
    listing is as fresh as its source; its page says that no volunteer has checked it)."""
    today = today or timezone.localdate()
    if meeting.last_verified is None:
        return ""
    days = (today - meeting.last_verified).days
    if days <= settings.VERIFICATION_INTERVAL_DAYS:
        return ""
    return _long_ago(days)


@register.simple_tag
def meeting_rows(rows, offered=False):
    """The result rows (groups.search.Row) as list items, each kept once and only its time and
    distance filled in per page (groups.fragments)."""
    from groups.fragments import rows_html

    return rows_html(rows, offered=offered)
