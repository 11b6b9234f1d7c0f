"""The finder as someone looking for a meeting uses it on a phone (issue 14): words that name a
type or a language, one-tap choices, closed and stale listings said plainly, something for the
hard hour, and directions that open on any phone. The browser side is tests/test_phone_browser.py.
"""

import datetime
import re

import pytest
import time_machine

from groups.models import Meeting, MeetingType
from groups.quick import QUICK_SECONDS
from tests.conftest import (
    ROW_BUILDING_QUERIES,
    ZONES_QUERY,
    make_location,
    make_meeting,
    make_portland_location,
)

pytestmark = pytest.mark.django_db

# Monday 30 November 2026, 23:43 in London (GMT): the hard hour.
LATE = datetime.datetime(2026, 11, 30, 23, 43, tzinfo=datetime.UTC)
# Monday 30 November 2026, 17:00 in London.
EVENING = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)


def slugs(response) -> list[str]:
    return re.findall(r'data-meeting-slug="([^"]+)"', response.text)


def listed(response) -> list[str]:
    """The slugs of the results list itself (not of the online meetings offered beside it)."""
    html = response.text
    start = html.find('<ol class="results" id="list">')
    if start < 0:
        return []
    return re.findall(r'data-meeting-slug="([^"]+)"', html[start : html.index("</ol>", start)])


# Words that name a type or a language


@pytest.fixture
def words_world():
    return {
        "women": make_meeting(name="Thursday Group", slug="thursday-women", types=("W",)),
        "named": make_meeting(name="Women in Recovery", slug="women-in-recovery"),
        "spanish": make_meeting(name="Grupo Esperanza", slug="esperanza", languages=("es",)),
        "spanish_type": make_meeting(name="Martes", slug="martes", types=("S",), languages=("es",)),
        "other": make_meeting(name="Leith Step Meeting", slug="leith-step", types=("ST",)),
    }


@pytest.mark.parametrize(
    "words, found, understood",
    [
        ("women", {"thursday-women", "women-in-recovery"}, "meetings of the type Women"),
        ("Women's", {"thursday-women", "women-in-recovery"}, "meetings of the type Women"),
        ("spanish", {"esperanza", "martes"}, "meetings in Spanish"),
        ("español", {"esperanza", "martes"}, "meetings in Spanish"),
        ("en español", {"esperanza", "martes"}, "meetings in Spanish"),
        ("espanol", {"esperanza", "martes"}, "meetings in Spanish"),
        ("espagnol", {"esperanza", "martes"}, "meetings in Spanish"),
        ("meetings in Spanish", {"esperanza", "martes"}, "meetings in Spanish"),
    ],
)
def test_words_that_name_a_type_or_a_language_find_its_meetings_and_say_so(
    client, words_world, words, found, understood
):
    response = client.get("/meetings/", {"q": words})
    assert set(slugs(response)) == found
    assert understood in response.text
    api = client.get("/api/meetings/", {"q": words}).json()
    assert {row["slug"] for row in api["results"]} == found


def test_other_words_still_search_names_and_places(client, words_world):
    response = client.get("/meetings/", {"q": "leith step"})
    assert slugs(response) == ["leith-step"]
    assert "Understood" not in response.text
    assert "meetings of the type" not in response.text


def test_a_language_is_one_choice_not_a_type_and_a_language(client, words_world):
    form = client.get("/meetings/").text
    # The types to choose from name no language; the languages are offered once.
    types = form[form.index('id="id_type"') :]
    types = types[: types.index("</fieldset>")]
    assert 'value="S"' not in types and ">Spanish<" not in types
    assert form.count('name="language" value="es"') == 1
    # A meeting tagged with the type Spanish and the language Spanish says Spanish once.
    page = client.get("/meetings/martes/").text
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    assert facts.count("Spanish") == 1
    row = client.get("/meetings/", {"q": "martes"}).text
    row = row[row.index('data-meeting-slug="martes"') :]
    row = row[: row.index("</li>")]
    assert row.count("Spanish") == 1


def test_it_offers_only_the_needs_and_languages_that_have_meetings(client, words_world):
    home = client.get("/").text
    assert 'name="type" value="W"' in home  # a women's meeting is listed
    assert 'name="type" value="M"' not in home  # no men's meeting is
    assert 'name="language" value="es"' in home
    assert '<span lang="es">Español</span>' in home
    assert 'name="language" value="fr"' not in home
    # The language most meetings are held in is the default, not a choice.
    assert 'name="language" value="en"' not in home
    make_meeting(name="Réunion du lundi", languages=("fr",))
    # Offered once the choices are read again, within minutes.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=QUICK_SECONDS + 1)
    with time_machine.travel(later):
        assert 'name="language" value="fr"' in client.get("/").text


