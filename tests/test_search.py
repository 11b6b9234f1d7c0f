"""The meeting search: every parameter, their combinations, and its order, through the page
people use (/meetings/). The same parameters drive the API, tested in test_api.py."""

import datetime
import re
import zoneinfo

import pytest
import time_machine

from groups.models import Language, Meeting, Region
from tests.conftest import (
    ROW_BUILDING_QUERIES,
    ZONES_QUERY,
    make_group,
    make_location,
    make_meeting,
    make_region,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")


def slugs(response) -> list[str]:
    """The meetings a results page lists, in order."""
    return re.findall(r'data-meeting-slug="([^"]+)"', response.text)


def found(client, **params) -> list[str]:
    response = client.get("/meetings/", params)
    assert response.status_code == 200, response.text[:2000]
    return slugs(response)


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


# Every parameter


def test_it_lists_every_listed_meeting_once_when_nothing_is_chosen(client):
    shown = {make_meeting(types=("O", "D", "X"), languages=("en", "es")).slug for _ in range(3)}
    make_meeting(status="inactive")
    result = found(client)
    assert sorted(result) == sorted(shown)


def test_it_finds_words_in_the_name_group_venue_city_and_notes(client):
    by_name = make_meeting(name="Serenity at Sunset")
    by_group = make_meeting(group=make_group(name="Harbourside Serenity Group"))
    by_venue = make_meeting(location=make_location(name="Serenity Hall"))
    by_city = make_meeting(location=make_location(city="Serenityville"))
    by_notes = make_meeting(notes="A serenity prayer closes the meeting.")
    make_meeting(name="Hope on Tuesday")
    expected = {m.slug for m in (by_name, by_group, by_venue, by_city, by_notes)}
    assert set(found(client, q="serenity")) == expected


def test_it_needs_every_word_of_the_text(client):
    both = make_meeting(name="Leith Hope Group")
    make_meeting(name="Leith Monday")
    assert found(client, q="hope leith") == [both.slug]


def test_it_filters_by_one_or_several_fellowships(client):
    aa = make_meeting("aa")
    smart = make_meeting("smart-recovery")
    make_meeting("lifering")
    assert found(client, fellowship="aa") == [aa.slug]
    assert set(found(client, fellowship=["aa", "smart-recovery"])) == {aa.slug, smart.slug}


@pytest.mark.parametrize(
    ("approach", "expected"),
    [
        ("twelve-step", {"aa", "celebrate-recovery"}),
        ("secular", {"smart-recovery", "lifering"}),
        ("faith-based", {"celebrate-recovery"}),
    ],
)
def test_it_filters_by_approach(client, approach, expected):
    for slug in ("aa", "smart-recovery", "lifering", "celebrate-recovery", "refuge-recovery"):
        make_meeting(slug, slug=f"m-{slug}")
    assert {s.removeprefix("m-") for s in found(client, approach=approach)} == expected


def test_it_combines_approaches_as_either(client):
    for slug in ("aa", "smart-recovery", "refuge-recovery"):
        make_meeting(slug, slug=f"m-{slug}")
    result = found(client, approach=["secular", "twelve-step"])
    assert set(result) == {"m-aa", "m-smart-recovery"}


def test_it_filters_by_days_with_sunday_as_zero(client):
    sunday = make_meeting(day=0)
    monday = make_meeting(day=1)
    make_meeting(day=3)
    assert found(client, day="0") == [sunday.slug]
    assert set(found(client, day=["0", "1"])) == {sunday.slug, monday.slug}


def test_it_takes_today_in_the_viewers_time_zone(client):
    sunday = make_meeting(
        day=0, timezone="Australia/Sydney", location=make_location(timezone="Australia/Sydney")
    )
    saturday = make_meeting(day=6, start_time=datetime.time(21, 0), timezone="America/Los_Angeles")
    # Saturday 20:00 in Los Angeles is already Sunday 15:00 in Sydney. The Sydney meeting (19:00
    # Sunday there) is at midnight, on Sunday, in Los Angeles; the Los Angeles one (21:00
    # Saturday) is at 16:00 on Sunday in Sydney.
    with at(datetime.datetime(2026, 11, 22, 4, 0, tzinfo=UTC)):
        assert found(client, day="today", tz="America/Los_Angeles") == [saturday.slug]
        assert found(client, day="tomorrow", tz="America/Los_Angeles") == [sunday.slug]
        assert found(client, day="today", tz="Australia/Sydney") == [saturday.slug, sunday.slug]


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("morning", {"07:00"}),
        ("midday", {"12:30"}),
        ("evening", {"19:00"}),
        ("night", {"22:00", "01:00"}),
    ],
)
def test_it_filters_by_time_of_day(client, time, expected):
    for hour, minute in ((7, 0), (12, 30), (19, 0), (22, 0), (1, 0)):
        make_meeting(start_time=datetime.time(hour, minute), slug=f"at-{hour:02}{minute:02}")
    result = {f"{s[3:5]}:{s[5:7]}" for s in found(client, time=time)}
    assert result == expected


