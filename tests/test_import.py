"""import_meetings and the admin's "Import a file": Meeting Guide feeds, table-format CSV and
XLSX, BMLT; refusals, skips, dry runs and re-imports."""

import datetime
import functools
import http.server
import io
import json
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from groups.importing.rows import dial_string
from groups.models import ImportRun, ImportSource, Location, Meeting, Region
from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"


def run(source, fmt="meeting-guide", fellowship="aa", *options):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_meetings",
        str(source),
        "--format",
        fmt,
        "--fellowship",
        fellowship,
        *options,
        stdout=out,
        stderr=err,
    )
    return out.getvalue()


def refused(source, fmt="meeting-guide", *options):
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_meetings",
            str(source),
            "--format",
            fmt,
            "--fellowship",
            "aa",
            *options,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert raised.value.returncode == 1  # manage.py exits with it
    return err.getvalue(), str(raised.value)


def codes(meeting, field="types"):
    return sorted(getattr(meeting, field).values_list("code", flat=True))


def write(tmp_path, name, entries):
    path = tmp_path / name
    path.write_text(json.dumps(entries))
    return path


# Meeting Guide feed -----------------------------------------------------------------------


def test_it_reads_each_kind_of_meeting_from_a_meeting_guide_feed():
    output = run(SAMPLES / "meeting-guide.json")
    assert "created 8, updated 0, unchanged 0, deactivated 0, rejected 0" in output
    by_slug = {m.slug: m for m in Meeting.objects.select_related("location", "group")}

    online = by_slug["online-step-study"]  # online details and an approximate place
    assert (online.attendance, online.status) == ("online", "active")
    assert online.location.approximate and online.location.address == ""
    assert online.start_time == datetime.time(19, 30)  # "7:30 PM"
    assert online.conference_notes == "Passcode on request"

    hybrid = by_slug["portobello-hybrid"]  # online details and a real address
    assert hybrid.attendance == "hybrid" and hybrid.day == 4  # "Thursday"
    assert hybrid.conference_phone == "+441632960001"  # the spec's characters only

    closed = by_slug["church-hall-closed"]  # TC alone
    assert (closed.attendance, closed.status) == ("in_person", "temporarily_closed")
    assert codes(closed) == ["O"]  # TC is the status, not a type

    moved = by_slug["moved-online"]  # TC with online details
    assert (moved.attendance, moved.status) == ("online", "active")

    legacy = by_slug["legacy-online"]  # the old ONL type
    assert legacy.attendance == "online" and legacy.location is None
    assert codes(legacy) == ["S"] and codes(legacy, "languages") == ["es"]
    assert "XYZ (1)" in output  # unknown code reported, the meeting still imported

    appointment = by_slug["by-appointment"]  # no day, no time
    assert appointment.by_appointment and appointment.start_time is None
    place = appointment.location  # from formatted_address alone, no coordinates
    assert (place.address, place.city, place.state, place.postal_code, place.country) == (
        "12 Main St",
        "Springfield",
        "IL",
        "62701",
        "USA",
    )
    assert place.latitude is None


def test_it_makes_one_meeting_a_day_for_a_meeting_on_several_days():
    run(SAMPLES / "meeting-guide.json")
    monday = Meeting.objects.get(slug="leith-serenity-monday")
    wednesday = Meeting.objects.get(slug="leith-serenity-wednesday")
    assert (monday.day, wednesday.day) == (1, 3)
    assert {monday.source_key, wednesday.source_key} == {
        "leith-serenity/monday",
        "leith-serenity/wednesday",
    }
    assert monday.end_time == datetime.time(20, 30) and codes(monday) == ["D", "O", "X"]
    assert monday.group.name == "Leith Serenity Group" and monday.group == wednesday.group


def test_it_shares_one_place_per_address():
    run(SAMPLES / "meeting-guide.json")
    hall = Meeting.objects.get(slug="leith-serenity-monday").location
    # The same street address and town, written in another case: the same venue.
    assert Meeting.objects.get(slug="church-hall-closed").location == hall
    assert [r.name for r in hall.region.ancestors()] == ["United Kingdom", "Scotland", "Leith"]
    assert Location.objects.count() == 5


