"""Times as the person reading them means them: whose clock, "today", "now" and "soon" on it,
the zone named in words, and sheets printed in the service's time (groups.clock)."""

import datetime
import html as html_module
import re

import pytest
import time_machine
from django.urls import reverse

from groups.models import ChangeRequest
from tests.conftest import make_meeting, make_portland_location

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 30 November 2026, 23:43 in Portland (PST, UTC-8): already Tuesday 07:43 in UTC.
PORTLAND_LATE = datetime.datetime(2026, 12, 1, 7, 43, tzinfo=UTC)
# Monday 23 November 2026, noon in London (GMT).
MONDAY_NOON = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(moment):
    return time_machine.travel(moment, tick=False)


def slugs(response) -> list[str]:
    return re.findall(r'data-meeting-slug="([^"]+)"', response.text)


def visible_text(response) -> str:
    """The words on the page, without its markup, scripts or styles."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.text, flags=re.S)
    html = re.sub(r"</?(strong|time|span|a|em)\b[^>]*>", "", html)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def portland_monday():
    """Portland's Monday evening, and an online meeting from New York that falls in it."""
    hall = make_portland_location()
    here = {"timezone": "America/Los_Angeles", "location": hall}
    return {
        "ended": make_meeting(day=1, start_time=datetime.time(19, 0), slug="ended", **here),
        "going": make_meeting(day=1, start_time=datetime.time(23, 30), slug="going", **here),
        "later": make_meeting(day=1, start_time=datetime.time(23, 55), slug="later", **here),
        "tuesday": make_meeting(day=2, start_time=datetime.time(7, 0), slug="tuesday", **here),
        # Tuesday 02:50 in New York is Monday 23:50 in Portland.
        "new_york": make_meeting(
            day=2,
            start_time=datetime.time(2, 50),
            timezone="America/New_York",
            attendance="online",
            slug="new-york",
        ),
    }


# The viewer's zone, known or never claimed


def test_a_first_visit_near_portland_late_on_monday_shows_mondays_remaining_meetings(
    client, portland_monday
):
    with at(PORTLAND_LATE):
        response = client.get("/meetings/", {"near": "Portland", "day": "today"})
    assert response.status_code == 200
    # In progress first, then by start on the Portland clock; the one that ended is left out,
    # and Tuesday morning's is not "today".
    assert slugs(response) == ["going", "new-york", "later"]
    text = visible_text(response)
    assert "Times are in Pacific Time (Los Angeles), the time where Portland is." in text
    assert "Happening now · began 23:30, 13 min ago · ends 00:30" in text
    assert "Today 23:50 (Tue 02:50 in New York)" in text
    assert "Today 23:55" in text
    assert "UTC" not in text and "your time" not in text
    # What was left out is said, with a way to see it.
    assert "Meetings that have already ended today are not listed." in text
    assert "?near=Portland&amp;day=1" in response.text


def test_the_cookie_comes_before_the_place_searched(client, portland_monday):
    client.cookies["tz"] = "Europe/London"
    with at(PORTLAND_LATE):
        response = client.get("/meetings/", {"near": "Portland", "day": "today"})
    # Tuesday 07:43 in London: Portland's Monday night and its Tuesday 07:00 (15:00 in London)
    # are all on the London Tuesday.
    assert slugs(response) == ["going", "new-york", "later", "tuesday"]
    text = visible_text(response)
    assert "Times are in British Time (London), your time zone." in text
    assert "Today 15:00 (07:00 in Portland)" not in text  # the city is the zone's, not the venue's
    assert "Today 15:00 (07:00 in Los Angeles)" in text


def test_a_zone_in_the_link_comes_before_the_cookie(client, portland_monday):
    client.cookies["tz"] = "Europe/London"
    with at(PORTLAND_LATE):
        response = client.get("/meetings/", {"day": "today", "tz": "America/Los_Angeles"})
    assert slugs(response) == ["going", "new-york", "later"]


def test_the_directorys_home_zone_is_used_when_nothing_else_is_known(client, settings):
    settings.DIRECTORY_TIME_ZONE = "America/Toronto"
    make_meeting(day=1, start_time=datetime.time(19, 0), timezone="Europe/London")
    with at(MONDAY_NOON):
        text = visible_text(client.get("/meetings/"))
    assert "Times are in Eastern Time (Toronto), this directory's home time zone." in text
    assert "Today 14:00 (19:00 in London)" in text