def test_it_filters_by_start_after_and_before(client):
    early = make_meeting(start_time=datetime.time(7, 0))
    noon = make_meeting(start_time=datetime.time(12, 0))
    late = make_meeting(start_time=datetime.time(20, 0))
    assert set(found(client, start_after="12:00")) == {noon.slug, late.slug}
    assert found(client, start_before="12:00") == [early.slug]
    assert found(client, start_after="08:00", start_before="19:59") == [noon.slug]


def test_it_counts_a_hybrid_meeting_as_in_person_and_as_online(client):
    in_person = make_meeting(attendance="in_person")
    online = make_meeting(attendance="online")
    hybrid = make_meeting(attendance="hybrid")
    assert set(found(client, attendance="in_person")) == {in_person.slug, hybrid.slug}
    assert set(found(client, attendance="online")) == {online.slug, hybrid.slug}
    assert found(client, attendance="hybrid") == [hybrid.slug]


def test_it_needs_every_chosen_type(client):
    both = make_meeting(types=("W", "X"))
    make_meeting(types=("W",))
    make_meeting(types=("X", "O"))
    assert found(client, type=["W", "X"]) == [both.slug]


def test_it_matches_types_in_the_meetings_own_vocabulary(client):
    from groups.models import Fellowship, MeetingType, TypeVocabulary

    turkish_tools = TypeVocabulary.objects.create(name="Another tool", slug="another")
    MeetingType.objects.create(
        vocabulary=turkish_tools, code="TR", name="Turkish", category="language"
    )
    smart = Fellowship.objects.get(slug="smart-recovery")
    smart.type_vocabulary = turkish_tools
    smart.save()
    tradition = make_meeting("aa", types=("TR",))
    turkish = make_meeting("smart-recovery", types=("TR",))
    # Both are "TR", each in its own fellowship's vocabulary; neither leaks into the other.
    assert set(found(client, type="TR")) == {tradition.slug, turkish.slug}
    assert turkish.types.get().name == "Turkish"
    assert tradition.types.get().name == "Tradition Study"


def test_it_filters_by_language(client):
    spanish = make_meeting(languages=("es",))
    bilingual = make_meeting(languages=("en", "es"))
    make_meeting(languages=("en",))
    assert set(found(client, language="es")) == {spanish.slug, bilingual.slug}
    assert Language.objects.filter(code="es").exists()


def test_it_filters_by_region_including_the_regions_inside_it(client):
    scotland = make_region("Scotland", kind=Region.Kind.STATE, slug="scotland")
    edinburgh = make_region("Edinburgh", parent=scotland, slug="edinburgh")
    leith = make_region("Leith", parent=edinburgh, slug="leith")
    glasgow = make_region("Glasgow", parent=scotland, slug="glasgow")
    in_leith = make_meeting(location=make_location(region=leith))
    in_edinburgh = make_meeting(location=make_location(region=edinburgh))
    in_glasgow = make_meeting(location=make_location(region=glasgow))
    make_meeting(location=make_location(region=None))
    assert set(found(client, region="edinburgh")) == {in_leith.slug, in_edinburgh.slug}
    assert set(found(client, region="scotland")) == {
        in_leith.slug,
        in_edinburgh.slug,
        in_glasgow.slug,
    }


