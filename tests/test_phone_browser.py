"""The finder on a 390 × 844 phone in Chromium, with scripts on and off (issue 14): the three
things people come for each take at most four taps from the home page, and the first result is
in view afterwards. Taps are counted: a tap on a field to type in it counts, typing does not.
"""

import datetime
import os
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from groups.models import Meeting
from tests import test_browser
from tests.conftest import make_location, make_meeting, make_region
from tests.test_browser import axe_report, axe_violations

# The Chromium and page fixtures of the browser tests.
browser, open_page = test_browser.browser, test_browser.open_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
# Monday 30 November 2026, 17:00 in Edinburgh (GMT).
MONDAY_EVENING = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)
MOST_TAPS = 4


@pytest.fixture
def town():
    """Edinburgh on a Monday: meetings tonight in person, online ones, a women's meeting and
    a Spanish-language SMART Recovery meeting online, among others that do not match."""
    leith = make_region("Leith")
    hall = make_location(name="St Mary's Hall", address="3 Kirkgate", region=leith)
    far = make_location(
        name="Inverness Hall", city="Inverness", latitude=57.4778, longitude=-4.2247
    )
    meetings = {
        "tonight": make_meeting(
            name="Leith Monday Night",
            slug="leith-monday-night",
            location=hall,
            start_time=datetime.time(19, 30),
        ),
        "tomorrow": make_meeting(
            name="Tuesday Step Meeting",
            slug="tuesday-step",
            location=hall,
            day=Meeting.Day.TUESDAY,
        ),
        "far": make_meeting(name="Highland Group", slug="highland", location=far),
        "online_aa": make_meeting(
            name="Evening Online Share",
            slug="evening-online",
            attendance=Meeting.Attendance.ONLINE,
            start_time=datetime.time(20, 0),
        ),
        "smart_spanish": make_meeting(
            "smart-recovery",
            name="SMART en Español",
            slug="smart-espanol",
            attendance=Meeting.Attendance.ONLINE,
            start_time=datetime.time(21, 0),
            languages=("es",),
        ),
        "smart_english": make_meeting(
            "smart-recovery",
            name="SMART Online Evening",
            slug="smart-english",
            attendance=Meeting.Attendance.ONLINE,
            start_time=datetime.time(18, 30),
        ),
        "women": make_meeting(
            name="Women's Big Book",
            slug="women-big-book",
            location=hall,
            types=("W",),
            day=Meeting.Day.WEDNESDAY,
        ),
    }
    # Enough other meetings that the results are more than a screenful.
    for n in range(12):
        meetings[f"other-{n}"] = make_meeting(
            name=f"Other Meeting {n}",
            slug=f"other-{n}",
            location=hall,
            day=Meeting.Day.THURSDAY,
            start_time=datetime.time(7 + n, 0),
        )
    return meetings


class Taps:
    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator):
        self.count += 1
        locator.tap()


def phone(open_page, scripts: bool):
    return open_page(viewport=PHONE, has_touch=True, is_mobile=True, java_script_enabled=scripts)


def shown_slugs(page) -> list[str]:
    return page.locator("#list [data-meeting-slug]").evaluate_all(
        "rows => rows.map(row => row.dataset.meetingSlug)"
    )


