"""/feeds/meeting-guide.json: the Meeting Guide feed of any search."""

import datetime
import json
import re

import pytest

from groups.models import MeetingType
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db

SPEC_FIELDS = {
    "name",
    "slug",
    "day",
    "time",
    "end_time",
    "timezone",
    "types",
    "notes",
    "updated",
    "url",
    "feedback_url",
    "location",
    "formatted_address",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "approximate",
    "location_notes",
    "regions",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "group",
    "group_notes",
    "entity",
    "entity_website_url",
}
OUR_FIELDS = {  # readers ignore fields they do not know (groups.feeds)
    "fellowship",
    "attendance",
    "status",
    "status_reason",
    "languages",
    "location_access_notes",
}


def feed(client, **params):
    response = client.get("/feeds/meeting-guide.json", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response, json.loads(b"".join(response.streaming_content))


def test_it_writes_spec_fields_and_spec_type_codes_only(client):
    scotland = make_region("Scotland", kind="state", slug="scotland")
    leith = make_region("Leith", parent=scotland, slug="leith")
    make_meeting(types=("O", "X"), location=make_location(region=leith))
    make_meeting(status="temporarily_closed", types=("C",))
    make_meeting(attendance="online", conference_phone="+44 1632 960001", conference_url="")
    _, entries = feed(client)
    assert len(entries) == 3
    codes = set(
        MeetingType.objects.filter(vocabulary__slug="meeting-guide").values_list("code", flat=True)
    )
    for entry in entries:
        assert set(entry) <= SPEC_FIELDS | OUR_FIELDS, set(entry) - SPEC_FIELDS
        assert entry["name"] and len(entry["slug"]) <= 64
        assert set(entry["types"]) <= codes
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", entry["updated"])
        assert 0 <= entry["day"] <= 6 and re.fullmatch(r"\d\d:\d\d", entry["time"])
    by_types = {tuple(e["types"]): e for e in entries}
    assert by_types[("O", "X")]["regions"] == ["Scotland", "Leith"]
    assert ("C", "TC") in by_types


def test_it_gives_online_details_and_an_approximate_place_for_online_meetings(client):
    home = make_location(city="Edinburgh", address="", approximate=True)
    make_meeting(
        attendance="online",
        location=home,
        conference_url="https://meet.example.org/a",
        conference_notes="Passcode on request",
        slug="online-one",
    )
    make_meeting(
        attendance="hybrid", conference_url="https://meet.example.org/b", slug="hybrid-one"
    )
    _, entries = feed(client)
    online = next(e for e in entries if e["slug"] == "online-one")
    hybrid = next(e for e in entries if e["slug"] == "hybrid-one")
    assert online["approximate"] == "yes" and "address" not in online
    assert online["conference_url"] == "https://meet.example.org/a"
    assert online["conference_url_notes"] == "Passcode on request"
    assert hybrid["approximate"] == "no" and hybrid["address"] == "12 Example Street"
    assert hybrid["conference_url"] == "https://meet.example.org/b"


def test_it_takes_the_search_parameters_and_leaves_out_inactive_meetings(client):
    aa = make_meeting("aa")
    make_meeting("na")
    make_meeting("aa", status="inactive")
    _, entries = feed(client, fellowship="aa")
    assert [e["slug"] for e in entries] == [aa.slug]


def test_it_never_publishes_private_contacts(client):
    group = make_group(
        private_contact_name="Sam R.",
        private_contact_email="sam@example.org",
        private_contact_phone="07700 900123",
        private_notes="Key safe code",
    )
    make_meeting(group=group)
    response = client.get("/feeds/meeting-guide.json")
    text = b"".join(response.streaming_content).decode()
    for secret in ("Sam R.", "sam@example.org", "07700 900123", "Key safe"):
        assert secret not in text


def test_it_answers_a_repeat_with_304_until_something_changes(client):
    meeting = make_meeting()
    first, _ = feed(client)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get("/feeds/meeting-guide.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    since = client.get("/feeds/meeting-guide.json", HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    meeting.name = "Renamed"
    meeting.updated = meeting.updated + datetime.timedelta(seconds=5)
    meeting.save()
    changed = client.get("/feeds/meeting-guide.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_it_lets_other_sites_read_it_from_a_browser(client):
    make_meeting()
    response, _ = feed(client)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_it_is_linked_from_pages_for_discovery(client):
    text = client.get("/meetings/", {"fellowship": "aa"}).text
    assert (
        '<link rel="alternate" type="application/json" title="Meetings Feed" '
        'href="/feeds/meeting-guide.json?fellowship=aa">'
    ) in text


def test_it_refuses_bad_parameters_with_a_400_naming_the_field(client):
    response = client.get("/feeds/meeting-guide.json", {"day": "9"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["day"]


def test_it_streams_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # Other tools read the whole feed; its queries must not grow with the meetings.
    make_meeting(types=("O",), group=make_group())
    b"".join(client.get("/feeds/meeting-guide.json").streaming_content)
    with django_assert_max_num_queries(5) as small:
        b"".join(client.get("/feeds/meeting-guide.json").streaming_content)
    for _ in range(30):
        make_meeting(types=("O", "D"), group=make_group())
    with django_assert_num_queries(len(small.captured_queries)):
        entries = json.loads(b"".join(client.get("/feeds/meeting-guide.json").streaming_content))
    assert len(entries) == 31
