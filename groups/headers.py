"""Response headers every page carries beyond Django's own (settings: SECURE_*).

Permissions-Policy: no page may use a browser feature the directory does not need. Only the
pages with the search form ("Use my location") may ask for the position, and only for this
site itself; camera, microphone, payment and the rest are off everywhere.

Content-Security-Policy is django-csp's (settings.CONTENT_SECURITY_POLICY), the same on every
page but the admin's, which may also use inline styles (Django's change lists and
django-simple-history's pages have a few); scripts stay this site's files only everywhere.
"""

from csp.constants import SELF, UNSAFE_INLINE
from django.urls import reverse

OFF = ("camera", "microphone", "payment", "usb", "serial", "bluetooth", "browsing-topics")


def _policy(geolocation: bool) -> str:
    allowed = "geolocation=(self)" if geolocation else "geolocation=()"
    return ", ".join([allowed, *(f"{feature}=()" for feature in OFF)])


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.finder = {reverse("home"), reverse("meetings"), reverse("referrals")}
        self.policies = {True: _policy(True), False: _policy(False)}

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policies[request.path in self.finder])
        return response


class AdminStylesMiddleware:
    """Inline styles on the admin's pages only. Replaced, not added to: beside the referral
    sheet's hashes, 'unsafe-inline' would be ignored."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse("admin:index")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response._csp_replace = {"style-src": [SELF, UNSAFE_INLINE]}
        return response