def test_with_no_zone_known_each_meeting_shows_its_own_and_nothing_says_your_time(client):
    make_meeting(day=1, start_time=datetime.time(19, 0), timezone="Europe/London")
    make_meeting(
        day=1, start_time=datetime.time(19, 0), timezone="America/Chicago", attendance="online"
    )
    with at(MONDAY_NOON):
        response = client.get("/meetings/")
    text = visible_text(response)
    assert "Times are shown in each meeting's own time zone." in text
    assert "Mon 23 Nov 19:00 London time" in text
    assert "Mon 23 Nov 19:00 Chicago time" in text
    assert "your time" not in text.lower()
    results = re.search(r'<ol class="results"[^>]*>.*?</ol>', response.text, re.S)[0]
    assert "Today" not in results  # whose today? not known
    assert "Show times in my time zone" in text


@pytest.mark.parametrize(
    "zone",
    ["America", "Europe", "x" * 256, "Europe/London\x00", "../../etc/passwd", "posixrules"],
)
def test_a_zone_that_is_not_one_is_ignored_everywhere_as_if_none_were_given(client, zone):
    meeting = make_meeting(day=1, start_time=datetime.time(19, 0), timezone="Europe/London")
    paths = [
        "/",
        "/meetings/",
        "/api/meetings/",
        "/meetings.ics",
        "/feeds/meeting-guide.json",
        meeting.get_absolute_url(),
        f"/meetings/{meeting.slug}.ics",
        "/fellowships/aa/",
        "/referrals/",
        "/referrals/sheet/",
        "/time-zone/",
    ]
    with at(MONDAY_NOON):
        for path in paths:
            for how in ("query", "cookie"):
                client.cookies.clear()
                if how == "cookie":
                    client.cookies["tz"] = zone
                    response = client.get(path)
                else:
                    response = client.get(path, {"tz": zone})
                assert response.status_code == 200, (path, how)
                if path == "/api/meetings/":
                    assert response.json()["viewer_timezone"] is None
                    assert response.json()["results"][0]["viewer_start"] is None
                if path == "/meetings/":
                    assert "each meeting's own time zone" in response.text, (path, how)


# Today, tomorrow, the weekdays and "soon" on the viewer's clock


def test_today_is_the_viewers_date_across_the_date_line(client):
    online = {"timezone": "America/Los_Angeles", "attendance": "online"}
    # Tuesday 1 December 08:00 in Auckland (NZDT, UTC+13) is Monday 11:00 in Los Angeles.
    monday_in_la = make_meeting(day=1, start_time=datetime.time(13, 0), **online)
    tuesday_in_la = make_meeting(day=2, start_time=datetime.time(13, 0), **online)
    with at(datetime.datetime(2026, 11, 30, 19, 0, tzinfo=UTC)):
        response = client.get("/meetings/", {"day": "today", "tz": "Pacific/Auckland"})
        assert slugs(response) == [monday_in_la.slug]  # Tuesday 10:00 in Auckland
        assert "Today 10:00 (Mon 13:00 in Los Angeles)" in visible_text(response)
        tomorrow = client.get("/meetings/", {"day": "tomorrow", "tz": "Pacific/Auckland"})
        assert slugs(tomorrow) == [tuesday_in_la.slug]
        # Los Angeles's own Monday holds both a meeting it calls Monday and none of Tuesday's.
        assert slugs(client.get("/meetings/", {"day": "today", "tz": "America/Los_Angeles"})) == [
            monday_in_la.slug
        ]


def test_today_follows_the_viewers_clocks_changing(client):
    london = {"timezone": "Europe/London", "attendance": "online"}
    # New York's clocks go forward at 02:00 on Sunday 8 March 2026. At 01:00 (EST), a London
    # meeting at 03:30 on Monday is 23:30 on Sunday (EDT); one at 04:30 is Monday 00:30.
    before_midnight = make_meeting(day=1, start_time=datetime.time(3, 30), **london)
    after_midnight = make_meeting(day=1, start_time=datetime.time(4, 30), **london)
    with at(datetime.datetime(2026, 3, 8, 6, 0, tzinfo=UTC)):
        assert slugs(client.get("/meetings/", {"day": "today", "tz": "America/New_York"})) == [
            before_midnight.slug
        ]
        assert slugs(client.get("/meetings/", {"day": "tomorrow", "tz": "America/New_York"})) == [
            after_midnight.slug
        ]


