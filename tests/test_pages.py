"""The first public pages: home, a fellowship and its meetings, one meeting."""

import pytest

from groups.models import Fellowship
from tests.conftest import make_group, make_meeting

pytestmark = pytest.mark.django_db


def test_it_offers_every_fellowship_to_choose_on_the_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'action="/meetings/"' in response.text
    for fellowship in Fellowship.objects.all():
        assert f'name="fellowship" value="{fellowship.slug}"' in response.text
        assert fellowship.name in response.text


def test_it_sends_a_strict_referrer_policy(client):
    assert client.get("/").headers["Referrer-Policy"] == "same-origin"


def test_it_lists_a_fellowships_meetings_but_not_inactive_ones(client):
    shown = make_meeting("smart-recovery", name="Leith SMART")
    closed = make_meeting("smart-recovery", name="Portobello SMART", status="temporarily_closed")
    gone = make_meeting("smart-recovery", name="Old SMART", status="inactive")
    other = make_meeting("aa", name="Leith AA")
    response = client.get("/fellowships/smart-recovery/")
    assert f'data-meeting-slug="{shown.slug}"' in response.text
    assert f'data-meeting-slug="{closed.slug}"' in response.text
    assert "Temporarily closed" in response.text
    assert gone.slug not in response.text
    assert other.slug not in response.text


def test_it_lists_a_fellowships_meetings_in_a_constant_number_of_queries(
    client, django_assert_num_queries
):
    # The fellowship page must not query once per meeting as a fellowship grows.
    for _ in range(2):
        make_meeting("na", types=("O",))
    with django_assert_num_queries(4):
        client.get("/fellowships/na/")
    for _ in range(10):
        make_meeting("na", types=("O", "D"))
    with django_assert_num_queries(4):
        client.get("/fellowships/na/")


def test_it_answers_404_for_an_unknown_fellowship(client):
    assert client.get("/fellowships/no-such-programme/").status_code == 404


def test_it_shows_a_meetings_time_place_and_way_to_join(client):
    meeting = make_meeting(
        attendance="hybrid",
        conference_url="https://meet.example.org/leith",
        conference_phone="+44 1632 960001",
        conference_notes="Passcode on request",
        types=("O", "X"),
    )
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Monday 19:00" in text
    assert "12 Example Street" in text
    assert 'href="https://meet.example.org/leith"' in text
    assert 'href="tel:+44 1632 960001"' in text
    assert "Passcode on request" in text
    assert "Wheelchair Access" in text


def test_it_never_shows_a_groups_private_contacts(client):
    group = make_group(
        private_contact_name="Sam R.",
        private_contact_email="sam@example.org",
        private_contact_phone="01632 960002",
        private_notes="Key holder lives next door",
    )
    meeting = make_meeting(group=group)
    text = client.get(meeting.get_absolute_url()).text
    assert group.name in text
    for secret in ("Sam R.", "sam@example.org", "01632 960002", "Key holder"):
        assert secret not in text
