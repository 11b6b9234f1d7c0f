"""The admin's home page is a volunteer's work queue (issue 15): their scope in words, what is
waiting in it, each count a link to exactly those items, then their lists, with the reference
tables apart; filters offer only what is in scope; lists fit narrow screens."""

import pathlib
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.models import ChangeRequest, Fellowship, ImportSource
from tests.adminforms import make_volunteer
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db


def correction(meeting, **fields) -> ChangeRequest:
    """As the public form makes one: with the meeting's fellowship and region."""
    fields.setdefault("report", "changed")
    fields.setdefault("proposed", {"name": "Corrected"})
    return ChangeRequest.objects.create(
        meeting=meeting,
        fellowship_id=meeting.fellowship_id,
        region_id=meeting.location.region_id,
        **fields,
    )


@pytest.fixture
def world(aa):
    na = Fellowship.objects.get(slug="na")
    edinburgh = make_region("Edinburgh", slug="edinburgh")
    leith = make_region("Leith", parent=edinburgh, slug="leith")
    glasgow = make_region("Glasgow", slug="glasgow")
    ada = make_volunteer("ada", fellowships=[aa], regions=[edinburgh])
    ada.user_permissions.add(*Permission.objects.filter(codename__endswith="_importsource"))
    hall = make_location(name="Leith Hall", region=leith)
    far = make_location(name="Glasgow Hall", region=glasgow)
    today = timezone.localdate()
    stale = make_meeting(aa, name="Never checked", location=hall)
    make_meeting(aa, name="Checked lately", location=hall, last_verified=today)
    flagged = make_meeting(
        aa, name="Nobody there", location=hall, last_verified=today, flagged_on=today
    )
    outside = [
        make_meeting(na, name="NA Leith", location=hall, group=make_group(na)),
        make_meeting(aa, name="AA Glasgow", location=far, flagged_on=today),
    ]
    mine = [
        correction(stale),
        correction(flagged, report="nobody_there", proposed={}),
    ]
    correction(stale, decision="rejected", reason="No.")
    for meeting in outside:
        correction(meeting)
    failed = ImportSource.objects.create(
        name="Ada's feed",
        format="meeting-guide",
        fellowship=aa,
        created_by=ada,
        last_outcome="failed",
    )
    ImportSource.objects.create(
        name="Ada's other feed", format="csv", fellowship=aa, created_by=ada, last_outcome="ok"
    )
    ImportSource.objects.create(
        name="Someone's feed", format="csv", fellowship=na, last_outcome="failed"
    )
    client = Client()
    client.force_login(ada)
    chief = Client()
    chief.force_login(User.objects.create_superuser("chief", "c@example.org", "pw-long-12345"))
    return {
        "ada": client,
        "chief": chief,
        "stale": stale,
        "flagged": flagged,
        "outside": outside,
        "corrections": mine,
        "failed": failed,
        "na": na,
        "glasgow": glasgow,
    }


def counts(page) -> dict[str, tuple[int, str]]:
    """The work queue as shown: label -> (count, link)."""
    found = re.findall(r'<li><a href="([^"]+)"><strong>(\d+)</strong> ([^<]+)</a></li>', page.text)
    return {label.strip(): (int(n), url.replace("&amp;", "&")) for url, n, label in found}


def listed(client, url) -> set[int]:
    page = client.get(url)
    assert page.status_code == 200, url
    return {row.pk for row in page.context["cl"].result_list}


def test_it_opens_on_the_volunteers_scope_in_words(world):
    page = world["ada"].get(reverse("admin:index"))
    assert "Your scope: Alcoholics Anonymous in Edinburgh" in page.text


def test_it_counts_what_is_waiting_in_the_scope_and_links_to_exactly_those(world):
    ada = world["ada"]
    shown = counts(ada.get(reverse("admin:index")))
    assert {label: n for label, (n, _) in shown.items()} == {
        "corrections waiting": 2,
        "listings to check": 2,
        "flagged by “nobody was there”": 1,
        "import that failed": 1,
    }
    expected = {
        "corrections waiting": {c.pk for c in world["corrections"]},
        "listings to check": {world["stale"].pk, world["flagged"].pk},
        "flagged by “nobody was there”": {world["flagged"].pk},
        "import that failed": {world["failed"].pk},
    }
    for label, (_, url) in shown.items():
        assert listed(ada, url) == expected[label], label


def test_it_counts_the_whole_directory_for_a_superuser(world):
    chief = world["chief"]
    page = chief.get(reverse("admin:index"))
    assert "Your scope: every listing in the directory" in page.text
    shown = counts(page)
    assert {label: n for label, (n, _) in shown.items()} == {
        "corrections waiting": 4,
        "listings to check": 4,
        "flagged by “nobody was there”": 2,
        "imports that failed": 2,
    }
    for label, (n, url) in shown.items():
        assert len(listed(chief, url)) == n, label