def test_today_follows_the_meetings_clocks_changing(client):
    london = {"timezone": "Europe/London", "attendance": "online"}
    # London's clocks go forward at 01:00 UTC on Sunday 29 March 2026. At 07:00 on Sunday in
    # Tokyo, London's 15:30 (BST) is 23:30 in Tokyo, its 16:30 is Monday 00:30 there.
    evening = make_meeting(day=0, start_time=datetime.time(15, 30), **london)
    later = make_meeting(day=0, start_time=datetime.time(16, 30), **london)
    with at(datetime.datetime(2026, 3, 28, 22, 0, tzinfo=UTC)):
        response = client.get("/meetings/", {"day": "today", "tz": "Asia/Tokyo"})
        assert slugs(response) == [evening.slug]
        assert "Today 23:30 (15:30 in London)" in visible_text(response)
        assert slugs(client.get("/meetings/", {"day": "tomorrow", "tz": "Asia/Tokyo"})) == [
            later.slug
        ]


def test_weekdays_are_the_viewers_own(client):
    online = {"attendance": "online"}
    # For a viewer in London, Tokyo's Tuesday 01:00 is Monday 16:00, and Tokyo's Monday 01:00
    # is Sunday 16:00.
    tuesday_in_tokyo = make_meeting(
        day=2, start_time=datetime.time(1, 0), timezone="Asia/Tokyo", **online
    )
    make_meeting(day=1, start_time=datetime.time(1, 0), timezone="Asia/Tokyo", **online)
    with at(MONDAY_NOON):
        assert slugs(client.get("/meetings/", {"day": "1", "tz": "Europe/London"})) == [
            tuesday_in_tokyo.slug
        ]


def test_online_meetings_from_three_zones_are_ordered_by_the_viewers_clock(client):
    online = {"attendance": "online"}
    tokyo = make_meeting(day=2, start_time=datetime.time(1, 0), timezone="Asia/Tokyo", **online)
    new_york = make_meeting(
        day=1, start_time=datetime.time(10, 0), timezone="America/New_York", **online
    )
    los_angeles = make_meeting(
        day=1, start_time=datetime.time(8, 30), timezone="America/Los_Angeles", **online
    )
    expected = [new_york.slug, tokyo.slug, los_angeles.slug]  # 15:00, 16:00, 16:30 in London
    with at(MONDAY_NOON):
        for sort in ("upcoming", "time"):
            response = client.get("/meetings/", {"tz": "Europe/London", "sort": sort})
            assert slugs(response) == expected, sort
        times = re.findall(r"Today (\d\d:\d\d)", visible_text(response))
        assert times == ["15:00", "16:00", "16:30"]


def test_next_two_hours_spans_midnight_and_takes_meetings_in_progress(client):
    london = {"timezone": "Europe/London"}
    going = make_meeting(day=1, start_time=datetime.time(22, 30), **london)
    soon = make_meeting(day=1, start_time=datetime.time(23, 30), **london)
    after_midnight = make_meeting(day=2, start_time=datetime.time(0, 45), **london)
    make_meeting(day=2, start_time=datetime.time(1, 30), **london)  # 2 h 30 min away
    make_meeting(day=1, start_time=datetime.time(21, 0), **london)  # ended
    # Monday 23:00 in London.
    with at(datetime.datetime(2026, 11, 23, 23, 0, tzinfo=UTC)):
        response = client.get("/meetings/", {"soon": "2", "tz": "Europe/London"})
        assert slugs(response) == [going.slug, soon.slug, after_midnight.slug]
        text = visible_text(response)
        assert "Happening now · began 22:30, 30 min ago · ends 23:30" in text
        assert "Tomorrow 00:45" in text
        assert "Starting: Now or in the next 2 hours" in text
        four = client.get("/meetings/", {"soon": "4"})  # needs no zone
        assert len(slugs(four)) == 4


# The meeting page, the API, the calendar


def test_the_meeting_page_gives_the_next_time_on_the_viewers_clock(client):
    meeting = make_meeting(
        day=1, start_time=datetime.time(19, 0), timezone="America/New_York", attendance="online"
    )
    client.cookies["tz"] = "America/Los_Angeles"
    with at(MONDAY_NOON):
        text = visible_text(client.get(meeting.get_absolute_url()))
    assert "Next: Today, 16:00, Pacific Time (Los Angeles)." in text
    assert "That is 19:00 in New York, where the meeting is held." in text
    assert "Every Monday, 19:00–20:00 Eastern Time (New York) (EST)." in text
    # In progress: how long it has been going and when it ends.
    with at(datetime.datetime(2026, 11, 24, 0, 25, tzinfo=UTC)):
        text = visible_text(client.get(meeting.get_absolute_url()))
    assert "Happening now: began at 16:00, 25 minutes ago, and ends at 17:00." in text