def test_it_hides_inactive_meetings_unless_asked(client):
    active = make_meeting(status="active")
    closed = make_meeting(status="temporarily_closed")
    inactive = make_meeting(status="inactive")
    assert set(found(client)) == {active.slug, closed.slug}
    assert found(client, status="inactive") == [inactive.slug]
    assert found(client, status="temporarily_closed") == [closed.slug]


def test_it_says_a_temporarily_closed_meeting_is_closed_in_the_results(client):
    make_meeting(status="temporarily_closed", status_reason="Hall being repainted")
    text = client.get("/meetings/").text
    assert "<strong>Temporarily closed</strong>" in text
    assert '<p class="status">Hall being repainted</p>' in text


def test_it_sorts_by_name_and_by_day_and_time(client):
    b = make_meeting(name="Beta", day=1, start_time=datetime.time(9))
    a = make_meeting(name="Alpha", day=2, start_time=datetime.time(8))
    c = make_meeting(name="Gamma", day=1, start_time=datetime.time(8))
    assert found(client, sort="name") == [a.slug, b.slug, c.slug]
    assert found(client, sort="time") == [c.slug, b.slug, a.slug]


def test_it_summarises_the_active_filters_in_words_with_a_count(client):
    for _ in range(3):
        make_meeting("smart-recovery", day=1)
    response = client.get(
        "/meetings/", {"fellowship": "smart-recovery", "day": "1", "attendance": "in_person"}
    )
    text = response.text
    assert "3 meetings" in text
    assert (
        '<p class="summary">SMART Recovery · Monday · In person (hybrid meetings included)</p>'
        in text
    )


def test_it_pages_long_results_and_keeps_the_filters_in_page_links(client):
    for n in range(30):
        make_meeting(name=f"Meeting {n:02}", day=1)
    first = client.get("/meetings/", {"day": "1", "sort": "name"})
    assert len(slugs(first)) == 25
    assert "Page 1 of 2" in first.text
    assert re.search(r'href="\?day=1&amp;sort=name&amp;page=2"', first.text)
    second = client.get("/meetings/", {"day": "1", "sort": "name", "page": "2"})
    assert len(slugs(second)) == 5
    assert not set(slugs(first)) & set(slugs(second))


# Upcoming order and time zones


def test_it_lists_meetings_in_progress_first_then_by_next_start(client):
    london = {"timezone": "Europe/London"}
    # Monday 19:30 in London.
    with at(datetime.datetime(2026, 11, 23, 19, 30, tzinfo=UTC)):
        started = make_meeting(day=1, start_time=datetime.time(19, 0), **london)
        ended = make_meeting(
            day=1, start_time=datetime.time(18, 0), end_time=datetime.time(19, 0), **london
        )
        next_up = make_meeting(day=1, start_time=datetime.time(20, 0), **london)
        tomorrow = make_meeting(day=2, start_time=datetime.time(7, 0), **london)
        response = client.get("/meetings/")
    assert slugs(response) == [started.slug, next_up.slug, tomorrow.slug, ended.slug]
    assert "Happening now" in response.text
    assert response.text.count("Happening now") == 1


def test_it_orders_across_midnight_and_the_end_of_the_week(client):
    # Saturday 23:30 in London: Saturday 23:45 is next, then Sunday 00:15, then Saturday 22:00.
    with at(datetime.datetime(2026, 11, 28, 23, 30, tzinfo=UTC)):
        sunday = make_meeting(day=0, start_time=datetime.time(0, 15))
        saturday_late = make_meeting(day=6, start_time=datetime.time(23, 45))
        saturday_earlier = make_meeting(day=6, start_time=datetime.time(22, 0))
        assert found(client) == [saturday_late.slug, sunday.slug, saturday_earlier.slug]