def test_one_tap_choices_are_plain_links_of_the_search(client, words_world):
    response = client.get("/meetings/", {"type": "W"})
    assert set(slugs(response)) == {"thursday-women"}
    response = client.get("/meetings/", {"language": "es", "attendance": "in_person"})
    assert set(slugs(response)) == {"esperanza", "martes"}


# Closed and stale


@pytest.fixture
def closed_world():
    hall = make_location()
    return {
        "closed": make_meeting(
            name="Aardvark Hall Meeting",
            slug="closed-first-by-name",
            location=hall,
            start_time=datetime.time(17, 30),
            status=Meeting.Status.TEMPORARILY_CLOSED,
            status_reason="The hall is being rewired",
            status_until=datetime.date(2027, 3, 1),
            last_verified=datetime.date(2026, 11, 1),
        ),
        "later": make_meeting(
            name="Zebra Crossing Group",
            slug="active-later",
            location=make_location(latitude=55.99, longitude=-3.2),
            start_time=datetime.time(21, 0),
            last_verified=datetime.date(2026, 11, 1),
        ),
        "stale": make_meeting(
            name="Middle Meeting",
            slug="stale",
            location=make_location(latitude=55.98, longitude=-3.18),
            start_time=datetime.time(20, 0),
            last_verified=datetime.date(2025, 5, 20),
        ),
    }


@pytest.mark.parametrize("sort", ["upcoming", "time", "name", "distance"])
def test_temporarily_closed_meetings_come_after_every_active_one_in_every_order(
    client, closed_world, sort
):
    with time_machine.travel(EVENING, tick=False):
        response = client.get("/meetings/", {"near": "Edinburgh", "sort": sort})
    shown = listed(response)
    assert set(shown) == {"closed-first-by-name", "active-later", "stale"}
    assert shown[-1] == "closed-first-by-name"
    api = client.get("/api/meetings/", {"near": "Edinburgh", "sort": sort}).json()
    assert api["results"][-1]["slug"] == "closed-first-by-name"


def test_a_closed_meeting_after_a_full_page_is_on_the_next_page(client, closed_world):
    with time_machine.travel(EVENING, tick=False):
        first = client.get("/api/meetings/", {"page": 1}).json()
    assert [row["slug"] for row in first["results"]] == [
        "stale",
        "active-later",
        "closed-first-by-name",
    ]
    # Two active meetings per page: the closed one (the soonest to start) is on page 2.
    with time_machine.travel(EVENING, tick=False):
        from groups.search import search

        pages = [search({"page": str(n)}, per_page=2) for n in (1, 2)]
    assert [[r.meeting.slug for r in p.rows] for p in pages] == [
        ["stale", "active-later"],
        ["closed-first-by-name"],
    ]


def test_a_temporarily_closed_meeting_says_why_and_until_when_and_offers_no_next_time(
    client, closed_world
):
    with time_machine.travel(EVENING, tick=False):
        row = client.get("/meetings/", {"q": "aardvark"}).text
        page = client.get("/meetings/closed-first-by-name/").text
    row = row[row.index('data-meeting-slug="closed-first-by-name"') :]
    row = row[: row.index("</li>")]
    assert "Temporarily closed</strong> until 1 March 2027" in row
    assert "usually Mondays at 17:30" in row
    assert "The hall is being rewired" in row
    assert "Today" not in row
    assert "Temporarily closed until 1 March 2027</strong>: The hall is being rewired" in page
    assert "Next:" not in page
    assert "Add to calendar" not in page
    assert "Not meeting for now" in page
    # A calendar that subscribed to it shows it as cancelled until it reopens.
    ics = client.get("/meetings/closed-first-by-name.ics").content.decode()
    assert "STATUS:CANCELLED" in ics
    assert "SUMMARY:Temporarily closed: Aardvark Hall Meeting" in ics


