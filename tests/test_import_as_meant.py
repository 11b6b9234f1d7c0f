"""Real-world patterns of published meeting lists (REFERENCE §1, ../shared/realworld/), each in
a small hand-made sample: the importer stores what the publisher meant, says what it mended, and
agrees with TSML UI's own reading (tests/tsmlui.py)."""

import json

import pytest

from groups.models import ImportRun, Meeting
from tests import tsmlui
from tests.test_import import codes, refused, run

pytestmark = pytest.mark.django_db


def feed(tmp_path, *entries, name="feed.json"):
    path = tmp_path / name
    path.write_text(json.dumps(list(entries)))
    return path


def entry(**fields):
    base = {"name": "Serenity Group", "slug": fields.get("slug", "serenity"), "day": 1}
    return {**base, "time": "19:00", **fields}


def stored(slug) -> Meeting:
    return Meeting.objects.select_related("location").get(source_key=slug)


def agrees_with_tsmlui(entries, zone=""):
    """Every entry's meetings as TSML UI shows them: day, time, zone, attendance, street."""
    for item in entries:
        theirs = tsmlui.read(item, zone)[0]
        meeting = stored(item["slug"])
        attendance = meeting.attendance if meeting.status == "active" else "inactive"
        held = attendance in ("in_person", "hybrid")
        mine = {
            "day": meeting.day,
            "time": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
            "timezone": meeting.timezone,
            "attendance": attendance,
            "street": meeting.location.address if held else "",
        }
        assert mine == theirs, item["slug"]


# Zones


def test_a_feed_with_no_zone_takes_each_meetings_from_its_coordinates_town_or_zip(tmp_path):
    entries = [
        # Coordinates in Philadelphia; a ZIP code in Los Angeles; a town in Alberta; a UK town.
        entry(slug="coords", formatted_address="1 Main St, Woodlyn, PA 19094, USA",
              latitude="39.87", longitude="-75.35"),
        entry(slug="zip", address="5 Elm St", city="Smallplace", postal_code="90012",
              country="US"),
        entry(slug="town", formatted_address="8318 104 St, Edmonton, Alberta, T6E 4E8, Canada"),
        entry(slug="country", address="1 High St", city="Nowhereton", country="United Kingdom"),
    ]  # fmt: skip
    output = run(feed(tmp_path, *entries))
    assert "created 4" in output
    zones = {key: stored(key).timezone for key in ("coords", "zip", "town", "country")}
    assert zones == {
        "coords": "America/New_York",
        "zip": "America/Los_Angeles",
        "town": "America/Edmonton",
        "country": "Europe/London",
    }
    assert "found from: coordinates 1, country 1, postal code 1, town 1" in output
    assert stored("town").location.postal_code == "T6E 4E8"


def test_a_meeting_whose_zone_cannot_be_found_refuses_the_import_unless_one_is_given(tmp_path):
    source = feed(tmp_path, entry(slug="nowhere", address="1 Main St", city="Anytown"))
    err, message = refused(source)
    assert "1 row could not be understood" in message
    assert "entry 0 (Serenity Group): timezone: no time zone" in err
    assert not Meeting.objects.exists()  # never UTC by default
    run(source, "meeting-guide", "aa", "--timezone", "America/Chicago")
    assert stored("nowhere").timezone == "America/Chicago"


def test_coordinates_in_another_country_than_the_address_are_not_believed(tmp_path):
    # A longitude of 0 (a slip) would put this Texas meeting in the Atlantic.
    lubbock = entry(slug="lubbock", address="608 17th Street", city="Lubbock", state="TX",
                    country="USA", latitude=33.58, longitude=0.0)  # fmt: skip
    run(feed(tmp_path, lubbock))
    meeting = stored("lubbock")
    assert meeting.timezone == "America/Chicago"
    assert meeting.location.latitude is None


# Attendance and places as TSML UI reads them


def test_onl_with_a_street_address_and_a_link_is_hybrid_and_keeps_its_address(tmp_path):
    entries = [
        entry(slug="hybrid", types=["O", "ONL"], conference_url="https://zoom.us/j/1",
              formatted_address="14 E Mill Rd, Flourtown, PA 19031, USA",
              latitude="40.1", longitude="-75.2"),
    ]  # fmt: skip
    run(feed(tmp_path, *entries))
    meeting = stored("hybrid")
    assert meeting.attendance == "hybrid"
    assert meeting.location.address == "14 E Mill Rd" and meeting.location.city == "Flourtown"
    assert codes(meeting) == ["O"]  # ONL is not a type a person chooses by
    agrees_with_tsmlui(entries, "America/New_York")


