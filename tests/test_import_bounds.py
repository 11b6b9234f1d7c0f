"""Imports of files anyone with the import permission can send: what cannot be read is a field
error naming the line and column, or a refusal of the file saying why, never a traceback; and a
workbook that would decompress to gigabytes (a zip bomb) is refused before it is."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups.importing import table
from groups.models import ImportSource, Meeting
from tests.test_import import refused, run

pytestmark = pytest.mark.django_db

HEADER = "Name,Day,Time,Address,City,Timezone,Latitude,Longitude,Notes\n"
GOOD = "Good One,Monday,19:00,1 Dock Street,Leith,Europe/London,55.97,-3.17,\n"


def csv_file(tmp_path, *lines, name="meetings.csv"):
    path = tmp_path / name
    path.write_bytes((HEADER + GOOD + "".join(lines)).encode())
    return path


def test_it_names_the_line_and_column_of_a_nul_byte(tmp_path):
    path = csv_file(tmp_path, "Broken,Tuesday,19:00,2 Dock Street,Leith,Europe/London,,,Tea\0\n")
    report, message = refused(path, "csv")
    assert "1 row could not be understood" in message
    assert "line 3 (Broken): Notes: holds a NUL character" in report
    output = run(path, "csv", "aa", "--skip-invalid")
    assert "created 1" in output and "rejected 1" in output
    assert list(Meeting.objects.values_list("name", flat=True)) == ["Good One"]


@pytest.mark.parametrize(("latitude", "longitude"), [("NaN", "-3.1"), ("55.9", "inf")])
def test_it_refuses_a_position_that_is_not_a_number(tmp_path, latitude, longitude):
    line = f"Nowhere,Tuesday,19:00,2 Dock Street,Leith,Europe/London,{latitude},{longitude},\n"
    report, _ = refused(csv_file(tmp_path, line), "csv")
    column = "Latitude" if latitude == "NaN" else "Longitude"
    bad = latitude if latitude == "NaN" else longitude
    assert f"line 3 (Nowhere): {column}: '{bad}' is not a number." in report
    assert not Meeting.objects.exists()


def test_it_rejects_a_128_kib_cell_as_a_field_error(tmp_path):
    notes = "x" * (128 * 1024)
    path = csv_file(tmp_path, f"Long Notes,Tuesday,19:00,2 Dock Street,Leith,,,,{notes}\n")
    report, _ = refused(path, "csv")
    assert "line 3 (Long Notes): Notes: a cell of 131,072 characters" in report
    assert "at most 32,768" in report


def test_it_refuses_a_file_with_a_cell_over_the_csv_readers_own_limit(tmp_path):
    notes = "x" * (200 * 1024)
    path = csv_file(tmp_path, f"Longer,Tuesday,19:00,2 Dock Street,Leith,,,,{notes}\n")
    _, message = refused(path, "csv")
    assert "Line 3 could not be read" in message and "at most 32,768 characters" in message


def test_it_refuses_a_file_of_more_lines_than_it_reads(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(HEADER + GOOD * (table.MAX_LINES + 1))
    _, message = refused(path, "csv")
    assert "more than 50,000 lines of meetings" in message
    assert not Meeting.objects.exists()


# Workbooks --------------------------------------------------------------------------------


def workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Day", "Time", "Address", "City", "Timezone", "Latitude", "Notes"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(content: bytes, replace: dict[str, bytes] = {}, add: dict[str, bytes] = {}) -> bytes:  # noqa: B006
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as old, zipfile.ZipFile(out, "w") as new:
        for member in old.infolist():
            data = replace.get(member.filename, old.read(member))
            new.writestr(member.filename, data, zipfile.ZIP_DEFLATED)
        for name, data in add.items():
            new.writestr(name, data, zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def save(tmp_path, content: bytes):
    path = tmp_path / "meetings.xlsx"
    path.write_bytes(content)
    return path


BOMB_DTD = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n else "&lol;" * 10}">' for n in range(9))
    + "]>"
)


def test_it_refuses_a_workbook_with_an_xml_entity_bomb(tmp_path):
    content = workbook(["Entity Meeting", "Monday", "19:00", "1 Dock Street", "Leith"])
    # A billion laughs in the workbook's index (read when it opens) and in the sheet (read row
    # by row).
    for member in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        xml = zipfile.ZipFile(io.BytesIO(content)).read(member).decode()
        bombed = BOMB_DTD + xml.split("?>", 1)[-1].replace("Entity Meeting", "&lol8;")
        started = time.monotonic()
        _, message = refused(save(tmp_path, rezip(content, {member: bombed.encode()})), "xlsx")
        assert "declares XML entities" in message, member
        assert time.monotonic() - started < 5
    assert not Meeting.objects.exists()


def test_it_refuses_a_zip_bomb_before_decompressing_it(tmp_path):
    content = workbook(["Bomb", "Monday", "19:00", "1 Dock Street", "Leith"])
    # 64 MiB of spaces inside the sheet: the file itself is about 70 KB.
    padding = b" " * (64 * 1024 * 1024)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    bomb = rezip(content, add={"xl/media/padding.xml": sheet + padding})
    assert len(bomb) < 300_000
    started = time.monotonic()
    _, message = refused(save(tmp_path, bomb), "xlsx")
    assert "refused as a zip bomb" in message and "xl/media/padding.xml" in message
    assert time.monotonic() - started < 2


def test_it_refuses_a_workbook_too_large_once_decompressed(tmp_path):
    content = workbook(["Big", "Monday", "19:00", "1 Dock Street", "Leith"])
    # Each member just under the 1 MiB the ratio is checked from; 101 MiB in all.
    chunks = {f"xl/media/{n}.bin": b"\0" * (1024 * 1024 - 1) for n in range(101)}
    _, message = refused(save(tmp_path, rezip(content, add=chunks)), "xlsx")
    assert "would take 101 MiB once decompressed" in message


def test_it_refuses_a_workbook_of_too_many_files(tmp_path):
    content = workbook(["Many", "Monday", "19:00", "1 Dock Street", "Leith"])
    extra = {f"xl/media/{n}.txt": b"x" for n in range(table.XLSX_MAX_MEMBERS)}
    _, message = refused(save(tmp_path, rezip(content, add=extra)), "xlsx")
    assert "holds 1,0" in message and "files" in message


def test_it_names_the_column_of_a_long_cell_or_a_bad_number_in_a_workbook(tmp_path):
    content = workbook(
        ["Fine", "Monday", "19:00", "1 Dock Street", "Leith", "Europe/London", "55.9"],
        ["Long", "Monday", "19:00", "1 Dock Street", "Leith", "", "", "y" * 100],
        ["Nowhere", "Monday", "19:00", "1 Dock Street", "Leith", "", "NaN"],
    )
    # openpyxl writes at most Excel's 32,767 characters a cell; another program may write more.
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    content = rezip(content, {"xl/worksheets/sheet1.xml": sheet.replace(b"y" * 100, b"y" * 40_000)})
    report, message = refused(save(tmp_path, content), "xlsx")
    assert "2 rows could not be understood" in message
    assert "line 3 (Long): Notes: a cell of 40,000 characters" in report
    assert "line 4 (Nowhere): Latitude: 'NaN' is not a number." in report


def test_it_still_reads_an_ordinary_workbook(tmp_path):
    content = workbook(["Fine", "Monday", "19:00", "1 Dock Street", "Leith", "Europe/London"])
    assert "created 1" in run(save(tmp_path, content), "xlsx")


def test_the_admin_upload_shows_a_zip_bomb_as_a_form_error(client, aa):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "a-long-password"))
    content = workbook(["Bomb", "Monday", "19:00", "1 Dock Street", "Leith"])
    bomb = rezip(content, add={"xl/media/padding.xml": b" " * (16 * 1024 * 1024)})
    response = client.post(
        reverse("admin:groups_importsource_upload"),
        {"file": SimpleUploadedFile("m.xlsx", bomb), "format": "xlsx", "fellowship": aa.pk},
    )
    assert response.status_code == 400
    assert "refused as a zip bomb" in response.context["form"].errors["file"][0]
    assert not ImportSource.objects.exists()