def test_it_tells_someone_with_no_scope_to_ask_for_one(world):
    nobody = make_volunteer("nobody")
    client = Client()
    client.force_login(nobody)
    page = client.get(reverse("admin:index"))
    assert "Your scope: no listings yet (ask a coordinator to give you a scope)" in page.text
    assert counts(page) == {}


def test_it_leaves_out_counts_of_lists_the_volunteer_cannot_open(world, aa):
    bea = make_volunteer("bea", fellowships=[aa])  # no import permission
    client = Client()
    client.force_login(bea)
    shown = counts(client.get(reverse("admin:index")))
    assert "import that failed" not in shown and "imports that failed" not in shown


def test_it_puts_the_reference_tables_in_their_own_section_at_the_bottom(world):
    text = world["ada"].get(reverse("admin:index")).text
    work, _, reference = text.partition('id="reference"')
    assert reference, "no Reference section"
    assert "Reference" in reference
    for name in ["Fellowships", "Regions", "Languages", "Meeting types", "Type vocabularies"]:
        assert f">{name}<" in reference, name
        assert f">{name}<" not in work.split('id="content-main"')[1], name
    for name in ["Meetings", "Change requests", "Listings that need checking"]:
        assert f">{name}<" in work, name
    # Volunteers may only look at them: the section offers "View", never "Add".
    assert 'class="addlink"' not in reference


def test_it_gives_the_index_a_constant_number_of_queries(world, aa, django_assert_num_queries):
    url = reverse("admin:index")
    world["ada"].get(url)  # the catalogue (regions and names) is read once, then kept
    # Why: the counts must stay one query each however many listings and requests there are.
    # Session and user (2), permissions (2), the scope with its fellowships and regions (3),
    # the four counts (4) and the admin's "recent actions" (1).
    with django_assert_num_queries(12):
        world["ada"].get(url)
    hall = make_location(name="Another hall", region=world["stale"].location.region)
    for n in range(5):
        meeting = make_meeting(aa, name=f"More {n}", location=hall)
        correction(meeting)
    with django_assert_num_queries(12):
        page = world["ada"].get(url)
    assert counts(page)["corrections waiting"][0] == 7
    with django_assert_num_queries(7):  # a superuser: no permissions or scope to read
        world["chief"].get(url)


# Filters in scope ---------------------------------------------------------------------------


def choices(client, name, title) -> list[str]:
    """The filter's choices; none when the admin leaves out a filter of a single choice."""
    page = client.get(reverse(f"admin:groups_{name}_changelist"))
    assert page.status_code == 200
    cl = page.context["cl"]
    spec = next((spec for spec in cl.filter_specs if spec.title == title), None)
    if spec is None:
        return []
    shown = [choice["display"] for choice in spec.choices(cl)]
    return [str(name).strip() for name in shown if name not in ("All", "-")]


@pytest.mark.parametrize("name", ["meeting", "needschecking", "changerequest", "group"])
def test_it_offers_only_the_fellowships_in_scope(world, name):
    # With one fellowship in scope there is nothing to choose, and the admin shows no filter.
    assert choices(world["ada"], name, "fellowship") in ([], ["Alcoholics Anonymous"])
    page = world["ada"].get(reverse(f"admin:groups_{name}_changelist"))
    assert "Narcotics Anonymous" not in page.text
    if name != "group":
        shown = choices(world["chief"], name, "fellowship")
        assert {"Alcoholics Anonymous", "Narcotics Anonymous"} <= set(shown)


def test_it_offers_the_fellowships_of_a_scope_of_several(world, aa, smart):
    make_meeting(smart, name="SMART Leith", location=world["stale"].location)
    both = make_volunteer("both", fellowships=[aa, smart])
    client = Client()
    client.force_login(both)
    assert choices(client, "meeting", "fellowship") == ["Alcoholics Anonymous", "SMART Recovery"]


@pytest.mark.parametrize("name", ["meeting", "needschecking", "location"])
def test_it_offers_only_the_regions_in_scope(world, name):
    assert choices(world["ada"], name, "region") == ["Edinburgh", "Leith"]
    assert "Glasgow" in choices(world["chief"], name, "region")


def test_it_offers_every_region_to_a_volunteer_of_a_fellowship_everywhere(world, smart):
    sam = make_volunteer("sam", fellowships=[smart])
    client = Client()
    client.force_login(sam)
    assert choices(client, "meeting", "region") == ["Edinburgh", "Leith", "Glasgow"]


def test_it_filters_the_list_by_an_offered_region(world):
    page = world["ada"].get(reverse("admin:groups_meeting_changelist"), {"region": "leith"})
    names = {m.name for m in page.context["cl"].result_list}
    assert names == {"Never checked", "Checked lately", "Nobody there"}


# Narrow screens -----------------------------------------------------------------------------


def test_it_styles_the_admin_lists_for_narrow_screens(world):
    page = world["ada"].get(reverse("admin:groups_meeting_changelist"))
    assert 'href="/static/css/admin_lists.css"' in page.text
    css = pathlib.Path(finders.find("css/admin_lists.css")).read_text()
    assert "@media (max-width: 767px)" in css and "white-space: normal" in css