def test_attendance_option_says_how_a_meeting_is_held(tmp_path):
    where = {"formatted_address": "3186 Pullman St, Costa Mesa, CA 92626, USA",
             "latitude": 33.68, "longitude": -117.87}  # fmt: skip
    link = {"conference_url": "https://zoom.us/j/2"}
    entries = [
        entry(slug="in-person", attendance_option="in_person", **where, **link),
        entry(slug="online", attendance_option="online", **where, **link),
        entry(slug="hybrid", attendance_option="hybrid", **where, **link),
        entry(slug="inactive", attendance_option="inactive", **where),
    ]
    run(feed(tmp_path, *entries))
    found = {key: (stored(key).attendance, stored(key).status) for key in
             ("in-person", "online", "hybrid", "inactive")}  # fmt: skip
    assert found == {
        "in-person": ("in_person", "active"),
        "online": ("online", "active"),
        "hybrid": ("hybrid", "active"),
        "inactive": ("in_person", "temporarily_closed"),
    }
    assert stored("online").location.address == ""  # an online meeting's place is a town
    agrees_with_tsmlui(entries, "America/Los_Angeles")


def test_an_approximate_place_is_a_town_online_with_a_link_and_inactive_without(tmp_path):
    entries = [
        entry(slug="online-philly", formatted_address="Philadelphia, PA, USA",
              conference_url="https://zoom.us/j/3"),
        entry(slug="no-link", formatted_address="Chester, PA, USA"),
        entry(slug="zip-part", formatted_address="1 York Rd, Hatboro, PA, 19040, USA",
              latitude=40.17, longitude=-75.1),
    ]  # fmt: skip
    run(feed(tmp_path, *entries))
    online = stored("online-philly")
    assert online.attendance == "online" and online.status == "active"
    place = online.location
    assert (place.address, place.city, place.state, place.country) == (
        "",
        "Philadelphia",
        "PA",
        "USA",
    )
    assert place.approximate
    assert stored("no-link").status == "inactive"  # nowhere to go and no way to join
    zip_place = stored("zip-part").location
    assert (zip_place.city, zip_place.state, zip_place.postal_code) == ("Hatboro", "PA", "19040")
    agrees_with_tsmlui(entries, "America/New_York")


def test_tc_with_a_link_is_an_active_online_meeting_and_tc_alone_is_closed(tmp_path):
    where = {"formatted_address": "9636 CA-9, Ben Lomond, CA 95005, USA",
             "latitude": 37.08, "longitude": -122.08}  # fmt: skip
    entries = [
        entry(slug="moved-online", types=["TC", "ONL", "O"], conference_url="https://zoom.us/j/4",
              **where),
        entry(slug="closed", types=["TC", "O"], **where),
    ]  # fmt: skip
    run(feed(tmp_path, *entries))
    assert (stored("moved-online").attendance, stored("moved-online").status) == (
        "online",
        "active",
    )
    assert stored("closed").status == "temporarily_closed"
    agrees_with_tsmlui(entries, "America/Los_Angeles")


# Spreadsheets: type names, two id columns, line endings, encodings


TEMPLATE_HEADER = "Name,Day,Time,Types,Address,Timezone,Slug,ID,Sub Region,District\n"


def test_tsml_spreadsheets_give_type_names_and_a_post_number_beside_the_slug(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        TEMPLATE_HEADER
        + '"After Work",Monday,6:00 pm,"Open, Wheelchair Access","2634 Union Ave, San Jose, CA '
        '95124, USA",America/Los_Angeles,after-work,1000,West San Jose,\n'
        + '"Closed Step",Tuesday,7:00 pm,"Closed, Temporary Closure, Step Meeting","1 Elm St, '
        'San Jose, CA 95124, USA",America/Los_Angeles,closed-step,1001,,\n'
    )
    output = run(path, "csv")
    assert "created 2" in output and "Unknown type codes" not in output
    after = stored("after-work")  # Slug, not the WordPress post number in ID
    assert after.slug == "after-work" and codes(after) == ["O", "X"]
    assert after.location.region.name == "West San Jose"  # the empty District erases nothing
    closed = stored("closed-step")
    assert codes(closed) == ["C", "ST"] and closed.status == "temporarily_closed"


def test_a_tab_separated_classic_mac_file_in_mac_roman_with_null_and_html(tmp_path):
    row = (
        "7:00 PM\tMonday\tCAF\u00c9 GROUP\tSt. Mary\u2019s\t100 Central Ave, Basement\tNULL\tNY\t"
        "US\tC = Closed Discussion meeting<br>Women\tCross street: 5th Ave<br>Notes: Basement"
    )
    header = "Time\tDay\tName\tLocation\tAddress\tCity\tState\tCountry\tTypes\tNotes"
    lines = [header, row, row]
    path = tmp_path / "export.txt"
    path.write_bytes("\r".join(lines).encode("mac_roman"))
    output = run(path, "csv", "aa", "--timezone", "America/New_York")
    # Two meetings of one group at one time and place, with no id: both kept, told apart.
    assert "created 2" in output
    meetings = list(Meeting.objects.order_by("source_key"))
    assert {m.name for m in meetings} == {"CAFÉ GROUP"}
    place = meetings[0].location
    assert place.name == "St. Mary’s" and place.city == "" and not place.approximate
    # A comma in a street with its own state and country columns is the street's own.
    assert place.address == "100 Central Ave, Basement" and meetings[0].status == "active"
    assert meetings[0].notes == "Cross street: 5th Ave\nNotes: Basement"
    assert codes(meetings[0]) == ["C", "D", "W"]
    assert "html" in output and "Mended (" in output
    # The same file again changes nothing: the numbering is stable.
    assert "created 0, updated 0, unchanged 2" in run(path, "csv", "aa", "--timezone",
                                                       "America/New_York")  # fmt: skip