def test_it_fits_regions_into_the_tree_it_has_and_grows_it(tmp_path):
    uk = Region.objects.create(name="United Kingdom", slug="united-kingdom", kind="country")
    scotland = Region.objects.create(name="Scotland", slug="scotland", kind="state", parent=uk)
    edinburgh = Region.objects.create(
        name="Edinburgh", slug="edinburgh", kind="area", parent=scotland
    )
    where = {"day": 1, "time": "19:00", "timezone": "Europe/London"}
    feed = write(
        tmp_path,
        "regions.json",
        [
            {
                "name": "A",
                "slug": "a",
                "address": "1 Shore",
                "city": "Leith",
                **where,
                "region": "Scotland",
                "sub_region": "Leith",
            },
            {
                "name": "B",
                "slug": "b",
                "address": "2 High St",
                "city": "Edinburgh",
                **where,
                "regions": ["united kingdom", "SCOTLAND", "Edinburgh"],
            },
        ],
    )
    run(feed)
    a, b = (Meeting.objects.get(slug=slug).location.region for slug in "ab")
    assert b == edinburgh
    assert (a.name, a.parent, a.kind) == ("Leith", scotland, "area")
    assert Region.objects.count() == 4


def test_it_takes_the_publisher_from_entity_url_or_entity_website_url():
    run(SAMPLES / "meeting-guide.json")
    run(SAMPLES / "meeting-guide-website.json")
    sources = {s.name: s for s in ImportSource.objects.all()}
    first, second = sources["meeting-guide.json"], sources["meeting-guide-website.json"]
    assert (first.entity, first.entity_url) == (
        "Edinburgh Intergroup",
        "https://intergroup.example.org/",
    )
    assert (second.entity, second.entity_url) == (
        "Chicago Area Service Office",
        "https://chicago.example.org/",
    )


def test_it_computes_derived_columns_as_save_does():
    run(SAMPLES / "meeting-guide.json")
    for meeting in Meeting.objects.select_related("group", "location"):
        stored = (meeting.week_minute, meeting.duration, meeting.search_text)
        meeting.derive()
        assert stored == (meeting.week_minute, meeting.duration, meeting.search_text)
    assert Meeting.objects.get(slug="leith-serenity-monday").duration == 90


def test_it_takes_the_zone_from_the_row_else_the_place_else_the_option(tmp_path):
    hall = Location.objects.create(
        name="Hall", address="9 Pier Road", city="Oban", timezone="Europe/London"
    )
    feed = write(
        tmp_path,
        "zones.json",
        [
            {
                "name": "Own",
                "slug": "own",
                "day": 1,
                "time": "19:00",
                "timezone": "Asia/Tokyo",
                "address": "1 Ginza",
                "city": "Tokyo",
            },
            {
                "name": "Place",
                "slug": "place",
                "day": 1,
                "time": "19:00",
                "address": "9 pier road",
                "city": "Oban",
            },
            {
                "name": "Option",
                "slug": "option",
                "day": 1,
                "time": "19:00",
                "address": "1 Rue de Rivoli",
                "city": "Paris",
            },
        ],
    )
    run(feed, "meeting-guide", "aa", "--timezone", "Europe/Paris")
    zones = dict(Meeting.objects.values_list("slug", "timezone"))
    assert zones == {"own": "Asia/Tokyo", "place": "Europe/London", "option": "Europe/Paris"}
    assert Meeting.objects.get(slug="place").location == hall
    assert Location.objects.get(city="Paris").timezone == "Europe/Paris"


def test_it_keeps_the_feeds_slug_when_free_and_takes_a_variant_when_not(tmp_path):
    make_meeting(slug="taken")
    feed = write(
        tmp_path,
        "slugs.json",
        [
            {
                "name": "Taken",
                "slug": "taken",
                "day": 1,
                "time": "19:00",
                "timezone": "Europe/London",
                "address": "1 High Street",
                "city": "Leith",
            },
            {
                "name": "Free",
                "slug": "free",
                "day": 2,
                "time": "19:00",
                "timezone": "Europe/London",
                "address": "1 High Street",
                "city": "Leith",
            },
        ],
    )
    run(feed)
    imported = dict(Meeting.objects.filter(source__isnull=False).values_list("source_key", "slug"))
    assert imported == {"taken": "taken-2", "free": "free"}


# Bad rows ---------------------------------------------------------------------------------


