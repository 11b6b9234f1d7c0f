"""/fellowships/: the fellowships side by side (one card each), how many meet near a place, each
one's page with its facts and meetings, and Open/Closed in each fellowship's own words."""

import html
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.template import Context, Template
from django.urls import reverse

from groups.models import Fellowship, Meeting, MeetingType
from tests import test_browser
from tests.conftest import (
    ROW_BUILDING_QUERIES,
    ZONES_QUERY,
    make_location,
    make_meeting,
    make_portland_location,
)
from tests.test_browser import axe_report, axe_violations

# The browser tests' fixtures: one Chromium for the module, and a fresh context per page.
browser = test_browser.browser
open_page = test_browser.open_page

pytestmark = pytest.mark.django_db

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def cards(text: str) -> dict[str, str]:
    """Each fellowship's card on the page, by slug."""
    found = re.findall(r'<li class="fellowship-card" id="([^"]+)"(.*?)</li>', text, re.S)
    return dict(found)


def words(fragment: str) -> str:
    """What a reader sees of some HTML: tags dropped, entities and spaces as read."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def facts_of(fellowship: Fellowship) -> list[str]:
    """Every fact the directory holds about a fellowship, as a reader should see it."""
    facts = [
        fellowship.focus,
        "Twelve Step" if fellowship.twelve_step else "Not a Twelve Step programme",
        fellowship.get_spirituality_display(),
        "Commonly used" if fellowship.uses_labels else "Not used",
        fellowship.goal,
        fellowship.get_led_by_display() if fellowship.led_by else "",
        fellowship.family_groups,
        fellowship.first_meeting,
        fellowship.open_meaning,
        fellowship.closed_meaning,
    ]
    if fellowship.faith:
        facts.append(f"({fellowship.faith})")
    return [fact for fact in facts if fact]


# The comparison


def test_it_compares_every_fellowship_in_alphabetical_order(client):
    text = client.get("/fellowships/").text
    names = list(Fellowship.objects.order_by("name").values_list("name", flat=True))
    shown = re.findall(r'<h2 id="h-[^"]+"><a href="/fellowships/[^"]+/">([^<]+)</a>', text)
    assert [html.unescape(name) for name in shown] == names


def test_it_no_longer_asks_the_reader_to_scroll_a_table_sideways(client):
    text = client.get("/fellowships/").text
    assert "scroll it sideways" not in text
    assert "<table" not in text


def test_it_states_the_facts_a_person_chooses_by(client):
    card = {
        slug: words(fragment) for slug, fragment in cards(client.get("/fellowships/").text).items()
    }
    assert "Approach Not a Twelve Step programme; evidence-based tools" in card["smart-recovery"]
    assert "Belief Secular" in card["smart-recovery"]
    assert "Labels such as “addict” Not used" in card["smart-recovery"]
    assert "Belief Faith-based (Christian)" in card["celebrate-recovery"]
    assert "For Substance use and other life challenges; women" in card["she-recovers"]
    assert "SMART’s own website" in card["smart-recovery"]


def test_it_no_longer_says_refuge_recovery_believes_in_a_higher_power(client):
    card = words(cards(client.get("/fellowships/").text)["refuge-recovery"])
    page = words(client.get("/fellowships/refuge-recovery/").text)
    for text in (card, page):
        assert "higher power" not in text.lower()
        assert "Belief Open to any belief or none (Buddhist-inspired)" in text
    # …in agreement with its own description.
    assert "no belief in a god is asked of anyone" in card


def test_it_says_sos_members_commonly_use_labels_as_its_guidelines_do(client):
    card = words(cards(client.get("/fellowships/").text)["sos"])
    assert "Labels such as “addict” Commonly used" in card


def test_it_says_the_goal_and_who_leads_for_every_fellowship_that_has_them(client):
    card = {
        slug: words(fragment) for slug, fragment in cards(client.get("/fellowships/").text).items()
    }
    with_goal = with_leaders = 0
    for fellowship in Fellowship.objects.all():
        if fellowship.goal:
            with_goal += 1
            assert f"Goal {fellowship.goal}" in card[fellowship.slug]
        if fellowship.led_by:
            with_leaders += 1
            leads = f"Who leads meetings {fellowship.get_led_by_display()}"
            assert leads in card[fellowship.slug]
    # Every seeded fellowship has both (migration 0014).
    assert with_goal == with_leaders == 12
    assert "Goal Abstinence from alcohol" in card["aa"]
    assert "Goal Abstinence-oriented: each person sets their own goal" in card["smart-recovery"]
    assert "Who leads meetings Trained volunteer facilitators" in card["smart-recovery"]
    assert "Who leads meetings Members, in turn (peers)" in card["na"]
    assert "Who leads meetings Trained volunteer leaders" in card["celebrate-recovery"]


def test_it_shows_every_fact_of_every_fellowship_in_its_card_and_on_its_page(client):
    card = {
        slug: words(fragment) for slug, fragment in cards(client.get("/fellowships/").text).items()
    }
    for fellowship in Fellowship.objects.all():
        page = words(client.get(fellowship.get_absolute_url()).text)
        for fact in facts_of(fellowship):
            assert fact in card[fellowship.slug], (fellowship.slug, fact)
            assert fact in page, (fellowship.slug, fact)


def test_it_explains_open_and_closed_only_where_they_are_the_fellowships_practice(client):
    card = {
        slug: words(fragment) for slug, fragment in cards(client.get("/fellowships/").text).items()
    }
    assert "Closed meetings For people who have a desire to stop drinking" in card["aa"]
    assert "Open meetings Anyone may come, including family, friends" in card["aa"]
    assert "Closed meetings For people who think they may have a drug problem" in card["na"]
    assert "Closed meetings" not in card["smart-recovery"]
    assert "Open meetings" not in card["lifering"]


def test_it_counts_each_fellowships_listed_meetings(client):
    make_meeting("lifering")
    make_meeting("lifering", status="temporarily_closed")
    make_meeting("lifering", status="inactive")
    text = client.get("/fellowships/").text
    assert 'href="/meetings/?fellowship=lifering">2 LifeRing meetings listed</a>' in text
    assert 'href="/meetings/?fellowship=sos">0 SOS meetings listed</a>' in text


def test_it_compares_fellowships_in_one_query(client, django_assert_num_queries):
    # The comparison must not query once per fellowship as more are added.
    make_meeting("aa")
    with django_assert_num_queries(2):  # and when the listings last changed (its ETag)
        client.get("/fellowships/")


# Near a place


@pytest.fixture
def around_edinburgh():
    """Meetings in and around Edinburgh, online and far away, in three fellowships."""
    leith = make_location()  # Leith, Edinburgh
    musselburgh = make_location(city="Musselburgh", latitude=55.9419, longitude=-3.0542)
    glasgow = make_location(city="Glasgow", latitude=55.8642, longitude=-4.2518)  # 67 km
    online = {"attendance": Meeting.Attendance.ONLINE}
    return {
        "aa": [
            make_meeting("aa", location=leith),
            make_meeting("aa", location=musselburgh),  # 8 km from Leith
            make_meeting("aa", location=leith, attendance=Meeting.Attendance.HYBRID),
            make_meeting("aa", location=leith, status=Meeting.Status.TEMPORARILY_CLOSED),
            make_meeting("aa", location=leith, status=Meeting.Status.INACTIVE),
            make_meeting("aa", location=glasgow),
            make_meeting("aa", location=make_portland_location()),
            make_meeting("aa", **online),
        ],
        "na": [make_meeting("na", location=leith), make_meeting("na", **online)],
        "smart-recovery": [make_meeting("smart-recovery", **online)],
    }


def near_counts(text: str) -> dict[str, str]:
    return {
        slug: words(re.search(r'class="near-count"[^>]*>([^<]+)</a>', fragment).group(1))
        for slug, fragment in cards(text).items()
    }


def test_it_counts_the_meetings_near_a_place_for_every_fellowship(client, around_edinburgh):
    response = client.get("/fellowships/", {"near": "Edinburgh"})
    assert response.status_code == 200
    counts = near_counts(response.text)
    assert set(counts) == set(Fellowship.objects.values_list("slug", flat=True))
    # In person and hybrid within the search's default distance (15 miles or 25 km: Glasgow is
    # 67 km away), a temporarily closed one included (as the search lists
    # it, marked); not an inactive one, Glasgow, Portland, or any meeting online.
    assert counts["aa"] == "4 in person near Edinburgh"
    assert counts["na"] == "1 in person near Edinburgh"
    assert counts["smart-recovery"] == "0 in person near Edinburgh"
    assert counts["lifering"] == "0 in person near Edinburgh"
    text = words(response.text)
    # The distance the search page would use for this place, in the unit it would use.
    assert re.search(r"near Edinburgh, within \d+ (km|miles)\.", text)
    assert "Online meetings are open to anyone, wherever they are" in text
    # The place stays in the form.
    assert 'name="near" id="id_near" value="Edinburgh"' in response.text


def test_it_links_each_near_count_to_the_same_meetings_in_the_search(client, around_edinburgh):
    text = client.get("/fellowships/", {"near": "Edinburgh"}).text
    link = re.search(r'<a class="near-count" href="([^"]+)">', cards(text)["aa"]).group(1)
    search = client.get(html.unescape(link))
    assert search.status_code == 200
    # The list of results itself, not the online meetings a "hard hour" block may offer.
    lists = re.findall(r'<ol class="results"([^>]*)>(.*?)</ol>', search.text, re.S)
    results = next(body for attrs, body in lists if 'id="list"' in attrs or len(lists) == 1)
    shown = set(re.findall(r'data-meeting-slug="([^"]+)"', results))
    assert "4 meetings near Edinburgh" in search.text
    aa = around_edinburgh["aa"]
    assert shown == {meeting.slug for meeting in aa[:4]}


def test_it_counts_nothing_near_a_place_when_none_is_given(client, around_edinburgh):
    text = client.get("/fellowships/", {"near": "  "}).text
    assert 'class="near-count"' not in text
    assert "4 AA meetings" not in text  # the listed count stays the whole fellowship's
    assert "7 AA meetings listed" in text


@pytest.mark.parametrize(
    "near", ["Qwxzyville", "x" * 101], ids=["unknown place", "longer than a place name"]
)
def test_it_answers_a_place_it_cannot_use_with_a_400_naming_the_field(client, near):
    response = client.get("/fellowships/", {"near": near})
    assert response.status_code == 400
    errors = re.search(r'<div class="errors" role="alert">(.*?)</div>', response.text, re.S)
    assert '<a href="#id_near">Near</a> (near)' in errors.group(1)
    assert 'id="id_near"' in response.text and 'aria-invalid="true"' in response.text
    if near == "Qwxzyville":
        assert "We could not find a place called “Qwxzyville”" in html.unescape(response.text)
    # The fellowships are still there to read.
    assert len(cards(response.text)) == 12


def test_it_counts_near_a_place_in_a_constant_number_of_queries(
    client, around_edinburgh, django_assert_num_queries, django_assert_max_num_queries
):
    # One grouped count for all fellowships, never one per fellowship or per meeting: the
    # number must not grow as meetings are added in more fellowships.
    client.get("/fellowships/", {"near": "Edinburgh"})  # reads the catalogue into the cache
    with django_assert_max_num_queries(9) as few:  # with the listings' last change (ETag)
        client.get("/fellowships/", {"near": "Edinburgh"})
    for slug in ("ca", "ha", "pa", "lifering", "sos", "she-recovers"):
        for _ in range(3):
            make_meeting(slug)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/fellowships/", {"near": "Edinburgh"})
    # Of those, exactly one counts the meetings near the place (at the venues near it),
    # grouped by fellowship.
    counting = [
        query["sql"]
        for query in few.captured_queries
        if query["sql"].startswith('SELECT "groups_meeting"."fellowship_id"')
        and "GROUP BY" in query["sql"]
        and '"groups_meeting"."location_id" IN' in query["sql"]
    ]
    assert len(counting) == 1


# Each fellowship's own page


def test_it_shows_a_fellowships_upcoming_meetings_but_no_others(client):
    shown = make_meeting("smart-recovery", name="Leith SMART")
    closed = make_meeting("smart-recovery", status="temporarily_closed")
    gone = make_meeting("smart-recovery", status="inactive")
    other = make_meeting("aa")
    response = client.get("/fellowships/smart-recovery/")
    assert response.status_code == 200
    assert "Self-Management and Recovery Training" in response.text
    found = re.findall(r'data-meeting-slug="([^"]+)"', response.text)
    assert set(found) == {shown.slug, closed.slug}
    assert gone.slug not in found and other.slug not in found
    assert "All 2 SMART meetings" in response.text


def test_it_lists_a_fellowships_meetings_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # A fellowship with hundreds of meetings costs the same queries as one with two.
    for _ in range(2):
        make_meeting("na", types=("O",))
    client.get("/fellowships/na/")  # reads the catalogue into the cache
    with django_assert_max_num_queries(7) as small:  # with the listings' last change (ETag)
        client.get("/fellowships/na/")
    for _ in range(25):
        make_meeting("na", types=("O", "D"))
    with django_assert_num_queries(
        len(small.captured_queries) + ROW_BUILDING_QUERIES + ZONES_QUERY
    ):
        client.get("/fellowships/na/")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/fellowships/na/")


def test_it_answers_404_for_an_unknown_fellowship(client):
    assert client.get("/fellowships/no-such-programme/").status_code == 404


# Open and Closed in plain words (groups.templatetags.fellowship_words)

ROW = Template(
    "{% load fellowship_words %}{% for t in m.types.all %}"
    "{% type_meaning m.fellowship t as meaning %}{% if meaning %}[{{ meaning }}]{% endif %}"
    "{% endfor %}"
)


def meaning(meeting) -> str:
    meeting = Meeting.objects.for_listing().get(pk=meeting.pk)
    return ROW.render(Context({"m": meeting}))


def test_it_explains_closed_and_open_in_the_fellowships_own_words():
    assert meaning(make_meeting("aa", types=("C", "D"))) == (
        "[Closed: for people who have a desire to stop drinking]"
    )
    assert meaning(make_meeting("aa", types=("O",))) == (
        "[Open: anyone may come, including family, friends and people who are curious]"
    )
    assert meaning(make_meeting("na", types=("C",))) == (
        "[Closed: for people who think they may have a drug problem]"
    )


def test_it_explains_nothing_where_the_fellowship_has_no_words_for_it(aa):
    assert meaning(make_meeting("smart-recovery", types=("C", "O"))) == ""
    assert meaning(make_meeting("aa", types=("D", "W"))) == ""
    aa.closed_meaning = ""
    aa.save()
    assert meaning(make_meeting("aa", types=("C",))) == ""


def test_it_keeps_a_name_capitalised_and_escapes_the_words(aa):
    aa.closed_meaning = "HA members & those <new> to it."
    aa.save()
    assert meaning(make_meeting("aa", types=("C",))) == (
        "[Closed: HA members &amp; those &lt;new&gt; to it]"
    )


def test_it_explains_a_type_without_a_query(django_assert_num_queries):
    meeting = Meeting.objects.for_listing().get(pk=make_meeting("ca", types=("C", "O")).pk)
    closed = MeetingType.objects.get(vocabulary__slug="meeting-guide", code="C")
    with django_assert_num_queries(0):
        text = ROW.render(Context({"m": meeting}))
        one = Template("{% load fellowship_words %}{% type_meaning f t %}").render(
            Context({"f": meeting.fellowship, "t": closed})
        )
    assert "Closed: for people who have a desire to stop using cocaine" in text
    assert one.startswith("Closed: for people who have a desire to stop using cocaine")


# The admin and the migration


def test_it_shows_the_new_facts_in_the_fellowship_admin(client, aa):
    client.force_login(User.objects.create_superuser("admin", "a@example.org", "a-long-password-1"))
    text = client.get(reverse("admin:groups_fellowship_change", args=[aa.pk])).text
    headings = re.findall(r'<h2 id="[^"]+" class="fieldset-heading">([^<]+)</h2>', text)
    assert headings[:4] == [
        "Who it is for and its approach",
        "Meetings",
        "Open and closed meetings",
        "Meeting types",
    ]
    for field in (
        "goal",
        "led_by",
        "family_groups",
        "first_meeting",
        "open_meaning",
        "closed_meaning",
    ):
        assert f'id="id_{field}"' in text
    assert "For people who have a desire to stop drinking" in text


def test_it_keeps_an_edit_made_in_the_admin_when_the_facts_are_filled_again(aa):
    facts = import_module("groups.migrations.0014_fellowship_facts")
    aa.goal = "Edited by a coordinator"
    aa.save()
    refuge = Fellowship.objects.get(slug="refuge-recovery")
    refuge.spirituality = Fellowship.Spirituality.SECULAR
    refuge.save()
    facts.fill(apps, None)
    aa.refresh_from_db()
    refuge.refresh_from_db()
    assert aa.goal == "Edited by a coordinator"
    assert aa.led_by == "peers"
    assert refuge.spirituality == "secular"


# In a browser


browser_test = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def meetings_in_edinburgh():
    make_meeting("aa", location=make_location(), types=("C",))
    make_meeting("smart-recovery", attendance=Meeting.Attendance.ONLINE)


@browser_test
@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_it_shows_every_fact_in_one_card_per_fellowship_on_a_phone(
    meetings_in_edinburgh, open_page, scripts
):
    page = open_page("/fellowships/?near=Edinburgh", viewport=PHONE, java_script_enabled=scripts)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"scrolls sideways: {width} px wide"
    fellowships = list(Fellowship.objects.order_by("name"))
    shown = page.locator(".fellowship-card h2").all_inner_texts()
    assert shown == [f.name for f in fellowships]
    for fellowship in fellowships:
        card = page.locator(f"#{fellowship.slug}")
        box = card.bounding_box()
        # One card across the screen, not side by side.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], fellowship.slug
        assert box["width"] > PHONE["width"] * 0.8, fellowship.slug
        text = " ".join(card.inner_text().split())
        for fact in [*facts_of(fellowship), "in person near Edinburgh"]:
            assert fact in text, (fellowship.slug, fact)
        # Each fact is drawn inside the card and the screen, none cut off or hidden.
        for item in card.locator("dd").all():
            item.scroll_into_view_if_needed()
            assert item.is_visible(), fellowship.slug
            inner = item.bounding_box()
            assert inner["x"] >= box["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"]
            clipped = item.evaluate("el => el.scrollWidth > el.clientWidth + 1")
            assert not clipped, (fellowship.slug, item.inner_text())
    aa = " ".join(page.locator("#aa").inner_text().split())
    assert "1 AA meeting listed" in aa and "1 in person near Edinburgh" in aa


@browser_test
def test_it_puts_the_cards_side_by_side_on_a_wide_screen(meetings_in_edinburgh, open_page):
    page = open_page("/fellowships/", viewport=DESKTOP)
    first, second = (page.locator(".fellowship-card").nth(i).bounding_box() for i in (0, 1))
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]


@browser_test
def test_it_counts_near_a_place_from_the_form_without_javascript(meetings_in_edinburgh, open_page):
    page = open_page("/fellowships/", viewport=PHONE, java_script_enabled=False)
    page.get_by_label("Meetings near").fill("Edinburgh")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "near=Edinburgh" in page.url
    assert page.locator("#aa .near-count").inner_text() == "1 in person near Edinburgh"


@browser_test
@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=["1280", "360"])
def test_it_has_no_axe_violations(meetings_in_edinburgh, open_page, viewport):
    page = open_page(viewport=viewport)
    found = []
    for path in (
        "/fellowships/",
        "/fellowships/aa/",
        "/fellowships/?near=Edinburgh",
        "/fellowships/?near=Qwxzyville",
    ):
        page.goto(path)
        if violations := axe_violations(page):
            found.append(f"{path}\n{axe_report(violations)}")
    assert not found, "axe found WCAG violations:\n" + "\n".join(found)
