"""The directory in Chromium set to Spanish and to French, as a reader there would meet it: the
browser's language chooses the pages' language, "mujeres" finds the women's meetings, and the
meeting page is in Spanish from its headings to its times; every page is clean under axe in
both languages, on a wide screen and on a phone."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from groups.models import Meeting
from tests import test_browser
from tests.conftest import make_location, make_meeting, make_region
from tests.test_browser import axe_report, axe_violations
from tests.test_every_language import as_parts, words_left

# The Chromium and page fixtures of the browser tests.
browser, open_page = test_browser.browser, test_browser.open_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Monday 30 November 2026, 17:00 in Edinburgh (GMT).
MONDAY_EVENING = datetime.datetime(2026, 11, 30, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def town():
    leith = make_region("Leith")
    hall = make_location(name="St Mary's Hall", address="3 Kirkgate", region=leith)
    return {
        "women": make_meeting(
            name="Leith Monday Women",
            slug="leith-monday-women",
            location=hall,
            start_time=datetime.time(19, 30),
            types=("O", "W", "X"),
        ),
        "other": make_meeting(
            name="Tuesday Step Meeting",
            slug="tuesday-step",
            location=hall,
            day=Meeting.Day.TUESDAY,
            types=("C",),
        ),
        "spanish": make_meeting(
            "smart-recovery",
            name="Reunión en español",
            slug="smart-espanol",
            attendance=Meeting.Attendance.ONLINE,
            start_time=datetime.time(20, 0),
            languages=("es",),
            conference_url="https://meet.example.org/j/123456789",
        ),
    }


def english_of(open_page, path) -> str:
    page = open_page(path, locale="en-GB")
    return as_parts(page.content())


def test_a_spanish_reader_finds_a_womens_meeting_all_in_spanish(town, open_page):
    with time_machine.travel(MONDAY_EVENING):
        page = open_page("/", locale="es-ES")
        # The browser's language chose Spanish, and the address says so for a shared link.
        expect(page).to_have_url(f"{page.url.split('/es/')[0]}/es/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        # The home page's one box, where a place usually goes, takes what the meeting is too.
        search = page.get_by_label("Cerca de")
        search.fill("mujeres")
        page.get_by_role("button", name="Buscar reuniones").click()
        expect(page.get_by_role("link", name="Leith Monday Women")).to_be_visible()
        expect(page.get_by_role("link", name="Tuesday Step Meeting")).to_have_count(0)
        results_left = words_left(
            english_of(open_page, "/meetings/?q=women"), as_parts(page.content()), "es"
        )
        assert not results_left, results_left
        page.get_by_role("link", name="Leith Monday Women").click()
        expect(page).to_have_url(f"{page.url.split('/es/')[0]}/es/meetings/leith-monday-women/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        body = page.locator("main").inner_text()
        assert "Mujeres" in body  # the type, in the spec's Spanish
        assert "Abierta" in body or "abierta" in body
        assert "lunes" in body.casefold() or "hoy" in body.casefold()
        left = words_left(
            english_of(open_page, "/meetings/leith-monday-women/"), as_parts(page.content()), "es"
        )
        assert not left, left


def test_a_french_reader_is_sent_to_the_french_pages_and_can_switch(town, open_page):
    with time_machine.travel(MONDAY_EVENING):
        page = open_page("/meetings/", locale="fr-FR")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        page.get_by_role("link", name="Español", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        # Remembered: the bare address now opens in Spanish, whatever the browser says.
        page.goto("/fellowships/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        page.get_by_role("link", name="English", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "en")


PAGES = [
    "/",
    "/meetings/?q=mujeres",
    "/meetings/?day=9",
    "/meetings/leith-monday-women/",
    "/meetings/smart-espanol/",
    "/meetings/leith-monday-women/correction/",
    "/meetings/new/",
    "/fellowships/",
    "/referrals/",
    "/time-zone/",
]


@pytest.mark.parametrize("code", ["es", "fr"])
@pytest.mark.parametrize("width", [1280, 360])
def test_every_page_is_clean_under_axe_in_each_language(town, open_page, code, width):
    with time_machine.travel(MONDAY_EVENING):
        page = open_page(viewport={"width": width, "height": 844}, locale=code)
        found = []
        for path in PAGES:
            page.goto(f"/{code}{path}")
            expect(page.locator("html")).to_have_attribute("lang", code)
            if violations := axe_violations(page):
                found.append(f"{path}\n{axe_report(violations)}")
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)
