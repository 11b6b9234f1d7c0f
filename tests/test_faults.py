"""Faults that must cost no page: the shared cache (Redis) unreachable, or answering again."""

import logging

import pytest
from django.urls import reverse

from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there
REDIS = "redis://127.0.0.1:6379/15"  # the machine's own Redis (tests use database 15)


def redis_cache(settings, location):
    settings.PAGE_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "groups.cache.ForgivingRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def public_pages(meeting):
    return [
        "/",
        "/meetings/",
        "/meetings/?day=today&near=Edinburgh",
        "/api/meetings/",
        meeting.get_absolute_url(),
        f"/meetings/{meeting.slug}.ics",
        "/meetings.ics",
        "/fellowships/",
        "/fellowships/aa/",
        "/feeds/meeting-guide.json",
        "/feeds/aa/meeting-guide.json",
        "/referrals/",
        "/referrals/sheet/",
        "/meetings/new/",
        "/time-zone/",
    ]


def test_every_public_page_answers_with_redis_unreachable(client, settings, caplog):
    redis_cache(settings, CLOSED_PORT)
    meeting = make_meeting(name="Harbour Lights", slug="harbour-lights")
    with caplog.at_level(logging.WARNING, logger="groups.cache"):
        for path in public_pages(meeting):
            for _ in range(2):  # built, then "from the cache" (the process's own)
                response = client.get(path)
                assert response.status_code == 200, path
    assert "Harbour Lights" in client.get("/meetings/").text
    warnings = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(warnings) == 1  # one warning an outage, not one a request
    health = client.get(reverse("healthz"))
    assert health.status_code == 200 and "cache: degraded" in health.text


def test_the_public_forms_rate_limit_still_counts_without_redis(client, settings):
    redis_cache(settings, CLOSED_PORT)
    settings.CORRECTIONS_PER_HOUR = 1
    meeting = make_meeting()
    data = {"report": "nobody_there", "name": meeting.name, "attendance": "in_person",
            "timezone": "Europe/London", "location_address": "12 Example Street"}  # fmt: skip
    url = reverse("meeting_correction", args=[meeting.slug])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 429  # counted by the process meanwhile


def test_with_redis_answering_pages_are_shared_and_health_is_plain(client, settings):
    redis_cache(settings, REDIS)
    from django.core.cache import cache

    cache.clear()
    make_meeting(name="Harbour Lights")
    assert client.get("/meetings/").status_code == 200
    assert cache.get("healthz") is None and not cache.degraded
    assert client.get(reverse("healthz")).text == "ok\n"
    cache.clear()
