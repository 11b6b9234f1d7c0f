"""Links that never die: a meeting's old slugs answer with a permanent redirect to its current
page, calendar file and correction form, so printed QR codes, bookmarks and calendar
subscriptions keep working after a slug changes."""

import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from groups.models import Meeting, MeetingSlug
from tests.adminforms import form_data
from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

PAGES = ["meeting", "meeting_ics", "meeting_correction"]


def body(response) -> bytes:
    return b"".join(response) if response.streaming else response.content


def rename(meeting, slug):
    meeting.slug = slug
    meeting.save()


@pytest.fixture
def moved():
    """A meeting whose slug changed twice: first-name, then second-name, now current-name."""
    meeting = make_meeting(name="Leith Lunchtime", slug="first-name")
    rename(meeting, "second-name")
    rename(Meeting.objects.get(pk=meeting.pk), "current-name")
    return meeting


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("old", ["first-name", "second-name"])
def test_it_redirects_every_old_link_to_the_current_one(client, moved, page, old):
    response = client.get(reverse(page, args=[old]), {"tz": "Europe/Paris"})
    assert response.status_code == 301
    assert response["Location"] == reverse(page, args=["current-name"]) + "?tz=Europe%2FParis"

    followed = client.get(response["Location"])
    assert followed.status_code == 200
    assert (b"Leith Lunchtime" in followed.content) or (b"LEITH LUNCHTIME" in followed.content)


def test_it_redirects_without_a_query_string_when_there_was_none(client, moved):
    response = client.get("/meetings/first-name/")
    assert response.status_code == 301
    assert response["Location"] == "/meetings/current-name/"


def test_it_keeps_the_old_slug_when_the_slug_is_changed_in_the_admin(client, aa):
    meeting = make_meeting(name="Harbour Group", slug="harbour")
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "a-long-password"))
    url = reverse("admin:groups_meeting_change", args=[meeting.pk])
    saved = client.post(url, form_data(client.get(url), slug="harbour-tuesday"))
    assert saved.status_code == 302, saved.context["adminform"].form.errors

    response = client.get("/meetings/harbour/")
    assert response.status_code == 301
    assert response["Location"] == "/meetings/harbour-tuesday/"


def test_it_answers_a_current_slug_before_anyones_old_one(client):
    first = make_meeting(name="Old Owner", slug="shared-name")
    rename(first, "old-owner")
    second = make_meeting(name="New Owner", slug="shared-name")

    page = client.get("/meetings/shared-name/")
    assert page.status_code == 200
    assert "New Owner" in page.text
    assert "Old Owner" in client.get("/meetings/old-owner/").text

    rename(second, "new-owner")  # the shared slug is now the second one's old slug
    response = client.get("/meetings/shared-name/")
    assert response["Location"] == "/meetings/new-owner/"
    assert MeetingSlug.objects.get(slug="shared-name").meeting == second


def test_it_forgets_an_old_slug_that_becomes_current_again(client):
    meeting = make_meeting(slug="back-again")
    rename(meeting, "elsewhere")
    rename(meeting, "back-again")

    assert not MeetingSlug.objects.filter(slug="back-again").exists()
    assert client.get("/meetings/back-again/").status_code == 200
    response = client.get("/meetings/elsewhere/")
    assert response.status_code == 301
    assert response["Location"] == "/meetings/back-again/"


def test_it_says_an_archived_meeting_has_stopped_through_its_old_link_too(client, moved):
    moved.refresh_from_db()
    moved.status = Meeting.Status.INACTIVE
    moved.save()

    response = client.get("/meetings/first-name/", follow=True)
    assert response.redirect_chain == [("/meetings/current-name/", 301)]
    assert response.status_code == 410
    assert client.get("/meetings/first-name.ics", follow=True).status_code == 410


def test_it_still_answers_404_for_a_slug_no_meeting_ever_had(client, moved):
    for page in PAGES:
        assert client.get(reverse(page, args=["never-was"])).status_code == 404


def test_it_does_not_serve_a_cached_page_under_a_slug_that_has_moved(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    meeting = make_meeting(name="Cached Meeting", slug="cached")
    assert client.get("/meetings/cached/").status_code == 200  # now in the page cache
    assert client.get("/meetings/cached.ics").status_code == 200

    rename(meeting, "cached-moved")
    for _ in range(2):  # the redirect is not cached in its turn
        assert client.get("/meetings/cached/")["Location"] == "/meetings/cached-moved/"
        assert client.get("/meetings/cached.ics")["Location"] == "/meetings/cached-moved.ics"
    assert client.get("/meetings/cached-moved/").status_code == 200


def test_it_lists_only_current_slugs_in_the_feed_and_exports(client, moved):
    feed = json.loads(body(client.get(reverse("meeting_guide_feed"))))
    assert [entry["slug"] for entry in feed] == ["current-name"]
    assert feed[0]["url"].endswith("/meetings/current-name/")

    calendar = body(client.get(reverse("meetings_ics"))).decode()
    assert "/meetings/current-name/" in calendar
    assert "first-name" not in calendar and "second-name" not in calendar

    api = client.get(reverse("api_meetings")).json()
    assert [row["slug"] for row in api["results"]] == ["current-name"]


def test_it_reads_the_old_slug_once_when_the_meeting_was_not_loaded_from_the_database(client):
    meeting = make_meeting(slug="built-in-code")
    # As a history revert does: an instance made in code, with the row's primary key.
    copy = Meeting(
        **{f.attname: getattr(meeting, f.attname) for f in Meeting._meta.concrete_fields}
    )
    copy.slug = "reverted"
    copy.save()
    assert client.get("/meetings/built-in-code/")["Location"] == "/meetings/reverted/"
