"""The maps in a real browser (Chromium, driven by Playwright): markers and clusters drawn and
usable from the keyboard, the small map on a meeting page, no request to any other site by
default, only the operator's tile server when one is set, and axe clean at two widths.
"""

import http.server
import struct
import threading
import zlib
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from groups.models import Meeting
from tests import test_browser
from tests.conftest import make_location, make_meeting
from tests.test_browser import DESKTOP, PHONE, axe_report, axe_violations, tab_to

# As in tests/test_browser.py: the seed of fellowships and types is restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Its Chromium, its pages that fail a test on any refusal by the Content-Security-Policy, and
# its small world of meetings.
browser = test_browser.browser
open_page = test_browser.open_page
world = test_browser.world

MAP_VIEW = "/meetings/?view=map"


@pytest.fixture
def glasgow(world):
    """A meeting of its own in Glasgow, far enough from Leith's hall (where the world's four
    in-person meetings are) to be a marker of its own."""
    return make_meeting(
        "smart-recovery",
        name="SMART Glasgow Southside",
        slug="smart-glasgow",
        location=make_location(
            name="Southside Centre", city="Glasgow", latitude=55.84, longitude=-4.27
        ),
    )


def drawn(page, selector=".map-search"):
    """Waits until the map's script has drawn its markers. A first visit's results are fetched
    again on the browser's clock (finder.js), with a new map: the network goes quiet first."""
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(f"{selector}[data-map-loaded]")
    return page.locator(selector)


