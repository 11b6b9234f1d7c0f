"""One meeting's page, its calendar file and its schema.org data."""

import datetime
import json
import re

import pytest
import time_machine
from icalendar import Calendar

from tests.conftest import make_group, make_location, make_meeting

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def hybrid():
    group = make_group(
        name="Leith Serenity",
        website="https://leith.example.org/",
        email="leith@example.org",
        private_contact_name="Sam R.",
        private_contact_email="sam@example.org",
        private_contact_phone="07700 900123",
        private_notes="Key holder lives next door",
    )
    return make_meeting(
        name="Leith Serenity Hybrid",
        group=group,
        attendance="hybrid",
        conference_url="https://meet.example.org/leith",
        conference_phone="+44 1632 960001,,123456#",
        conference_notes="Passcode on request from the group's e-mail",
        types=("O", "X", "W"),
        languages=("en", "es"),
        notes="Tea from 18:45.",
        end_time=datetime.time(20, 30),
        location=make_location(
            name="Kirkgate Hall",
            address="12 Kirkgate",
            city="Edinburgh",
            postal_code="EH6 6BL",
            access_notes="Step-free entrance on Henderson Street.",
            notes="Buses 16 and 22.",
        ),
        last_verified=datetime.date(2026, 10, 1),
    )


def test_it_shows_when_where_and_how_to_join(client, hybrid):
    with time_machine.travel(MONDAY_NOON, tick=False):
        response = client.get(hybrid.get_absolute_url())
    text = response.text
    assert response.status_code == 200
    assert "Every Monday, 19:00–20:30 British Time (London) (GMT)." in text
    assert "Next: <strong><time" in text
    assert "Kirkgate Hall" in text and "12 Kirkgate, Edinburgh, EH6 6BL" in text
    assert 'href="https://www.openstreetmap.org/directions?to=55.9756%2C-3.1694"' in text
    assert 'href="https://maps.apple.com/?daddr=55.9756,-3.1694&amp;dirflg=r"' in text
    assert 'href="https://meet.example.org/leith"' in text
    assert 'href="tel:+441632960001,,123456#"' in text
    assert "Passcode on request from the group&#x27;s e-mail" in text
    assert "Step-free entrance on Henderson Street." in text
    assert "Buses 16 and 22." in text
    assert "Tea from 18:45." in text
    assert "Last checked</dt><dd>1 October 2026" in text
    assert "Leith Serenity" in text and 'href="mailto:leith@example.org"' in text


def test_it_spells_out_types_by_category_and_languages(client, hybrid):
    text = client.get(hybrid.get_absolute_url()).text
    assert "<dt>Accessibility</dt><dd>Wheelchair Access</dd>" in text
    assert "<dt>Format</dt><dd>Open<br>" in text
    assert '<span class="type-meaning">Open: anyone may come' in text
    assert "<dt>Community</dt><dd>Women</dd>" in text
    assert "<dt>Languages</dt><dd>English, Spanish</dd>" in text


def test_it_never_shows_a_groups_private_contacts(client, hybrid):
    text = client.get(hybrid.get_absolute_url()).text
    for secret in ("Sam R.", "sam@example.org", "07700 900123", "Key holder"):
        assert secret not in text


def test_it_links_to_the_calendar_file(client, hybrid):
    text = client.get(hybrid.get_absolute_url()).text
    assert f'href="/meetings/{hybrid.slug}.ics"' in text


def test_it_has_no_dead_links(client, hybrid):
    text = client.get(hybrid.get_absolute_url()).text
    # Static files are served by whitenoise from collectstatic's output, which tests lack.
    hrefs = set(re.findall(r'href="(/[^"]*)"', text))
    local = {href for href in hrefs if not href.startswith("/static/")}
    assert len(local) >= 5
    for href in local:
        # The language switcher's links (/language/?language=…) remember the choice and
        # redirect to the page in that language: followed, they must end on a page.
        assert client.get(href.replace("&amp;", "&"), follow=True).status_code == 200, href


def test_it_shows_an_online_meeting_in_the_viewers_zone_too(client):
    meeting = make_meeting(
        attendance="online", timezone="America/New_York", start_time=datetime.time(19, 0)
    )
    with time_machine.travel(MONDAY_NOON, tick=False):
        text = client.get(meeting.get_absolute_url(), {"tz": "Europe/London"}).text
    assert "Every Monday, 19:00–20:00 Eastern Time (New York) (EST)." in text
    assert "Next: <strong><time" in text and "Tomorrow, 00:00</time>" in text
    assert "That is Mon 19:00 in New York, where the meeting is held." in text
    assert "Times are in <strong>British Time (London)</strong>, your time zone." in text