# Links and phones as people type them, and every mend reported


def test_links_and_phones_are_mended_and_every_mend_is_listed(tmp_path):
    entries = [
        entry(slug="http-zoom", conference_url="http://zoom.us/j/5", formatted_address="Leeds, UK",
              conference_phone="+15873281099,,82900440659#,,#,,M1F3TTRl#"),
        entry(slug="http-other", conference_url="http://meet.example.org/6",
              formatted_address="Leeds, UK", conference_phone="(800) 555-1212"),
    ]  # fmt: skip
    output = run(feed(tmp_path, *entries))
    zoom, other = stored("http-zoom"), stored("http-other")
    assert zoom.conference_url == "https://zoom.us/j/5"
    assert zoom.conference_phone == "+15873281099,,82900440659#,,#"
    assert other.conference_url == "https://meet.example.org/6"
    assert other.conference_phone == "8005551212"
    assert "entry 0: conference_url: http upgraded to https" in output
    assert "entry 1: conference_url: http upgraded to https on meet.example.org: check it" in output
    assert "entry 1: conference_phone: '(800) 555-1212' dialled as '8005551212'" in output
    run_report = ImportRun.objects.get().report
    assert "Mended (link 2, phone 2):" in run_report  # every mend is kept with the run
    assert run_report.count(": conference_") == 4


def test_a_file_with_backslashes_before_letters_is_read_and_says_so(tmp_path):
    path = tmp_path / "feed.json"
    text = json.dumps([entry(slug="escaped", notes="Write to us", formatted_address="Leeds, UK",
                             conference_url="https://zoom.us/j/7")])  # fmt: skip
    path.write_text(text.replace("Write to us", "Write\\n\\group@example.org"))
    output = run(path)
    assert stored("escaped").notes == "Write\ngroup@example.org"
    assert "backslashes before letters" in output


def test_a_row_no_tool_could_read_still_refuses_the_import(tmp_path):
    source = feed(tmp_path, entry(slug="bad", time="25:99", formatted_address="Leeds, UK"))
    err, message = refused(source)
    assert "entry 0 (Serenity Group): time: '25:99' is not a time" in err


# BMLT


def bmlt(tmp_path, formats):
    meeting = {
        "id_bigint": "1", "meeting_name": "Gruppo Donne", "weekday_tinyint": "2",
        "start_time": "19:00:00", "duration_time": "01:30:00", "formats": "D,C",
        "location_street": "Via Roma 1", "location_municipality": "Milano", "venue_type": "1",
        "time_zone": "Europe/Rome", "comments": "Citofono &amp; scala B<br>",
        "location_info": "NULL",
    }  # fmt: skip
    data = {"meetings": [meeting], "formats": formats} if formats is not None else [meeting]
    path = tmp_path / "bmlt.json"
    path.write_text(json.dumps(data))
    return path


def test_bmlt_formats_are_read_by_world_id_not_by_their_keys(tmp_path):
    italian = [
        {"key_string": "D", "name_string": "Donne", "lang": "it", "world_id": "W"},
        {"key_string": "C", "name_string": "Concetti di servizio", "lang": "it", "world_id": ""},
    ]
    output = run(bmlt(tmp_path, italian), "bmlt", "na")
    meeting = stored("1")
    assert codes(meeting) == ["W"]  # Donne is women, not Discussion
    assert "bmlt:C (1)" in output  # no world id: named, not guessed
    assert meeting.notes == "Citofono & scala B" and meeting.location.notes == ""


def test_bmlt_format_keys_without_the_servers_list_are_not_guessed(tmp_path):
    output = run(bmlt(tmp_path, None), "bmlt", "na")
    assert codes(stored("1")) == []
    assert "no format list" in output and "bmlt:D (1)" in output


def test_the_runs_record_keeps_every_mend_and_the_terminal_shows_the_first(tmp_path):
    entries = [
        entry(slug=f"m{n}", conference_url=f"http://zoom.us/j/{n}", formatted_address="Leeds, UK")
        for n in range(25)
    ]
    output = run(feed(tmp_path, *entries))
    assert "… and 5 more" in output
    assert ImportRun.objects.get().report.count("http upgraded to https") == 25


def test_a_nul_character_in_a_feed_refuses_its_row_and_names_the_field(tmp_path):
    source = feed(tmp_path, entry(slug="nul", notes="Room 2\x00", formatted_address="Leeds, UK",
                                  conference_url="https://zoom.us/j/9"))  # fmt: skip
    err, message = refused(source)
    assert "entry 0 (Serenity Group): notes: holds a NUL character" in err
    assert not Meeting.objects.exists()
