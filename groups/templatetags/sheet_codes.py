"""The referral sheet's QR codes: inline SVG on the page, an image in its PDF (`pdf` in the
template's context), which WeasyPrint draws far quicker (groups.referrals.qr_image)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def sheet_qr(context, url: str) -> str:
    """A QR code to the URL, or "" when no QR code can hold it."""
    from groups.referrals import qr_image, qr_svg

    return qr_image(url) if context.get("pdf") else qr_svg(url)