def test_it_refuses_the_whole_feed_for_one_bad_row_and_names_every_bad_row():
    report, message = refused(SAMPLES / "meeting-guide-bad.json")
    assert "4 rows could not be understood" in message
    assert "entry 1: name: a meeting needs a name." in report
    assert "entry 2 (Fun Day): day: 'Funday' is not a day of the week." in report
    assert "entry 3 (Late Night): time: '25:99' is not a time" in report
    assert "entry 4 (Plain Link): conference_url: The link must start with https://" in report
    assert not Meeting.objects.exists()
    assert not ImportSource.objects.exists() and not Location.objects.exists()


def test_it_numbers_bad_csv_lines_from_the_header_and_names_the_column():
    report, _ = refused(SAMPLES / "table-bad.csv", "csv")
    assert "line 3: Name: a meeting needs a name." in report
    assert "line 4 (Fun Day): Day: 'Funday' is not a day of the week." in report
    assert "line 6 (Late): Time: '25:99' is not a time" in report
    assert "line 7 (Plain Link): Conference URL: The link must start with https://" in report
    assert "line 2" not in report and "line 5" not in report
    assert not Meeting.objects.exists()


def test_it_saves_the_good_rows_and_lists_the_bad_with_skip_invalid():
    output = run(SAMPLES / "meeting-guide-bad.json", "meeting-guide", "aa", "--skip-invalid")
    assert "created 2, updated 0, unchanged 0, deactivated 0, rejected 4" in output
    assert set(Meeting.objects.values_list("slug", flat=True)) == {"good-monday", "good-friday"}
    assert "entry 2 (Fun Day): day:" in output
    run_record = ImportRun.objects.get()
    assert (run_record.created, run_record.rejected) == (2, 4)
    assert "Funday" in run_record.report


def test_it_reports_but_saves_nothing_on_a_dry_run():
    output = run(SAMPLES / "meeting-guide.json", "meeting-guide", "aa", "--dry-run")
    assert "created 8" in output and "Dry run: nothing was saved." in output
    assert not Meeting.objects.exists() and not ImportSource.objects.exists()
    assert not Region.objects.exists() and not Location.objects.exists()


def test_it_refuses_a_file_that_is_not_of_the_format():
    _, message = refused(SAMPLES / "table.csv", "meeting-guide")
    assert "not a Meeting Guide feed: invalid JSON at line 1" in message
    _, message = refused(SAMPLES / "missing.json")
    assert "No such file" in message


# Re-import --------------------------------------------------------------------------------


def test_it_updates_in_place_on_a_reimport_and_marks_vanished_meetings_inactive(tmp_path):
    entries = json.loads((SAMPLES / "meeting-guide.json").read_text())
    feed = write(tmp_path, "feed.json", entries)
    run(feed)
    first = {m.slug: (m.pk, m.updated) for m in Meeting.objects.all()}

    entries[2]["time"] = "13:00"  # portobello-hybrid changes
    entries[2]["types"] = ["C"]
    del entries[4]  # moved-online vanishes
    write(tmp_path, "feed.json", entries)
    output = run(feed)

    assert "created 0, updated 1, unchanged 6, deactivated 1, rejected 0" in output
    assert Meeting.objects.count() == 8  # nothing twice, nothing deleted
    after = {m.slug: m for m in Meeting.objects.all()}
    assert {slug: m.pk for slug, m in after.items()} == {s: v[0] for s, v in first.items()}
    changed = after["portobello-hybrid"]
    assert changed.start_time == datetime.time(13, 0) and codes(changed) == ["C"]
    assert changed.updated > first["portobello-hybrid"][1]
    assert changed.week_minute == changed.day * 1440 + 13 * 60  # Europe/London: UTC+0
    assert after["leith-serenity-monday"].updated == first["leith-serenity-monday"][1]
    gone = after["moved-online"]
    assert gone.status == "inactive" and "No longer listed by feed.json" in gone.status_reason
    runs = ImportRun.objects.order_by("started", "pk")
    assert [(r.created, r.updated, r.unchanged, r.deactivated) for r in runs] == [
        (8, 0, 0, 0),
        (0, 1, 6, 1),
    ]


