"""How a listing reads in a list row and on its page: its types without the ones that only
name a language (the languages are listed once, as languages), and a plain warning when no
volunteer has checked it for a long time."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone

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


def _ago(days: int) -> str:
    if days < 60:
        return f"{days} days ago"
    months = round(days / 30.44)
    if months < 24:
        return f"{months} months ago"
    return f"{round(days / 365.25)} years ago"


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
    return f"Last checked {_ago(days)}: call or check before you go."
