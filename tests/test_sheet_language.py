"""Referral sheets in the client's language: a staff member browsing in one language prints a
sheet (and its PDF) in English, Spanish or French; the form stays in theirs."""

import datetime
import io
import re
from pathlib import Path

import pypdfium2
import pytest
import time_machine
import zxingcpp
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from groups.filters import SORTS
from groups.models import Fellowship, MeetingType
from tests.conftest import make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db

# A Tuesday: the clinic's meetings are on Monday (19:00) and Wednesday.
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def translations_compiled() -> bool:
    """Whether the catalogues have been compiled: until then Spanish msgids read in English."""
    return (Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.mo").exists()


needs_catalogues = pytest.mark.skipif(
    not translations_compiled(), reason="the es/fr catalogues are not compiled yet"
)


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_codes_in(pdf: bytes) -> set[str]:
    found = set()
    for page in pypdfium2.PdfDocument(pdf):
        found |= {code.text for code in zxingcpp.read_barcodes(page.render(scale=4).to_pil())}
    return found


def headings(html: str) -> list[str]:
    return re.findall(r"<h[12][^>]*>([^<]+)</h[12]>", html)


def in_language(code: str, text) -> str:
    with translation.override(code):
        return str(text)


@pytest.fixture
def clinic():
    leith = make_region("Leith")
    hall = make_location(name="Kirkgate Hall", address="12 Kirkgate", region=leith)
    return {
        "aa": make_meeting("aa", name="Leith Serenity AA", location=hall, types=("O", "D")),
        "smart": make_meeting(
            "smart-recovery", name="SMART Leith Hybrid", location=hall, attendance="hybrid", day=3
        ),
    }


def sheet(client, path="/referrals/sheet/", **params):
    response = client.get(path, {"near": "Leith", **params})
    assert response.status_code == 200, response.content[:1000]
    return response


@time_machine.travel(NOW)
def test_a_staff_member_browsing_in_english_prints_a_spanish_sheet(client, clinic):
    english = sheet(client, lang="en").text
    spanish_response = sheet(client, lang="es")
    spanish = spanish_response.text
    assert '<html lang="en">' in english
    assert '<html lang="es">' in spanish
    assert spanish_response["Content-Language"] == "es"
    # The days are named in Spanish (Django's own names), and the English ones are gone.
    assert "<h2>Monday</h2>" in english and "<h2>Wednesday</h2>" in english
    assert "<h2>Lunes</h2>" in spanish and "<h2>Miércoles</h2>" in spanish
    assert "Monday" not in spanish and "Wednesday" not in spanish
    # The same meetings either way.
    assert re.findall(r'data-meeting-slug="([^"]+)"', english) == re.findall(
        r'data-meeting-slug="([^"]+)"', spanish
    )


@time_machine.travel(NOW)
def test_the_sheet_keeps_its_language_in_its_links_and_its_live_search(client, clinic):
    html = sheet(client, lang="es", service="Leith Clinic").text
    bar = html.split('<p class="screen-only"')[1].split("</p>")[0]
    # The links for the staff member keep the sheet's language, at the staff member's address:
    # the PDF, and the form (which opens in English, the language they browse in).
    assert 'href="/referrals/sheet.pdf?' in bar and "lang=es" in bar
    back = re.search(r'<a href="(/referrals/\?[^"]+)">', bar).group(1)
    assert "lang=es" in back and back.endswith("preview=1")
    # The bar is theirs: said so to a screen reader.
    assert bar.startswith(' lang="en">')
    # The live link is the directory's search in Spanish, without the sheet's options.
    check = html.split('<section class="check">')[1]
    live = "http://testserver/es/meetings/?near=Leith&sort=time&attendance=in_person&status=active"
    assert f"{live.replace('&', '&amp;')}</p>" in check
    assert "lang=" not in check and "service=" not in check


@time_machine.travel(NOW)
def test_the_live_link_and_its_qr_code_open_the_search_in_the_sheets_language(client, clinic):
    pdf = client.get("/referrals/sheet.pdf", {"near": "Leith", "lang": "fr"})
    assert pdf.status_code == 200
    live = "http://testserver/fr/meetings/?near=Leith&sort=time&attendance=in_person&status=active"
    assert live in qr_codes_in(pdf.content)
    english = client.get("/referrals/sheet.pdf", {"near": "Leith"})
    assert live.replace("/fr/", "/") in qr_codes_in(english.content)


@time_machine.travel(NOW)
def test_a_staff_member_browsing_in_spanish_prints_an_english_sheet(client, clinic):
    response = sheet(client, "/es/referrals/sheet/", lang="en")
    html = response.text
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    assert "<h2>Monday</h2>" in html and "Lunes" not in html
    assert "http://testserver/meetings/?near=Leith" in html
    assert "/es/meetings/" not in html
    bar = html.split('<p class="screen-only"')[1].split("</p>")[0]
    assert bar.startswith(' lang="es">')
    assert 'href="/es/referrals/sheet.pdf?' in bar and 'href="/es/referrals/?' in bar


@time_machine.travel(NOW)
def test_a_sheet_without_a_language_is_in_the_staff_members(client, clinic):
    assert '<html lang="en">' in sheet(client).text
    spanish = sheet(client, "/es/referrals/sheet/").text
    assert '<html lang="es">' in spanish
    assert "<h2>Lunes</h2>" in spanish
    # Its links name the language, so that the PDF and the form keep it.
    assert "lang=es" in spanish.split('<p class="screen-only"')[1].split("</p>")[0]


@time_machine.travel(NOW)
def test_the_days_are_in_the_sheets_language_when_grouped_by_fellowship(client, clinic):
    html = sheet(client, lang="fr", group_by="fellowship").text
    cells = re.findall(r'<td class="time">([^<]+)', html)
    assert cells and all(cell.split()[0] in ("lun", "mer") for cell in cells), cells
    assert "Mon" not in "".join(cells)


@time_machine.travel(NOW)
def test_the_printed_date_is_written_as_the_language_writes_it(client, clinic):
    assert "Printed 1 December 2026." in sheet(client, lang="en").text
    assert "1 de diciembre de 2026" in sheet(client, lang="es").text
    assert "1 décembre 2026" in sheet(client, lang="fr").text


@time_machine.travel(NOW)
def test_the_sheet_names_types_and_fellowships_in_its_language_where_translated(client, clinic):
    MeetingType.objects.filter(code="D").update(translations={"es": {"name": "Debate"}})
    Fellowship.objects.filter(slug="aa").update(
        translations={"es": {"description": "Una comunidad de personas en recuperación."}}
    )
    spanish = sheet(client, lang="es").text
    row = spanish.split(f'data-meeting-slug="{clinic["aa"].slug}"')[1].split("</tr>")[0]
    assert "Debate" in row and "Discussion" not in row
    assert "Una comunidad de personas en recuperación." in spanish
    assert "Debate" not in sheet(client, lang="en").text


@time_machine.travel(NOW)
def test_the_sheet_leaves_out_the_order_and_the_status_in_any_language(client, clinic):
    for code in ("en", "es", "fr"):
        meta = sheet(client, lang=code).text.split('<p class="meta">')[1].split("</p>")[0]
        assert in_language(code, dict(SORTS)["time"]) not in meta
        assert "Leith" in meta  # the place searched is said


@time_machine.travel(NOW)
def test_the_pdf_in_french_has_french_words(client, clinic):
    response = client.get("/referrals/sheet.pdf", {"near": "Leith", "lang": "fr"})
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    text = text_of(response.content)
    assert "Lundi" in text and "Mercredi" in text
    assert "Monday" not in text and "Wednesday" not in text
    assert "1 décembre 2026" in text
    english = text_of(client.get("/referrals/sheet.pdf", {"near": "Leith"}).content)
    assert "Monday" in english and "Page 1 of 1" in english


@needs_catalogues
@time_machine.travel(NOW)
def test_the_spanish_sheets_headings_are_spanish(client, clinic):
    english = sheet(client, lang="en").text
    spanish = sheet(client, lang="es").text
    for words in ("Mutual aid meetings", "About these fellowships", "What the words mean."):
        assert words in english
        assert words not in spanish
    assert "Reuniones de ayuda mutua" in headings(spanish)
    assert "Sobre estas comunidades" in headings(spanish)
    assert "Las reuniones cambian" in spanish
    # The bar for the staff member stays in English.
    assert "Change the list" in spanish


@needs_catalogues
@time_machine.travel(NOW)
def test_the_french_pdfs_headings_are_french(client, clinic):
    text = text_of(
        client.get(
            "/referrals/sheet.pdf", {"near": "Leith", "lang": "fr", "service": "Clinique"}
        ).content
    )
    assert "Clinique : réunions d’entraide" in text
    assert "À propos de ces fraternités" in text
    assert "Page 1 sur 1" in text
    assert "mutual aid meetings" not in text and "Page 1 of 1" not in text


@pytest.mark.parametrize("path", ["/referrals/sheet/", "/referrals/sheet.pdf", "/referrals/"])
def test_an_unknown_language_is_refused_by_name(client, path):
    for value in ("de", "xx", "es-ES", "<b>", "e" * 300):
        response = client.get(path, {"lang": value, "near": ""})
        assert response.status_code == 400, (path, value)
        assert '<a href="#id_lang">Language of the sheet</a> (lang)</strong>:' in response.text
        assert "<b>" not in response.text.split('class="errors"')[1].split("</div>")[0]


def test_an_unknown_language_is_named_with_the_searchs_own_errors(client):
    response = client.get("/referrals/sheet/", {"lang": "de", "day": "9"})
    assert response.status_code == 400
    assert "(lang)</strong>:" in response.text and "(day)</strong>:" in response.text


def test_a_bad_search_in_a_spanish_sheet_is_refused_in_the_staff_members_language(client):
    response = client.get("/referrals/sheet/", {"lang": "es", "day": "9"})
    assert response.status_code == 400
    assert '<html lang="en">' in response.text
    english = client.get("/referrals/sheet/", {"lang": "en", "day": "9"}).text
    errors = english.split('class="errors"')[1].split("</div>")[0]
    assert errors in response.text


def test_the_form_defaults_the_language_to_the_staff_members(client):
    english = client.get("/referrals/").text
    assert '<option value="en" selected>English</option>' in english
    spanish = client.get("/es/referrals/")
    assert spanish.status_code == 200
    assert '<option value="es" selected>Español</option>' in spanish.text
    assert '<option value="fr">Français</option>' in spanish.text
    assert '<option value="es" selected>' in client.get("/es/referrals/", {"near": "Leith"}).text


@time_machine.travel(NOW)
def test_the_preview_keeps_the_language_chosen_and_stays_in_the_staff_members(client, clinic):
    form = client.get("/referrals/", {"near": "Leith", "lang": "fr", "preview": "1"})
    assert form.status_code == 200
    assert '<option value="fr" selected>Français</option>' in form.text
    # The preview is for the staff member: in their language.
    assert "Monday" in form.text and "Lundi" not in form.text


@time_machine.travel(NOW)
def test_each_language_of_a_sheet_is_cached_apart(client, clinic, settings):
    settings.PAGE_CACHE_SECONDS = 60
    for _ in range(2):
        assert "<h2>Lunes</h2>" in sheet(client, lang="es").text
        assert "<h2>Lundi</h2>" in sheet(client, lang="fr").text
        assert "<h2>Monday</h2>" in sheet(client).text
        assert "<h2>Monday</h2>" in sheet(client, "/es/referrals/sheet/", lang="en").text