def finish(page, taps):
    with page.expect_navigation():
        taps.tap(page.get_by_role("button", name="Find meetings"))
    assert taps.count <= MOST_TAPS, f"{taps.count} taps"
    first = page.locator("#list [data-meeting-slug]").first
    expect(first).to_be_in_viewport()


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_in_person_tonight_near_a_town_takes_four_taps(town, open_page, scripts):
    with time_machine.travel(MONDAY_EVENING):
        page = phone(open_page, scripts)
        page.goto("/")
        taps = Taps(page)
        near = page.get_by_label("Near")
        taps.tap(near)
        page.keyboard.type("Edinburgh")
        taps.tap(page.get_by_role("group", name="When").get_by_label("Today"))
        taps.tap(page.get_by_role("group", name="How").get_by_label("In person"))
        finish(page, taps)
        shown = shown_slugs(page)
    assert shown[0] == "leith-monday-night"
    assert "highland" not in shown and "evening-online" not in shown
    assert "tuesday-step" not in shown


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_online_smart_recovery_in_spanish_takes_four_taps(town, open_page, scripts):
    with time_machine.travel(MONDAY_EVENING):
        page = phone(open_page, scripts)
        page.goto("/")
        taps = Taps(page)
        taps.tap(page.get_by_role("group", name="How").get_by_label("Online"))
        taps.tap(page.get_by_role("group", name="Fellowship").get_by_label("SMART Recovery"))
        taps.tap(page.get_by_role("group", name="Language").get_by_label("Español (Spanish)"))
        finish(page, taps)
        assert shown_slugs(page) == ["smart-espanol"]


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_womens_meeting_takes_two_taps(town, open_page, scripts):
    with time_machine.travel(MONDAY_EVENING):
        page = phone(open_page, scripts)
        page.goto("/")
        taps = Taps(page)
        taps.tap(page.get_by_role("group", name="Who it is for").get_by_label("Women"))
        finish(page, taps)
        assert shown_slugs(page) == ["women-big-book"]
        assert taps.count == 2


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_the_search_form_opens_on_demand_above_the_results(town, open_page, scripts):
    with time_machine.travel(MONDAY_EVENING):
        page = phone(open_page, scripts)
        page.goto("/meetings/?fellowship=aa&near=Edinburgh")
        form = page.get_by_role("search", name="Find meetings")
        expect(form).to_be_hidden()
        expect(page.locator("#list [data-meeting-slug]").first).to_be_in_viewport()
        page.get_by_text("Change the search").tap()
        expect(form).to_be_visible()
        assert form.get_by_label("Alcoholics Anonymous").is_checked()
        # Sending it again lands on the results, with the form closed.
        form.get_by_label("Online").check()
        with page.expect_navigation():
            form.get_by_role("button", name="Find meetings").click()
        expect(page.get_by_role("search", name="Find meetings")).to_be_hidden()
        expect(page.locator("#list [data-meeting-slug]").first).to_be_in_viewport()


def test_the_form_stays_beside_the_list_on_a_wide_screen_without_scripts(town, open_page):
    page = open_page(java_script_enabled=False)
    page.goto("/meetings/?fellowship=aa")
    expect(page.get_by_role("search", name="Find meetings")).to_be_visible()
    expect(page.get_by_text("Change the search")).to_be_hidden()
    form_box = page.get_by_role("search", name="Find meetings").bounding_box()
    list_box = page.locator("#results").bounding_box()
    assert form_box["x"] + form_box["width"] <= list_box["x"]


def test_use_my_location_says_what_it_is_doing_and_what_it_found(town, open_page, live_server):
    page = open_page(
        viewport=PHONE,
        has_touch=True,
        geolocation={"latitude": 55.9756, "longitude": -3.1694, "accuracy": 30},
        permissions=["geolocation"],
    )
    page.goto("/")
    button = page.get_by_role("button", name="Use my location")
    with page.expect_navigation():
        button.tap()
    assert "lat=55.9756" in page.url and "lng=-3.1694" in page.url
    assert "near your location" in page.get_by_role("heading", level=2).inner_text()


def test_the_share_button_copies_the_link_where_the_phone_cannot_share(town, open_page):
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto("/meetings/leith-monday-night/")
    share = page.get_by_role("button", name="Share this meeting")
    expect(share).to_be_visible()
    if page.evaluate("() => !!navigator.share"):
        pytest.skip("this Chromium has the Web Share API: the share sheet opens instead")
    share.click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()").endswith(
        "/meetings/leith-monday-night/"
    )


PHONE_PAGES = {
    "home": "/",
    "results": "/meetings/?day=today&attendance=in_person&near=Edinburgh",
    "no-results": "/meetings/?day=3&fellowship=ha&near=Edinburgh",
    "hard-hour": "/meetings/?near=Glasgow&attendance=in_person&day=today",
    "meeting": "/meetings/leith-monday-night/",
    "fellowships": "/fellowships/",
}


@pytest.mark.parametrize("width", [1280, 360])
def test_the_phone_finders_pages_have_no_axe_violations(town, open_page, width):
    with time_machine.travel(MONDAY_EVENING):
        page = open_page(viewport={"width": width, "height": 844})
        found = []
        for path in PHONE_PAGES.values():
            page.goto(path)
            if path == PHONE_PAGES["hard-hour"]:  # nothing in person near Glasgow tonight
                expect(page.locator("#hard-hour")).to_be_visible()
            if violations := axe_violations(page):
                found.append(f"{path}\n{axe_report(violations)}")
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)


def test_no_phone_page_is_wider_than_the_phone(town, open_page):
    """And, with SCREENSHOTS=<dir>, pictures of each page for docs/ (docs/phone.md)."""
    folder = os.environ.get("SCREENSHOTS")
    with time_machine.travel(MONDAY_EVENING):
        page = phone(open_page, True)
        for name, path in PHONE_PAGES.items():
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide"
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{folder}/{name}.png", full_page=False)
