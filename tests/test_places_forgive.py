"""Places that forgive (issue 14): "Did you mean Edinburgh?" for a misspelt place, miles where
the place's roads are signed in miles, and one-tap widenings, with their counts, for a search
that finds nothing."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import (
    ZONES_QUERY,
    make_location,
    make_meeting,
    make_portland_location,
    make_region,
)

pytestmark = pytest.mark.django_db

LEITH = (55.9756, -3.1694)
PARIS = {"city": "Paris", "country": "France", "postal_code": "75001", "timezone": "Europe/Paris"}


def errors(response) -> str:
    found = re.search(r'<div class="errors" role="alert">(.*?)</div>', response.text, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found[1])) if found else ""


def heading(response) -> str:
    return html.unescape(re.search(r'<h2 id="results-heading">(.*?)</h2>', response.text)[1])


def link(response, text: str) -> str:
    """The address of the link whose words start with `text`."""
    for href, words in re.findall(r'<a href="([^"]*)">(.*?)</a>', response.text, re.S):
        if html.unescape(re.sub(r"<[^>]+>", "", words)).startswith(text):
            return html.unescape(href)
    raise AssertionError(f"no link {text!r}")


def link_texts(response, css_class: str) -> list[str]:
    block = re.search(rf'<div class="{css_class}">(.*?)</div>', response.text, re.S)
    if not block:
        return []
    return [html.unescape(t) for t in re.findall(r"<a [^>]*>(.*?)</a>", block[1], re.S)]


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def selected_unit(response) -> str:
    select = re.search(r'<select name="unit"[^>]*>(.*?)</select>', response.text, re.S)[1]
    return re.search(r'<option value="([^"]+)" selected>', select)[1]


# Did you mean


def test_it_suggests_edinburgh_for_edinbrugh(client):
    make_meeting()  # in Edinburgh
    response = client.get("/meetings/", {"near": "Edinbrugh"})
    assert response.status_code == 400
    assert "We could not find a place called “Edinbrugh”. Did you mean Edinburgh?" in errors(
        response
    )
    follow = link(response, "Search near Edinburgh instead")
    assert params(follow)["near"] == ["Edinburgh"]


def test_it_suggests_a_city_only_the_gazetteer_knows(client):
    response = client.get("/meetings/", {"near": "Toronot"})
    assert "Did you mean Toronto?" in errors(response)


def test_it_suggests_a_town_only_the_directory_knows(client):
    town = make_location(city="Auchtermuchty", postal_code="KY14 7AA", latitude=56.29)
    here = make_meeting(location=town)
    response = client.get("/meetings/", {"near": "Auchtermuchy"})
    assert "Did you mean Auchtermuchty?" in errors(response)
    followed = client.get(link(response, "Search near Auchtermuchty instead"))
    assert followed.status_code == 200
    assert here.slug in followed.text


def test_it_prefers_the_directorys_own_place_to_a_bigger_city_as_near(client):
    # "Lendon" is as near "London" as "Lenton"; only one of them has meetings here.
    assert "Did you mean London?" in errors(client.get("/meetings/", {"near": "Lendon"}))
    make_meeting(location=make_location(city="Lenton", postal_code="NG7 1AA", latitude=52.94))
    assert "Did you mean Lenton?" in errors(client.get("/meetings/", {"near": "Lendon"}))


def test_it_keeps_the_qualifier_the_person_gave(client):
    response = client.get("/meetings/", {"near": "Portlnd, OR"})
    assert "Did you mean Portland, OR?" in errors(response)


def test_it_suggests_a_name_written_with_accents_typed_without(client):
    response = client.get("/meetings/", {"near": "Zurich"})
    assert "Did you mean Zürich?" in errors(response)


@pytest.mark.parametrize("gibberish", ["Xqzvbnmw", "qwerty", "kkkkk", "EH99 9ZZ", "00000"])
def test_it_suggests_nothing_for_gibberish(client, gibberish):
    response = client.get("/meetings/", {"near": gibberish})
    assert response.status_code == 400
    assert "Try a town, city or postal code." in errors(response)
    assert "Did you mean" not in response.text
    assert "Search near" not in response.text


def test_the_suggestion_keeps_the_other_filters_and_drops_the_page(client):
    monday = make_meeting(day=1, types=("O",))
    make_meeting(day=2, types=("O",))
    response = client.get(
        "/meetings/", {"near": "Edinbrugh", "day": "1", "type": "O", "page": "3", "unit": "km"}
    )
    follow = link(response, "Search near Edinburgh instead")
    assert params(follow) == {"near": ["Edinburgh"], "day": ["1"], "type": ["O"], "unit": ["km"]}
    followed = client.get(follow)
    assert followed.status_code == 200
    assert re.findall(r'id="list">.*?</ol>', followed.text, re.S)
    assert monday.slug in followed.text
    assert heading(followed).startswith("1 meeting near Edinburgh")


def test_the_api_says_what_was_meant_in_words(client):
    response = client.get("/api/meetings/", {"near": "Edinbrugh"})
    assert response.status_code == 400
    message = response.json()["errors"]["near"][0]
    assert message == "We could not find a place called “Edinbrugh”. Did you mean Edinburgh?"
    gibberish = client.get("/api/meetings/", {"near": "Xqzvbnmw"}).json()["errors"]["near"][0]
    assert "Did you mean" not in gibberish


# Unit by country


def summary_near(response) -> str:
    return re.search(r"Near [^<·]*within [\d.]+ (?:km|miles)", html.unescape(response.text))[0]


def test_it_measures_in_miles_near_a_us_zip(client):
    make_meeting(location=make_portland_location())
    response = client.get("/meetings/", {"near": "97214"})
    assert "Near 97214, within 15 miles" in summary_near(response)
    assert re.search(r"· \d+\.\d mi away", response.text)
    assert selected_unit(response) == "mi"
    api = client.get("/api/meetings/", {"near": "97214"}).json()
    assert api["results"][0]["distance_unit"] == "mi"


@pytest.mark.parametrize("in_directory", [True, False])
def test_it_measures_in_miles_near_portland_oregon(client, in_directory):
    if in_directory:
        make_meeting(location=make_portland_location())
    response = client.get("/meetings/", {"near": "Portland, OR"})
    assert response.status_code == 200
    assert summary_near(response) == "Near Portland, OR, within 15 miles"


@pytest.mark.parametrize("in_directory", [True, False])
def test_it_measures_in_miles_near_edinburgh_in_the_uk(client, in_directory):
    if in_directory:
        make_meeting()
    response = client.get("/meetings/", {"near": "Edinburgh"})
    assert summary_near(response) == "Near Edinburgh, within 15 miles"
    assert selected_unit(response) == "mi"


@pytest.mark.parametrize("place", ["Paris", "Toronto"])
def test_it_measures_in_km_where_roads_are_signed_in_km(client, place):
    response = client.get("/meetings/", {"near": place})
    assert summary_near(response) == f"Near {place}, within 25 km"
    assert selected_unit(response) == "km"


def test_it_reads_a_directory_places_country_from_its_venues(client):
    # The biggest Perth is in Australia (km); this directory's Perth is in Scotland.
    assert summary_near(client.get("/meetings/", {"near": "Perth"})) == "Near Perth, within 25 km"
    perth = {"city": "Perth", "postal_code": "PH1 5AA", "latitude": 56.3963, "longitude": -3.437}
    make_meeting(location=make_location(**perth))
    assert (
        summary_near(client.get("/meetings/", {"near": "Perth"})) == "Near Perth, within 15 miles"
    )
    assert "within 15 miles" in summary_near(client.get("/meetings/", {"near": "PH1 5AA"}))
    # A venue in France, by its postal code: km.
    make_meeting(location=make_location(**PARIS, latitude=48.86, longitude=2.35))
    assert summary_near(client.get("/meetings/", {"near": "75001"})) == "Near 75001, within 25 km"


def test_it_finds_the_country_from_the_coordinates_when_the_venues_name_none(client):
    town = {"city": "Sometown", "country": "", "postal_code": "", "timezone": "America/Los_Angeles"}
    make_meeting(location=make_location(**town, latitude=45.52, longitude=-122.68))
    response = client.get("/meetings/", {"near": "Sometown"})
    assert summary_near(response) == "Near Sometown, within 15 miles"  # in Oregon


def test_an_explicit_unit_always_wins(client):
    make_meeting()
    response = client.get("/meetings/", {"near": "Edinburgh", "unit": "km"})
    assert summary_near(response) == "Near Edinburgh, within 25 km"
    assert selected_unit(response) == "km"
    assert "km away" in response.text
    paris = client.get("/meetings/", {"near": "Paris", "unit": "mi", "distance": "3"})
    assert summary_near(paris) == "Near Paris, within 3 miles"


@pytest.mark.parametrize(
    ("lat", "lng", "unit"),
    [(45.5152, -122.6784, "mi"), (*LEITH, "mi"), (48.8566, 2.3522, "km"), (0.0, -30.0, "km")],
)
def test_use_my_location_measures_in_the_unit_of_the_country_found_there(client, lat, lng, unit):
    response = client.get("/meetings/", {"lat": lat, "lng": lng})
    words = "15 miles" if unit == "mi" else "25 km"  # the last point is at sea: km
    assert summary_near(response) == f"Near your location, within {words}"
    assert selected_unit(response) == unit


def test_the_default_distance_in_miles_is_fifteen(client):
    # 15 miles is 24.1 km: a venue 20 km away is in, one 28 km away is out.
    lat, lng = LEITH
    within = make_meeting(location=make_location(latitude=lat + 0.18, longitude=lng))
    make_meeting(location=make_location(latitude=lat + 0.25, longitude=lng))
    response = client.get("/meetings/", {"lat": lat, "lng": lng})
    assert re.findall(r'data-meeting-slug="([^"]+)"', response.text) == [within.slug]


# Widenings


def widenings(response) -> list[str]:
    return link_texts(response, "widenings")


def a_small_world():
    """Near Edinburgh: three Monday meetings, open, in English; one Monday meeting in Spanish 40 km
    away; two online meetings on Tuesday."""
    near = [make_meeting(day=1, types=("O",)) for _ in range(3)]
    far = make_meeting(
        day=1, languages=("es",), location=make_location(latitude=55.9756 + 0.36, city="Kirk")
    )
    online = [make_meeting(day=2, attendance="online") for _ in range(2)]
    return near, far, online


def test_it_offers_to_drop_the_filter_that_narrows_most_with_its_count(client):
    a_small_world()
    response = client.get(
        "/meetings/", {"near": "Edinburgh", "unit": "km", "day": "2", "type": "O", "page": "1"}
    )
    assert heading(response).startswith("0 meetings")
    # Any day: the three open ones near Leith; any type: the two online ones on Tuesday.
    # Twice the distance finds nothing more, so it is not offered.
    assert widenings(response) == ["Any day: 3 meetings", "Any type of meeting: 2 meetings"]


def test_it_offers_twice_the_distance_and_online_meetings(client):
    a_small_world()
    query = {"near": "Edinburgh", "unit": "km", "distance": "25", "language": "es"}
    query["attendance"] = "in_person"
    response = client.get("/meetings/", query)
    assert widenings(response) == [
        "Any language: 3 meetings",
        "Within 50 km: 1 meeting",
    ]
    # Online meetings in Spanish: none, so not offered. In English:
    query["language"] = "en"
    query["day"] = "2"
    response = client.get("/meetings/", query)
    assert widenings(response) == [
        "Any day: 3 meetings",
        "Include online meetings: 2 meetings",
    ]


def test_it_doubles_the_distance_in_the_unit_used_up_to_the_maximum(client):
    make_meeting()
    far = {"near": "Paris"}
    assert widenings(client.get("/meetings/", far)) == []  # 50 km from Paris: still nothing
    response = client.get("/meetings/", {"near": "Glasgow", "distance": "40"})  # miles
    assert widenings(response) == ["Within 80 miles: 1 meeting"]
    response = client.get("/meetings/", {"near": "London", "distance": "300"})
    assert widenings(response) == ["Within 500 miles: 1 meeting"]
    assert widenings(client.get("/meetings/", {"near": "Paris", "distance": "500"})) == []


def test_every_widening_links_to_the_meetings_it_counted(client):
    near, far, online = a_small_world()
    response = client.get(
        "/meetings/",
        {
            "near": "Edinburgh",
            "unit": "km",
            "distance": "25",
            "day": "2",
            "attendance": "in_person",
        },
    )
    offered = widenings(response)
    assert offered == ["Any day: 3 meetings", "Include online meetings: 2 meetings"]
    for text, expected in zip(
        offered, ({m.slug for m in near}, {m.slug for m in online}), strict=True
    ):
        url = link(response, text.split(":")[0])
        assert "page" not in params(url)
        followed = client.get(url)
        assert followed.status_code == 200
        listed = re.search(r'id="list">(.*?)</ol>', followed.text, re.S)[1]
        assert set(re.findall(r'data-meeting-slug="([^"]+)"', listed)) == expected


def test_the_words_are_named_when_dropping_them_helps(client):
    make_meeting(name="Serenity Group")
    response = client.get("/meetings/", {"q": "lighthouse"})
    assert widenings(response) == ["Without “lighthouse”: 1 meeting"]
    assert params(link(response, "Without")) == {}


def test_it_never_offers_a_widening_that_finds_nothing_and_says_so(client):
    make_meeting(day=1)
    response = client.get("/meetings/", {"near": "Paris", "day": "2", "attendance": "in_person"})
    assert widenings(response) == []
    assert "None of these would help" in response.text
    assert ": 0 meetings" not in response.text


def test_it_caps_a_widenings_count_like_the_page(client, settings):
    settings.SEARCH_COUNT_CAP = 3
    for _ in range(5):
        make_meeting(day=1)
    response = client.get("/meetings/", {"day": "2"})
    assert widenings(response) == ["Any day: more than 3 meetings"]


def test_a_page_with_results_offers_no_widenings(client):
    make_meeting(day=1)
    response = client.get("/meetings/", {"day": "1"})
    assert "widenings" not in response.text


def test_the_no_results_page_costs_a_count_per_widening_whatever_the_meetings(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # The widenings count on the database, one query each: here four filters that could go
    # (day, type, language, fellowship), the doubled distance and online meetings. They must
    # not grow with the meetings they count.
    region = make_region("Leith", slug="leith")
    query = {
        "near": "Leith",
        "day": "2",
        "type": "O",
        "language": "en",
        "fellowship": "aa",
        "attendance": "in_person",
    }

    def add(n):
        for _ in range(n):
            make_meeting(day=1, types=("O",), location=make_location(region=region))
            make_meeting(day=2, types=("O",), attendance="online")

    add(2)
    client.get("/meetings/", query)  # reads the catalogue into the cache
    with django_assert_max_num_queries(20) as small:
        response = client.get("/meetings/", query)
    assert widenings(response) == ["Any day: 2 meetings", "Include online meetings: 2 meetings"]
    counts = [q for q in small.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 2 + 6  # the page's own two counts (near, online), then one each
    add(20)
    # The listings moved on: the first search reads the zones the meetings are in again (an
    # empty page has no rows to build).
    with django_assert_num_queries(len(small.captured_queries) + ZONES_QUERY):
        response = client.get("/meetings/", query)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/meetings/", query)
    assert widenings(response) == ["Any day: 22 meetings", "Include online meetings: 22 meetings"]


# Bad input


@pytest.mark.parametrize(
    "query",
    [
        {"near": ""},
        {"near": " , "},
        {"near": ",,,"},
        {"near": ", OR"},
        {"near": "Edinbrugh, "},
        {"near": "a" * 100},
        {"near": "a" * 101},
        {"near": "😀😀😀"},
        {"near": "Édïñbrügh"},
        {"near": "Ed\x00inburgh"},
        {"near": "%"},
        {"near": "Edinbrugh", "unit": "furlongs"},
        {"near": "Edinbrugh", "lat": "55.9"},
        {"near": "Edinbrugh", "distance": "-5"},
        {"lat": "91", "lng": "0"},
        {"lat": "0", "lng": "0", "unit": ""},
        {"day": "9", "near": "Leith"},
        {"near": "Leith", "distance": "500", "day": "2", "page": "x"},
        {"near": "Leith", "distance": "499.99", "day": "2", "q": "   "},
        {"start_after": "23:00", "start_before": "01:00", "soon": "2", "status": "inactive"},
    ],
)
def test_bad_input_never_fails(client, query):
    make_meeting(day=1)
    for path in ("/meetings/", "/api/meetings/"):
        response = client.get(path, query)
        assert response.status_code in (200, 400), (path, query)
