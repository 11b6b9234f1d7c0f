"""Headers on every page: Permissions-Policy lets only the search form's pages ask for the
position ("Use my location"), for this site alone; no page may use camera, microphone or
payment. Walks every public page and the admin's pages, so that a page added later is held to
it too."""

import pytest
from django.urls import get_resolver, reverse

from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

FINDER = {"/", "/meetings/", "/referrals/"}


def public_paths(meeting) -> list[str]:
    paths = []
    for pattern in get_resolver().url_patterns:
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
