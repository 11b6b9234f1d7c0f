"""Property-based fuzzing: generated hostile values on every public endpoint and through the
importers. Any 5xx, or any exception other than the importers' own refusal, fails.

Bounded to stay fast in the suite (FUZZ_EXAMPLES, default 15 a test); the long run is
`FUZZ_EXAMPLES=1000 .venv/bin/pytest tests/test_fuzz.py -p no:randomly` (docs/security.md).
"""

import json
import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups import importing
from groups.filters import MeetingFilter
from groups.importing.save import Importer
from groups.models import Fellowship, ImportSource
from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    # In the suite the same cases every run (a failure is never luck); the long run explores.
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.printable + "\x00\u202e\ufeff\u00e9\U0001f600", max_size=300),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "-0", "0x10", "²", "١٢", "NULL", "null"]),
    st.sampled_from(["America", "Europe/", "x" * 256, "../../etc/passwd", "%00", "today", "9"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.just("a" * 5000),
)
NAMES = st.one_of(st.sampled_from([*MeetingFilter.base_filters, "page"]), st.text(max_size=10))
PARAMS = st.lists(st.tuples(NAMES, HOSTILE), max_size=8)

GET_PATHS = [
    "/",
    "/meetings/",
    "/api/meetings/",
    "/meetings.ics",
    "/feeds/meeting-guide.json",
    "/feeds/aa/meeting-guide.json",
    "/referrals/",
    "/referrals/sheet/",
    "/referrals/sheet.pdf",
    "/fellowships/aa/",
    "/meetings/fuzzed/",
    "/time-zone/",
]


@pytest.fixture
def listed():
    return make_meeting(slug="fuzzed", attendance="hybrid")


def query(pairs) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)


@pytest.mark.parametrize("path", GET_PATHS)
@FUZZ
@given(pairs=PARAMS, cookie=HOSTILE)
def test_no_query_or_cookie_makes_a_public_page_fail(client, listed, path, pairs, cookie):
    # As a server sees a cookie: its UTF-8 bytes read as Latin-1 (WSGI), no NUL or separator.
    raw = cookie.encode("utf-8").decode("latin-1")
    client.cookies["tz"] = "".join(ch for ch in raw if ch not in "\x00;,\r\n")[:200]
    response = client.get(f"{path}?{query(pairs)}")
    assert response.status_code < 500, (path, pairs, cookie)


FORM_FIELDS = [
    "report", "name", "day", "start_time", "end_time", "timezone", "attendance",
    "location_name", "location_address", "location_city", "location_postal_code",
    "location_country", "conference_url", "conference_phone", "conference_notes", "notes",
    "note", "email", "fellowship", "region",
]  # fmt: skip


@pytest.mark.parametrize("path", ["/meetings/new/", "/meetings/fuzzed/correction/"])
@FUZZ
@given(values=st.dictionaries(st.sampled_from(FORM_FIELDS), HOSTILE, max_size=12))
def test_no_form_input_makes_a_public_form_fail(client, listed, settings_fuzz, path, values):
    response = client.post(path, values)
    assert response.status_code < 500, (path, values)


@pytest.fixture
def settings_fuzz(settings):
    settings.CORRECTIONS_PER_HOUR = 10**6  # the rate limit would answer every POST after ten


ENTRY = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "slug",
            "day",
            "time",
            "end_time",
            "timezone",
            "types",
            "formatted_address",
            "address",
            "city",
            "state",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "approximate",
            "conference_url",
            "conference_phone",
            "attendance_option",
            "notes",
            "regions",
            "group",
            "location",
        ]
    ),  # fmt: skip
    st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3), st.none(), st.integers(), st.floats()),
    max_size=14,
)


@FUZZ
@given(entries=st.lists(ENTRY, max_size=5), zone=st.sampled_from(["", "Europe/London"]))
def test_no_feed_entry_makes_the_importer_fail(entries, zone):
    content = json.dumps(entries, default=str).encode()
    parsed = importing.parse("meeting-guide", content)
    source = ImportSource(
        name="fuzz", format="meeting-guide", fellowship=Fellowship.objects.get(slug="aa")
    )
    report = Importer(source, parsed, default_timezone=zone).run(dry_run=True, skip_invalid=True)
    assert not report.saved


@FUZZ
@given(content=st.one_of(st.binary(max_size=400), HOSTILE.map(str.encode)))
@pytest.mark.parametrize("format", sorted(importing.PARSERS))
def test_no_bytes_make_a_parser_fail_but_with_a_message(format, content):
    try:
        importing.parse(format, content)
    except ValueError as error:
        assert str(error)  # a refusal a person can read