def test_a_listing_not_checked_for_long_says_call_before_you_go(client, closed_world, settings):
    settings.VERIFICATION_INTERVAL_DAYS = 180
    with time_machine.travel(EVENING, tick=False):
        page = client.get("/meetings/stale/").text
        rows = client.get("/meetings/").text
        fresh = client.get("/meetings/active-later/").text
    warning = "Last checked 18 months ago: call or check before you go."
    assert warning in page
    stale_row = rows[rows.index('data-meeting-slug="stale"') :]
    assert warning in stale_row[: stale_row.index("</li>")]
    assert "call or check before you go" not in fresh
    later_row = rows[rows.index('data-meeting-slug="active-later"') :]
    assert "call or check" not in later_row[: later_row.index("</li>")]


def test_a_listing_never_checked_says_so_on_its_page(client):
    make_meeting(slug="never-checked", last_verified=None)
    page = client.get("/meetings/never-checked/").text
    assert "Not yet checked by a volunteer of this directory" in page


# The hard hour


@pytest.fixture
def late_world():
    return {
        "tomorrow": make_meeting(
            name="Tuesday Morning Group",
            slug="tuesday-morning",
            day=Meeting.Day.TUESDAY,
            start_time=datetime.time(9, 0),
        ),
        "online_soon": make_meeting(
            name="Midnight Online",
            slug="midnight-online",
            attendance=Meeting.Attendance.ONLINE,
            day=Meeting.Day.MONDAY,
            start_time=datetime.time(19, 0),
            timezone="America/New_York",  # 00:00 in London
        ),
        "online_later": make_meeting(
            name="Early Risers Online",
            slug="early-risers",
            attendance=Meeting.Attendance.ONLINE,
            day=Meeting.Day.TUESDAY,
            start_time=datetime.time(7, 0),
        ),
        "smart_online": make_meeting(
            "smart-recovery",
            name="SMART Online Night",
            slug="smart-online",
            attendance=Meeting.Attendance.ONLINE,
            day=Meeting.Day.TUESDAY,
            start_time=datetime.time(0, 30),
        ),
    }


def hard_hour(html: str) -> str:
    start = html.find('class="hard-hour"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def test_when_nothing_in_person_starts_soon_it_says_so_and_offers_online_meetings(
    client, late_world
):
    with time_machine.travel(LATE, tick=False):
        response = client.get(
            "/meetings/", {"near": "Edinburgh", "attendance": "in_person", "fellowship": "aa"}
        )
    block = hard_hour(response.text)
    assert "Nothing in person starts in the next 2 hours near Edinburgh" in block
    offered = re.findall(r'data-offered-slug="([^"]+)"', block)
    # The fellowship chosen carries over; where and when do not. Soonest first.
    assert offered == ["midnight-online", "early-risers"]
    assert "Today 00:00" not in block and "Tomorrow 00:00" in block


def test_it_says_how_long_until_the_next_online_meeting_when_that_is_not_soon(client):
    make_meeting(slug="next-week", day=Meeting.Day.TUESDAY, start_time=datetime.time(9, 0))
    make_meeting(
        slug="morning-online",
        attendance=Meeting.Attendance.ONLINE,
        day=Meeting.Day.TUESDAY,
        start_time=datetime.time(9, 0),
    )
    with time_machine.travel(LATE, tick=False):
        response = client.get("/meetings/", {"near": "Edinburgh", "attendance": "in_person"})
    assert "The next online meeting starts in about 9 hours." in hard_hour(response.text)


@pytest.mark.parametrize(
    "params",
    [
        {"attendance": "online"},  # already online
        {"day": "3"},  # a search for Wednesday is not about now
        {"sort": "name"},
    ],
)
def test_it_offers_nothing_extra_when_the_search_is_not_about_now(client, late_world, params):
    with time_machine.travel(LATE, tick=False):
        response = client.get("/meetings/", params)
    assert response.status_code == 200
    assert hard_hour(response.text) == ""


def test_it_offers_nothing_extra_when_a_meeting_in_person_starts_soon(client, late_world):
    make_meeting(slug="near-midnight", start_time=datetime.time(23, 59))
    with time_machine.travel(LATE, tick=False):
        response = client.get("/meetings/", {"near": "Edinburgh"})
    assert "near-midnight" in listed(response)
    assert hard_hour(response.text) == ""


