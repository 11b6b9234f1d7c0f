"""The directory in a real browser: Chromium, driven by Playwright against the live server.

Accessibility (axe-core, WCAG 2.2 A and AA), the search by mouse, by keyboard and without
JavaScript, a narrow phone screen, the time zone the script fills in, and the rule that a page
never asks another site for anything.
"""

import datetime
import os

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from groups.models import Meeting
from tests.conftest import (
    make_group,
    make_location,
    make_meeting,
    make_portland_location,
    make_region,
)

# The fellowships and meeting types are seeded by migrations; a transactional test flushes the
# database afterwards, so the seed is restored for each test (serialized_rollback).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One Chromium for the module; each test opens its own context.

    Playwright's sync API keeps an asyncio loop in this thread, so Django refuses ORM calls made
    here (the factories, and the flush after each test) unless told they are safe: they are, as
    nothing else touches the connection while a test runs. The flag is set only while this
    module's browser is open.

    Starting Playwright also switches this thread to another contextvars context, in which
    Django's `connections` are new objects, without the copy of the migrated database that
    serialized_rollback restores after each flush; they are given that copy.
    """
    seeds = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, seed in seeds.items():
                connections[alias]._test_serialized_contents = seed
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Every page reports what its Content-Security-Policy refused (the securitypolicyviolation
# event, and Chromium's console line for it, which also comes with scripts off).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const text = `${event.effectiveDirective} refused ${event.blockedURI} on ${event.documentURI}`;
  window.__cspViolations.push(text);
  window.__cspViolation(text);
});
"""