def test_it_takes_corrected_venue_details_and_brings_back_a_meeting_listed_again(tmp_path):
    entries = json.loads((SAMPLES / "meeting-guide.json").read_text())
    feed = write(tmp_path, "feed.json", entries)
    run(feed)
    write(tmp_path, "feed.json", entries[1:])
    run(feed)
    assert Meeting.objects.get(slug="leith-serenity-monday").status == "inactive"

    entries[0]["location_notes"] = "Ring the bell at the side door."
    entries[0]["latitude"] = 55.97601
    entries[2]["location"] = "x" * 300  # too long for a venue's name: not taken
    write(tmp_path, "feed.json", entries)
    output = run(feed)
    assert "updated 2, unchanged 6" in output  # Monday and Wednesday are back
    back = Meeting.objects.select_related("location").get(slug="leith-serenity-monday")
    assert (back.status, back.status_reason) == ("active", "")
    assert back.location.notes == "Ring the bell at the side door."
    assert back.location.latitude == 55.97601
    assert "Ring the bell" in Meeting.objects.get(slug="church-hall-closed").location.notes
    hall = Meeting.objects.get(slug="portobello-hybrid").location
    assert hall.name == "Portobello Town Hall"


def test_it_leaves_a_meeting_whose_row_turned_bad_as_it_was_with_skip_invalid(tmp_path):
    entries = json.loads((SAMPLES / "meeting-guide.json").read_text())
    feed = write(tmp_path, "feed.json", entries)
    run(feed)
    entries[2]["time"] = "25:99"  # portobello-hybrid, now unreadable
    entries[1]["fellowship"] = "no-such-fellowship"
    entries.append(
        {
            "name": "New Hall",
            "slug": "new-hall",
            "day": 1,
            "time": "19:00",
            "address": "9 New Road",
            "city": "Leith",
            "conference_url": "ftp://meet.example.org/new",
        }
    )
    write(tmp_path, "feed.json", entries)
    output = run(feed, "meeting-guide", "aa", "--skip-invalid")
    assert "updated 0, unchanged 6, deactivated 0, rejected 3" in output
    assert not Location.objects.filter(address="9 New Road").exists()  # no place for a bad row
    assert "entry 1 (Online Edinburgh Step Study): fellowship: no fellowship" in output
    kept = Meeting.objects.get(slug="portobello-hybrid")
    assert kept.status == "active" and kept.start_time == datetime.time(12, 30)


# Spreadsheets -----------------------------------------------------------------------------


def test_it_reads_a_csv_with_a_byte_order_mark_windows_lines_and_loose_headers():
    assert (SAMPLES / "table.csv").read_bytes().startswith(b"\xef\xbb\xbfID,")
    assert b"\r\n" in (SAMPLES / "table.csv").read_bytes()
    output = run(SAMPLES / "table.csv", "csv")
    assert "created 5" in output and "Columns not understood, ignored: Colour" in output
    newcomers = Meeting.objects.get(slug="tuesday-newcomers")
    assert (newcomers.day, newcomers.start_time) == (2, datetime.time(18, 30))
    assert codes(newcomers) == ["BE", "O"] and newcomers.notes == "Tea from six."
    assert newcomers.location.postal_code == "EH1 2JL"
    assert newcomers.location.region.name == "Edinburgh"
    online = Meeting.objects.get(slug="sunday-online")
    assert (online.day, online.attendance) == (0, "online")  # "sunday", the ONL type
    mornings = Meeting.objects.filter(slug__startswith="weekday-mornings").order_by("day")
    assert [m.day for m in mornings] == [1, 3, 5]
    assert {m.location for m in mornings} == {newcomers.location}