def test_it_orders_meetings_of_different_zones_by_the_real_moment_they_start(client):
    # Monday 23:00 UTC: 18:00 in New York, 23:00 in London.
    with at(datetime.datetime(2026, 11, 23, 23, 0, tzinfo=UTC)):
        new_york = make_meeting(
            day=1,
            start_time=datetime.time(18, 30),
            timezone="America/New_York",
            attendance="online",
        )
        london = make_meeting(day=1, start_time=datetime.time(23, 15), timezone="Europe/London")
        tokyo = make_meeting(
            day=2, start_time=datetime.time(8, 50), timezone="Asia/Tokyo", attendance="online"
        )
        # 23:15 London = 23:15 UTC; 18:30 New York = 23:30 UTC; 08:50 Tuesday Tokyo = 23:50 UTC.
        assert found(client) == [london.slug, new_york.slug, tokyo.slug]


def test_it_shows_an_online_meetings_time_in_its_zone_and_the_viewers(client):
    with at(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)):
        make_meeting(
            day=1, start_time=datetime.time(19, 0), timezone="America/New_York", attendance="online"
        )
        text = client.get("/meetings/", {"tz": "Europe/London"}).text
    # Noon on Monday in London: the meeting starts at midnight, on the viewer's Tuesday.
    assert '>Tomorrow 00:00</time> <span class="own">(Mon 19:00 in New York)</span>' in text
    assert "Times are in <strong>British Time (London)</strong>, your time zone." in text


def test_it_shows_one_time_when_the_viewer_is_in_the_meetings_zone(client):
    with at(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)):
        make_meeting(
            day=1, start_time=datetime.time(19, 0), timezone="Europe/London", attendance="online"
        )
        text = client.get("/meetings/", {"tz": "Europe/London"}).text
    assert ">Today 19:00</time></p>" in text  # one time, nothing in brackets


def test_it_takes_the_viewers_zone_from_the_browser_cookie(client):
    with at(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)):
        make_meeting(
            day=1, start_time=datetime.time(19, 0), timezone="Europe/London", attendance="online"
        )
        client.cookies["tz"] = "America/Los_Angeles"
        text = client.get("/meetings/").text
    assert '>Today 11:00</time> <span class="own">(19:00 in London)</span>' in text
    assert "Pacific Time (Los Angeles)</strong>, your time zone" in text


def test_it_follows_daylight_saving_time_on_the_day_clocks_change(client):
    # Clocks in London went forward at 01:00 UTC on Sunday 29 March 2026.
    with at(datetime.datetime(2026, 3, 28, 22, 0, tzinfo=UTC)):
        make_meeting(
            day=0, start_time=datetime.time(19, 0), timezone="Europe/London", attendance="online"
        )
        text = client.get("/meetings/", {"tz": "America/New_York"}).text
    # 19:00 BST on 29 March is 14:00 in New York (still EDT since 8 March).
    assert '>Tomorrow 14:00</time> <span class="own">(19:00 in London)</span>' in text


def test_it_lists_meetings_by_appointment_last(client):
    appointment = make_meeting(day=None, start_time=None, name="Aardvark")
    weekly = make_meeting(day=3)
    assert found(client) == [weekly.slug, appointment.slug]
    assert "By appointment" in client.get("/meetings/").text


# Distance


LEITH = (55.9756, -3.1694)


@pytest.fixture(params=[5000, 0], ids=["venues by id", "venues too many to name"])
def venues(request, monkeypatch):
    """Near a place, the search names the venues within the distance, or past VENUE_LIST_LIMIT
    (a wide circle in a dense country) checks each distance in SQL: the same meetings either
    way."""
    monkeypatch.setattr("groups.filters.VENUE_LIST_LIMIT", request.param)