def test_the_api_gives_the_start_on_the_viewers_clock(client):
    make_meeting(
        day=1, start_time=datetime.time(19, 0), timezone="America/New_York", attendance="online"
    )
    with at(MONDAY_NOON):
        body = client.get("/api/meetings/", {"tz": "Europe/London"}).json()
        unknown = client.get("/api/meetings/").json()
    assert body["viewer_timezone"] == {
        "name": "Europe/London",
        "label": "British Time (London)",
        "source": "query",
    }
    [row] = body["results"]
    assert row["next_start"] == "2026-11-23T19:00:00-05:00"
    assert row["viewer_start"] == "2026-11-24T00:00:00+00:00"
    assert unknown["viewer_timezone"] is None and unknown["results"][0]["viewer_start"] is None


def test_the_calendar_file_keeps_the_meetings_own_zone_for_any_viewer(client):
    meeting = make_meeting(day=1, start_time=datetime.time(19, 0), timezone="America/New_York")
    client.cookies["tz"] = "Asia/Tokyo"
    with at(MONDAY_NOON):
        body = client.get(f"/meetings/{meeting.slug}.ics").content.decode()
    # The calendar application shows it on its owner's clock from the zone it is given.
    assert "DTSTART;TZID=America/New_York:20261123T190000" in body


# Counts


def test_a_search_near_a_place_counts_the_meetings_near_it_and_online_apart(client):
    for _ in range(2):
        make_meeting()
    make_meeting(location=make_portland_location())  # far away
    for _ in range(3):
        make_meeting(attendance="online")
    with at(MONDAY_NOON):
        response = client.get("/meetings/", {"near": "Edinburgh"})
        assert "2 meetings near Edinburgh, and 3 online" in visible_text(response)
        in_person = client.get("/meetings/", {"near": "Edinburgh", "attendance": "in_person"})
        assert "2 meetings near Edinburgh" in visible_text(in_person)
        heading = re.search(r'<h2 id="results-heading">(.*?)</h2>', in_person.text)[1]
        assert "online" not in heading


# Referral sheets in the service's time


def sections(response) -> dict[str, list[str]]:
    """The sheet's day headings and the meetings under each."""
    found = {}
    for part in re.split(r"<h2>", response.text)[1:]:
        title, _, body = part.partition("</h2>")
        found[title] = re.findall(r'data-meeting-slug="([^"]+)"', body)
    return found


def test_a_sheet_for_edinburgh_files_a_toronto_meeting_under_the_clients_day(client):
    local = make_meeting(day=1, start_time=datetime.time(19, 0), slug="leith-monday")
    toronto = make_meeting(
        day=1,
        start_time=datetime.time(23, 0),
        timezone="America/Toronto",
        attendance="online",
        slug="toronto-late",
    )
    # The staff member's browser is elsewhere: the sheet is in the time of the place searched.
    client.cookies["tz"] = "America/Toronto"
    with at(MONDAY_NOON):
        # Online meetings are on a sheet only when asked for.
        response = client.get("/referrals/sheet/", {"near": "Edinburgh", "online": "yes"})
    assert response.status_code == 200
    found = sections(response)
    assert found["Monday"] == [local.slug]
    assert found["Tuesday"] == [toronto.slug]
    text = visible_text(response)
    assert "All times are in British Time (London), the time in Edinburgh." in text
    row = re.search(r'data-meeting-slug="toronto-late">(.*?)</tr>', response.text, re.S)[1]
    assert "04:00" in row and "(Mon 23:00 in Toronto)" in row
    assert "EST" not in row


def test_a_sheet_with_no_place_is_in_the_browsers_zone_else_the_directorys(client, settings):
    make_meeting(
        day=1,
        start_time=datetime.time(23, 0),
        timezone="America/Toronto",
        attendance="online",
        slug="toronto-late",
    )
    settings.DIRECTORY_TIME_ZONE = "Europe/London"
    with at(MONDAY_NOON):
        online = {"online": "yes"}  # on a sheet only when asked for
        assert sections(client.get("/referrals/sheet/", online))["Tuesday"] == ["toronto-late"]
        client.cookies["tz"] = "America/Toronto"
        assert sections(client.get("/referrals/sheet/", online))["Monday"] == ["toronto-late"]


