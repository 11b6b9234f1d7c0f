"""What a meeting type means in a fellowship's own words, where the bare name says too little.

"Closed" next to "Temporarily closed" reads as shut; to a fellowship that holds closed meetings
it means who the meeting is for. The words are the fellowship's (Fellowship.open_meaning and
closed_meaning, kept in the admin, in each language: groups.translations); a fellowship that has
none gets no explanation.
"""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from groups.translations import translated

register = template.Library()

# Meeting Guide codes (REFERENCE §1) and the Fellowship field that explains each.
MEANINGS = {
    "O": (pgettext_lazy("meeting type", "Open"), "open_meaning"),
    "C": (pgettext_lazy("meeting type", "Closed"), "closed_meaning"),
}


def _lower_first(text: str) -> str:
    """ "For people who…" → "for people who…", but "HA members" and "Nar-Anon" stay as they are."""
    first = text.split(maxsplit=1)[0] if text else ""
    if first[:1].isupper() and first[1:] == first[1:].lower():
        return text[0].lower() + text[1:]
    return text


@register.simple_tag
def type_meaning(fellowship, meeting_type) -> str:
    """ "Closed: for people who have a desire to stop drinking" for AA's Closed type; "" for any
    other type, or where the fellowship does not explain it. Reads no database: the fellowship
    and the type are those the page already holds (Meeting.objects.for_listing())."""
    known = MEANINGS.get(getattr(meeting_type, "code", None))
    if fellowship is None or known is None:
        return ""
    label, field = known
    words = (translated(fellowship, field) or "").strip().rstrip(".")
    if not words:
        return ""
    # Translators: a meeting type and what it means in a fellowship's own words, e.g.
    # "Closed: for people who have a desire to stop drinking".
    return _("%(type)s: %(meaning)s") % {"type": label, "meaning": _lower_first(words)}
