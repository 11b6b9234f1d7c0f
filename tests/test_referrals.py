"""Referral sheets: the printable list of meetings and its PDF, from any search."""

import datetime
import io
import re

import pypdfium2
import pytest
import time_machine
import zxingcpp
from pypdf import PdfReader

from groups.models import Meeting
from tests.conftest import ZONES_QUERY, make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db


def pdf_of(client, **params):
    response = client.get("/referrals/sheet.pdf", params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_codes_in(pdf: bytes) -> set[str]:
    document = pypdfium2.PdfDocument(pdf)
    found = set()
    for page in document:
        image = page.render(scale=4).to_pil()
        found |= {code.text for code in zxingcpp.read_barcodes(image)}
    return found


@pytest.fixture
def leith():
    smart = make_meeting(
        "smart-recovery",
        name="Leith Links SMART",
        location=make_location(name="Kirkgate Hall", address="12 Kirkgate", city="Edinburgh"),
        types=("D", "X"),
    )
    lifering = make_meeting(
        "lifering",
        name="LifeRing Online Evening",
        attendance="online",
        conference_url="https://meet.example.org/lifering-evening?pwd=abc",
        conference_phone="+44 1632 960001",
        conference_notes="Passcode on request",
        day=3,
    )
    aa = make_meeting("aa", name="Leith Serenity AA")
    return {"smart": smart, "lifering": lifering, "aa": aa}


def test_it_lists_the_chosen_meetings_and_no_others_in_the_pdf(client, leith):
    text = text_of(
        pdf_of(
            client,
            fellowship=["smart-recovery", "lifering"],
            online="yes",
            service="Leith Clinic",
            note="Ask for Sam at reception",
        )
    )
    assert "Leith Links SMART" in text and "LifeRing Online Evening" in text
    assert "Leith Serenity AA" not in text
    assert "Leith Clinic: mutual aid meetings" in text
    assert "Ask for Sam at reception" in text
    assert "Fellowship: SMART Recovery, LifeRing Secular Recovery" in text
    assert "Kirkgate Hall, 12 Kirkgate, Edinburgh" in text
    assert "meet.example.org/lifering-evening" in text
    assert "Passcode on request" in text
    assert "Discussion, Wheelchair Access" in text
    assert "Meetings change: check before you go." in text
    assert "Page 1 of 1" in text


def test_it_explains_each_fellowship_on_the_sheet_and_only_those(client, leith):
    text = text_of(pdf_of(client, fellowship="smart-recovery"))
    assert "About these fellowships" in text
    assert "Self-Management and Recovery Training" in text
    assert "Alcoholics Anonymous" not in text


def test_it_puts_working_qr_codes_to_the_join_link_and_the_live_search(client, leith):
    codes = qr_codes_in(pdf_of(client, fellowship=["lifering"], day="3", online="yes"))
    assert "https://meet.example.org/lifering-evening?pwd=abc" in codes
    assert "http://testserver/meetings/?fellowship=lifering&day=3&sort=time&status=active" in codes


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_it_prints_on_the_paper_chosen(client, leith, paper, size):
    page = PdfReader(io.BytesIO(pdf_of(client, paper=paper))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_it_groups_by_fellowship_then_day_when_asked(client, leith):
    html = client.get("/referrals/sheet/", {"group_by": "fellowship", "online": "yes"}).text
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings[:3] == ["Alcoholics Anonymous", "LifeRing Secular Recovery", "SMART Recovery"]


def test_it_leaves_out_online_meetings_when_asked(client, leith):
    hybrid = make_meeting("lifering", attendance="hybrid", name="LifeRing Hybrid")
    html = client.get("/referrals/sheet/", {"fellowship": "lifering", "online": "no"}).text
    assert hybrid.slug in html
    assert leith["lifering"].slug not in html


def test_it_fits_forty_meetings_on_two_pages(client):
    group = make_group("na", name="Northside Group")
    for n in range(40):
        make_meeting(
            "na",
            name=f"Just for Today {n}",
            group=group,
            day=n % 7,
            types=("O", "D"),
            attendance="hybrid" if n % 5 == 0 else "in_person",
            conference_notes="Passcode on request from the group" if n % 5 == 0 else "",
        )
    pdf = pdf_of(client, fellowship="na")
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= 2
    assert text_of(pdf).count("Just for Today") == 40


def test_it_says_so_and_suggests_widening_when_nothing_matches(client, leith):
    text = text_of(pdf_of(client, q="nothing-like-this"))
    assert "No meetings match this search. Widen it" in text


def test_it_refuses_bad_parameters_as_the_search_does(client):
    for url in ("/referrals/sheet/", "/referrals/sheet.pdf"):
        response = client.get(url, {"day": "9", "paper": "papyrus"})
        assert response.status_code == 400
        assert "(day)</strong>:" in response.text
        assert "(paper)</strong>:" in response.text
        # The form comes back as it was sent, without the sheet's defaults ticked in it.
        assert 'value="in_person" id="id_attendance_0" checked' not in response.text


def test_it_offers_the_sheet_from_any_search(client, leith):
    results = client.get("/meetings/", {"fellowship": "aa", "day": "1"}).text
    assert 'href="/referrals/?fellowship=aa&amp;day=1"' in results
    form = client.get("/referrals/", {"fellowship": "aa", "day": "1"})
    assert form.status_code == 200
    assert 'formaction="/referrals/sheet.pdf"' in form.text
    assert 'value="aa" id="id_fellowship_0" checked' in form.text
    assert "Do not enter anything about the person you are helping." in form.text


def test_it_builds_a_sheet_in_a_constant_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    # A sheet of 3 meetings or 30 costs the same queries (the catalogue is read once, cached).
    for _ in range(3):
        make_meeting(types=("O",), group=make_group())
    client.get("/referrals/sheet/")
    with django_assert_max_num_queries(5) as small:
        client.get("/referrals/sheet/")
    for _ in range(27):
        make_meeting(types=("O", "D"), group=make_group())
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/referrals/sheet/").text.count("data-meeting-slug") == 30


def test_it_keeps_nothing_about_the_client(client, leith):
    before = Meeting.objects.count()
    client.get("/referrals/sheet.pdf", {"service": "Leith Clinic", "note": "Ask for Sam"})
    assert Meeting.objects.count() == before
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()


def test_it_names_every_bad_parameter_on_the_referral_form(client):
    response = client.get("/referrals/", {"day": "9", "paper": "papyrus"})
    assert response.status_code == 400
    assert '<a href="#id_day">Day</a> (day)</strong>:' in response.text
    assert '<a href="#id_paper">Paper</a> (paper)</strong>:' in response.text


def test_it_prints_a_sheet_for_a_search_that_repeats_itself(client, leith):
    # A value given 180 times once made a link too long for a QR code, and the sheet a 500.
    live = "http://testserver/meetings/?fellowship=lifering&day=3&sort=time&status=active"
    for query in (
        "&".join(["fellowship=lifering"] * 180) + "&day=3&online=yes",
        "fellowship=lifering&" + "&".join(["day=3"] * 180) + "&day=&q=&service=&online=yes",
    ):
        sheet = client.get(f"/referrals/sheet/?{query}")
        assert sheet.status_code == 200
        assert f"kept up to date, at {live.replace('&', '&amp;')}</p>" in sheet.text
        assert sheet.text.count('data-meeting-slug="') == 1
        response = client.get(f"/referrals/sheet.pdf?{query}")
        assert response.status_code == 200
        assert live in qr_codes_in(response.content)


def test_it_prints_the_link_without_a_qr_code_when_no_qr_code_can_hold_it(client, leith):
    words = "😀" * 200  # 2,400 bytes in a link: more than the largest QR code holds
    sheet = client.get("/referrals/sheet/", {"q": words})
    assert sheet.status_code == 200
    assert "No meetings match this search." in sheet.text
    assert "kept up to date, at http://testserver/meetings/?q=%F0%9F%98%80" in sheet.text
    assert "<svg" not in sheet.text.split('<section class="check">')[1]  # no QR code
    pdf = pdf_of(client, q=words)
    assert "Meetings change: check before you go." in text_of(pdf)
    assert qr_codes_in(pdf) == set()


# A clinic in Leith hands a client a sheet: the defaults, the preview and the choice to drop.

GLASGOW = {"latitude": 55.8642, "longitude": -4.2518, "city": "Glasgow", "postal_code": "G1 1AA"}


@pytest.fixture
def clinic():
    """Meetings near Leith (in person, hybrid, temporarily closed, for families), one in
    Glasgow, and one online from New York."""
    leith = make_region("Leith")
    hall = make_location(name="Kirkgate Hall", address="12 Kirkgate", region=leith)
    return {
        "aa": make_meeting("aa", name="Leith Serenity AA", location=hall, types=("O", "D")),
        "hybrid": make_meeting(
            "smart-recovery",
            name="SMART Leith Hybrid",
            location=hall,
            attendance="hybrid",
            day=2,
            conference_url="https://meet.example.org/j/98765432101",
            conference_phone="+16465550100,,98765432101#",
        ),
        "closed": make_meeting(
            "na",
            name="Leith Just for Today",
            location=hall,
            status=Meeting.Status.TEMPORARILY_CLOSED,
            status_reason="Hall closed for repairs",
        ),
        "naranon": make_meeting("nar-anon", name="Leith Nar-Anon", location=hall, day=4),
        "family": make_meeting(
            "smart-recovery", name="SMART Recovery Family & Friends Leith", location=hall, day=5
        ),
        "glasgow": make_meeting("aa", name="Glasgow Central AA", location=make_location(**GLASGOW)),
        "new_york": make_meeting(
            "aa",
            name="Manhattan Online Share",
            attendance="online",
            timezone="America/New_York",
            start_time=datetime.time(20, 0),
            conference_url="https://meet.example.org/manhattan",
        ),
    }


def slugs_on(html: str) -> list[str]:
    return re.findall(r'data-meeting-slug="([^"]+)"', html)


# What a browser sends for the form as it first opens, with only "near" filled in.
FORM_AS_SENT = (
    "service=&note=&group_by=day&paper=a4&online=no&near=Leith&distance=&unit=km&soon="
    "&q=&time=&start_after=&start_before=&region=&sort=upcoming"
)


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC))
def test_it_lists_in_person_and_hybrid_meetings_near_the_place_by_default(client, clinic):
    html = client.get(f"/referrals/sheet/?{FORM_AS_SENT}").text
    shown = set(slugs_on(html))
    near = {clinic[k].slug for k in ("aa", "hybrid", "naranon", "family")}
    assert shown == near
    assert "4 meetings." in html
    assert "the time in Leith" in html


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC))
def test_it_adds_online_meetings_in_the_clients_time_only_when_asked(client, clinic):
    html = client.get(f"/referrals/sheet/?{FORM_AS_SENT.replace('online=no', 'online=yes')}").text
    assert clinic["new_york"].slug in slugs_on(html)
    # 20:00 on Monday in New York is 01:00 on Tuesday in Leith.
    tuesday = html.split("<h2>Tuesday</h2>")[1].split("</section>")[0]
    assert 'data-meeting-slug="manhattan' not in html.split("<h2>Tuesday</h2>")[0]
    assert clinic["new_york"].slug in tuesday and "01:00" in tuesday
    assert clinic["closed"].slug not in slugs_on(html)