def test_it_says_plainly_when_a_meeting_is_temporarily_closed(client):
    meeting = make_meeting(status="temporarily_closed", status_reason="Hall flooded")
    text = client.get(meeting.get_absolute_url()).text
    assert "<strong>Temporarily closed</strong>: Hall flooded" in text


def test_it_still_answers_for_an_inactive_meeting_with_a_410(client):
    meeting = make_meeting("na", status="inactive", status_reason="The group stopped meeting.")
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 410
    assert "This meeting is no longer listed as meeting." in response.text
    assert "The group stopped meeting." in response.text
    assert "/meetings/?fellowship=na&amp;day=1" in response.text


def test_it_answers_404_for_a_meeting_that_never_existed(client):
    assert client.get("/meetings/no-such-meeting/").status_code == 404


def test_it_describes_the_meeting_as_a_schema_org_event(client, hybrid):
    text = client.get(hybrid.get_absolute_url()).text
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Event"
    assert data["name"] == "Leith Serenity Hybrid"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["eventSchedule"]["repeatFrequency"] == "P1W"
    assert data["eventSchedule"]["byDay"] == "https://schema.org/Monday"
    assert data["eventSchedule"]["scheduleTimezone"] == "Europe/London"
    kinds = {place["@type"] for place in data["location"]}
    assert kinds == {"Place", "VirtualLocation"}
    assert "Sam R." not in raw


def test_it_writes_a_weekly_calendar_event_in_the_meetings_zone(client, hybrid):
    with time_machine.travel(MONDAY_NOON, tick=False):
        response = client.get(f"/meetings/{hybrid.slug}.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    [event] = calendar.walk("VEVENT")
    assert event["SUMMARY"] == "Leith Serenity Hybrid"
    start = event.decoded("DTSTART")
    assert start == datetime.datetime(2026, 11, 23, 19, 0, tzinfo=start.tzinfo)
    assert str(start.tzinfo) == "Europe/London"
    assert event.decoded("DTEND").time() == datetime.time(20, 30)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["BYDAY"] == ["MO"]
    assert "Kirkgate Hall" in event["LOCATION"]
    assert event["URL"].endswith(f"/meetings/{hybrid.slug}/")
    assert "Join online: https://meet.example.org/leith" in event["DESCRIPTION"]
    assert "Sam R." not in response.content.decode()
    assert b"DTSTART;TZID=Europe/London:20261123T190000" in response.content


def test_it_puts_an_online_meetings_join_link_as_the_calendar_location(client):
    meeting = make_meeting(
        attendance="online", conference_url="https://meet.example.org/x", timezone="America/Toronto"
    )
    calendar = Calendar.from_ical(client.get(f"/meetings/{meeting.slug}.ics").content)
    [event] = calendar.walk("VEVENT")
    assert event["LOCATION"] == "https://meet.example.org/x"
    assert [z["TZID"] for z in calendar.walk("VTIMEZONE")] == ["America/Toronto"]


def test_it_writes_a_calendar_of_a_whole_search(client):
    make_meeting("smart-recovery", timezone="Europe/London")
    make_meeting("smart-recovery", attendance="online", timezone="America/New_York")
    make_meeting("aa")
    calendar = Calendar.from_ical(
        client.get("/meetings.ics", {"fellowship": "smart-recovery"}).content
    )
    assert len(calendar.walk("VEVENT")) == 2
    assert {z["TZID"] for z in calendar.walk("VTIMEZONE")} == {"Europe/London", "America/New_York"}


def test_it_refuses_a_bad_calendar_search_with_a_400(client):
    response = client.get("/meetings.ics", {"day": "8"})
    assert response.status_code == 400
    assert "day" in response.json()["errors"]


def test_it_shows_a_meeting_page_in_a_constant_number_of_queries(
    client, hybrid, django_assert_num_queries
):
    # The page shows types, languages, group, place and region: all fetched up front; and
    # when the listings last changed, for its ETag (groups.pagecache).
    with django_assert_num_queries(4):
        client.get(hybrid.get_absolute_url())


def test_it_links_to_a_correction_form_prefilled_with_the_listing(client, hybrid):
    page = client.get(hybrid.get_absolute_url()).text
    assert f'href="/meetings/{hybrid.slug}/correction/"' in page
    response = client.get(f"/meetings/{hybrid.slug}/correction/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Leith Serenity Hybrid"
    assert form["conference_url"].value() == hybrid.conference_url
    assert 'href="mailto:leith@example.org"' in response.text
    assert "Sam R." not in response.text


def test_it_answers_404_for_a_correction_to_an_unknown_meeting(client):
    assert client.get("/meetings/no-such-meeting/correction/").status_code == 404
