"""/fellowships/: the fellowships side by side, and each one's page with its meetings."""

import re

import pytest

from groups.models import Fellowship
from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_it_compares_every_fellowship_in_alphabetical_order(client):
    text = client.get("/fellowships/").text
    names = list(Fellowship.objects.order_by("name").values_list("name", flat=True))
    rows = re.findall(r'<th scope="row"><a href="/fellowships/[^"]+/">([^<]+)</a>', text)
    assert rows == [name.replace("'", "&#x27;") for name in names]


def test_it_states_the_facts_a_person_chooses_by(client):
    text = client.get("/fellowships/").text
    smart = re.search(r"SMART Recovery</a></th>(.*?)</tr>", text, re.S).group(1)
    assert "Not Twelve Step; evidence-based tools" in smart
    assert "Secular" in smart
    assert "Not used" in smart
    celebrate = re.search(r"Celebrate Recovery</a></th>(.*?)</tr>", text, re.S).group(1)
    assert "Faith-based (Christian)" in celebrate
    she = re.search(r"She Recovers</a></th>(.*?)</tr>", text, re.S).group(1)
    assert "<em>Women</em>" in she
    assert 'href="https://smartrecovery.org/"' in text


def test_it_counts_each_fellowships_listed_meetings(client):
    make_meeting("lifering")
    make_meeting("lifering", status="temporarily_closed")
    make_meeting("lifering", status="inactive")
    text = client.get("/fellowships/").text
    assert 'href="/meetings/?fellowship=lifering">2 meetings</a>' in text
    assert 'href="/meetings/?fellowship=sos">0 meetings</a>' in text


def test_it_compares_fellowships_in_one_query(client, django_assert_num_queries):
    # The comparison must not query once per fellowship as more are added.
    make_meeting("aa")
    with django_assert_num_queries(1):
        client.get("/fellowships/")


def test_it_shows_a_fellowships_upcoming_meetings_but_no_others(client):
    shown = make_meeting("smart-recovery", name="Leith SMART")
    closed = make_meeting("smart-recovery", status="temporarily_closed")
    gone = make_meeting("smart-recovery", status="inactive")
    other = make_meeting("aa")
    response = client.get("/fellowships/smart-recovery/")
    assert response.status_code == 200
    assert "Self-Management and Recovery Training" in response.text
    found = re.findall(r'data-meeting-slug="([^"]+)"', response.text)
    assert set(found) == {shown.slug, closed.slug}
    assert gone.slug not in found and other.slug not in found
    assert "All 2 SMART meetings" in response.text


def test_it_lists_a_fellowships_meetings_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # A fellowship with hundreds of meetings costs the same queries as one with two.
    for _ in range(2):
        make_meeting("na", types=("O",))
    client.get("/fellowships/na/")  # reads the catalogue into the cache
    with django_assert_max_num_queries(6) as small:
        client.get("/fellowships/na/")
    for _ in range(25):
        make_meeting("na", types=("O", "D"))
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/fellowships/na/")


def test_it_answers_404_for_an_unknown_fellowship(client):
    assert client.get("/fellowships/no-such-programme/").status_code == 404