def test_it_finds_meetings_within_a_distance_of_coordinates(client, venues):
    near = make_meeting(location=make_location(latitude=55.97, longitude=-3.17))  # < 1 km
    mid = make_meeting(location=make_location(latitude=55.86, longitude=-4.25))  # Glasgow, ~68 km
    make_meeting(location=make_location(latitude=51.5, longitude=-0.12))  # London, ~530 km
    make_meeting(location=make_location(latitude=None, longitude=None))
    lat, lng = LEITH
    assert found(client, lat=lat, lng=lng, distance=10) == [near.slug]
    assert set(found(client, lat=lat, lng=lng, distance=100)) == {near.slug, mid.slug}
    assert found(client, lat=lat, lng=lng, distance=40, unit="mi") == [near.slug]
    assert found(client, lat=lat, lng=lng, distance=65, unit="km") == [near.slug]
    assert set(found(client, lat=lat, lng=lng, distance=45, unit="mi")) == {near.slug, mid.slug}


def test_it_sorts_by_distance_and_shows_it(client, venues):
    lat, lng = LEITH
    far = make_meeting(location=make_location(latitude=55.86, longitude=-4.25))
    close = make_meeting(location=make_location(latitude=55.97, longitude=-3.17))
    response = client.get(
        "/meetings/", {"lat": lat, "lng": lng, "distance": 100, "sort": "distance"}
    )
    assert slugs(response) == [close.slug, far.slug]
    # Leith is in the United Kingdom, whose roads are signed in miles: 68 km is 42 miles.
    assert re.search(r"· 0\.\d mi away", response.text)
    assert re.search(r"· 4\d\.\d mi away", response.text)


def test_it_keeps_online_meetings_in_a_distance_search_unless_in_person_is_asked(client, venues):
    lat, lng = LEITH
    near = make_meeting(location=make_location(latitude=55.97, longitude=-3.17))
    online = make_meeting(attendance="online")
    far_hybrid = make_meeting(
        attendance="hybrid", location=make_location(latitude=51.5, longitude=-0.12)
    )
    assert set(found(client, lat=lat, lng=lng, distance=10)) == {near.slug, online.slug}
    assert found(client, lat=lat, lng=lng, distance=10, attendance="in_person") == [near.slug]
    assert far_hybrid.slug not in found(client, lat=lat, lng=lng, distance=10)


def test_it_finds_a_place_by_name_from_the_directorys_own_regions(client):
    leith = make_region("Leith", slug="leith")
    here = make_meeting(location=make_location(region=leith, latitude=55.975, longitude=-3.17))
    make_meeting(location=make_location(latitude=55.86, longitude=-4.25))
    response = client.get("/meetings/", {"near": "Leith", "distance": 5})
    assert slugs(response) == [here.slug]
    assert "Near Leith, within 5 miles" in response.text  # a place in the UK: miles


def test_it_finds_a_place_by_postal_code_from_the_directorys_own_venues(client):
    here = make_meeting(location=make_location(postal_code="EH6 6AA"))
    make_meeting(location=make_location(postal_code="G1 1AA", latitude=55.86, longitude=-4.25))
    assert found(client, near="EH6 6AA", distance=5) == [here.slug]
    assert found(client, near="eh6", distance=5) == [here.slug]


def test_it_finds_a_city_from_the_offline_gazetteer(client):
    portland = make_meeting(
        location=make_location(
            city="", latitude=45.52, longitude=-122.68, timezone="America/Los_Angeles"
        )
    )
    make_meeting(location=make_location(latitude=55.97, longitude=-3.17))
    assert found(client, near="Portland, OR", distance=20) == [portland.slug]
    assert found(client, near="97214", distance=20) == [portland.slug]


def test_it_says_when_a_place_is_unknown(client):
    response = client.get("/meetings/", {"near": "Qwxzyville", "distance": 5})
    assert response.status_code == 400
    assert "We could not find a place called “Qwxzyville”" in response.text


def test_it_searches_across_the_date_line(client):
    fiji = make_meeting(
        location=make_location(latitude=-17.8, longitude=179.9, timezone="Pacific/Fiji")
    )
    over_the_line = make_meeting(
        location=make_location(latitude=-17.8, longitude=-179.9, timezone="Pacific/Fiji")
    )
    assert set(found(client, lat=-17.8, lng=179.95, distance=50)) == {fiji.slug, over_the_line.slug}


