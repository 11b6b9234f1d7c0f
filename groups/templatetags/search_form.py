"""Light rendering helpers for the search form: its long choice lists are drawn with plain
template loops, several times faster than Django's per-option widget templates."""

from django import template

register = template.Library()


@register.filter
def chosen(field) -> set[str]:
    """The values a form field currently holds, as strings."""
    value = field.value()
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


@register.filter
def qr(url: str):
    """An inline SVG QR code to the URL."""
    from groups.referrals import qr_svg

    return qr_svg(url)


@register.filter
def short_link(url: str) -> str:
    from groups.referrals import short_link as shorten

    return shorten(url)


@register.simple_tag
def quick_choices():
    """The needs and languages offered as one-tap choices (groups.quick)."""
    from groups.quick import quick_choices as read

    return read()


@register.filter
def with_chosen(choices, field):
    """The language choices, and any language the search names that they leave out (a shared
    link may name one no listed meeting is held in yet)."""
    from groups.quick import Choice

    offered = {choice.value for choice in choices}
    known = field.form.catalogue.languages
    extra = [
        Choice(code, known[code][0], 0) for code in sorted(chosen(field) - offered) if code in known
    ]
    return [*choices, *extra]


@register.filter
def without_needs(choices):
    """Type choices but the needs offered as chips above them."""
    from groups.quick import NEEDS

    needs = {code for code, _ in NEEDS}
    return [choice for choice in choices if choice[0] not in needs]


@register.filter
def other_types(values) -> bool:
    """Whether the search names a type other than the needs offered as chips."""
    from groups.quick import NEEDS

    needs = {code for code, _ in NEEDS}
    if not values:
        return False
    values = values if isinstance(values, list | tuple) else [values]
    return any(value not in needs for value in values)