@pytest.fixture
def open_page(browser, live_server):
    """open_page(path, **context_options) -> a page at that path, in a fresh browser context.
    A test fails if any page it opened refused anything under its Content-Security-Policy
    (opener.violations lists them)."""
    contexts = []
    violations = []

    def opener(path=None, **options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("timezone_id", "Europe/London")
        options.setdefault("locale", "en-GB")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.expose_function("__cspViolation", lambda text: violations.append(text))
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        if path is not None:
            page.goto(path)
        return page

    opener.violations = violations
    yield opener
    for context in contexts:
        context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def world():
    """A few meetings across fellowships, days and ways of attending."""
    area = make_region("Leith")
    hall = make_location(
        name="St Mary's Hall",
        address="3 Kirkgate",
        city="Edinburgh",
        region=area,
        access_notes="Step-free entrance from the car park.\nAccessible toilet.",
        notes="Buses 16 and 22 stop outside.",
    )
    group = make_group(
        "aa",
        name="Leith Monday Group",
        website="https://leith-aa.example.org/",
        email="leith@example.org",
        phone="+44 131 496 0000",
    )
    return {
        "aa_monday": make_meeting(
            "aa",
            name="Leith Big Book Study",
            slug="leith-big-book",
            group=group,
            location=hall,
            types=("O", "D", "X"),
            notes="Tea from 18:30.",
            last_verified=datetime.date(2025, 1, 6),
        ),
        "aa_monday_online": make_meeting(
            "aa",
            name="Lunchtime Online Share",
            slug="lunchtime-online",
            attendance=Meeting.Attendance.ONLINE,
            start_time=datetime.time(12, 30),
            conference_url="https://meet.example.org/j/98765432101?pwd=averylongpasscodestring",
            conference_phone="+1 646 555 0100,,98765432101#",
            conference_notes="Passcode on request.",
            types=("C", "W"),
        ),
        "aa_tuesday": make_meeting(
            "aa", name="Tuesday Step Meeting", slug="tuesday-step", day=Meeting.Day.TUESDAY
        ),
        "na_monday": make_meeting("na", name="Just for Today", slug="just-for-today"),
        "smart_hybrid": make_meeting(
            "smart-recovery",
            name="SMART Leith Hybrid",
            slug="smart-leith-hybrid",
            attendance=Meeting.Attendance.HYBRID,
            day=Meeting.Day.TUESDAY,
            location=hall,
            status=Meeting.Status.TEMPORARILY_CLOSED,
            status_reason="Hall closed for repairs until March",
        ),
    }


def shown_slugs(page) -> list[str]:
    return page.locator("[data-meeting-slug]").evaluate_all(
        "rows => rows.map(row => row.dataset.meetingSlug)"
    )


def axe_report(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


def axe_violations(page) -> list[dict]:
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


# Accessibility

AXE_PAGES = {
    "home": "/",
    "search": "/meetings/?day=1&attendance=online&fellowship=aa",
    "search-more-options": "/meetings/?q=leith&type=O&status=active&sort=name",
    "search-error": "/meetings/?day=9",
    "meeting-in-person": "/meetings/leith-big-book/",
    "meeting-hybrid-closed": "/meetings/smart-leith-hybrid/",
    "meeting-online": "/meetings/lunchtime-online/",
    "fellowships": "/fellowships/",
    "fellowship": "/fellowships/aa/",
    "referral-form": "/referrals/?fellowship=aa&day=1",
    "referral-sheet": "/referrals/sheet/?fellowship=aa&service=Leith+Clinic&note=Ask+for+Sam",
    "correction": "/meetings/leith-big-book/correction/",
    "new-meeting": "/meetings/new/",
    "search-today-near": "/meetings/?day=today&near=Edinburgh&soon=4",
    "time-zone": "/time-zone/?next=/meetings/",
    "search-empty": "/meetings/?day=3&fellowship=ha&near=Edinburgh",
    "search-words": "/meetings/?q=women",
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_has_no_axe_violations(world, open_page, viewport):
    page = open_page(viewport=viewport, timezone_id="America/Toronto")
    found = []
    for path in AXE_PAGES.values():
        page.goto(path)
        if violations := axe_violations(page):
            found.append(f"{path}\n{axe_report(violations)}")
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)


# Behaviour


def test_it_finds_meetings_with_the_whole_search_form(world, open_page, live_server):
    page = open_page("/meetings/")
    form = page.get_by_role("search", name="Find meetings")
    form.get_by_role("group", name="Fellowship").get_by_label("Alcoholics Anonymous").check()
    form.get_by_role("group", name="Day").get_by_label("Monday").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Find meetings").click()

    assert page.url.startswith(f"{live_server.url}/meetings/?")
    assert sorted(shown_slugs(page)) == ["leith-big-book", "lunchtime-online"]
    assert page.get_by_role("heading", level=2, name="2 meetings").is_visible()
    assert page.locator(".summary").inner_text() == "Alcoholics Anonymous · Monday"
    # The choices stay chosen on the results page, beside the list, to refine the search.
    assert page.get_by_label("Alcoholics Anonymous").is_checked()
    assert page.get_by_label("Monday").is_checked()


def test_it_opens_a_meeting_from_the_results(world, open_page, live_server):
    page = open_page("/meetings/?day=1&fellowship=aa")
    row = page.locator('[data-meeting-slug="leith-big-book"]')
    with page.expect_navigation():
        row.get_by_role("link", name="Leith Big Book Study").click()

    assert page.url == f"{live_server.url}/meetings/leith-big-book/"
    assert page.get_by_role("heading", level=1).inner_text() == "Leith Big Book Study"
    facts = page.locator("dl.facts").inner_text()
    assert "St Mary's Hall" in facts
    assert "Every Monday, 19:00–20:00" in facts
    assert "Wheelchair Access" in facts
    assert page.title().startswith("Leith Big Book Study")


def tab_to(page, selector: str, limit: int = 80):
    """Presses Tab until the focused element matches the selector; returns it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.locator(selector)
    focused = page.evaluate("document.activeElement.outerHTML")
    raise AssertionError(f"{limit} presses of Tab never reached {selector}; focus is on {focused}")


def has_focus_outline(locator) -> bool:
    return locator.evaluate("el => getComputedStyle(el).outlineStyle !== 'none'")


def test_it_searches_with_the_keyboard_alone(world, open_page):
    page = open_page("/meetings/")

    skip = tab_to(page, "a.skip", limit=1)
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link shows when focused"

    tuesday = tab_to(page, 'input[name=day][value="2"]')
    assert has_focus_outline(tuesday)
    page.keyboard.press("Space")
    assert tuesday.is_checked()

    aa = tab_to(page, 'input[name=fellowship][value="aa"]')
    page.keyboard.press("Space")
    assert aa.is_checked()

    submit = tab_to(page, "form.search button[type=submit]")
    assert has_focus_outline(submit)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "day=2" in page.url and "fellowship=aa" in page.url
    assert shown_slugs(page) == ["tuesday-step"]


PHONE_PAGES = [
    "/",
    "/meetings/?day=1",
    "/meetings/?day=9",
    "/meetings/leith-big-book/",
    "/meetings/lunchtime-online/",
    "/fellowships/",
]


def test_it_fits_a_360_pixel_wide_screen(world, open_page):
    page = open_page(viewport=PHONE)
    too_wide = {}
    for path in PHONE_PAGES:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert not too_wide, f"These pages scroll sideways at 360 px (scrollWidth): {too_wide}"


def test_it_searches_without_javascript(world, open_page):
    page = open_page("/meetings/", java_script_enabled=False)
    assert page.locator("p.locate").is_hidden()
    page.get_by_label("Tuesday").check()
    page.get_by_label("SMART Recovery").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Find meetings").click()

    assert shown_slugs(page) == ["smart-leith-hybrid"]
    assert "Temporarily closed" in page.locator(".meeting").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="SMART Leith Hybrid").click()
    assert page.get_by_role("heading", level=1).inner_text() == "SMART Leith Hybrid"


def test_it_asks_no_other_site_for_anything(world, open_page, live_server):
    page = open_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/meetings/")
    page.get_by_label("Monday").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Find meetings").click()
    # Changing a filter on the results page fetches fresh results with the script.
    with page.expect_response(lambda response: "/meetings/?" in response.url):
        page.get_by_label("Online").check()
    for path in (
        "/meetings/leith-big-book/",
        "/meetings/lunchtime-online/",
        "/fellowships/",
        "/fellowships/aa/",
    ):
        page.goto(path)
    page.wait_for_load_state("networkidle")

    assert len(requested) >= 7
    elsewhere = [url for url in requested if not url.startswith(f"{live_server.url}/")]
    assert not elsewhere, f"Requests to other sites: {elsewhere}"


def test_it_shows_times_for_the_browsers_time_zone(world, open_page):
    # A first visit straight to results: made before the server knew the zone, so the script
    # keeps the browser's zone in the cookie and shows the page again on the viewer's clock.
    page = open_page("/meetings/?day=1", timezone_id="America/Toronto")
    page.wait_for_function("() => document.querySelector('.tz-note').dataset.viewerZone !== ''")
    note = page.locator(".tz-note").inner_text()
    assert "Times are in Eastern Time (Toronto), your time zone." in note
    # An online meeting in London shows the viewer's time first, and London's beside it.
    online = page.locator('[data-meeting-slug="lunchtime-online"] .when')
    assert "(12:30 in London)" in online.inner_text()
    assert "07:30" in online.inner_text()

    # The zone is remembered in a cookie, so every page uses it.
    page.goto("/meetings/lunchtime-online/")
    assert (
        "That is 12:30 in London, where the meeting is held."
        in page.locator("dl.facts").inner_text()
    )


def test_a_zone_chosen_by_city_stays_chosen_when_scripts_run(world, open_page):
    page = open_page("/meetings/?day=1", timezone_id="America/Toronto")
    page.get_by_role("link", name="Change time zone").click()
    page.get_by_label("Show times in").select_option("Asia/Tokyo")
    with page.expect_navigation():
        page.get_by_role("button", name="Show times in this zone").click()
    assert page.url.endswith("/meetings/?day=1")
    assert "Japan Time (Tokyo), your time zone" in page.locator(".tz-note").inner_text()
    page.reload()  # the script does not put the browser's zone back over a choice
    assert "Japan Time (Tokyo)" in page.locator(".tz-note").inner_text()


def test_a_shared_link_opened_late_in_portland_without_scripts_gives_portlands_evening(
    open_page,
):
    hall = make_portland_location()
    here = {"timezone": "America/Los_Angeles", "location": hall}
    make_meeting(name="Early Evening", slug="early", start_time=datetime.time(19, 0), **here)
    make_meeting(name="Night Owls", slug="night-owls", start_time=datetime.time(23, 55), **here)
    make_meeting(name="Tuesday Morning", slug="tuesday", day=2, **here)
    # Monday 30 November 2026, 23:43 in Portland: Tuesday 07:43 in UTC.
    with time_machine.travel(datetime.datetime(2026, 12, 1, 7, 43, tzinfo=datetime.UTC)):
        page = open_page(
            "/meetings/?near=Portland&day=today",
            timezone_id="America/Los_Angeles",
            java_script_enabled=False,
        )
        assert shown_slugs(page) == ["night-owls"]
        results = page.locator("#results").inner_text()
    assert "Today 23:55" in results
    assert "Times are in Pacific Time (Los Angeles), the time where Portland is." in results
    assert "UTC" not in results and "your time" not in results


def test_it_refreshes_the_results_as_a_filter_changes(world, open_page):
    page = open_page("/meetings/?day=1")
    assert sorted(shown_slugs(page)) == ["just-for-today", "leith-big-book", "lunchtime-online"]

    with page.expect_response(lambda response: "attendance=online" in response.url):
        page.get_by_label("Online").check()

    status = page.get_by_role("status")
    status.filter(has_text="1 meeting").wait_for()
    assert shown_slugs(page) == ["lunchtime-online"]
    assert "attendance=online" in page.url
    # Only the count is announced: the list itself is not a live region.
    assert page.locator("#results").get_attribute("aria-live") is None


@pytest.mark.parametrize(("paper", "width_mm"), [("a4", 210), ("letter", 216)])
def test_it_prints_the_referral_sheet_without_anything_overflowing(
    world, open_page, paper, width_mm
):
    # The sheet as a browser prints it: print media, the paper's width less its margins.
    page = open_page(viewport={"width": round((width_mm - 20) * 96 / 25.4), "height": 1000})
    page.emulate_media(media="print")
    # Every row of the world, online and temporarily closed ones too (not on a default sheet).
    everything = "online=yes&status=active&status=temporarily_closed"
    page.goto(f"/referrals/sheet/?paper={paper}&service=Leith+Clinic&note=Ask+for+Sam&{everything}")
    assert page.locator("[data-meeting-slug]").count() == len(world)
    assert not page.locator(".screen-only").is_visible()
    overflowing = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const clipped = el => el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflow !== "visible";
            return [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > width + 0.5 || clipped(el))
                .map(el => el.tagName + "." + el.getAttribute("class"));
        }"""
    )
    assert overflowing == []
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    pdf = page.pdf(format="A4" if paper == "a4" else "Letter", print_background=False)
    assert pdf.startswith(b"%PDF")


def test_the_policy_refuses_an_inline_script_and_the_tests_see_it(world, open_page):
    # The meeting page's JSON-LD is a data block: not run, so not refused.
    page = open_page("/meetings/leith-big-book/")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert page.evaluate("window.__cspViolations") == []
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.ran = true"; document.body.append(s); }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert "script-src-elem" in page.evaluate("window.__cspViolations")[0]
    open_page.violations.clear()  # the one this test made on purpose


# Volunteers


def test_it_walks_a_volunteer_from_a_correction_to_the_changed_public_page(
    world, open_page, settings
):
    settings.PAGE_CACHE_SECONDS = 60  # as in production: the fix must show through the cache
    from django.contrib.auth.models import Group as UserGroup
    from django.contrib.auth.models import User

    from groups.models import Fellowship, Volunteer

    # Someone tells the directory that the meeting now starts at 19:30.
    visitor = open_page("/meetings/leith-big-book/")
    assert "19:00" in visitor.locator("main").inner_text()  # and now the page is cached
    visitor.get_by_role("link", name="Suggest a correction").click()
    visitor.get_by_label("Start time").fill("19:30")
    visitor.get_by_label("Anything else the volunteers should know").fill("New time since May.")
    visitor.get_by_role("button", name="Send to the volunteers").click()
    assert visitor.get_by_role("heading", name="Thank you").is_visible()

    user = User.objects.create_user("sam", "sam@example.org", "a-long-test-password")
    user.is_staff = True
    user.save()
    user.groups.add(UserGroup.objects.get(name="volunteers"))
    Volunteer.objects.create(user=user).fellowships.add(Fellowship.objects.get(slug="aa"))

    # A volunteer signs in, finds it in the queue, corrects it to 19:45 and approves.
    admin = open_page("/admin/")
    admin.get_by_label("Username").fill("sam")
    admin.get_by_label("Password").fill("a-long-test-password")
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Change requests").click()
    admin.locator("#result_list").get_by_role("link", name="Some details have changed").click()
    # Only the field that changed is shown; the others are a click away.
    diff = admin.locator("#changed-fields tbody tr")
    expect(diff).to_have_count(1)
    assert "19:30" in diff.inner_text()
    admin.locator("#id_start_time").fill("19:45")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator(".messagelist li")).to_have_count(1)
    expect(admin.locator(".messagelist")).to_contain_text("counts as checked today")

    visitor.goto("/meetings/leith-big-book/")
    assert "19:45" in visitor.locator("main").inner_text()
