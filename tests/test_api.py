"""/api/meetings/: the same search as /meetings/, as JSON for other sites."""

import datetime
import re

import pytest
import time_machine

from tests.conftest import ZONES_QUERY, make_group, make_location, make_meeting

pytestmark = pytest.mark.django_db


def html_slugs(client, params):
    return re.findall(r'data-meeting-slug="([^"]+)"', client.get("/meetings/", params).text)


def test_it_returns_the_same_meetings_in_the_same_order_as_the_page(client):
    with time_machine.travel(
        datetime.datetime(2026, 11, 23, 18, 0, tzinfo=datetime.UTC), tick=False
    ):
        for hour in (7, 12, 19, 21):
            for day in (1, 2):
                make_meeting(day=day, start_time=datetime.time(hour), types=("O",))
        make_meeting("smart-recovery", day=1, attendance="online")
        for params in (
            {},
            {"day": "1"},
            {"fellowship": "aa", "type": "O", "sort": "time"},
            {"attendance": "online"},
        ):
            body = client.get("/api/meetings/", params).json()
            assert [r["slug"] for r in body["results"]] == html_slugs(client, params)
            assert body["count"] == len(body["results"])


def test_it_paginates_with_links_to_the_next_and_previous_pages(client):
    for n in range(55):
        make_meeting(name=f"M{n:02}")
    first = client.get("/api/meetings/", {"sort": "name", "day": "1"}).json()
    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/meetings/?sort=name&day=1&page=2"
    second = client.get(first["next"]).json()
    assert [r["name"] for r in second["results"]] == ["M50", "M51", "M52", "M53", "M54"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/meetings/?sort=name&day=1&page=1"


def test_it_describes_each_meeting_fully_but_never_private_contacts(client):
    group = make_group(
        name="Leith Serenity",
        private_contact_name="Sam R.",
        private_contact_email="sam@example.org",
        private_notes="Key safe 1234",
    )
    make_meeting(
        group=group,
        name="Leith Serenity Hybrid",
        attendance="hybrid",
        conference_url="https://meet.example.org/leith",
        conference_phone="+44 1632 960001",
        conference_notes="Passcode on request",
        types=("O", "X"),
        languages=("en",),
        location=make_location(name="Kirkgate Hall", city="Edinburgh"),
        last_verified=datetime.date(2026, 10, 1),
    )
    response = client.get("/api/meetings/")
    assert response["Content-Type"] == "application/json"
    row = response.json()["results"][0]
    assert row["name"] == "Leith Serenity Hybrid"
    assert row["url"].endswith(f"/meetings/{row['slug']}/")
    assert row["fellowship"] == {"slug": "aa", "name": "Alcoholics Anonymous"}
    assert row["group"] == "Leith Serenity"
    assert (row["day"], row["day_name"], row["time"], row["end_time"]) == (
        1,
        "Monday",
        "19:00",
        "20:00",
    )
    assert row["timezone"] == "Europe/London"
    assert row["attendance"] == "hybrid"
    assert row["conference_url"] == "https://meet.example.org/leith"
    assert row["conference_notes"] == "Passcode on request"
    assert row["location"]["name"] == "Kirkgate Hall"
    assert row["location"]["latitude"] == pytest.approx(55.9756)
    assert {t["code"] for t in row["types"]} == {"O", "X"}
    assert row["languages"] == ["en"]
    assert row["last_verified"] == "2026-10-01"
    assert row["next_start"].startswith("2026-") or row["next_start"].startswith("2027-")
    text = response.text
    for secret in ("Sam R.", "sam@example.org", "Key safe"):
        assert secret not in text


def test_it_gives_the_distance_in_the_unit_asked_for(client):
    make_meeting(location=make_location(latitude=55.86, longitude=-4.25))
    km = client.get(
        "/api/meetings/", {"lat": 55.9756, "lng": -3.1694, "distance": 100, "unit": "km"}
    ).json()
    mi = client.get(
        "/api/meetings/", {"lat": 55.9756, "lng": -3.1694, "distance": 60, "unit": "mi"}
    ).json()
    assert km["results"][0]["distance"] == pytest.approx(68.0, abs=1.5)
    assert km["results"][0]["distance_unit"] == "km"
    assert mi["results"][0]["distance"] == pytest.approx(68.0 / 1.609344, abs=1)
    assert mi["results"][0]["distance_unit"] == "mi"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"day": "9"}, "day"),
        ({"lat": "nan", "lng": "0"}, "lat"),
        ({"lat": "91", "lng": "0"}, "lat"),
        ({"near": "Edinburgh", "distance": "100000"}, "distance"),
        ({"q": "a\x00b"}, "q"),
        ({"type": [f"T{n}" for n in range(2000)]}, "type"),
        ({"start_after": "7pm"}, "start_after"),
        ({"page": "zero"}, "page"),
    ],
)
def test_it_answers_bad_input_with_a_400_naming_the_field(client, params, field):
    response = client.get("/api/meetings/", params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field][0]


def test_it_answers_a_page_beyond_the_end_with_no_results(client):
    make_meeting()
    body = client.get("/api/meetings/", {"page": "99999999"}).json()
    assert body == {
        "count": 1,
        "count_capped": False,
        "next": None,
        "previous": None,
        "viewer_timezone": None,
        "results": [],
    }


def test_it_answers_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # Other sites page through the whole directory; each page costs the same few queries.
    make_meeting(types=("O",))
    client.get("/api/meetings/")  # reads the catalogue into the cache
    with django_assert_max_num_queries(6) as small:  # with the listings' last change (ETag)
        client.get("/api/meetings/")
    for _ in range(30):
        make_meeting(types=("O", "D"), languages=("en", "es"), group=make_group())
    # The listings moved on: the first search reads the zones the meetings are in again.
    with django_assert_num_queries(len(small.captured_queries) + ZONES_QUERY):
        assert len(client.get("/api/meetings/").json()["results"]) == 31
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/meetings/").json()["results"]) == 31
