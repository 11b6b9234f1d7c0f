"""The page cache: a repeat of a public page is served without building it again, and any change
to a listing shows at once."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from groups.models import Meeting, Verification
from tests.adminforms import form_data
from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def meeting():
    return make_meeting("aa", name="Harbour Lights", slug="harbour-lights")


def test_it_serves_a_repeated_search_in_one_query(client, meeting, django_assert_num_queries):
    first = client.get("/meetings/?day=1")
    assert "Harbour Lights" in first.text
    with django_assert_num_queries(1):  # when the listings last changed
        again = client.get("/meetings/?day=1")
    assert again.content == first.content


def test_it_shows_an_edit_at_once(client, meeting):
    assert "19:00" in client.get(meeting.get_absolute_url()).text
    meeting.start_time = datetime.time(20, 15)
    meeting.save()
    page = client.get(meeting.get_absolute_url()).text
    assert "20:15" in page and "19:00" not in page
    assert "20:15" in client.get("/meetings/?day=1").text


def test_it_shows_an_admin_edit_and_a_check_at_once(client, meeting):
    client.get(meeting.get_absolute_url())
    admin = User.objects.create_superuser("admin", "a@example.org", "a-long-test-password")
    from django.test import Client

    staff = Client()
    staff.force_login(admin)
    url = reverse("admin:groups_meeting_change", args=[meeting.pk])
    staff.post(url, form_data(staff.get(url), name="Harbour Lights Tuesday"))
    assert "Harbour Lights Tuesday" in client.get(meeting.get_absolute_url()).text

    Verification.objects.create(meeting=meeting, method="attended")
    assert "Last checked" in client.get(meeting.get_absolute_url()).text


def test_it_shows_a_change_of_type_at_once(client, meeting):
    from groups.models import MeetingType

    client.get("/meetings/?type=W")
    meeting.types.add(MeetingType.objects.get(vocabulary__slug="meeting-guide", code="W"))
    assert "Harbour Lights" in client.get("/meetings/?type=W").text


@time_machine.travel(datetime.datetime(2027, 1, 11, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_it_keeps_pages_apart_by_the_viewers_time_zone(client, meeting):
    meeting.attendance = Meeting.Attendance.ONLINE
    meeting.conference_url = "https://meet.example.org/harbour"
    meeting.location = None
    meeting.save()
    client.cookies["tz"] = "America/New_York"
    new_york = client.get(meeting.get_absolute_url()).text
    client.cookies["tz"] = "Asia/Tokyo"
    tokyo = client.get(meeting.get_absolute_url()).text
    assert new_york != tokyo
    assert "14:00" in new_york  # 19:00 in London is 14:00 in New York in January
    assert "04:00" in tokyo


def test_it_shows_an_import_at_once(client, meeting):
    from django.core.management import call_command

    assert "Just for Today" not in client.get("/meetings/?day=0").text
    call_command(
        "import_meetings", "tests/samples/bmlt.json", "--format", "bmlt", "--fellowship", "na"
    )
    assert "Just for Today" in client.get("/meetings/?day=0").text


def test_it_keeps_pages_apart_by_host(client, meeting, settings):
    # One cache may serve several sites, and a meeting page names its own address (schema.org).
    settings.ALLOWED_HOSTS = ["one.example.org", "two.example.org"]
    page_one = client.get(meeting.get_absolute_url(), HTTP_HOST="one.example.org").text
    page_two = client.get(meeting.get_absolute_url(), HTTP_HOST="two.example.org").text
    assert "http://one.example.org/meetings/harbour-lights/" in page_one
    assert "one.example.org" not in page_two
    assert "http://two.example.org/meetings/harbour-lights/" in page_two
