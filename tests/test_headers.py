"""Headers on every page: Permissions-Policy lets only the search form's pages ask for the
position ("Use my location"), for this site alone; no page may use camera, microphone or
payment; and a strict Content-Security-Policy (no inline script anywhere, inline styles only in
the admin and, by hash, on the referral sheet). Walks every public page and the admin's pages,
so that a page added later is held to it too."""

import base64
import contextlib
import hashlib
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse

from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

FINDER = {"/", "/meetings/", "/referrals/"}


def public_paths(meeting) -> list[str]:
    paths = []
    patterns = []
    for pattern in get_resolver().url_patterns:
        # The pages people read sit under the language prefix (i18n_patterns); the admin's
        # resolver has a namespace and is walked below.
        inner = getattr(pattern, "url_patterns", None)
        if inner is not None and not getattr(pattern, "namespace", None):
            patterns.extend(inner)
        else:
            patterns.append(pattern)
    for pattern in patterns:
        name = getattr(pattern, "name", None)
        if name is None:
            continue  # the admin, walked below
        kwargs = {}
        if "<slug:slug>" in str(pattern.pattern):
            kwargs = {"slug": "aa" if name.startswith("fellowship") else meeting.slug}
        paths.append(reverse(name, kwargs=kwargs))
    return paths


def policy(response) -> dict[str, str]:
    items = (item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    return dict(items)


def test_only_the_finders_pages_may_ask_for_the_position(client):
    meeting = make_meeting(slug="harbour")
    paths = public_paths(meeting)
    assert set(paths) >= FINDER and len(paths) > 10
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        found = policy(response)
        expected = "(self)" if path in FINDER else "()"
        assert found["geolocation"] == expected, path
        for feature in ("camera", "microphone", "payment"):
            assert found[feature] == "()", (path, feature)


def test_the_admins_pages_carry_it_too(admin_client):
    for path in (reverse("admin:index"), reverse("admin:groups_meeting_changelist"),
                 reverse("admin:login")):  # fmt: skip
        response = admin_client.get(path)
        assert policy(response)["geolocation"] == "()", path


# Content-Security-Policy ------------------------------------------------------------------

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
}
# JSON-LD and the scripts' JSON catalogue (json_script, id="ui-strings") are data, not script.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def csp(response) -> dict[str, list[str]]:
    parts = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {part[0]: part[1:] for part in parts if part}


def sha256(css: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"


def test_every_public_page_has_a_strict_content_security_policy(client):
    meeting = make_meeting(slug="harbour")
    paths = [*public_paths(meeting), "/referrals/sheet/?paper=letter", "/meetings/?day=9",
             "/no-such-page/"]  # fmt: skip
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        policy = csp(response)
        for directive, sources in STRICT.items():
            assert policy[directive] == sources, (path, directive)
        # This site's stylesheets, and the referral sheet's own by hash: no inline styles.
        assert policy["style-src"][0] == "'self'", path
        assert all(s.startswith("'sha256-") for s in policy["style-src"][1:]), path
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), path  # JSON-LD is data, not script
            assert not INLINE_HANDLER.search(html), path
            assert ' style="' not in html, path


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_the_referral_sheets_inline_styles_are_allowed_by_their_hashes(client, settings, lang):
    make_meeting()
    settings.PAGE_CACHE_SECONDS = 60  # and again from the page cache
    for paper in ("a4", "letter", "a4"):
        response = client.get("/referrals/sheet/", {"paper": paper, "lang": lang})
        styles = re.findall(r"<style>(.*?)</style>", response.text, re.S)
        # sheet.css, the paper's size, and the page numbers in the sheet's language.
        assert len(styles) == 3 and f"size: {'A4' if paper == 'a4' else 'letter'}" in styles[1]
        allowed = csp(response)["style-src"]
        assert all(sha256(css) in allowed for css in styles), paper


def test_the_admin_keeps_scripts_to_its_own_files_and_may_use_inline_styles(admin_client):
    paths = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):  # a list with no add page
                paths.append(reverse(f"{prefix}_{view}"))
    for path in paths:
        response = admin_client.get(path)
        assert response.status_code < 500, path
        policy = csp(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        if response.status_code == 200:
            assert not INLINE_SCRIPT.search(response.content.decode()), path
    login = Client().get(reverse("admin:login"))
    assert csp(login)["script-src"] == ["'self'"]
