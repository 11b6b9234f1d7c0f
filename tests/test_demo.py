"""The demo data loads into an empty database and makes the directory feel real."""

import pytest
from django.core.management import call_command

from groups.models import Fellowship, Location, Meeting, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    assert not Meeting.objects.exists()
    call_command("loaddata", "demo", verbosity=0)


def test_it_loads_a_realistic_directory(demo):
    assert Meeting.objects.count() >= 400
    without = Fellowship.objects.exclude(meetings__isnull=False).values_list("slug", flat=True)
    assert list(without) == []

    areas = Region.objects.filter(kind=Region.Kind.AREA, locations__meetings__isnull=False)
    assert areas.distinct().count() >= 3
    assert len(set(Meeting.objects.values_list("timezone", flat=True))) >= 2

    modes = {"in_person", "hybrid", "online"}
    assert set(Meeting.objects.values_list("attendance", flat=True)) == modes
    statuses = {"active", "temporarily_closed", "inactive"}
    assert set(Meeting.objects.values_list("status", flat=True)) == statuses

    online = Meeting.objects.filter(attendance="online")
    assert online.filter(conference_notes__icontains="passcode").exists()
    assert Location.objects.filter(latitude__isnull=False).count() >= 50
    assert {"O", "C", "D", "X", "W"} <= set(Meeting.objects.values_list("types__code", flat=True))
    assert {"en", "es"} <= set(Meeting.objects.values_list("languages__code", flat=True))


def test_it_passes_every_validation_rule(demo):
    for meeting in Meeting.objects.select_related("group", "location"):
        meeting.full_clean()
    for location in Location.objects.all():
        location.full_clean()


def test_it_publishes_no_personal_contact_details(demo):
    # Private contacts are at most a first name and an initial, on example domains.
    from groups.models import Group

    for group in Group.objects.exclude(private_contact_name=""):
        first, *rest = group.private_contact_name.split()
        assert len(rest) <= 1 and all(len(part.rstrip(".")) == 1 for part in rest), group
    for group in Group.objects.exclude(email=""):
        assert group.email.endswith((".example.org", "@example.org", "example.com")), group


def test_it_loads_the_demo_only_once_with_load_demo(capsys):
    call_command("load_demo")
    count = Meeting.objects.count()
    assert count >= 400
    call_command("load_demo")
    assert Meeting.objects.count() == count
    assert "already listed" in capsys.readouterr().out


def test_it_is_found_by_text_and_in_upcoming_order_straight_after_loaddata(demo, client):
    # The fixture carries the columns save() derives (loaddata does not call save()).
    for meeting in Meeting.objects.select_related("group", "location"):
        assert meeting.search_text == meeting.words(), meeting
    venue = Location.objects.exclude(name="").first()
    response = client.get("/meetings/", {"q": venue.name.split()[0]})
    assert response.status_code == 200
    assert "data-meeting-slug" in response.text