def test_it_draws_clusters_and_markers_that_work_from_the_keyboard(glasgow, open_page, live_server):
    page = open_page(MAP_VIEW)
    map_ = drawn(page)
    assert map_.get_attribute("data-map-loaded") == "5"  # all but the online one
    expect(page.locator("[data-map-status]")).to_have_text("5 meetings on the map.")
    assert page.locator(".map-needs-js").is_hidden()
    # Leith's four meetings are in one place: one numbered circle. Glasgow's is a marker.
    cluster = map_.locator(".map-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_accessible_name("4 meetings here: show them")
    pin = map_.locator('.map-pin[data-meeting-slug="smart-glasgow"]')
    expect(pin).to_be_visible()

    # Tab to the marker, Enter: a popup with the meeting's link, which takes the focus.
    tab_to(page, '.map-pin[data-meeting-slug="smart-glasgow"]', limit=120)
    page.keyboard.press("Enter")
    popup = map_.locator(".leaflet-popup")
    expect(popup).to_contain_text("SMART Glasgow Southside")
    expect(popup).to_contain_text("SMART · In person")
    link = popup.get_by_role("link", name="SMART Glasgow Southside")
    expect(link).to_be_focused()
    # Escape closes it and gives the focus back to the marker.
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(pin).to_be_focused()

    # Enter on the cluster shows its meetings (they share one spot, so they spread out).
    tab_to(page, ".map-cluster", limit=120)
    page.keyboard.press("Enter")
    for slug in ("leith-big-book", "just-for-today", "tuesday-step", "smart-leith-hybrid"):
        expect(map_.locator(f'.map-pin[data-meeting-slug="{slug}"]')).to_be_visible()
    page.locator('.map-pin[data-meeting-slug="leith-big-book"]').click()
    with page.expect_navigation():
        map_.locator(".leaflet-popup").get_by_role("link", name="Leith Big Book Study").click()
    assert page.url == f"{live_server.url}/meetings/leith-big-book/"


def test_it_moves_without_animation_for_those_who_ask_for_less_motion(glasgow, open_page):
    moving = drawn(open_page(MAP_VIEW)).get_attribute("class")
    still = drawn(open_page(MAP_VIEW, reduced_motion="reduce")).get_attribute("class")
    assert "leaflet-fade-anim" in moving
    assert "leaflet-fade-anim" not in still and "leaflet-zoom-anim" not in still


def test_without_javascript_it_sends_people_to_the_list(world, open_page):
    page = open_page(MAP_VIEW, java_script_enabled=False)
    expect(
        page.get_by_text("The map needs JavaScript; the list below has every meeting")
    ).to_be_visible()
    expect(page.locator(".map-search")).to_be_hidden()
    page.get_by_role("link", name="Skip the map and go to the list").click()
    assert page.url.endswith("#list")
    assert page.locator("#list [data-meeting-slug]").count() == 5  # online ones too


def test_it_marks_a_temporarily_closed_meeting(world, open_page):
    page = open_page(f"{MAP_VIEW}&fellowship=smart-recovery")
    map_ = drawn(page)
    pin = map_.locator('.map-pin[data-meeting-slug="smart-leith-hybrid"]')
    expect(pin).to_have_accessible_name("SMART Leith Hybrid (temporarily closed)")
    pin.click()
    expect(map_.locator(".leaflet-popup")).to_contain_text("Temporarily closed")


def test_a_search_of_online_meetings_says_the_map_has_no_place_for_them(world, open_page):
    Meeting.objects.filter(attendance=Meeting.Attendance.HYBRID).delete()
    page = open_page(f"{MAP_VIEW}&attendance=online")
    assert drawn(page).get_attribute("data-map-loaded") == "0"
    expect(page.locator("[data-map-status]")).to_contain_text("online meetings have no place")


def test_a_meeting_page_shows_a_small_map_with_its_place(world, open_page):
    page = open_page()
    # Shown at a town's scale, on the finer outlines.
    with page.expect_response(lambda r: "countries-50m" in r.url and r.ok):
        page.goto("/meetings/leith-big-book/")
    small = drawn(page, ".map-small")
    expect(small.locator(".map-pin")).to_have_count(1)
    expect(small.locator("canvas")).to_have_count(1)  # the outlines of the land
    expect(page.locator(".map-point .map-privacy")).to_contain_text(
        "nothing is loaded from any other site"
    )
    # An online meeting has no place, and no map.
    page.goto("/meetings/lunchtime-online/")
    expect(page.locator(".map")).to_have_count(0)


def test_it_asks_no_other_site_for_anything(glasgow, open_page, live_server):
    page = open_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/meetings/?day=1")
    page.goto(MAP_VIEW)
    drawn(page)
    # Zooming out to the world and back in uses both sets of outlines.
    map_ = page.locator(".map-search")
    for _ in range(8):
        map_.get_by_role("button", name="Zoom out").click()
    for _ in range(6):
        map_.get_by_role("button", name="Zoom in").click()
    page.goto("/meetings/leith-big-book/")
    drawn(page, ".map-small")
    page.wait_for_load_state("networkidle")

    assert any("countries-110m" in url for url in requested)
    assert any("countries-50m" in url for url in requested)
    assert any("/meetings/map.json?" in url for url in requested)
    elsewhere = [url for url in requested if not url.startswith(f"{live_server.url}/")]
    assert not elsewhere, f"Requests to other sites: {elsewhere}"


def png(width=256, height=256) -> bytes:
    """A plain light-grey PNG, for the tile server to answer with."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xdd" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def tile_server():
    """A second real web server on loopback, on a port of its own, answering every path with a
    tile; it records the paths asked for."""
    tile = png()
    asked = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.asked = asked
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_with_a_tile_server_it_asks_only_that_host_and_says_so(
    glasgow, open_page, live_server, settings, tile_server
):
    settings.MAP_TILE_URL = f"{tile_server.origin}/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example Tiles"
    page = open_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(MAP_VIEW)
    drawn(page)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".map-view .map-privacy")).to_contain_text(
        "The map's background comes from 127.0.0.1"
    )
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("© Example Tiles")
    expect(page.locator(".map-search img.leaflet-tile-loaded").first).to_be_visible()
    page.goto("/meetings/leith-big-book/")
    drawn(page, ".map-small")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".map-point .map-privacy")).to_contain_text("127.0.0.1")

    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(live_server.url).netloc, urlsplit(tile_server.origin).netloc}
    assert tile_server.asked and all(path.endswith(".png") for path in tile_server.asked)
    # The tiles are the background: the outlines this site serves are not fetched as well.
    assert not any("countries-" in url for url in requested)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_has_no_axe_violations(glasgow, open_page, viewport):
    page = open_page(viewport=viewport)
    found = []
    for path, selector in (
        (MAP_VIEW, ".map-search"),
        (f"{MAP_VIEW}&attendance=online&day=1", ".map-search"),
        ("/meetings/leith-big-book/", ".map-small"),
        ("/meetings/smart-leith-hybrid/", ".map-small"),
    ):
        page.goto(path)
        drawn(page, selector)
        page.wait_for_load_state("networkidle")
        if violations := axe_violations(page):
            found.append(f"{path}\n{axe_report(violations)}")
    # With a popup open too.
    page.goto(MAP_VIEW)
    drawn(page).locator('.map-pin[data-meeting-slug="smart-glasgow"]').click()
    # Once it has faded in (axe reads the colours as they are drawn).
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    if violations := axe_violations(page):
        found.append(f"{MAP_VIEW} (popup)\n{axe_report(violations)}")
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)


def test_it_fits_a_360_pixel_wide_screen(glasgow, open_page):
    page = open_page(MAP_VIEW, viewport=PHONE)
    drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
