"""/feeds/meeting-guide.json, the mixed Meeting Guide feed of any search, and
/feeds/<fellowship>/meeting-guide.json, one fellowship's feed in its own type codes."""

import datetime
import json
import re

import pytest

from groups.models import Fellowship, MeetingType, TypeVocabulary
from tests.conftest import (
    make_group,
    make_location,
    make_meeting,
    make_portland_location,
    make_region,
)
from tests.feedspec import assert_valid_feed

pytestmark = pytest.mark.django_db

SITE = "https://meetings.example.org"
NOW = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=datetime.UTC)

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


def feed(client, path="/feeds/meeting-guide.json", **params):
    response = client.get(path, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response, json.loads(b"".join(response.streaming_content))


def fellowship_feed(client, slug, **params):
    return feed(client, f"/feeds/{slug}/meeting-guide.json", **params)


def feed_links(html: str) -> list[str]:
    """The hrefs of the page's feed discovery links."""
    return re.findall(
        r'<link rel="alternate" type="application/json" title="Meetings Feed" href="([^"]*)">',
        html,
    )


def by_slug(entries) -> dict:
    return {entry["slug"]: entry for entry in entries}


def own_vocabulary_fellowship() -> Fellowship:
    """A fellowship with codes of its own, some spelt like the spec's with other meanings."""
    vocabulary = TypeVocabulary.objects.create(name="Example codes", slug="example-codes")
    for code, name in (("B", "Beginners"), ("TR", "Turkish"), ("TC", "Topic chosen")):
        MeetingType.objects.create(vocabulary=vocabulary, code=code, name=name, category="format")
    return Fellowship.objects.create(
        name="Example Fellowship",
        short_name="EF",
        slug="example",
        description="An invented fellowship for the tests.",
        spirituality=Fellowship.Spirituality.OPEN,
        type_vocabulary=vocabulary,
    )


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
    assert_valid_feed(entries)


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


def test_it_answers_a_repeat_with_304_until_something_changes(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    meeting = make_meeting()
    time_machine.shift(2)  # Last-Modified is sent once the second of the last change is over
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


def test_it_is_linked_from_pages_for_discovery(client, settings):
    # The spec wants the exact title "Meetings Feed" and a fully qualified URL.
    settings.SITE_URL = "https://meetings.example.org"
    assert feed_links(client.get("/").text) == [f"{SITE}/feeds/meeting-guide.json"]
    assert feed_links(client.get("/meetings/", {"fellowship": ["aa", "na"], "day": "1"}).text) == [
        f"{SITE}/feeds/meeting-guide.json?fellowship=aa&amp;fellowship=na&amp;day=1"
    ]


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


# One fellowship's feed ------------------------------------------------------------------------


def test_it_writes_a_fellowships_feed_in_the_specs_codes_when_it_uses_them(client):
    na = make_meeting("na", types=("O", "X"), slug="na-open")
    make_meeting("na", status="temporarily_closed", types=("C",), slug="na-closed")
    make_meeting("aa", types=("C",), slug="aa-closed")
    _, entries = fellowship_feed(client, "na")
    assert set(by_slug(entries)) == {"na-open", "na-closed"}
    assert by_slug(entries)["na-open"]["types"] == ["O", "X"]
    assert by_slug(entries)["na-closed"]["types"] == ["C", "TC"]
    assert by_slug(entries)["na-open"]["url"] == f"http://testserver/meetings/{na.slug}/"
    for entry in entries:  # a spec feed: none of the mixed feed's fields of our own
        assert set(entry) <= SPEC_FIELDS, set(entry) - SPEC_FIELDS
    assert_valid_feed(entries)


def test_it_writes_a_fellowships_feed_in_its_own_codes_only(client):
    example = own_vocabulary_fellowship()
    make_meeting(example, types=("B", "TR", "TC"), slug="beginners")
    make_meeting(example, status="temporarily_closed", types=("B",), slug="paused-room")
    make_meeting("aa", types=("B", "TR"), slug="aa-big-book")
    _, entries = fellowship_feed(client, "example")
    assert set(by_slug(entries)) == {"beginners", "paused-room"}
    # Its own codes, not translated; TC is only ever the spec's "temporarily closed".
    assert by_slug(entries)["beginners"]["types"] == ["B", "TR"]
    assert by_slug(entries)["paused-room"]["types"] == ["B", "TC"]
    assert_valid_feed(entries, spec_types=False)
    # The mixed feed has only spec codes, so this fellowship's meetings carry none there.
    _, mixed = feed(client)
    assert by_slug(mixed)["beginners"]["types"] == []
    assert by_slug(mixed)["aa-big-book"]["types"] == ["B", "TR"]


def test_it_answers_an_unknown_fellowship_with_404(client):
    assert client.get("/feeds/nobody/meeting-guide.json").status_code == 404


def test_it_takes_the_search_parameters_in_a_fellowships_feed(client):
    make_meeting("na", day=1, slug="na-monday")
    make_meeting("na", day=2, slug="na-tuesday")
    make_meeting("aa", day=1, slug="aa-monday")
    _, entries = fellowship_feed(client, "na", day="1")
    assert [e["slug"] for e in entries] == ["na-monday"]
    # The fellowship is the feed's own, whatever the query says.
    _, entries = fellowship_feed(client, "na", fellowship="aa", day="1")
    assert [e["slug"] for e in entries] == ["na-monday"]
    response = client.get("/feeds/na/meeting-guide.json", {"day": "9"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["day"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_it_answers_a_repeat_of_a_fellowships_feed_with_304(client, time_machine):
    time_machine.move_to(NOW, tick=False)
    meeting = make_meeting("na")
    make_meeting("aa")
    time_machine.shift(2)  # Last-Modified is sent once the second of the last change is over
    first, _ = fellowship_feed(client, "na")
    etag = first["ETag"]
    assert first["Access-Control-Allow-Origin"] == "*"
    # Kept by anyone, asked again before each use (groups.views.FEED_CACHE_CONTROL).
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    again = client.get("/feeds/na/meeting-guide.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*"
    since = client.get(
        "/feeds/na/meeting-guide.json", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert since.status_code == 304
    # Another feed of the same meetings is another document, with its own tag.
    mixed, _ = feed(client, fellowship="na")
    assert mixed["ETag"] != etag
    meeting.name = "Renamed"
    meeting.updated = meeting.updated + datetime.timedelta(seconds=5)
    meeting.save()
    changed = client.get("/feeds/na/meeting-guide.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_it_links_a_fellowships_pages_to_its_own_feed(client, settings):
    settings.SITE_URL = "https://meetings.example.org/"
    make_meeting("na")
    # One link each, with the spec's exact title: readers take the first "Meetings Feed".
    assert feed_links(client.get("/fellowships/na/").text) == [
        f"{SITE}/feeds/na/meeting-guide.json"
    ]
    search = client.get("/meetings/", {"fellowship": "na", "day": "1", "page": "1"}).text
    assert feed_links(search) == [f"{SITE}/feeds/na/meeting-guide.json?day=1"]
    assert feed_links(client.get("/meetings/", {"fellowship": "na"}).text) == [
        f"{SITE}/feeds/na/meeting-guide.json"
    ]
    assert feed_links(client.get("/fellowships/").text) == [f"{SITE}/feeds/meeting-guide.json"]


def test_it_streams_a_fellowships_feed_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # Readers fetch the whole feed, often; its queries must not grow with the meetings.
    def add(count):
        for _ in range(count):
            make_meeting("na", types=("O", "D"), group=make_group("na"))
        make_meeting("aa", types=("O",))

    add(2)
    b"".join(client.get("/feeds/na/meeting-guide.json").streaming_content)
    with django_assert_max_num_queries(5) as small:
        _, entries = fellowship_feed(client, "na")
    assert len(entries) == 2
    add(23)
    with django_assert_num_queries(len(small.captured_queries)):
        _, entries = fellowship_feed(client, "na")
    assert len(entries) == 25


# What every spec feed keeps to --------------------------------------------------------------


def test_it_leaves_paused_online_meetings_out_of_every_feed(client):
    # TC with a link reads "the room is closed, the meeting goes on online": an active meeting.
    make_meeting("na", attendance="online", status="temporarily_closed", slug="paused-online")
    make_meeting("na", attendance="online", slug="online")
    make_meeting("na", status="temporarily_closed", slug="room-closed")
    make_meeting("na", attendance="hybrid", status="temporarily_closed", slug="hybrid-room-closed")
    for _, entries in (feed(client), fellowship_feed(client, "na")):
        entries = by_slug(entries)
        assert set(entries) == {"online", "room-closed", "hybrid-room-closed"}
        closed = entries["room-closed"]
        assert "TC" in closed["types"] and "conference_url" not in closed
        assert "conference_phone" not in closed and closed["approximate"] == "no"
        hybrid = entries["hybrid-room-closed"]
        assert "TC" in hybrid["types"] and hybrid["conference_url"]
        assert "TC" not in entries["online"]["types"]
        assert_valid_feed(list(entries.values()))


def test_it_gives_online_meetings_their_town_and_never_a_street(client):
    oregon = make_region("Oregon", kind="state", slug="oregon")
    make_meeting(
        "na",
        attendance="online",
        location=make_portland_location(),  # a street address: only its town is published
        slug="portland-online",
    )
    make_meeting(
        "na",
        attendance="online",
        location=make_location(
            name="", address="", city="", postal_code="", country="", region=oregon
        ),
        slug="oregon-online",
    )
    make_meeting("na", attendance="online", slug="nowhere-online")
    for _, entries in (feed(client), fellowship_feed(client, "na")):
        entries = by_slug(entries)
        portland = entries["portland-online"]
        assert portland["formatted_address"] == "Portland, OR, United States"
        assert (portland["city"], portland["state"], portland["approximate"]) == (
            "Portland",
            "OR",
            "yes",
        )
        assert "address" not in portland and "Hawthorne Blvd" not in json.dumps(portland)
        assert entries["oregon-online"]["formatted_address"] == "Oregon"
        assert entries["oregon-online"]["regions"] == ["Oregon"]
        nowhere = entries["nowhere-online"]
        assert nowhere["approximate"] == "yes" and "formatted_address" not in nowhere
        assert_valid_feed(list(entries.values()))


def test_it_writes_phones_in_the_specs_characters(client):
    make_meeting("na", attendance="online", conference_url="", conference_phone="+1 (800) 555-1212")
    make_meeting(
        "na",
        attendance="hybrid",
        conference_url="https://meet.example.org/z",
        conference_phone="+15873281099,,82900440659#,,#,,12345#",
    )
    for _, entries in (feed(client), fellowship_feed(client, "na")):
        assert sorted(e["conference_phone"] for e in entries) == [
            "+15873281099,,82900440659#,,#,,12345#",
            "+18005551212",
        ]
        assert_valid_feed(entries)


def test_it_names_the_site_by_its_public_address_not_the_request_host(client, settings):
    settings.SITE_URL = "https://meetings.example.org"
    settings.ALLOWED_HOSTS = ["internal.example.net"]
    make_meeting("na")
    for path in ("/feeds/meeting-guide.json", "/feeds/na/meeting-guide.json"):
        response = client.get(path, HTTP_HOST="internal.example.net")
        (entry,) = json.loads(b"".join(response.streaming_content))
        assert entry["entity_website_url"] == f"{SITE}/"


def test_it_keeps_the_mixed_feed_readable_back_exactly(client):
    # The mixed feed is what another copy of the directory reads: our fields stay in it.
    make_meeting("na", types=("O",), status="temporarily_closed", status_reason="Repairs")
    _, (entry,) = feed(client)
    assert entry["fellowship"] == "na" and entry["languages"] == ["en"]
    assert (entry["attendance"], entry["status"], entry["status_reason"]) == (
        "in_person",
        "temporarily_closed",
        "Repairs",
    )
    assert entry["types"] == ["O", "TC"]


def test_every_entry_of_every_feed_keeps_to_the_spec(client):
    scotland = make_region("Scotland", kind="state", slug="scotland")
    leith = make_region("Leith", parent=scotland, slug="leith")
    group = make_group("na", notes="Business meeting monthly.")
    make_meeting("na", types=("O", "D", "X"), group=group, location=make_location(region=leith))
    make_meeting("na", day=None, start_time=None, slug="by-appointment")
    make_meeting("na", day=0, start_time=datetime.time(23, 30), slug="late-sunday")
    make_meeting("na", attendance="hybrid", conference_phone="0131 496 0000", types=("C",))
    make_meeting("na", attendance="online", location=make_location(approximate=True))
    make_meeting("aa", status="temporarily_closed", types=("BE", "S"))
    make_meeting("aa", attendance="online", status="temporarily_closed")
    example = own_vocabulary_fellowship()
    make_meeting(example, types=("B",))
    _, mixed = feed(client)
    assert len(mixed) == 7
    assert_valid_feed(mixed)
    for slug in ("aa", "na"):
        assert_valid_feed(fellowship_feed(client, slug)[1])
    assert_valid_feed(fellowship_feed(client, "example")[1], spec_types=False)
