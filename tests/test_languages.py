"""Which language a page is in: the address's prefix, the switcher's cookie, the browser's
Accept-Language, in that order; and no cache ever hands one language's page to a reader of
another."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from groups.models import Fellowship, MeetingType
from tests.conftest import make_location, make_meeting

pytestmark = pytest.mark.django_db

PAGES = ["/", "/meetings/", "/meetings/?day=1", "/fellowships/", "/referrals/", "/time-zone/"]


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


@pytest.fixture
def meeting():
    return make_meeting(name="Leith Thursday", location=make_location(), types=("W",))


@pytest.mark.parametrize("page", PAGES)
def test_a_page_with_no_preference_is_in_english_at_its_bare_address(client, page, meeting):
    response = client.get(page)
    assert response.status_code == 200
    assert lang_of(response) == "en"
    assert response["Content-Language"] == "en"
    # What it varied on, for any cache between here and the reader.
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("header", "code"), [("es-ES,es;q=0.9,en;q=0.5", "es"), ("fr-CA", "fr")])
def test_the_browsers_language_sends_a_bare_address_to_that_languages_address(
    client, page, header, code, meeting
):
    response = client.get(page, headers={"accept-language": header})
    assert response.status_code == 302
    assert response["Location"] == f"/{code}{page}"
    assert "no-cache" in response["Cache-Control"]
    followed = client.get(response["Location"], headers={"accept-language": header})
    assert followed.status_code == 200
    assert lang_of(followed) == code


def test_a_language_the_directory_does_not_speak_reads_in_english(client, meeting):
    response = client.get("/meetings/", headers={"accept-language": "de-DE,de;q=0.9"})
    assert response.status_code == 200
    assert lang_of(response) == "en"


def test_a_prefixed_address_wins_over_the_browser_and_the_cookie(client, meeting):
    client.cookies["lang"] = "fr"
    response = client.get("/es/meetings/", headers={"accept-language": "fr"})
    assert response.status_code == 200
    assert lang_of(response) == "es"


def test_the_switcher_names_each_language_in_its_own_words_and_remembers_the_choice(
    client, meeting
):
    page = client.get("/meetings/?day=4&q=leith")
    html = page.text
    assert 'lang="es">Español</a>' in html
    assert 'lang="fr">Français</a>' in html
    assert '<span aria-current="true" lang="en">English</span>' in html
    link = re.search(r'href="(/language/\?language=es[^"]*)"', html).group(1).replace("&amp;", "&")
    chosen = client.get(link)
    assert chosen.status_code == 302
    # The same search, in Spanish, and the cookie keeps the choice for bare addresses.
    assert chosen["Location"] == "/es/meetings/?day=4&q=leith"
    assert chosen.cookies["lang"].value == "es"
    assert chosen.cookies["lang"]["samesite"] == "Lax"
    again = client.get("/fellowships/")
    assert again.status_code == 302 and again["Location"] == "/es/fellowships/"
    # Choosing English again brings the bare addresses back, whatever the browser says.
    back = client.get(reverse("choose_language"), {"language": "en", "next": "/es/fellowships/"})
    assert back["Location"] == "/fellowships/"
    assert client.get("/fellowships/", headers={"accept-language": "es"}).status_code == 200


def test_the_switcher_never_sends_anyone_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get(reverse("choose_language"), {"language": "fr", "next": target})
        assert response.status_code == 302
        assert response["Location"] == "/fr/"
    response = client.get(reverse("choose_language"), {"language": "xx", "next": "/meetings/"})
    assert response["Location"] == "/meetings/"  # an unknown language is English


def test_links_on_a_page_keep_its_language_so_a_shared_link_opens_in_it(client, meeting):
    html = client.get("/es/meetings/").text
    assert f'href="/es/meetings/{meeting.slug}/"' in html
    assert 'href="/es/fellowships/"' in html
    # A shared link opens in its language for a reader whose browser says otherwise.
    shared = client.get(f"/es/meetings/{meeting.slug}/", headers={"accept-language": "en-GB"})
    assert shared.status_code == 200 and lang_of(shared) == "es"


def test_the_api_feeds_and_calendars_are_never_sent_on(client, meeting):
    for url in ("/api/meetings/", "/feeds/meeting-guide.json", f"/meetings/{meeting.slug}.ics"):
        response = client.get(url, headers={"accept-language": "es"})
        assert response.status_code == 200, url


def test_the_page_cache_keeps_each_language_apart(client, settings, meeting):
    settings.PAGE_CACHE_SECONDS = 60
    english = client.get("/meetings/")
    spanish = client.get("/es/meetings/")
    french = client.get("/fr/meetings/")
    assert [lang_of(r) for r in (english, spanish, french)] == ["en", "es", "fr"]
    # Again, from the cache: still each in its own language, and a Spanish reader of the bare
    # address is sent on rather than served the cached English page.
    assert lang_of(client.get("/meetings/")) == "en"
    assert lang_of(client.get("/es/meetings/")) == "es"
    assert client.get("/meetings/", headers={"accept-language": "es"}).status_code == 302


def test_type_and_fellowship_names_read_in_the_pages_language(client, meeting):
    html = client.get("/es/meetings/").text
    assert "Mujeres" in html
    assert "Alcohólicos Anónimos" in html
    html = client.get("/fr/meetings/").text
    assert "Femmes" in html
    assert "Alcooliques anonymes" in html


def test_a_volunteers_translation_shows_at_once(client, meeting):
    women = MeetingType.objects.get(vocabulary__slug="meeting-guide", code="W")
    women.translations = {**women.translations, "es": {"name": "Sólo mujeres"}}
    women.save()
    assert "Sólo mujeres" in client.get("/es/meetings/").text
    aa = Fellowship.objects.get(slug="aa")
    aa.translations = {}
    aa.save()
    html = client.get("/es/fellowships/").text
    assert "Alcoholics Anonymous" in html  # no Spanish text: the English, not a blank


@pytest.mark.parametrize(
    ("words", "code"),
    [("mujeres", "W"), ("femmes", "W"), ("women", "W"), ("hombres", "M"), ("jeunes", "Y")],
)
def test_a_search_in_any_language_finds_the_same_meetings(client, words, code):
    tagged = make_meeting(name="Tuesday Group", location=make_location(), types=(code,))
    make_meeting(name="Other Group", location=make_location(), types=())
    for prefix in ("", "/es", "/fr"):
        html = client.get(f"{prefix}/meetings/", {"q": words}).text
        assert tagged.name in html
        assert "Other Group" not in html


@pytest.mark.parametrize("words", ["spanish", "español", "en español", "espagnol", "espanol"])
def test_a_language_named_in_any_language_finds_its_meetings(client, words):
    spanish = make_meeting(name="Grupo Esperanza", location=make_location(), languages=("es",))
    make_meeting(name="Other Group", location=make_location())
    html = client.get("/fr/meetings/", {"q": words}).text
    assert spanish.name in html and "Other Group" not in html


def test_a_coordinator_writes_a_fellowships_spanish_text_in_the_admin(admin_client, client):
    aa = Fellowship.objects.get(slug="aa")
    url = f"/admin/groups/fellowship/{aa.pk}/change/"
    form = admin_client.get(url)
    assert form.status_code == 200
    assert 'name="description__es"' in form.text and 'name="description__fr"' in form.text
    assert 'lang="es"' in form.text  # typed in Spanish, spell-checked as Spanish
    data = {
        key: value
        for key, value in form.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data |= {"type_vocabulary": aa.type_vocabulary_id, "_save": "Save"}
    data["description__es"] = "Una comunidad de personas que comparten su experiencia."
    data["description__fr"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    aa.refresh_from_db()
    assert aa.translations["es"]["description"].startswith("Una comunidad de personas")
    # Cleared in French: that text reads in English again.
    assert "description" not in aa.translations.get("fr", {})
    assert "Una comunidad de personas que comparten" in client.get("/es/fellowships/aa/").text
    assert escape(aa.description) in client.get("/fr/fellowships/aa/").text


def test_the_admin_speaks_the_volunteers_language(admin_client):
    admin_client.cookies["lang"] = "es"
    response = admin_client.get("/admin/")
    assert '<html lang="es"' in response.text
    assert response["Content-Language"] == "es"
    admin_client.cookies["lang"] = "fr"
    assert '<html lang="fr"' in admin_client.get("/admin/groups/meeting/").text
    del admin_client.cookies["lang"]
    browser = admin_client.get("/admin/", headers={"accept-language": "fr-FR"})
    assert '<html lang="fr"' in browser.text


@pytest.mark.parametrize("words", ["mujeres", "women", "femmes"])
def test_what_the_meeting_is_typed_in_the_home_pages_place_box_is_searched_as_words(client, words):
    women = make_meeting(name="Tuesday Group", location=make_location(), types=("W",))
    make_meeting(name="Other Group", location=make_location(), types=())
    response = client.get("/es/meetings/", {"near": words})
    assert response.status_code == 200
    assert women.name in response.text and "Other Group" not in response.text
    # Shown back in the words' box, not left in the place's.
    assert f'value="{words}"' in response.text
    assert client.get("/es/meetings/", {"near": "Nowhereville"}).status_code == 400
