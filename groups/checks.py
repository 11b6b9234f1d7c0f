"""System checks (manage.py check, migrate, runserver): settings that would publish wrong data.

SITE_URL is the address feeds give as the publisher's site (entity_website_url) and exports
build their links on. Left at its development default in production, every reader of a feed
would be sent to localhost, and nothing would show that anything was wrong.
"""

from django.conf import settings
from django.core import checks

DEVELOPMENT_SITE_URL = "http://localhost:8000"


def register() -> None:
    """Called once by the app's ready(): registering on import would depend on who imports."""
    checks.register(site_url_is_set)


def site_url_is_set(app_configs, **kwargs):
    site_url = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if settings.DEBUG or site_url not in ("", DEVELOPMENT_SITE_URL):
        return []
    return [
        checks.Error(
            "SITE_URL is empty with DEBUG off."
            if not site_url
            else f"SITE_URL is still the development default {site_url!r} with DEBUG off.",
            hint="Set SITE_URL to the site's public address, e.g. https://meetings.example.org: "
            "feeds and exports give it to every reader.",
            id="groups.E001",
        )
    ]
