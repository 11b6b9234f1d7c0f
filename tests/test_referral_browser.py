"""A clinic in Leith prints a referral sheet in Chromium, with the defaults, and downloads its PDF:
the sheet, the PDF's text and its QR codes agree. The form and its preview are axe clean."""

import datetime
import re

import pytest

from groups.models import Meeting
from tests import test_browser
from tests.conftest import make_location, make_meeting, make_region
from tests.test_browser import DESKTOP, PHONE, axe_report, axe_violations, shown_slugs
from tests.test_referrals import GLASGOW, qr_codes_in, text_of

browser, open_page = test_browser.browser, test_browser.open_page

# As in tests/test_browser.py: the seeded fellowships are restored after each flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def leith():
    area = make_region("Leith")
    hall = make_location(name="Kirkgate Hall", address="12 Kirkgate", region=area)
    return {
        "aa": make_meeting(
            "aa", name="Leith Serenity AA", slug="leith-serenity", location=hall, types=("O",)
        ),
        "hybrid": make_meeting(
            "smart-recovery",
            name="SMART Leith Hybrid",
            slug="smart-leith-hybrid",
            location=hall,
            attendance=Meeting.Attendance.HYBRID,
            day=Meeting.Day.TUESDAY,
            start_time=datetime.time(18, 30),
            conference_url="https://meet.example.org/j/98765432101",
            conference_phone="+16465550100,,98765432101#",
        ),
        "naranon": make_meeting(
            "nar-anon", name="Leith Nar-Anon", slug="leith-nar-anon", location=hall, day=4
        ),
        "closed": make_meeting(
            "na",
            name="Leith Just for Today",
            slug="leith-jft",
            location=hall,
            status=Meeting.Status.TEMPORARILY_CLOSED,
            status_reason="Hall closed for repairs",
        ),
        "glasgow": make_meeting(
            "aa",
            name="Glasgow Central AA",
            slug="glasgow-central",
            location=make_location(**GLASGOW),
        ),
        "online": make_meeting(
            "aa",
            name="Manhattan Online Share",
            slug="manhattan-online",
            attendance=Meeting.Attendance.ONLINE,
            timezone="America/New_York",
            start_time=datetime.time(20, 0),
            conference_url="https://meet.example.org/manhattan",
        ),
    }


NEAR_LEITH = {"leith-serenity", "smart-leith-hybrid", "leith-nar-anon"}


def test_it_prints_a_sheet_for_leith_with_the_defaults_and_a_pdf_that_agrees(
    leith, open_page, tmp_path
):
    # A browser in Toronto: the sheet is still in the time of Leith, the service's place.
    page = open_page("/referrals/", timezone_id="America/Toronto", locale="en-CA")
    page.get_by_label("Your service's name").fill("Leith Clinic")
    page.locator("#id_near").fill("Leith")
    page.get_by_role("button", name="Preview the list").click()
    page.get_by_role("heading", name="3 meetings on the sheet").wait_for()
    previewed = page.locator("[data-preview-slug]").evaluate_all(
        "rows => rows.map(row => row.dataset.previewSlug)"
    )
    assert set(previewed) == NEAR_LEITH

    page.get_by_role("button", name="Open the printable list").click()
    page.get_by_role("heading", name="Leith Clinic: mutual aid meetings").wait_for()
    assert set(shown_slugs(page)) == NEAR_LEITH  # none online, closed or in Glasgow
    assert "the time in Leith" in page.locator("p.zone").inner_text()
    hybrid = page.locator('[data-meeting-slug="smart-leith-hybrid"]').inner_text()
    assert "18:30" in hybrid  # 13:30 in Toronto
    assert "+1 646 555 0100, then meeting ID 987 6543 2101 #" in hybrid
    assert (
        "For family and friends"
        in page.locator('[data-meeting-slug="leith-nar-anon"]').inner_text()
    )

    # The live link sits beside its QR code, not around or under it.
    check = page.locator("section.check")
    words, code = check.locator(".words").bounding_box(), check.locator(".qr").bounding_box()
    assert words["x"] + words["width"] <= code["x"]
    assert (
        words["y"] >= code["y"] - 1
        and words["y"] + words["height"] <= code["y"] + code["height"] + 1
    )
    live = re.search(r"https?://\S+", check.locator(".words").inner_text()).group(0)
    assert live.endswith("/meetings/?near=Leith&sort=time&attendance=in_person&status=active")

    with page.expect_download() as download:
        page.get_by_role("link", name="download it as a PDF").click()
    assert re.fullmatch(r"meetings-leith-\d{4}-\d\d-\d\d\.pdf", download.value.suggested_filename)
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    pdf = path.read_bytes()
    text = text_of(pdf)
    for meeting in leith.values():
        assert (meeting.slug in NEAR_LEITH) == (meeting.name in text), meeting.name
    assert "+1 646 555 0100, then meeting ID 987 6543 2101 #" in text
    assert "18:30" in text
    assert qr_codes_in(pdf) == {live, "https://meet.example.org/j/98765432101"}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_sheet_form_and_its_preview_have_no_axe_violations(leith, open_page, viewport):
    page = open_page(viewport=viewport)
    found = []
    for path in (
        "/referrals/",
        "/referrals/?near=Leith&preview=1",
        "/referrals/?near=Leith&preview=1&drop=leith-serenity&online=yes",
        "/referrals/sheet/?near=Leith&service=Leith+Clinic",
    ):
        page.goto(path)
        if violations := axe_violations(page):
            found.append(f"{path}\n{axe_report(violations)}")
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)
    # Nothing sticks out of a phone's screen.
    page.goto("/referrals/?near=Leith&preview=1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
