"""What a search page keeps between requests beside the page cache: each result row's markup
(groups.fragments, in this process and in the shared cache), the form's class and its drawn
choices (groups.filters, groups.templatetags.search_form) and the zones the meetings are in
(groups.upcoming). A change to a listing shows on the very next request through every one of
them, with the page cache on as in production and off."""

import datetime
import re

import pytest
import time_machine

from groups.fragments import forget_kept
from groups.models import Fellowship, Meeting, MeetingType
from tests.conftest import ROW_BUILDING_QUERIES, ZONES_QUERY, make_meeting

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 19:00 in London (and in UTC).
MONDAY_EVENING = datetime.datetime(2026, 12, 7, 19, 0, tzinfo=datetime.UTC)


@pytest.fixture(params=[0, 60], ids=["page cache off", "page cache on"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param
    return request.param


def row(response, slug: str) -> str:
    """The results row of that meeting, as the page has it."""
    found = re.search(
        rf'<li class="meeting[^"]*" data-meeting-slug="{slug}">.*?</li>', response.text, re.S
    )
    assert found, f"no row for {slug}"
    return found.group(0)


def slugs(response) -> list[str]:
    return re.findall(r'data-meeting-slug="([^"]+)"', response.text)


def test_a_renamed_meeting_shows_its_new_name_on_the_next_request(client, page_cache):
    meeting = make_meeting(name="Harbour Lights", slug="harbour")
    assert "Harbour Lights" in row(client.get("/meetings/"), "harbour")
    meeting.name = "Harbour Lights Step Study"
    meeting.save()
    assert "Harbour Lights Step Study" in row(client.get("/meetings/"), "harbour")


def test_a_changed_venue_group_or_fellowship_shows_on_the_next_request(client, page_cache):
    meeting = make_meeting(slug="harbour")
    assert "Community Hall, Edinburgh" in row(client.get("/meetings/"), "harbour")
    meeting.location.name = "Leith Library"
    meeting.location.save()
    assert "Leith Library, Edinburgh" in row(client.get("/meetings/"), "harbour")
    fellowship = meeting.fellowship
    fellowship.short_name = "A.A."
    fellowship.save()
    assert '<p class="meta">A.A. · ' in row(client.get("/meetings/"), "harbour")


def test_changed_types_and_their_translations_show_on_the_next_request(client, page_cache):
    meeting = make_meeting(slug="harbour", types=("O",))
    assert "Open" in row(client.get("/meetings/"), "harbour")
    meeting.types.set(
        MeetingType.objects.filter(vocabulary=meeting.fellowship.type_vocabulary, code="W")
    )
    shown = row(client.get("/meetings/"), "harbour")
    assert "Women" in shown
    assert "Open" not in shown
    women = meeting.types.get()
    women.translations = {**women.translations, "es": {"name": "Solo para mujeres"}}
    women.save()
    assert "Solo para mujeres" in row(client.get("/es/meetings/"), "harbour")
    # The English page keeps its own words: rows are kept per language.
    assert "Women" in row(client.get("/meetings/"), "harbour")


def test_a_closure_shows_on_the_next_request(client, page_cache):
    meeting = make_meeting(slug="harbour")
    assert "not-meeting" not in row(client.get("/meetings/"), "harbour")
    meeting.status = Meeting.Status.TEMPORARILY_CLOSED
    meeting.status_reason = "Hall closed for repairs"
    meeting.save()
    shown = row(client.get("/meetings/"), "harbour")
    assert 'class="meeting not-meeting"' in shown
    assert "Temporarily closed" in shown
    assert "Hall closed for repairs" in shown


def test_an_old_check_is_warned_of_from_the_day_it_becomes_old(client, settings):
    settings.VERIFICATION_INTERVAL_DAYS = 180
    checked = MONDAY_EVENING.date() - datetime.timedelta(days=180)
    make_meeting(slug="harbour", last_verified=checked)
    with time_machine.travel(MONDAY_EVENING, tick=False):
        assert "Last checked" not in row(client.get("/meetings/"), "harbour")
    # Nothing changed in the listings, but the day did.
    with time_machine.travel(MONDAY_EVENING + datetime.timedelta(days=1), tick=False):
        assert "Last checked 6 months ago" in row(client.get("/meetings/"), "harbour")


def test_only_the_clock_and_the_distance_are_filled_in_a_kept_row(client):
    make_meeting(slug="harbour", start_time=datetime.time(19, 30))
    with time_machine.travel(MONDAY_EVENING, tick=False):
        built = row(client.get("/meetings/", {"tz": "Europe/London"}), "harbour")
        assert "19:30" in built
        assert "Today" in built
    with time_machine.travel(MONDAY_EVENING + datetime.timedelta(minutes=40), tick=False):
        kept = row(client.get("/meetings/", {"tz": "Europe/London"}), "harbour")
        assert "Happening now" in kept
        near = row(client.get("/meetings/", {"near": "Edinburgh", "unit": "mi"}), "harbour")
        assert " mi away" in near
    # Read again at the first moment: the kept row is the row built then, to the byte.
    with time_machine.travel(MONDAY_EVENING, tick=False):
        assert row(client.get("/meetings/", {"tz": "Europe/London"}), "harbour") == built


@pytest.fixture
def shared_cache(settings):
    """The cache shared by the app servers, as in production: the machine's Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "groups.cache.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",  # the tests' own database
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_rows_kept_by_another_process_are_read_from_the_shared_cache(
    client, shared_cache, django_assert_num_queries
):
    for n in range(3):
        make_meeting(slug=f"meeting-{n}")
    first = client.get("/meetings/")
    with django_assert_num_queries(4) as kept:  # count, page, rows' clocks, listings' version
        again = client.get("/meetings/")
    assert slugs(again) == slugs(first)
    # A process that has kept nothing itself (another app server) builds nothing either.
    forget_kept()
    with django_assert_num_queries(len(kept.captured_queries)):
        assert client.get("/meetings/").content == again.content
    # And one whose own copies are out of date builds the changed rows afresh.
    make_meeting(slug="meeting-new")
    with django_assert_num_queries(len(kept.captured_queries) + ROW_BUILDING_QUERIES + ZONES_QUERY):
        assert "meeting-new" in slugs(client.get("/meetings/"))


def test_the_form_shows_a_renamed_fellowship_or_type_on_the_next_request(client, page_cache):
    make_meeting()
    page = client.get("/meetings/").text
    assert ">Alcoholics Anonymous</label>" in page
    fellowship = Fellowship.objects.get(slug="aa")
    fellowship.name = "Alcoholics Anonymous (AA)"
    fellowship.save()
    assert ">Alcoholics Anonymous (AA)</label>" in client.get("/meetings/").text
    open_type = MeetingType.objects.get(vocabulary=fellowship.type_vocabulary, code="O")
    open_type.name = "Open to everyone"
    open_type.save()
    assert ">Open to everyone</label>" in client.get("/meetings/", {"type": "O"}).text


def test_the_form_is_drawn_in_each_language(client):
    make_meeting()
    assert ">Monday</label>" in client.get("/meetings/").text
    assert ">lunes</label>" in client.get("/es/meetings/").text.lower()
    assert ">Monday</label>" in client.get("/meetings/").text


def test_a_meeting_in_a_new_zone_is_ordered_by_its_real_start_on_the_next_request(
    client, page_cache
):
    # Sydney keeps summer time in December (UTC+11): 07:00 there on Tuesday is 20:00 UTC on
    # Monday, before a London meeting at 20:30. Without the shift it would read as 21:00.
    # (The clock runs here: each change moves the listings' version on.)
    with time_machine.travel(MONDAY_EVENING):
        make_meeting(slug="london", start_time=datetime.time(20, 30))
        assert slugs(client.get("/meetings/")) == ["london"]
        make_meeting(
            slug="sydney",
            day=Meeting.Day.TUESDAY,
            start_time=datetime.time(7, 0),
            timezone="Australia/Sydney",
        )
        assert slugs(client.get("/meetings/")) == ["sydney", "london"]
