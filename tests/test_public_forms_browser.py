"""The public's forms in Chromium: WCAG-clean on a desktop and on a phone, types and languages
ticked by hand, and a time typed on the 12-hour clock (groups.forms)."""

import pytest
from django.urls import reverse

from groups.models import ChangeRequest
from tests import test_browser
from tests.conftest import make_meeting
from tests.test_browser import DESKTOP, PHONE, axe_report, axe_violations

browser, open_page = test_browser.browser, test_browser.open_page

# The fellowships and types are seeded by migrations, restored after each flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def meeting():
    make_meeting(languages=("cy",))  # Welsh is offered: a listed meeting is held in it
    return make_meeting("smart-recovery", name="Leith SMART", slug="leith-smart", types=("O", "D"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_public_forms_have_no_axe_violations(meeting, open_page, viewport):
    page = open_page(viewport=viewport)
    found = []
    for path in (reverse("meeting_correction", args=[meeting.slug]), reverse("meeting_new")):
        page.goto(path)
        if violations := axe_violations(page):
            found.append(f"{path}\n{axe_report(violations)}")
        # Nothing is wider than the screen (a column of checkboxes, a long city name).
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)


def test_it_sends_types_languages_and_a_12_hour_time_ticked_and_typed(meeting, open_page):
    page = open_page(reverse("meeting_correction", args=[meeting.slug]), viewport=PHONE)
    page.get_by_label("Women").check()
    page.get_by_label("Open", exact=True).uncheck()
    page.get_by_label("Welsh").check()
    page.get_by_label("Start time").fill("7:30 pm")
    page.get_by_role("button", name="Send to the volunteers").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert ChangeRequest.objects.get().proposed == {
        "types": "D,W",
        "languages": "cy,en",
        "start_time": "19:30",
    }
