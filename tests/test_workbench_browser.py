"""The volunteer's workbench in Chromium: sign in with the demo password, find the corrections
waiting, approve a venue's new name for every meeting there, and see it on the public pages."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from groups.models import ChangeRequest
from tests import test_browser

browser, open_page = test_browser.browser, test_browser.open_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_it_approves_a_venue_change_for_every_meeting_there(open_page, settings):
    settings.DEBUG = True  # the demo's accounts exist, and sign in, only in development
    call_command("load_demo", verbosity=0)
    change = ChangeRequest.objects.get(proposed__has_key="location_name")
    venue = change.meeting.location
    neighbours = list(venue.meetings.all())
    assert len(neighbours) > 1
    new_name = change.proposed["location_name"]

    page = open_page("/admin/login/")
    page.get_by_label("Username").fill("aa-edinburgh")
    page.get_by_label("Password").fill("demo-volunteer-2026")
    page.get_by_role("button", name="Log in").click()
    waiting = page.get_by_role("link", name=re.compile(r"2 corrections waiting"))
    expect(waiting).to_be_visible()
    waiting.click()

    row = page.locator("#result_list tbody tr", has_text="venue name")
    expect(row).to_contain_text(venue.city or venue.name)  # the meeting's place, to tell it apart
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/changerequest/{change.pk}/change/"))
    expect(page.locator("#changed-fields")).to_contain_text(new_name)
    page.get_by_label(re.compile(rf"All {len(neighbours)} meetings at this venue")).check()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist li")).to_have_count(1)
    expect(page.locator(".messagelist")).to_contain_text("Approved")

    for meeting in neighbours:
        page.goto(meeting.get_absolute_url())
        expect(page.locator("main")).to_contain_text(new_name)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_volunteers_lists_fit_a_laptop_and_a_phone(open_page, settings, width):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    page = open_page("/admin/login/", viewport={"width": width, "height": 844})
    page.get_by_label("Username").fill("aa-edinburgh")
    page.get_by_label("Password").fill("demo-volunteer-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Your scope: Alcoholics Anonymous in Edinburgh")).to_be_visible()
    for path in (
        "/admin/groups/meeting/",
        "/admin/groups/needschecking/",
        "/admin/groups/changerequest/",
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{path} is {overflow} px wide at {width} px"
        if width == 1280:
            # Every column header is on the screen, "Last verified" included.
            right = page.locator("#result_list thead th").evaluate_all(
                "cells => Math.max(...cells.map(c => c.getBoundingClientRect().right))"
            )
            assert right <= width, f"{path}: a column ends at {right} px"
