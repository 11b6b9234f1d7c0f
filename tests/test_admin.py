"""Every admin list and form opens for staff: a smoke test per changelist and change form."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from groups.models import (
    Fellowship,
    ImportSource,
    Language,
    MeetingType,
    Region,
    TypeVocabulary,
)
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    client.force_login(user)
    return client


@pytest.fixture
def world():
    region = make_region("Leith")
    meeting = make_meeting(group=make_group(), location=make_location(region=region))
    return {
        "fellowship": Fellowship.objects.get(slug="aa"),
        "typevocabulary": TypeVocabulary.objects.get(slug="meeting-guide"),
        "meetingtype": MeetingType.objects.get(vocabulary__slug="meeting-guide", code="O"),
        "language": Language.objects.get(code="en"),
        "region": Region.objects.get(pk=region.pk),
        "location": meeting.location,
        "group": meeting.group,
        "meeting": meeting,
        "importsource": ImportSource.objects.create(
            name="Intergroup feed", format="meeting-guide", fellowship=meeting.fellowship
        ),
    }


@pytest.mark.parametrize(
    "model",
    [
        "fellowship",
        "typevocabulary",
        "meetingtype",
        "language",
        "region",
        "location",
        "group",
        "meeting",
        "importsource",
    ],
)
def test_it_opens_each_changelist_and_change_form(staff_client, world, model):
    obj = world[model]
    changelist = staff_client.get(reverse(f"admin:groups_{model}_changelist"))
    assert changelist.status_code == 200
    assert str(obj) in changelist.text
    change = staff_client.get(reverse(f"admin:groups_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert staff_client.get(reverse(f"admin:groups_{model}_add")).status_code == 200


def test_it_shows_a_hybrid_meeting_without_a_link_as_a_form_error(staff_client, world):
    meeting = world["meeting"]
    data = {
        "fellowship": meeting.fellowship_id,
        "name": meeting.name,
        "slug": meeting.slug,
        "day": 1,
        "start_time": "19:00",
        "timezone": "Europe/London",
        "attendance": "hybrid",
        "status": "active",
        "location": meeting.location_id,
        "languages": [world["language"].pk],
    }
    response = staff_client.post(reverse("admin:groups_meeting_change", args=[meeting.pk]), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "A hybrid meeting needs an online meeting link" in errors["conference_url"][0]
    meeting.refresh_from_db()
    assert meeting.attendance == "in_person"


def test_it_lists_meetings_in_the_admin_in_a_constant_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    # Volunteers scan long meeting lists; the changelist must not query per row.
    for _ in range(15):
        make_meeting()
    url = reverse("admin:groups_meeting_changelist")
    with django_assert_max_num_queries(12) as first:
        staff_client.get(url)
    for _ in range(15):
        make_meeting()
    with django_assert_max_num_queries(len(first.captured_queries)):
        staff_client.get(url)
