"""/meetings/map.json: the map of a search, as GeoJSON, and the pages that show a map."""

import datetime
import re

import pytest
import time_machine

from groups.models import Meeting
from tests.conftest import ZONES_QUERY, make_location, make_meeting

pytestmark = pytest.mark.django_db

# A Monday evening in Edinburgh (GMT).
MONDAY_EVENING = datetime.datetime(2026, 11, 23, 18, 0, tzinfo=datetime.UTC)


def html_slugs(client, params):
    return re.findall(r'data-meeting-slug="([^"]+)"', client.get("/meetings/", params).text)


def mapped(client, params=None):
    response = client.get("/meetings/map.json", params or {})
    assert response.status_code == 200, response.content
    return response.json()


def slugs(body):
    return [feature["properties"]["slug"] for feature in body["features"]]


def test_it_maps_the_searchs_meetings_held_somewhere_and_leaves_out_online_ones(client):
    with time_machine.travel(MONDAY_EVENING, tick=False):
        for hour in (7, 12, 19, 21):
            make_meeting(start_time=datetime.time(hour), types=("O",))
        make_meeting("na", day=Meeting.Day.TUESDAY)
        make_meeting(attendance=Meeting.Attendance.HYBRID)
        make_meeting(attendance=Meeting.Attendance.ONLINE)
        for params in (
            {},
            {"day": "1"},
            {"fellowship": "aa", "type": "O", "sort": "time"},
            {"attendance": "online"},
            {"attendance": "in_person"},
            {"near": "Edinburgh", "sort": "distance"},
        ):
            online = {m.slug for m in Meeting.objects.filter(attendance=Meeting.Attendance.ONLINE)}
            listed = [slug for slug in html_slugs(client, params) if slug not in online]
            assert slugs(mapped(client, params)) == listed, params
        # Asked for online meetings, the map has the hybrid one, which has a place too.
        assert [
            f["properties"]["attendance"]
            for f in mapped(client, {"attendance": "online"})["features"]
        ] == ["Hybrid (in person and online)"]


def test_it_describes_each_meeting_as_the_list_does(client):
    place = make_location(latitude=55.86, longitude=-4.25, approximate=True)
    meeting = make_meeting(
        "smart-recovery",
        name="SMART Glasgow",
        slug="smart-glasgow",
        location=place,
        start_time=datetime.time(19, 30),
    )
    with time_machine.travel(MONDAY_EVENING, tick=False):
        client.cookies["tz"] = "Europe/London"
        body = mapped(client)
    assert body["more"] is False
    assert body["unplaced"] == 0
    [feature] = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-4.25, 55.86]}
    assert feature["properties"] == {
        "slug": "smart-glasgow",
        "name": "SMART Glasgow",
        "url": f"http://testserver{meeting.get_absolute_url()}",
        "when": "Today 19:30",
        "fellowship": "SMART",
        "attendance": "In person",
        "temporarily_closed": False,
        "approximate": True,
    }


def test_it_gives_times_on_the_viewers_clock(client):
    make_meeting(start_time=datetime.time(19, 0))
    with time_machine.travel(MONDAY_EVENING, tick=False):
        client.cookies["tz"] = "America/Toronto"
        toronto = mapped(client)["features"][0]["properties"]["when"]
        client.cookies["tz"] = ""
        own = mapped(client)["features"][0]["properties"]["when"]
    assert toronto == "Today 14:00"
    assert own == "Mon 23 Nov 19:00 London time"


def test_it_flags_a_temporarily_closed_meeting(client):
    make_meeting(slug="open-one")
    make_meeting(slug="closed-one", status=Meeting.Status.TEMPORARILY_CLOSED)
    flags = {
        f["properties"]["slug"]: f["properties"]["temporarily_closed"]
        for f in mapped(client)["features"]
    }
    assert flags == {"open-one": False, "closed-one": True}


def test_it_counts_the_meetings_it_cannot_place(client):
    make_meeting(slug="placed")
    make_meeting(slug="nowhere", location=make_location(latitude=None, longitude=None))
    body = mapped(client)
    assert slugs(body) == ["placed"]
    assert body["unplaced"] == 1


