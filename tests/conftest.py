"""A small shared world for the tests: factory functions with sensible defaults."""

import datetime
import itertools

import pytest

from groups.models import Fellowship, Group, Language, Location, Meeting, MeetingType, Region

_serial = itertools.count(1)


def make_region(name="Edinburgh", kind=Region.Kind.AREA, parent=None, slug=None):
    slug = slug or f"{name.lower().replace(' ', '-')}-{next(_serial)}"
    return Region.objects.create(name=name, slug=slug, kind=kind, parent=parent)


def make_location(**fields):
    defaults = {
        "name": "Community Hall",
        "address": "12 Example Street",
        "city": "Edinburgh",
        "postal_code": "EH6 6AA",
        "country": "United Kingdom",
        "latitude": 55.9756,
        "longitude": -3.1694,
        "timezone": "Europe/London",
    }
    return Location.objects.create(**{**defaults, **fields})


def make_portland_location(**fields):
    """A venue in Portland, Oregon (Pacific Time)."""
    defaults = {
        "name": "Hawthorne Hall",
        "address": "1 SE Hawthorne Blvd",
        "city": "Portland",
        "state": "OR",
        "country": "United States",
        "postal_code": "97214",
        "latitude": 45.5152,
        "longitude": -122.6784,
        "timezone": "America/Los_Angeles",
    }
    return make_location(**{**defaults, **fields})


def make_group(fellowship="aa", **fields):
    if isinstance(fellowship, str):
        fellowship = Fellowship.objects.get(slug=fellowship)
    n = next(_serial)
    defaults = {"name": f"Group {n}", "slug": f"group-{n}"}
    return Group.objects.create(fellowship=fellowship, **{**defaults, **fields})


# The result rows a page shows that are not kept yet (groups.fragments) are built from their
# meetings with venue, group and fellowship, then their types and languages: three queries,
# however many rows.
ROW_BUILDING_QUERIES = 3
# And after any change to the listings, the first search reads which zones the meetings are in
# (groups.upcoming.zones_in_use): one query.
ZONES_QUERY = 1


def make_meeting(fellowship="aa", types=(), languages=("en",), **fields):
    """An in-person Monday evening meeting unless told otherwise."""
    if isinstance(fellowship, str):
        fellowship = Fellowship.objects.get(slug=fellowship)
    n = next(_serial)
    defaults = {
        "name": f"Meeting {n}",
        "slug": f"meeting-{n}",
        "day": Meeting.Day.MONDAY,
        "start_time": datetime.time(19, 0),
        "timezone": "Europe/London",
        "attendance": Meeting.Attendance.IN_PERSON,
    }
    fields = {**defaults, **fields}
    if fields["attendance"] != Meeting.Attendance.ONLINE and "location" not in fields:
        fields["location"] = make_location()
    if fields["attendance"] != Meeting.Attendance.IN_PERSON and not (
        fields.get("conference_url") or fields.get("conference_phone")
    ):
        fields["conference_url"] = f"https://meet.example.org/{n}"
    meeting = Meeting.objects.create(fellowship=fellowship, **fields)
    if types:
        vocabulary = fellowship.type_vocabulary
        meeting.types.set(MeetingType.objects.filter(vocabulary=vocabulary, code__in=types))
    if languages:
        meeting.languages.set(Language.objects.filter(code__in=languages))
    return meeting


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Pages are built afresh in each request unless a test turns the page cache on (its own
    tests do: tests/test_pagecache.py), so that query counts measure the page's work."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def no_directory_zone(settings):
    """No home zone unless a test sets one: a viewer's zone is known only from what they send."""
    settings.DIRECTORY_TIME_ZONE = ""


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached (the catalogue of types, regions, …)."""
    from django.core.cache import cache

    from groups.fragments import forget_kept
    from groups.templatetags.search_form import forget_drawn

    cache.clear()
    forget_kept()  # and what each process keeps beside the cache
    forget_drawn()


@pytest.fixture
def aa():
    return Fellowship.objects.get(slug="aa")


@pytest.fixture
def smart():
    return Fellowship.objects.get(slug="smart-recovery")


@pytest.fixture(autouse=True)
def english_to_start():
    """Each test starts in English: a request in another language leaves that language active
    in the thread (Django's LocaleMiddleware activates it and does not put it back), and a
    later test's reverse() would then make Spanish addresses."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
