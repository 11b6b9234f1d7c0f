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
