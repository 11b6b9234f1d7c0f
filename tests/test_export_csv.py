"""export_meetings and the admin's "Export selected meetings as CSV": the Meeting Guide table
format, written from the same entries as the feed."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from groups.importing.table import HEADERS, cells
from tests.conftest import (
    make_group,
    make_location,
    make_meeting,
    make_portland_location,
    make_region,
)

pytestmark = pytest.mark.django_db


def export(*options) -> str:
    out = io.StringIO()
    call_command("export_meetings", *options, stdout=out)
    return out.getvalue()


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_it_writes_the_table_format_one_line_per_listed_meeting():
    scotland = make_region("Scotland", kind="state", slug="scotland")
    leith = make_region("Leith", parent=scotland, slug="leith")
    group = make_group(name="Leith Serenity Group", notes="Business meeting monthly.")
    make_meeting(
        name="Leith Serenity",
        slug="leith-serenity",
        group=group,
        types=("C", "X"),
        status="temporarily_closed",
        location=make_location(region=leith),
        notes="Ring the bell.",
    )
    make_meeting(attendance="online", slug="online", conference_phone="+44 1632 960001")
    make_meeting(status="inactive", slug="gone")
    text = export("--format", "csv")
    assert text.splitlines()[0].split(",")[:12] == [
        "ID",
        "Name",
        "Day",
        "Time",
        "End Time",
        "Location",
        "Address",
        "City",
        "State",
        "Postal Code",
        "Country",
        "Types",
    ]
    rows = {row["ID"]: row for row in table(text)}
    assert set(rows) == {"leith-serenity", "online"}  # inactive meetings are not published
    row = rows["leith-serenity"]
    assert (row["Name"], row["Day"], row["Time"], row["End Time"]) == (
        "Leith Serenity",
        "Monday",
        "19:00",
        "20:00",
    )
    assert row["Types"] == "C, TC, X"  # spec codes, TC for temporarily closed
    assert (row["Address"], row["City"], row["Postal Code"]) == (
        "12 Example Street",
        "Edinburgh",
        "EH6 6AA",
    )
    assert (row["Region"], row["Sub Region"]) == ("Scotland", "Leith")
    assert (row["Group"], row["Group Notes"]) == (
        "Leith Serenity Group",
        "Business meeting monthly.",
    )
    assert (row["Latitude"], row["Longitude"], row["Approximate"]) == ("55.9756", "-3.1694", "no")
    assert (row["Timezone"], row["Fellowship"], row["Notes"]) == (
        "Europe/London",
        "aa",
        "Ring the bell.",
    )
    assert rows["online"]["Conference Phone"] == "+441632960001"  # the spec's characters only
    assert rows["online"]["Attendance"] == "online"


def test_it_agrees_with_the_feed_line_for_line(client):
    for n in range(3):
        make_meeting(
            types=("O", "D"), group=make_group(), attendance="hybrid" if n else "in_person"
        )
    feed = json.loads(b"".join(client.get("/feeds/meeting-guide.json").streaming_content))
    text = export("--format", "csv", "--site-url", "http://testserver")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines == [HEADERS, *(cells(entry) for entry in feed)]


def test_it_never_exports_private_contacts():
    group = make_group(
        private_contact_name="Sam R.",
        private_contact_email="sam@example.org",
        private_contact_phone="07700 900123",
        private_notes="Key safe code 1234",
    )
    make_meeting(group=group)
    for fmt in ("csv", "meeting-guide"):
        text = export("--format", fmt)
        assert group.name in text
        for secret in ("Sam R.", "sam@example.org", "07700 900123", "Key safe"):
            assert secret not in text


def test_it_exports_one_fellowship_to_a_file(tmp_path):
    make_meeting("aa", slug="aa-one")
    make_meeting("na", slug="na-one")
    path = tmp_path / "na.json"
    export("--fellowship", "na", "-o", str(path))
    assert [entry["slug"] for entry in json.loads(path.read_text())] == ["na-one"]
    with pytest.raises(CommandError, match="No fellowship"):
        export("--fellowship", "nope")


def test_it_exports_the_meetings_selected_in_the_admin(client):
    admin = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    client.force_login(admin)
    chosen, other = make_meeting(slug="chosen"), make_meeting(slug="other")
    response = client.post(
        reverse("admin:groups_meeting_changelist"),
        {"action": "export_meetings_csv", "_selected_action": [chosen.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="meetings.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffID,Name,Day")  # the byte order mark lets Excel read UTF-8
    assert [row["ID"] for row in table(text)] == ["chosen"]
    # The action is the meetings' own, not offered on other lists.
    page = client.get(reverse("admin:groups_group_changelist"))
    assert "export_meetings_csv" not in page.text
    assert other.slug not in text


def test_it_keeps_the_feeds_rules_for_phones_and_online_meetings_places():
    make_meeting(
        attendance="online",
        location=make_portland_location(),
        conference_url="",
        conference_phone="+1 (503) 555-0100,,123#",
        slug="online",
    )
    make_meeting(attendance="online", status="temporarily_closed", slug="paused-online")
    make_meeting(status="temporarily_closed", slug="room-closed")
    rows = {row["ID"]: row for row in table(export("--format", "csv"))}
    assert set(rows) == {"online", "room-closed"}  # a paused online meeting is not published
    online = rows["online"]
    # A leading + before more than digits would start a formula (groups.importing.table).
    assert online["Conference Phone"] == "'+15035550100,,123#"
    assert (online["City"], online["State"], online["Country"], online["Approximate"]) == (
        "Portland",
        "OR",
        "United States",
        "yes",
    )
    assert online["Address"] == "" and "Hawthorne Blvd" not in ",".join(online.values())
    assert rows["room-closed"]["Conference URL"] == ""


def test_it_names_the_site_it_is_exported_for():
    make_meeting(slug="one")
    (entry,) = json.loads(export("--site-url", "https://meetings.example.org"))
    assert entry["entity_website_url"] == "https://meetings.example.org/"
    assert entry["url"] == "https://meetings.example.org/meetings/one/"


def test_it_writes_no_cell_a_spreadsheet_would_run_as_a_formula(tmp_path):
    make_meeting(
        name='=HYPERLINK("https://evil.example/","Click")',
        slug="formula",
        notes="@SUM(A1:A9)",
        attendance="hybrid",
        conference_phone="+44 131 496 0000",
    )
    text = export("--format", "csv")
    [row] = table(text)
    assert row["Name"] == '\'=HYPERLINK("https://evil.example/","Click")'
    assert row["Notes"] == "'@SUM(A1:A9)"
    # Plain numbers are left as they are (a spreadsheet reads them as numbers, runs nothing).
    assert row["Conference Phone"] == "+441314960000"
    assert row["Longitude"] == "-3.1694"
    # Read back, the apostrophes are gone: the round trip is exact.
    path = tmp_path / "export.csv"
    path.write_text(text)
    from groups.models import Meeting

    Meeting.objects.all().delete()
    call_command("import_meetings", str(path), "--format", "csv", "--fellowship", "aa",
                 stdout=io.StringIO())  # fmt: skip
    back = Meeting.objects.get()
    assert back.name.startswith("=HYPERLINK") and back.notes == "@SUM(A1:A9)"
    assert back.conference_phone == "+441314960000"