def test_it_leaves_out_temporarily_closed_meetings_unless_the_search_asks_for_them(client, clinic):
    assert clinic["closed"].slug not in slugs_on(client.get("/referrals/sheet/").text)
    asked = client.get("/referrals/sheet/", {"status": ["active", "temporarily_closed"]}).text
    assert clinic["closed"].slug in slugs_on(asked)
    assert "Temporarily closed: Hall closed for repairs" in asked


def test_it_marks_meetings_for_family_and_friends(client, clinic):
    html = client.get("/referrals/sheet/", {"near": "Leith"}).text
    rows = dict(re.findall(r'data-meeting-slug="([^"]+)">(.*?)</tr>', html, re.S))
    assert "For family and friends" in rows[clinic["naranon"].slug]  # Nar-Anon's audience
    assert "For family and friends" in rows[clinic["family"].slug]  # named so
    assert "For family and friends" not in rows[clinic["aa"].slug]
    assert "For family and friends" not in rows[clinic["hybrid"].slug]


def test_it_explains_the_words_used_on_the_sheet_and_only_those(client, clinic):
    text = text_of(pdf_of(client, near="Leith"))
    assert "What the words mean." in text
    assert "Open (AA): anyone may come, including family, friends and people who are" in text
    assert "Discussion: members talk in turn about a topic" in text
    assert "Hybrid: held in a room and online at the same time" in text
    assert "For family and friends: for people affected by" in text
    assert "Closed (" not in text and "Online:" not in text
    assert "What the words mean." not in text_of(pdf_of(client, q="nothing-like-this"))