def test_it_maps_no_more_than_the_limit_and_says_more_matched(client, settings):
    settings.MAP_LIMIT = 3
    for n in range(4):
        make_meeting(name=f"M{n}")
    body = mapped(client, {"sort": "name"})
    assert slugs(body) == [m.slug for m in Meeting.objects.order_by("name")[:3]]
    assert body["more"] is True
    assert body["limit"] == 3
    settings.MAP_LIMIT = 4
    assert mapped(client)["more"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": "9"}, "day"),
        ({"attendance": "by_pigeon"}, "attendance"),
        ({"lat": "91", "lng": "0"}, "lat"),
        ({"near": "Edinburgh", "distance": "100000"}, "distance"),
        ({"start_after": "7pm"}, "start_after"),
    ],
)
def test_it_answers_bad_input_with_a_400_naming_the_field(client, params, field):
    response = client.get("/meetings/map.json", params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field][0]


def test_it_ignores_the_view_and_page_of_the_list(client):
    make_meeting()
    assert len(mapped(client, {"view": "map", "page": "7"})["features"]) == 1


def test_it_answers_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # A map of a broad search draws hundreds of meetings: it must cost the same few queries
    # (the search, its types and languages) whatever their number.
    make_meeting(types=("O",))
    client.get("/meetings/map.json")  # reads the catalogue into the cache
    with django_assert_max_num_queries(5) as small:
        client.get("/meetings/map.json")
    for n in range(30):
        make_meeting(types=("O", "D"), languages=("en", "es"), location=make_location(name=f"H{n}"))
    # The listings moved on: the first search reads the zones the meetings are in again.
    with django_assert_num_queries(len(small.captured_queries) + ZONES_QUERY):
        assert len(mapped(client)["features"]) == 31
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(mapped(client)["features"]) == 31


def test_it_refuses_to_change_anything(client):
    assert client.post("/meetings/map.json").status_code == 405


# The pages


def test_the_map_view_points_its_script_at_the_same_search(client):
    make_meeting()
    page = client.get("/meetings/", {"day": "1", "view": "map", "page": "1"}).text
    assert 'data-map="/meetings/map.json?day=1"' in page
    assert "The map needs JavaScript; the list below has every meeting" in page
    assert 'href="#list"' in page  # the list, below the map
    assert "nothing is loaded from any other site" in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    # The list stays the default: without ?view=map there is no map.
    assert "data-map=" not in client.get("/meetings/", {"day": "1"}).text


def test_a_meeting_page_has_a_small_map_only_where_there_is_a_place(client):
    make_meeting(slug="hall", location=make_location(name="St Mary's Hall"))
    make_meeting(slug="nowhere", location=make_location(latitude=None, longitude=None))
    make_meeting(slug="online", attendance=Meeting.Attendance.ONLINE)
    page = client.get("/meetings/hall/").text
    assert "<dt>Map</dt>" in page
    assert 'data-lat="55.9756" data-lng="-3.1694"' in page
    for slug in ("nowhere", "online"):
        assert "<dt>Map</dt>" not in client.get(f"/meetings/{slug}/").text


def test_a_tile_server_is_named_and_allowed_for_images_only(client, settings):
    make_meeting(slug="hall")
    default = client.get("/meetings/hall/")
    assert "img-src 'self' data:;" in default.headers["Content-Security-Policy"] + ";"
    settings.MAP_TILE_URL = "https://tile.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example Maps"
    for path in ("/meetings/hall/", "/meetings/?view=map"):
        response = client.get(path)
        policy = dict(
            part.strip().split(" ", 1)
            for part in response.headers["Content-Security-Policy"].split(";")
        )
        assert policy["img-src"] == "'self' data: https://tile.example.org"
        assert "tile.example.org" not in policy.get("connect-src", "") + policy["default-src"]
        text = response.text
        assert "<strong>tile.example.org</strong>" in text
        assert 'data-tiles="https://tile.example.org/{z}/{x}/{y}.png"' in text
        assert 'data-tiles-attribution="© Example Maps"' in text