def test_the_hard_hour_costs_a_constant_number_of_queries(
    client, late_world, django_assert_num_queries, django_assert_max_num_queries
):
    params = {"near": "Edinburgh", "attendance": "in_person"}
    with time_machine.travel(LATE, tick=False):
        client.get("/meetings/", params)  # the catalogue and choices, into the cache
        with django_assert_max_num_queries(13) as small:
            assert hard_hour(client.get("/meetings/", params).text)
        for n in range(10):
            make_meeting(
                slug=f"more-online-{n}",
                attendance=Meeting.Attendance.ONLINE,
                day=Meeting.Day.TUESDAY,
                start_time=datetime.time(8, n),
                types=("O",),
            )
            make_meeting(slug=f"more-tomorrow-{n}", day=Meeting.Day.TUESDAY, types=("D",))
        # The listings moved on: the rows of the results and of the offer are built again.
        with django_assert_num_queries(len(small) + 2 * ROW_BUILDING_QUERIES + ZONES_QUERY):
            assert hard_hour(client.get("/meetings/", params).text)
        with django_assert_num_queries(len(small)):
            assert hard_hour(client.get("/meetings/", params).text)


# Results first, and directions


def test_after_a_search_the_results_come_first_and_the_form_opens_on_demand(client):
    make_meeting()
    searched = client.get("/meetings/", {"day": "1"}).text
    assert '<details class="refine">' in searched
    assert "<summary>Change the search</summary>" in searched
    assert searched.index('<details class="refine">') < searched.index('id="results"')
    # With nothing searched yet, or a search to fix, the form is open.
    assert '<details class="refine" open>' in client.get("/meetings/").text
    assert '<details class="refine" open>' in client.get("/meetings/", {"day": "9"}).text


def test_the_results_say_the_search_in_one_line(client):
    make_meeting()
    with time_machine.travel(EVENING, tick=False):
        html = client.get(
            "/meetings/", {"day": "today", "attendance": "in_person", "near": "Glasgow"}
        ).text
    line = re.search(r'<p class="summary">([^<]*)</p>', html).group(1)
    assert line.startswith("Today · In person")
    assert "Near Glasgow, within" in line
    assert "Starting soonest" not in line  # the usual order goes without saying


def test_directions_open_in_any_maps_app_and_nothing_loads_from_them(client):
    make_meeting(slug="with-place", location=make_portland_location())
    page = client.get("/meetings/with-place/").text
    assert "https://maps.apple.com/?daddr=45.5152,-122.6784" in page
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=45.5152%2C-122.6784" in page
    assert "https://www.openstreetmap.org/directions?to=45.5152%2C-122.6784" in page
    assert "geo:" not in page  # iPhones do not open it
    # Links only: nothing on the page is loaded from those hosts.
    assert not re.search(r'(src|href)="https://[^"]*"[^>]*rel="(?!noreferrer)', page)
    assert not re.search(r"<(img|script|iframe|link)[^>]+(maps\.apple|google|openstreetmap)", page)
    assert "data-share" in page


def test_the_results_link_their_calendar_file(client):
    make_meeting(slug="in-calendar", day=Meeting.Day.FRIDAY)
    html = client.get("/meetings/", {"day": "5"}).text
    link = re.search(r'href="(/meetings\.ics\?[^"]*)"[^>]*>Add these meetings to a calendar', html)
    assert link
    ics = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "in-calendar@" in ics


def test_language_types_are_left_out_of_the_types_shown(client):
    meeting = make_meeting(slug="bilingual", types=("O",), languages=("en", "fr"))
    meeting.types.add(MeetingType.objects.get(vocabulary__slug="meeting-guide", code="FR"))
    page = client.get("/meetings/bilingual/").text
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    assert facts.count("French") == 1


def test_open_and_closed_are_explained_in_the_fellowships_own_words_where_they_appear(client):
    make_meeting("aa", slug="aa-closed", name="Closed Step", types=("C",))
    make_meeting("na", slug="na-open", name="Open Door", types=("O",))
    make_meeting("smart-recovery", slug="smart-plain", name="SMART Evening", types=("D",))
    rows = client.get("/meetings/").text
    page = client.get("/meetings/aa-closed/").text

    def row(slug):
        html = rows[rows.index(f'data-meeting-slug="{slug}"') :]
        return html[: html.index("</li>")]

    assert "Closed: for people who have a desire to stop drinking" in row("aa-closed")
    assert "Closed: for people who have a desire to stop drinking" in page
    assert "Open: anyone may come, including family, friends" in row("na-open")
    assert "type-meaning" not in row("smart-plain")


def test_results_near_a_place_link_the_fellowships_compared_near_it(client):
    make_meeting(slug="near-leith")
    html = client.get("/meetings/", {"near": "Edinburgh"}).text
    link = re.search(r'href="(/fellowships/\?near=[^"]+)">Compare the fellowships near', html)
    assert link
    page = client.get(link.group(1)).text
    assert "near Edinburgh" in page