def test_it_reads_the_table_format_from_an_excel_workbook(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Day", "Time", "Address", "City", "Timezone", "Types"])
    sheet.append(
        [
            "Excel Meeting",
            "Friday",
            datetime.time(19, 45),
            "8 Dock Street",
            "Dundee",
            "Europe/London",
            "O, W",
        ]
    )
    path = tmp_path / "meetings.xlsx"
    book.save(path)
    run(path, "xlsx")
    meeting = Meeting.objects.get()
    assert (meeting.name, meeting.day, meeting.start_time) == (
        "Excel Meeting",
        5,
        datetime.time(19, 45),
    )
    assert codes(meeting) == ["O", "W"] and meeting.slug == "excel-meeting-friday-1945"


# BMLT -------------------------------------------------------------------------------------


def test_it_reads_bmlt_weekdays_from_1_for_sunday_venue_types_and_its_own_format_keys():
    output = run(SAMPLES / "bmlt.json", "bmlt", "na")
    assert "created 4" in output and "bmlt:RF (1)" in output
    by_key = {m.source_key: m for m in Meeting.objects.select_related("location")}
    sunday = by_key["1001"]
    assert sunday.day == 0 and sunday.fellowship.slug == "na"
    assert (sunday.start_time, sunday.end_time) == (datetime.time(19), datetime.time(20, 30))
    # BMLT's B is Beginners (the spec's BE), not Big Book (the spec's B); WCHR is X.
    assert codes(sunday) == ["BE", "O", "X"]
    assert sunday.location.name == "Grace Church" and sunday.location.notes == "Basement, side door"
    assert sunday.notes == "Bring a friend."
    saturday = by_key["1002"]
    assert saturday.day == 6 and saturday.attendance == "online"
    assert saturday.conference_notes == "Passcode: ask by email"
    assert saturday.location.approximate and saturday.location.latitude is None  # 0, 0
    assert codes(saturday) == ["C", "LIT"]
    assert by_key["1003"].attendance == "hybrid" and by_key["1003"].day == 3
    assert by_key["1004"].status == "temporarily_closed"
    assert by_key["1001"].location == by_key["1003"].location


# From a URL -------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(settings):
    settings.IMPORT_ALLOW_PRIVATE_ADDRESSES = True  # the server is on loopback
    handler = functools.partial(_Quiet, directory=str(SAMPLES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_it_imports_from_an_http_url(http_server):
    url = f"{http_server}/meeting-guide.json"
    output = run(url)
    assert "created 8" in output
    source = ImportSource.objects.get()
    assert (source.name, source.url) == (url, url)
    assert run(url).count("unchanged 8") == 1
    _, message = refused(f"{http_server}/nothing-here.json")
    assert "answered HTTP 404" in message


# The admin --------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    client.force_login(user)
    return client


def upload(client, name, fmt="meeting-guide", **fields):
    with open(SAMPLES / name, "rb") as file:
        data = {"file": file, "format": fmt, "fellowship": fields.pop("fellowship", 1), **fields}
        return client.post(reverse("admin:groups_importsource_upload"), data)


def test_it_previews_an_upload_then_saves_it_on_confirmation(superuser_client, aa):
    assert superuser_client.get(reverse("admin:groups_importsource_upload")).status_code == 200
    preview = upload(superuser_client, "meeting-guide.json", fellowship=aa.pk)
    assert preview.status_code == 200
    assert not Meeting.objects.exists()  # nothing saved by the preview
    assert preview.context["counts"]["created"] == 8
    assert "Leith Serenity" in preview.text and "XYZ (1)" in preview.text
    run_record = ImportRun.objects.get()
    assert run_record.status == "preview" and bytes(run_record.content)

    confirm = reverse("admin:groups_importsource_confirm", args=[run_record.pk])
    saved = superuser_client.post(confirm)
    source = ImportSource.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("admin:groups_importsource_change", args=[source.pk])
    assert Meeting.objects.filter(source=source).count() == 8
    run_record.refresh_from_db()
    assert (run_record.status, run_record.created, bytes(run_record.content)) == ("applied", 8, b"")
    page = superuser_client.get(saved["Location"])
    assert page.status_code == 200 and "created 8" in page.text
    assert superuser_client.post(confirm).status_code == 404  # not twice


def test_it_lists_every_bad_row_in_the_preview_and_saves_only_when_told(superuser_client, aa):
    preview = upload(superuser_client, "table-bad.csv", "csv", fellowship=aa.pk)
    assert preview.status_code == 200
    rows = [(r.ref, r.field) for r in preview.context["report"].rejected]
    assert rows == [
        ("line 3", "Name"),
        ("line 4", "Day"),
        ("line 6", "Time"),
        ("line 7", "Conference URL"),
    ]
    assert "&#x27;Funday&#x27; is not a day of the week." in preview.text
    confirm = reverse("admin:groups_importsource_confirm", args=[ImportRun.objects.get().pk])
    refused_page = superuser_client.post(confirm)
    assert refused_page.status_code == 400 and not Meeting.objects.exists()
    skipped = superuser_client.post(confirm, {"skip_invalid": "on"})
    assert skipped.status_code == 302
    assert set(Meeting.objects.values_list("name", flat=True)) == {"Good One", "Good Two"}


def test_it_shows_a_file_of_the_wrong_format_as_a_form_error(superuser_client, aa):
    response = upload(superuser_client, "table.csv", "bmlt", fellowship=aa.pk)
    assert response.status_code == 400
    assert "not a BMLT GetSearchResults response" in response.context["form"].errors["file"][0]
    assert not ImportSource.objects.exists()


def test_it_refuses_the_import_pages_to_anyone_without_the_permission(client, aa):
    url = reverse("admin:groups_importsource_upload")
    assert client.get(url).status_code == 302  # not signed in: the admin's login
    member = User.objects.create_user("member", password="a-long-test-password")
    client.force_login(member)
    assert client.get(url).status_code == 302  # not staff
    staff = User.objects.create_user("staff", password="a-long-test-password", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff, without groups.add_importsource
    with open(SAMPLES / "meeting-guide.json", "rb") as file:
        posted = client.post(url, {"file": file, "format": "meeting-guide", "fellowship": aa.pk})
    assert posted.status_code == 403 and not ImportRun.objects.exists()
    staff.user_permissions.add(Permission.objects.get(codename="add_importsource"))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_it_lists_sources_in_a_constant_number_of_queries(
    superuser_client, aa, django_assert_max_num_queries
):
    # Volunteers come back to this list after every import; it must not query per source.
    for n in range(3):
        ImportSource.objects.create(name=f"feed {n}", format="csv", fellowship=aa)
    url = reverse("admin:groups_importsource_changelist")
    with django_assert_max_num_queries(12) as first:
        assert superuser_client.get(url).status_code == 200
    for n in range(3, 20):
        source = ImportSource.objects.create(name=f"feed {n}", format="csv", fellowship=aa)
        make_meeting(source=source, source_key=f"k{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = superuser_client.get(url)
    assert "feed 19" in response.text


# Round trip -------------------------------------------------------------------------------


def listing():
    """Every listed meeting, field by field, keyed by slug."""
    found = {}
    meetings = Meeting.objects.listed().select_related("fellowship", "group", "location")
    for m in meetings.prefetch_related("types", "languages"):
        place, group = m.location, m.group
        found[m.slug] = {
            "meeting": (m.name, m.fellowship.slug, m.day, m.start_time, m.timezone),
            # A feed always carries an end time: none means the spec's default hour.
            "end": m.effective_end_time,
            "how": (m.attendance, m.status, m.status_reason),
            # Feeds write phones in the spec's characters only (groups.feeds).
            "online": (m.conference_url, dial_string(m.conference_phone), m.conference_notes),
            "notes": m.notes,
            "types": codes(m),
            "languages": codes(m, "languages"),
            "group": (group.name, group.notes) if group else None,
            "place": place
            and (
                place.name,
                place.address,
                place.city,
                place.state,
                place.postal_code,
                place.country,
                place.latitude,
                place.longitude,
                place.approximate,
                place.timezone,
                place.notes,
                place.access_notes,
                [(r.name, r.kind) for r in place.region.ancestors()] if place.region else None,
            ),
        }
    return found


def empty_the_directory():
    Meeting.objects.all().delete()
    Location.objects.all().delete()
    from groups.models import Group

    Group.objects.all().delete()
    while Region.objects.exists():
        Region.objects.filter(children__isnull=True).delete()


# What a feed cannot carry, and so is not compared: inactive meetings (never published), a
# meeting's last-verified date, created and updated times, a group's slug and public contacts
# (the spec has no fields for a group's own e-mail, phone or site); an empty end time comes
# back as the spec's default hour (the same effective end); a venue's zone is its meeting's.
@pytest.mark.parametrize(("fmt", "name"), [("meeting-guide", "demo.json"), ("csv", "demo.csv")])
def test_it_reads_back_an_export_of_the_demo_as_it_was(tmp_path, fmt, name):
    call_command("loaddata", "demo", verbosity=0)
    # A paused online meeting is in no feed or export (groups.feeds): nothing to read back.
    before = {
        slug: fields
        for slug, fields in listing().items()
        if fields["how"][:2] != ("online", "temporarily_closed")
    }
    export = tmp_path / name
    call_command("export_meetings", "--format", fmt, "-o", str(export))
    empty_the_directory()

    # --fellowship is only the default: each entry names its own.
    output = run(export, fmt, "sos")
    assert f"created {len(before)}," in output and "rejected 0" in output
    after = listing()
    assert after.keys() == before.keys()
    for slug, fields in before.items():
        assert after[slug] == fields, slug
    assert Location.objects.count() == len({f["place"][:3] for f in before.values() if f["place"]})
