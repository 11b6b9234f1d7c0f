"""What a meeting type means in a fellowship's own words, where the bare name says too little.

"Closed" next to "Temporarily closed" reads as shut; to a fellowship that holds closed meetings
it means who the meeting is for. The words are the fellowship's (Fellowship.open_meaning and
closed_meaning, kept in the admin); a fellowship that has none gets no explanation.
"""

from django import template

register = template.Library()

# Meeting Guide codes (REFERENCE §1) and the Fellowship field that explains each.
MEANINGS = {"O": ("Open", "open_meaning"), "C": ("Closed", "closed_meaning")}


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
    words = (getattr(fellowship, field, "") or "").strip().rstrip(".")
    if not words:
        return ""
    return f"{label}: {_lower_first(words)}"
