"""Small on the wire: pages, JSON and the feeds go out compressed, static files compressed once
and kept for ever under hashed names, and a reload of anything unchanged is a 304 with no body,
answered before the page or the feed is built; a volunteer's fix, or the next minute, is a new
version at once."""

import base64
import datetime
import gzip
import json
import re

import brotli
import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
from django.utils.http import http_date

from groups.models import Language
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 1, 11, 9, 0, 15, tzinfo=datetime.UTC)
FEED = "/feeds/meeting-guide.json"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TEN_YEARS = 10 * 365 * 24 * 60 * 60  # whitenoise's "for ever", for a file with a hashed name
# A one-pixel PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def meeting():
    return make_meeting(name="Harbour Lights", slug="harbour-lights")


@pytest.fixture(params=[0, 60], ids=["page cache off", "page cache on"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param
    return request.param


def vary(response) -> set[str]:
    return {part.strip() for part in response.get("Vary", "").split(",") if part.strip()}


def body(response) -> bytes:
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    return gzip.decompress(content) if response.get("Content-Encoding") == "gzip" else content


# Compression ----------------------------------------------------------------------------------


def test_a_results_page_goes_out_gzipped_to_a_browser_that_takes_it(client, meeting):
    for n in range(20):
        make_meeting(name=f"Shore Group {n}")
    plain = client.get("/meetings/")
    packed = client.get("/meetings/", **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in vary(packed) and "Accept-Encoding" in vary(plain)
    page = gzip.decompress(packed.content).decode()
    assert "Harbour Lights" in page and "Shore Group 19" in page
    # A results page is mostly repetition: it shrinks to well under a third.
    assert len(packed.content) < len(plain.content) / 3
    assert int(packed["Content-Length"]) == len(packed.content)


def test_the_feed_streams_gzipped_and_reads_back_whole(client, meeting):
    make_meeting(name="Tuesday Step", attendance="online")
    response = client.get(FEED, **GZIP)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Encoding"] == "gzip"
    entries = json.loads(body(response))
    assert sorted(entry["name"] for entry in entries) == ["Harbour Lights", "Tuesday Step"]


def test_static_files_go_out_compressed_once_and_are_kept_for_ever(client, settings, tmp_path):
    # As deployed (DEBUG off): collectstatic writes hashed names with compressed copies beside
    # them (whitenoise), which pages link to. Our own stylesheets and scripts, and an image.
    images = tmp_path / "images"
    (images / "img").mkdir(parents=True)
    (images / "img" / "dot.png").write_bytes(PNG)
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_DIRS = [
        ("css", settings.BASE_DIR / "static" / "css"),
        ("js", settings.BASE_DIR / "static" / "js"),
        images,
    ]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    browser = Client()  # whitenoise reads what was collected when it starts
    page = browser.get("/meetings/").text
    stylesheet = re.search(
        r'<link rel="stylesheet" href="(/static/css/site\.[0-9a-f]{12}\.css)"', page
    )
    assert stylesheet, "the page links the stylesheet by its hashed name"
    url = stylesheet.group(1)
    on_disk = (settings.STATIC_ROOT / url.removeprefix("/static/")).read_bytes()
    for accepted, encoding, unpack in (
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
    ):
        response = browser.get(url, HTTP_ACCEPT_ENCODING=accepted)
        assert response.status_code == 200
        assert response["Cache-Control"] == f"max-age={TEN_YEARS}, public, immutable"
        assert response["Content-Encoding"] == encoding
        # Compressed once: one decompression gives the file back.
        assert unpack(b"".join(response.streaming_content)) == on_disk
    plain = browser.get(url)
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == on_disk
    # An image is compressed already: it goes out as it is, and is kept as long.
    image = browser.get(static("img/dot.png"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert image.status_code == 200 and "Content-Encoding" not in image
    assert image["Cache-Control"] == f"max-age={TEN_YEARS}, public, immutable"
    assert b"".join(image.streaming_content) == PNG


# A reload of a page ---------------------------------------------------------------------------


def test_a_reload_of_an_unchanged_page_is_a_304_without_building_it(
    client, meeting, page_cache, django_assert_num_queries
):
    first = client.get("/meetings/?day=1")
    assert first.status_code == 200 and "Harbour Lights" in first.text
    etag = first["ETag"]
    assert etag.startswith('W/"')
    # Every use asks again, and the copy is the reader's own.
    assert first["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert {"Cookie", "Accept-Language", "Accept-Encoding"} <= vary(first)
    with django_assert_num_queries(1):  # when the listings last changed: nothing else is read
        again = client.get("/meetings/?day=1", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert {"Cookie", "Accept-Language"} <= vary(again)
    assert client.head("/meetings/?day=1", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another page of the site is another version.
    assert client.get("/meetings/?day=2", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_reload_after_a_volunteers_fix_gets_the_fix(client, meeting, page_cache):
    first = client.get(meeting.get_absolute_url())
    etag = first["ETag"]
    assert client.get(meeting.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304
    meeting.name = "Harbour Lights Tuesday"
    meeting.save()
    fixed = client.get(meeting.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert fixed.status_code == 200
    assert "Harbour Lights Tuesday" in fixed.text
    assert fixed["ETag"] != etag
    # And the results that list it, too.
    results = client.get("/meetings/?day=1", HTTP_IF_NONE_MATCH=etag)
    assert results.status_code == 200 and "Harbour Lights Tuesday" in results.text


def test_the_next_minute_is_a_new_page(client, meeting, page_cache, time_machine):
    # "Starting soonest" and "today" move with the clock.
    time_machine.move_to(NOW, tick=False)
    etag = client.get("/meetings/")["ETag"]
    time_machine.shift(30)  # the same minute
    assert client.get("/meetings/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    time_machine.shift(30)  # the next
    later = client.get("/meetings/", HTTP_IF_NONE_MATCH=etag)
    assert later.status_code == 200 and "Harbour Lights" in later.text
    assert later["ETag"] != etag


def test_a_compressed_page_revalidates_as_a_plain_one_does(client, meeting, page_cache):
    packed = client.get("/meetings/", **GZIP)
    assert packed["Content-Encoding"] == "gzip"
    etag = packed["ETag"]
    assert etag.startswith('W/"')
    assert client.get("/meetings/", HTTP_IF_NONE_MATCH=etag, **GZIP).status_code == 304
    # Weak comparison: the tag with or without W/, among others.
    strong = etag.removeprefix("W/")
    listed = f'"something-else", {strong}'
    assert client.get("/meetings/", HTTP_IF_NONE_MATCH=listed).status_code == 304
    assert client.get("/meetings/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_another_zone_or_language_is_another_page(client, meeting, page_cache):
    etag = client.get("/meetings/")["ETag"]
    zoned = Client()
    zoned.cookies["tz"] = "Asia/Tokyo"
    in_tokyo = zoned.get("/meetings/", HTTP_IF_NONE_MATCH=etag)
    assert in_tokyo.status_code == 200 and in_tokyo["ETag"] != etag
    spanish = client.get("/es/meetings/", HTTP_IF_NONE_MATCH=etag)
    assert spanish.status_code == 200 and '<html lang="es"' in spanish.text


def test_only_a_complete_page_gets_a_tag(client, meeting, page_cache):
    refused = client.get("/meetings/?day=9")
    assert refused.status_code == 400 and "ETag" not in refused
    missing = client.get("/meetings/no-such-meeting/")
    assert missing.status_code == 404 and "ETag" not in missing
    meeting.status = "inactive"
    meeting.save()
    gone = client.get(meeting.get_absolute_url())
    assert gone.status_code == 410 and "ETag" not in gone


# A reload of the feed -------------------------------------------------------------------------


def test_a_repeat_of_the_feed_is_a_304_until_a_listing_changes(
    client, meeting, time_machine, django_assert_num_queries
):
    time_machine.move_to(NOW, tick=False)
    meeting.save()
    time_machine.shift(2)
    first = client.get(FEED)
    assert first.status_code == 200
    assert [entry["languages"] for entry in json.loads(body(first))] == [["en"]]
    etag, modified = first["ETag"], first["Last-Modified"]
    assert modified == http_date(NOW.timestamp())
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    with django_assert_num_queries(1):  # when the listings last changed: the feed is not read
        again = client.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Last-Modified"] == modified
    assert again["Access-Control-Allow-Origin"] == "*"
    since = client.get(FEED, HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304 and since.content == b""
    # A language added to the meeting (the meeting row itself does not change).
    meeting.languages.add(Language.objects.get(code="es"))
    time_machine.shift(2)
    changed = client.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert [entry["languages"] for entry in json.loads(body(changed))] == [["en", "es"]]
    assert client.get(FEED, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def test_a_change_in_the_second_the_feed_was_read_is_not_hidden_by_its_date(client, time_machine):
    # If-Modified-Since counts whole seconds: a date given in the second of a change could not
    # tell a second change in that same second, so none is given until the second is over.
    time_machine.move_to(NOW, tick=False)
    meeting = make_meeting(name="Harbour Lights")
    time_machine.shift(0.2)
    first = client.get(FEED)
    assert first.status_code == 200 and "Last-Modified" not in first
    time_machine.shift(0.5)  # still the same second
    meeting.name = "Harbour Lights Tuesday"
    meeting.save()
    asked = client.get(FEED, HTTP_IF_MODIFIED_SINCE=http_date(NOW.timestamp()))
    assert asked.status_code == 200
    assert json.loads(body(asked))[0]["name"] == "Harbour Lights Tuesday"
    time_machine.shift(1)
    settled = client.get(FEED)
    assert settled["Last-Modified"] == http_date(NOW.timestamp())
    assert client.get(FEED, HTTP_IF_MODIFIED_SINCE=settled["Last-Modified"]).status_code == 304


def test_a_compressed_feed_revalidates_with_its_weak_tag(client, meeting):
    packed = client.get(FEED, **GZIP)
    assert packed["Content-Encoding"] == "gzip" and packed["ETag"].startswith('W/"')
    b"".join(packed.streaming_content)
    again = client.get(FEED, HTTP_IF_NONE_MATCH=packed["ETag"], **GZIP)
    assert again.status_code == 304 and "Accept-Encoding" in vary(again)


def test_a_feed_of_the_clock_moves_with_the_minute_and_a_plain_one_does_not(
    client, meeting, time_machine
):
    time_machine.move_to(NOW, tick=False)
    today = client.get(FEED, {"day": "today", "tz": "Europe/London"})
    plain = client.get(FEED)
    time_machine.shift(60)
    later = client.get(FEED, {"day": "today", "tz": "Europe/London"})
    assert later.status_code == 200 and later["ETag"] != today["ETag"]
    # The whole directory's feed changes only with the listings: a poller gets its 304.
    assert client.get(FEED, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_a_feed_on_another_host_is_another_feed(client, meeting, settings):
    # Its entries' links name the host they were read on.
    settings.ALLOWED_HOSTS = ["one.example.org", "two.example.org"]
    one = client.get(FEED, HTTP_HOST="one.example.org")
    two = client.get(FEED, HTTP_HOST="two.example.org", HTTP_IF_NONE_MATCH=one["ETag"])
    assert two.status_code == 200
    assert json.loads(body(two))[0]["url"] == "http://two.example.org/meetings/harbour-lights/"


def test_a_refused_feed_gets_no_tag(client):
    refused = client.get(FEED, {"day": "9"})
    assert refused.status_code == 400 and "ETag" not in refused


def test_the_feed_reads_the_same_few_queries_however_varied_its_meetings(
    client, django_assert_num_queries
):
    # Meetings of every kind, so that nothing an entry shows is read once a meeting.
    make_meeting(types=("O",))
    b"".join(client.get(FEED).streaming_content)
    with django_assert_num_queries(4):  # the last change, the meetings, their types, languages
        b"".join(client.get(FEED).streaming_content)
    area = make_region("Leith")
    for _ in range(5):
        make_meeting(
            types=("O", "D"),
            languages=("en", "es"),
            group=make_group(notes="Tea first"),
            location=make_location(region=area, access_notes="Step-free", notes="Side door"),
        )
        make_meeting(attendance="online", conference_phone="+44 1632 960001", status_reason="")
        make_meeting(attendance="hybrid", status="temporarily_closed", status_reason="Works")
        make_meeting(day=None, start_time=None)  # by appointment
    b"".join(client.get(FEED).streaming_content)  # reads the region added into the catalogue
    with django_assert_num_queries(4):
        entries = json.loads(b"".join(client.get(FEED).streaming_content))
    assert len(entries) == 21
    assert {entry["group_notes"] for entry in entries if "group_notes" in entry} == {"Tea first"}
    assert any(entry.get("regions") == ["Leith"] for entry in entries)
