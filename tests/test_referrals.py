"""Referral sheets: the printable list of meetings and its PDF, from any search."""

import io
import re

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from groups.models import Meeting
from tests.conftest import make_group, make_location, make_meeting

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
    codes = qr_codes_in(pdf_of(client, fellowship=["lifering"], day="3"))
    assert "https://meet.example.org/lifering-evening?pwd=abc" in codes
    assert "http://testserver/meetings/?fellowship=lifering&day=3&sort=time" in codes


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_it_prints_on_the_paper_chosen(client, leith, paper, size):
    page = PdfReader(io.BytesIO(pdf_of(client, paper=paper))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_it_groups_by_fellowship_then_day_when_asked(client, leith):
    html = client.get("/referrals/sheet/", {"group_by": "fellowship"}).text
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
    live = "http://testserver/meetings/?fellowship=lifering&day=3&sort=time"
    for query in (
        "&".join(["fellowship=lifering"] * 180) + "&day=3",
        "fellowship=lifering&" + "&".join(["day=3"] * 180) + "&day=&q=&service=",
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
