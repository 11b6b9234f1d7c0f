"""'Need to talk to someone now?' (issue 14): the operator's helplines, shown for the country of
the place searched (or of the viewer's zone), on found and empty results and on the home page."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from groups.models import Helpline, Region
from tests.adminforms import form_data, make_volunteer
from tests.conftest import make_meeting, make_portland_location, make_region

pytestmark = pytest.mark.django_db

HEADING = "Need to talk to someone now?"


def make_helpline(name, country, **fields):
    defaults = {
        "phone": "1-800-662-4357",
        "source_name": "samhsa.gov",
        "source_url": "https://www.samhsa.gov/find-help/helplines/national-helpline",
    }
    return Helpline.objects.create(name=name, country=country, **{**defaults, **fields})


@pytest.fixture
def lines():
    """Two of the United States, one of the United Kingdom, one of Canada."""
    return {
        "samhsa": make_helpline(
            "SAMHSA's National Helpline",
            "US",
            hours="24 hours a day, 365 days a year",
            languages="English and Spanish",
            order=1,
        ),
        "lifeline": make_helpline(
            "988 Suicide & Crisis Lifeline",
            "US",
            phone="988",
            text="988",
            website="https://988lifeline.org/",
            source_name="988lifeline.org",
            source_url="https://988lifeline.org/",
            order=2,
        ),
        "samaritans": make_helpline(
            "Samaritans",
            "GB",
            phone="116 123",
            source_name="samaritans.org",
            source_url="https://www.samaritans.org/how-we-can-help/contact-samaritan/",
        ),
        "canada": make_helpline(
            "9-8-8: Suicide Crisis Helpline",
            "CA",
            phone="988",
            text="988",
            source_name="988.ca",
            source_url="https://988.ca/",
        ),
    }


def block(page) -> str:
    """The helpline block of a page, or "" when it has none."""
    found = re.search(r'<aside class="helplines".*?</aside>', page.text, re.S)
    return found.group(0) if found else ""


def names(page) -> list[str]:
    return re.findall(r"<h3>(.*?)</h3>", block(page).replace("&#x27;", "'").replace("&amp;", "&"))


def test_it_shows_no_block_anywhere_by_default(client):
    make_meeting(location=make_portland_location(), timezone="America/Los_Angeles")
    client.cookies["tz"] = "America/Los_Angeles"
    for url in ("/", "/meetings/", "/meetings/?near=Portland", "/meetings/?near=Edinburgh&day=6"):
        page = client.get(url)
        assert page.status_code == 200
        assert HEADING not in page.text, url


def test_it_shows_the_helplines_of_the_country_searched_near(client, lines):
    make_meeting(location=make_portland_location(), timezone="America/Los_Angeles")
    portland = client.get("/meetings/", {"near": "Portland"})
    assert "Hawthorne Hall" in portland.text
    assert names(portland) == ["SAMHSA's National Helpline", "988 Suicide & Crisis Lifeline"]

    edinburgh = client.get("/meetings/", {"near": "Edinburgh"})
    assert names(edinburgh) == ["Samaritans"]
    toronto = client.get("/meetings/", {"near": "Toronto"})
    assert names(toronto) == ["9-8-8: Suicide Crisis Helpline"]


def test_it_goes_by_the_place_not_the_viewers_zone(client, lines):
    # Someone in London looking for meetings in Portland, for a trip or for a friend there.
    client.cookies["tz"] = "Europe/London"
    assert names(client.get("/meetings/", {"near": "Portland"}))[0] == "SAMHSA's National Helpline"


def test_it_goes_by_the_viewers_zone_with_no_place(client, lines, settings):
    make_meeting()
    assert block(client.get("/meetings/")) == ""  # no zone known: no country, nothing shown

    client.cookies["tz"] = "America/New_York"
    assert names(client.get("/meetings/"))[0] == "SAMHSA's National Helpline"
    assert names(client.get("/meetings/", {"tz": "Europe/London"})) == ["Samaritans"]
    client.cookies["tz"] = "US/Pacific"  # an old alias of the zone database, still sent
    assert names(client.get("/meetings/"))[0] == "SAMHSA's National Helpline"
    client.cookies["tz"] = "Etc/UTC"  # in no country

    settings.DIRECTORY_TIME_ZONE = "America/Toronto"
    assert names(client.get("/meetings/")) == ["9-8-8: Suicide Crisis Helpline"]
    del client.cookies["tz"]
    assert names(client.get("/meetings/")) == ["9-8-8: Suicide Crisis Helpline"]


def test_it_shows_a_regional_helpline_only_inside_its_region(client, lines):
    us = make_region("United States", kind=Region.Kind.COUNTRY, slug="united-states")
    oregon = make_region("Oregon", kind=Region.Kind.STATE, parent=us, slug="oregon")
    portland = make_region("Portland", parent=oregon, slug="portland")
    make_region("New York", kind=Region.Kind.STATE, parent=us, slug="new-york")
    make_meeting(location=make_portland_location(region=portland), timezone="America/Los_Angeles")
    make_helpline("Oregon Line", "US", phone="503-555-0100", region=oregon, order=3)

    inside = [
        {"near": "Portland"},  # a region inside Oregon
        {"near": "Oregon"},
        {"region": "oregon"},
        {"region": "portland", "near": "Portland"},
    ]
    for params in inside:
        shown = names(client.get("/meetings/", params))
        assert "Oregon Line" in shown, params
        assert "SAMHSA's National Helpline" in shown, params

    client.cookies["tz"] = "America/Los_Angeles"
    outside = [{"near": "Brooklyn"}, {"region": "new-york"}, {}, {"near": "Edinburgh"}]
    for params in outside:
        assert "Oregon Line" not in names(client.get("/meetings/", params)), params
    assert names(client.get("/meetings/", {"near": "Brooklyn"})) == [
        "SAMHSA's National Helpline",
        "988 Suicide & Crisis Lifeline",
    ]
    assert "Oregon Line" not in names(client.get("/"))  # the home page knows no region


def test_it_shows_the_block_on_empty_results_and_on_the_home_page(client, lines):
    empty = client.get("/meetings/", {"near": "Portland", "day": "3"})
    assert "No meetings match this search" in empty.text
    assert names(empty)[0] == "SAMHSA's National Helpline"
    # Inside the results, so that it is there when the list refreshes in place.
    assert empty.text.index('id="results"') < empty.text.index(HEADING)

    assert block(client.get("/")) == ""  # no zone known
    client.cookies["tz"] = "Europe/London"
    home = client.get("/")
    assert names(home) == ["Samaritans"]
    assert "116 123" in block(home)


def test_it_links_numbers_that_a_phone_can_dial(client, lines):
    client.cookies["tz"] = "America/Chicago"
    shown = block(client.get("/meetings/"))
    assert 'href="tel:18006624357">1-800-662-4357</a>' in shown
    assert 'href="tel:988">988</a>' in shown
    assert 'href="sms:988">988</a>' in shown
    for href in re.findall(r'href="(?:tel|sms):([^"]*)"', shown):
        assert re.fullmatch(r"[0-9]+", href), href
    assert 'href="https://988lifeline.org/" rel="noreferrer">988lifeline.org</a>' in shown
    assert "24 hours a day, 365 days a year" in shown and "In English and Spanish" in shown


def test_it_names_the_source_beside_each_number(client, lines):
    client.cookies["tz"] = "America/Chicago"
    items = block(client.get("/meetings/")).split('<li class="helpline">')[1:]
    assert len(items) == 2
    for item, line in zip(items, [lines["samhsa"], lines["lifeline"]], strict=True):
        assert (
            f'Number published by <a href="{line.source_url}" rel="noreferrer">'
            f"{line.source_name}</a>"
        ) in item


def test_it_leaves_out_a_helpline_set_inactive(client, lines):
    lines["lifeline"].active = False
    lines["lifeline"].save()
    client.cookies["tz"] = "America/Chicago"
    assert names(client.get("/meetings/")) == ["SAMHSA's National Helpline"]


def test_the_page_cache_forgets_a_change_at_once(client, lines, settings):
    settings.PAGE_CACHE_SECONDS = 60
    client.cookies["tz"] = "America/Chicago"
    for url in ("/", "/meetings/"):
        assert "1-800-662-4357" in block(client.get(url))
    samhsa = lines["samhsa"]
    samhsa.phone = "1-800-487-4889"
    samhsa.save()
    for url in ("/", "/meetings/"):
        assert "1-800-487-4889" in block(client.get(url)), url
    samhsa.delete()
    lines["lifeline"].delete()
    for url in ("/", "/meetings/"):
        assert HEADING not in client.get(url).text, url
    make_helpline("A new line", "US")
    assert names(client.get("/meetings/")) == ["A new line"]


def test_it_answers_a_search_in_the_same_number_of_queries_with_helplines(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # The helplines are read once and kept: a page with them costs no more than one without,
    # however many there are.
    make_meeting(location=make_portland_location(), timezone="America/Los_Angeles")
    params = {"near": "Portland", "day": "1"}
    client.get("/meetings/", params)  # reads the catalogue and the (empty) helplines
    with django_assert_max_num_queries(8) as bare:
        assert HEADING not in client.get("/meetings/", params).text
    count = len(bare.captured_queries)  # read now: the next request empties the log
    make_helpline("SAMHSA's National Helpline", "US")
    with django_assert_max_num_queries(count + 5) as reread:  # others' counts are redone too
        client.get("/meetings/", params)
    # The change is read again, in one query.
    assert sum("groups_helpline" in q["sql"] for q in reread.captured_queries) == 1
    with django_assert_num_queries(count):
        assert names(client.get("/meetings/", params)) == ["SAMHSA's National Helpline"]
    for n in range(10):
        make_helpline(f"Line {n}", "US", region=make_region(f"Area {n}"))
    client.get("/meetings/", params)
    with django_assert_num_queries(count):
        assert len(names(client.get("/meetings/", params))) == 1


# The admin --------------------------------------------------------------------------------


@pytest.fixture
def coordinator():
    client = Client()
    client.force_login(User.objects.create_superuser("chief", "c@example.org", "pw-long-1"))
    return client


NEW = {
    "name": "Samaritans",
    "description": "Someone to listen.",
    "phone": "116 123",
    "hours": "24 hours a day",
    "country": "GB",
    "order": "0",
    "active": "on",
    "source_name": "samaritans.org",
    "source_url": "https://www.samaritans.org/",
}


def test_a_coordinator_adds_and_changes_a_helpline_in_the_admin(coordinator, client):
    added = coordinator.post(reverse("admin:groups_helpline_add"), NEW)
    assert added.status_code == 302, added.context["adminform"].form.errors
    line = Helpline.objects.get()
    assert (line.name, line.country, line.phone) == ("Samaritans", "GB", "116 123")

    url = reverse("admin:groups_helpline_change", args=[line.pk])
    changed = coordinator.post(url, form_data(coordinator.get(url), phone="116 000"))
    assert changed.status_code == 302
    client.cookies["tz"] = "Europe/London"
    assert 'href="tel:116000">116 000</a>' in block(client.get("/"))


def test_the_admin_refuses_a_number_that_cannot_be_dialled_as_written(coordinator):
    spelled = coordinator.post(reverse("admin:groups_helpline_add"), NEW | {"phone": "1-800-HELP"})
    assert "phone" in spelled.context["adminform"].form.errors
    unreachable = coordinator.post(reverse("admin:groups_helpline_add"), NEW | {"phone": ""})
    assert "a way to reach" in str(unreachable.context["adminform"].form.errors)
    nowhere = coordinator.post(reverse("admin:groups_helpline_add"), NEW | {"country": "XX"})
    assert "country" in nowhere.context["adminform"].form.errors
    assert not Helpline.objects.exists()


def test_a_scoped_volunteer_may_not_add_or_change_helplines(lines):
    volunteer = Client()
    volunteer.force_login(make_volunteer("sam", regions=[make_region("Leith")]))
    assert volunteer.get(reverse("admin:groups_helpline_add")).status_code == 403
    assert volunteer.post(reverse("admin:groups_helpline_add"), NEW).status_code == 403
    url = reverse("admin:groups_helpline_change", args=[lines["samaritans"].pk])
    assert volunteer.post(url, NEW | {"phone": "0800 000 000"}).status_code == 403
    lines["samaritans"].refresh_from_db()
    assert lines["samaritans"].phone == "116 123"
    assert Helpline.objects.count() == 4
    assert "Helplines" not in volunteer.get(reverse("admin:index")).text


def test_it_lists_helplines_in_the_admin_in_a_constant_number_of_queries(
    coordinator, lines, django_assert_max_num_queries
):
    # The changelist names each line's region: it must not query per row.
    url = reverse("admin:groups_helpline_changelist")
    with django_assert_max_num_queries(12) as first:
        assert coordinator.get(url).status_code == 200
    for n in range(10):
        make_helpline(f"Line {n}", "US", region=make_region(f"Area {n}"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Line 9" in coordinator.get(url).text