def test_it_prints_dial_strings_as_a_person_dials_them(client, clinic):
    expected = "+1 646 555 0100, then meeting ID 987 6543 2101 #"
    assert expected in client.get("/referrals/sheet/", {"near": "Leith"}).text
    assert expected in text_of(pdf_of(client, near="Leith"))
    assert "+16465550100,,98765432101#" not in text_of(pdf_of(client, near="Leith"))


def test_it_prints_a_short_live_link_of_only_the_parameters_set(client, clinic):
    live = "http://testserver/meetings/?near=Leith&sort=time&attendance=in_person&status=active"
    query = f"{FORM_AS_SENT}&drop={clinic['aa'].slug}&service=Leith+Clinic"
    sheet = client.get(f"/referrals/sheet/?{query}").text
    assert f"kept up to date, at {live.replace('&', '&amp;')}</p>" in sheet
    assert live in qr_codes_in(client.get(f"/referrals/sheet.pdf?{query}").content)
    # The live link lists the same meetings as the sheet (but for those left out by hand).
    assert set(slugs_on(client.get(live).text)) == set(slugs_on(sheet)) | {clinic["aa"].slug}


def test_it_keeps_a_distance_only_with_its_place(client, clinic):
    sheet = client.get("/referrals/sheet/", {"near": "Leith", "distance": "5", "unit": "mi"})
    assert "?near=Leith&amp;distance=5&amp;unit=mi&amp;sort=time" in sheet.text


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC))
def test_it_downloads_the_pdf_with_a_file_name(client, clinic):
    response = client.get("/referrals/sheet.pdf", {"near": "Leith"})
    assert response["Content-Disposition"] == (
        'attachment; filename="meetings-leith-2026-12-01.pdf"'
    )
    response = client.get("/referrals/sheet.pdf", {"near": 'Leith"; x="\r\n'})
    assert response.status_code == 400  # no such place: nothing unsafe reaches the header
    response = client.get("/referrals/sheet.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="meetings-2026-12-01.pdf"'


def test_it_previews_the_count_and_the_meetings_on_the_form(client, clinic):
    form = client.get(f"/referrals/?{FORM_AS_SENT}&preview=1")
    assert form.status_code == 200
    assert "4 meetings on the sheet</h2>" in form.text
    previewed = re.findall(r'data-preview-slug="([^"]+)"', form.text)
    assert set(previewed) == {clinic[k].slug for k in ("aa", "hybrid", "naranon", "family")}
    assert f'name="drop" value="{clinic["aa"].slug}">' in form.text  # kept unless ticked
    # The form shows the search as asked, not the sheet's defaults: choosing online later works.
    assert 'value="in_person" id="id_attendance_0" checked' not in form.text
    # Online meetings are an explicit choice.
    assert 'value="no" id="id_online_0" checked>' in form.text
    assert 'value="yes" id="id_online_1">' in form.text


def test_it_offers_no_preview_until_asked(client, clinic):
    form = client.get("/referrals/", {"near": "Leith"}).text
    assert "on the sheet</h2>" not in form and "data-preview-slug" not in form
    assert 'name="preview" value="1"' in form


def test_it_leaves_out_the_meetings_dropped_and_keeps_the_rest(client, clinic):
    drop = [clinic["aa"].slug, clinic["family"].slug]
    params = {"near": "Leith", "drop": drop}
    form = client.get("/referrals/", {**params, "preview": "1"}).text
    assert "2 meetings on the sheet (2 left out)</h2>" in form
    assert f'value="{clinic["aa"].slug}" checked>' in form  # can be kept again
    sheet = client.get("/referrals/sheet/", params).text
    assert set(slugs_on(sheet)) == {clinic["hybrid"].slug, clinic["naranon"].slug}
    assert "2 meetings." in sheet
    text = text_of(pdf_of(client, **params))
    assert "Leith Nar-Anon" in text and "SMART Leith Hybrid" in text
    assert "Leith Serenity AA" not in text and "Family & Friends Leith" not in text
    # The links back to the form and to the PDF keep the choice.
    assert f"drop={clinic['aa'].slug}" in sheet.split("Change the list")[0]
    # Keeping one again: it is back.
    kept = client.get("/referrals/sheet/", {"near": "Leith", "drop": drop[1:]}).text
    assert clinic["aa"].slug in slugs_on(kept)


def test_it_keeps_nothing_about_the_client_when_previewing_or_dropping(client, clinic):
    from django.contrib.sessions.models import Session

    before = Meeting.objects.count()
    client.get("/referrals/", {"near": "Leith", "preview": "1", "drop": clinic["aa"].slug})
    client.get("/referrals/sheet.pdf", {"near": "Leith", "drop": clinic["aa"].slug})
    assert Meeting.objects.count() == before
    assert not Session.objects.exists()
    assert not client.cookies


def test_it_previews_in_a_constant_number_of_queries(client, django_assert_num_queries):
    # The preview is the sheet's search: 3 meetings or 30 cost the same queries.
    leith = make_region("Leith")
    made = [
        make_meeting(types=("O",), group=make_group(), location=make_location(region=leith))
        for _ in range(3)
    ]
    query = {"near": "Leith", "preview": "1", "drop": made[0].slug}
    sheet = {"near": "Leith", "drop": made[0].slug}
    client.get("/referrals/", query), client.get("/referrals/sheet/", sheet)
    # The place "near" names and the venues near it (twice: the form as asked, the sheet's
    # search), when the listings last changed (the zones in use are kept under it), the
    # meetings and their types and languages.
    with django_assert_num_queries(8):
        assert client.get("/referrals/", query).text.count("data-preview-slug") == 3
    # The sheet near a place, with a meeting dropped: the place and its venues read once.
    with django_assert_num_queries(6):
        assert client.get("/referrals/sheet/", sheet).text.count("data-meeting-slug") == 2
    for _ in range(27):
        make_meeting(types=("O", "D"), group=make_group(), location=make_location(region=leith))
    # The listings moved on: the first search reads the zones the meetings are in again.
    with django_assert_num_queries(8 + ZONES_QUERY):
        assert client.get("/referrals/", query).text.count("data-preview-slug") == 30
    with django_assert_num_queries(8):
        assert client.get("/referrals/", query).text.count("data-preview-slug") == 30
    with django_assert_num_queries(6):
        assert client.get("/referrals/sheet/", sheet).text.count("data-meeting-slug") == 29
