"""groups.checks: settings that would make the directory publish wrong data are refused."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from groups.checks import site_url_is_set


@pytest.mark.parametrize("site_url", ["", "http://localhost:8000", "http://localhost:8000/"])
def test_it_refuses_the_development_site_url_with_debug_off(settings, site_url):
    settings.DEBUG = False
    settings.SITE_URL = site_url
    (error,) = site_url_is_set(None)
    assert error.id == "groups.E001" and "SITE_URL" in error.msg
    with pytest.raises(SystemCheckError, match="groups.E001"):
        call_command("check")


def test_it_accepts_a_public_site_url(settings):
    settings.DEBUG = False
    settings.SITE_URL = "https://meetings.example.org"
    assert site_url_is_set(None) == []


def test_it_lets_development_run_on_localhost(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://localhost:8000"
    assert site_url_is_set(None) == []