# Bad input: a clear message naming the field, never a 500


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": "9"}, "day"),
        ({"day": "someday"}, "day"),
        ({"start_after": "25:99"}, "start_after"),
        ({"start_before": "noon"}, "start_before"),
        ({"lat": "nan", "lng": "1"}, "lat"),
        ({"lat": "91", "lng": "0"}, "lat"),
        ({"lat": "10", "lng": "-181"}, "lng"),
        ({"lat": "10"}, "lng"),
        ({"near": "Edinburgh", "distance": "100000"}, "distance"),
        ({"distance": "5"}, "distance"),
        ({"q": "serenity\x00"}, "q"),
        ({"fellowship": "no-such-fellowship"}, "fellowship"),
        ({"type": [f"T{n}" for n in range(2000)]}, "type"),
        ({"type": "NOPE"}, "type"),
        ({"language": "xx"}, "language"),
        ({"region": "atlantis"}, "region"),
        ({"attendance": "telepathy"}, "attendance"),
        ({"status": "gone"}, "status"),
        ({"sort": "random"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"soon": "3"}, "soon"),
        ({"time": "teatime"}, "time"),
        ({"unit": "furlongs"}, "unit"),
        ({"page": "abc"}, "page"),
        ({"page": "-1"}, "page"),
    ],
)
def test_it_answers_bad_input_with_a_400_naming_the_field(client, params, field):
    response = client.get("/meetings/", params)
    assert response.status_code == 400
    assert f"({field})</strong>:" in response.text
    assert "Please check the search" in response.text


def test_it_treats_two_thousand_repeats_of_one_type_as_one(client):
    open_meeting = make_meeting(types=("O",))
    make_meeting(types=("C",))
    assert found(client, type=["O"] * 2000) == [open_meeting.slug]


def test_it_answers_a_page_beyond_the_end_with_an_honest_empty_page(client):
    make_meeting()
    response = client.get("/meetings/", {"page": "99999999"})
    assert response.status_code == 200
    assert slugs(response) == []
    assert "There is no page 99999999 of these results" in response.text


def test_it_suggests_widening_an_empty_search(client):
    make_meeting(day=1)
    response = client.get("/meetings/", {"day": "2"})
    assert response.status_code == 200
    assert "0 meetings" in response.text
    assert "Try fewer filters" in response.text


# Query counts


def test_it_answers_a_search_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # The results page must not query per meeting: the count is the same for 2 rows and 25.
    region = make_region("Leith", slug="leith")
    params = {
        "day": "1",
        "type": "O",
        "region": "leith",
        "language": "en",
        "fellowship": "aa",
        "near": "Leith",
        "distance": "50",
    }

    def add(n):
        for _ in range(n):
            make_meeting(
                day=1, types=("O", "D"), group=make_group(), location=make_location(region=region)
            )

    add(2)
    client.get("/meetings/", params)  # reads the catalogue of types, regions, … into the cache
    # Near a place, meetings near it and online ones are counted apart: two counts.
    with django_assert_max_num_queries(7) as small:
        assert len(slugs(client.get("/meetings/", params))) == 2
    add(23)
    # The new meetings moved the listings on: their rows are built, in a few queries for all.
    with django_assert_num_queries(
        len(small.captured_queries) + ROW_BUILDING_QUERIES + ZONES_QUERY
    ):
        assert len(slugs(client.get("/meetings/", params))) == 25
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(slugs(client.get("/meetings/", params))) == 25


def test_it_answers_the_plain_list_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    make_meeting()
    client.get("/meetings/")  # reads the catalogue into the cache
    with django_assert_max_num_queries(4) as small:
        client.get("/meetings/")
    for _ in range(20):
        make_meeting(types=("O",), languages=("en", "fr"))
    with django_assert_num_queries(
        len(small.captured_queries) + ROW_BUILDING_QUERIES + ZONES_QUERY
    ):
        client.get("/meetings/")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/meetings/")


def test_it_keeps_a_full_results_page_small(client):
    for _ in range(25):
        make_meeting(types=("O", "D", "X"), group=make_group(), notes="Tea from 18:45.")
    response = client.get("/meetings/")
    assert len(slugs(response)) == 25
    assert len(response.content) < 60_000
    assert Meeting.objects.count() == 25