# The zone a person chooses, and the public forms' default


def test_a_person_chooses_their_zone_by_city_without_scripts(client):
    page = client.get("/time-zone/", {"next": "/meetings/?day=1&tz=Asia/Tokyo"})
    assert page.status_code == 200
    assert '<option value="America/Los_Angeles">Los Angeles (Pacific Time)</option>' in page.text
    assert 'type="text"' not in page.text  # nothing to type, no IANA name asked for
    response = client.post(
        "/time-zone/", {"tz": "America/Los_Angeles", "next": "/meetings/?day=1&tz=Asia/Tokyo"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/meetings/?day=1"  # the link's zone would outrank the choice
    assert response.cookies["tz"].value == "America/Los_Angeles"
    assert response.cookies["tz_chosen"].value == "1"
    make_meeting(day=1, start_time=datetime.time(19, 0), timezone="Europe/London")
    with at(MONDAY_NOON):
        text = visible_text(client.get("/meetings/"))
    assert "Times are in Pacific Time (Los Angeles), your time zone." in text
    # Handing it back to the device forgets both cookies.
    response = client.post("/time-zone/", {"tz": "", "next": "/meetings/"})
    assert response.cookies["tz"].value == "" and response.cookies["tz_chosen"].value == ""


def test_the_zone_page_refuses_what_is_not_a_zone_and_stays_on_this_site(client):
    response = client.post("/time-zone/", {"tz": "America", "next": "/meetings/"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    away = client.post("/time-zone/", {"tz": "Europe/Paris", "next": "https://elsewhere.example/"})
    assert away["Location"] == "/meetings/"


def new_meeting(client, **fields):
    data = {
        "fellowship": "1",
        "name": "New Group",
        "day": "3",
        "start_time": "18:30",
        "attendance": "online",
        "conference_url": "https://meet.example.org/new",
        "timezone": "",
        **fields,
    }
    from groups.models import Fellowship

    data["fellowship"] = Fellowship.objects.get(slug="aa").pk
    return client.post(reverse("meeting_new"), data)


def test_the_new_meeting_form_takes_its_zone_from_the_town_then_the_viewer_then_the_directory(
    client, settings
):
    page = client.get(reverse("meeting_new"))
    assert 'value="UTC"' not in page.text
    assert re.search(r'<option value="" selected>Work it out from the town', page.text)

    toronto = new_meeting(client, location_city="Toronto", location_country="Canada")
    assert toronto.status_code == 302
    assert ChangeRequest.objects.latest("pk").proposed["timezone"] == "America/Toronto"

    client.cookies["tz"] = "Asia/Tokyo"
    assert new_meeting(client).status_code == 302
    assert ChangeRequest.objects.latest("pk").proposed["timezone"] == "Asia/Tokyo"

    client.cookies.clear()
    settings.DIRECTORY_TIME_ZONE = "Europe/London"
    assert new_meeting(client).status_code == 302
    assert ChangeRequest.objects.latest("pk").proposed["timezone"] == "Europe/London"

    settings.DIRECTORY_TIME_ZONE = ""
    refused = new_meeting(client)
    assert refused.status_code == 400
    assert "timezone" in refused.context["form"].errors
    # A zone chosen is kept whatever the town.
    assert new_meeting(client, timezone="Asia/Kolkata", location_city="Toronto").status_code == 302
    assert ChangeRequest.objects.latest("pk").proposed["timezone"] == "Asia/Kolkata"


def test_the_zone_page_says_why_the_current_zone_is_used(client, settings):
    settings.DIRECTORY_TIME_ZONE = "Europe/London"
    text = visible_text(client.get("/time-zone/"))
    assert "Times are now shown in British Time (London), this directory's home time zone." in text
    assert "Your device's zone is not known" in text
    client.cookies["tz"] = "Asia/Tokyo"
    text = visible_text(client.get("/time-zone/"))
    assert "Times are now shown in Japan Time (Tokyo), your time zone." in text


def test_coordinates_from_use_my_location_give_the_zone_where_the_person_is(client):
    make_meeting(location=make_portland_location(), timezone="America/Los_Angeles")
    with at(MONDAY_NOON):
        text = visible_text(client.get("/meetings/", {"lat": "45.52", "lng": "-122.68"}))
    assert "Times are in Pacific Time (Los Angeles), the time where you are." in text
    assert "Today 19:00" in text  # Monday 04:00 there: its 19:00 is still to come today