def test_it_refuses_an_absurdly_long_query_string_with_a_400_page(client):
    response = client.get("/meetings/?" + "&".join(f"day={n % 7}" for n in range(3000)))
    assert response.status_code == 400
    assert "We could not understand that request" in response.text


def test_it_says_more_than_the_cap_rather_than_counting_every_match(client, settings):
    settings.SEARCH_COUNT_CAP = 3
    for _ in range(4):
        make_meeting()
    response = client.get("/meetings/")
    api = client.get("/api/meetings/").json()
    assert "More than 3 meetings" in response.text
    assert (api["count"], api["count_capped"]) == (3, True)


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 11, 23, 18, 50, tzinfo=UTC),  # Monday evening in Europe
        datetime.datetime(2026, 11, 28, 23, 40, tzinfo=UTC),  # the week wraps round
        datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # London's clocks go forward at 01:00
    ],
)
def test_it_pages_the_soonest_order_exactly_as_the_clock_says(client, moment):
    # Pages are cut from meetings starting soon when they are enough, and from the rest when
    # not; either way the order must be each meeting's real next start, as occurrence() says.
    import random

    from groups.search import occurrence

    rng = random.Random(7)
    zones = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
    with at(moment):
        for n in range(70):
            offset = datetime.timedelta(minutes=rng.choice([-90, -50, -10, 20, 45, 200, 2000]))
            local = (moment + offset).astimezone(zoneinfo.ZoneInfo(rng.choice(zones)))
            make_meeting(
                name=f"M{n:02}",
                day=(local.weekday() + 1) % 7,
                start_time=local.time().replace(second=0, microsecond=0),
                end_time=rng.choice([None, (local + datetime.timedelta(minutes=30)).time()]),
                timezone=str(local.tzinfo),
                attendance="online",
            )
        make_meeting(name="Appointment", day=None, start_time=None, attendance="online")

        def key(meeting):
            if meeting.by_appointment:
                return (1, 0, meeting.name)
            when = occurrence(meeting, moment, LONDON)
            minutes = (when.start - moment).total_seconds() // 60
            return (0, minutes, meeting.name)

        expected = [m.slug for m in sorted(Meeting.objects.all(), key=key)]
        pages = [found(client, page=n) for n in (1, 2, 3)]
    assert [slug for page in pages for slug in page] == expected


def test_it_gives_no_distance_for_online_meetings_and_sorts_them_after_places(client):
    lat, lng = LEITH
    home_town = make_location(latitude=55.9756, longitude=-3.1694, approximate=True)
    online = make_meeting(attendance="online", location=home_town, name="Aardvark Online")
    hall = make_meeting(location=make_location(latitude=55.97, longitude=-3.17))
    response = client.get("/meetings/", {"lat": lat, "lng": lng, "distance": 5, "sort": "distance"})
    assert slugs(response) == [hall.slug, online.slug]
    assert response.text.count("mi away") == 1  # miles: Leith is in the UK


def test_it_finds_a_meeting_by_its_venues_new_name_after_a_rename(client):
    hall = make_location(name="Old Kirk Hall")
    meeting = make_meeting(location=hall, group=make_group(name="Harbour Group"))
    hall.name = "Sunrise Centre"
    hall.save()
    meeting.group.name = "Lighthouse Group"
    meeting.group.save()
    assert found(client, q="sunrise") == [meeting.slug]
    assert found(client, q="lighthouse") == [meeting.slug]
    assert found(client, q="kirk") == []
    assert found(client, q="harbour") == []


def test_it_reads_the_catalogue_once_and_forgets_it_when_one_is_edited(
    client, django_assert_num_queries
):
    # Types, fellowships, languages and regions are read once and kept; an edit shows at once.
    make_meeting()
    client.get("/meetings/")
    with django_assert_num_queries(4):
        client.get("/meetings/")
    make_region("Portobello", slug="portobello")
    response = client.get("/meetings/")
    assert 'value="portobello"' in response.text
    with django_assert_num_queries(4):
        client.get("/meetings/")
