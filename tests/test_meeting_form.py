"""The admin meeting form takes the right data: the fellowship's own non-language types grouped
by category, languages in one field, a check row that records only what is filled in, and
"Archive" where the form archives. Real requests through the admin."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import (
    Fellowship,
    Language,
    Meeting,
    MeetingType,
    TypeVocabulary,
    Verification,
)
from tests.adminforms import form_data, make_volunteer
from tests.conftest import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    client.force_login(user)
    return client


@pytest.fixture
def aa_meeting():
    return make_meeting("aa", name="Leith Big Book", types=("B", "O"), languages=("en",))


@pytest.fixture
def smart_formats(smart):
    vocabulary = TypeVocabulary.objects.create(name="SMART formats", slug="smart-formats")
    family = MeetingType.objects.create(
        vocabulary=vocabulary, code="FAM", name="Family and Friends", category="community"
    )
    smart.type_vocabulary = vocabulary
    smart.save()
    return family


def change_url(meeting):
    return reverse("admin:groups_meeting_change", args=[meeting.pk])


def offered(response) -> dict[str, list[str]]:
    """The types picker's choices as the page groups them: {category: [type names]}."""
    field = response.context["adminform"].form.fields["types"]
    return {group: [label for _, label in options] for group, options in field.choices}


# The types picker -----------------------------------------------------------------------------


def test_it_offers_the_fellowships_own_non_language_types_by_category(staff_client, aa_meeting):
    page = staff_client.get(change_url(aa_meeting))
    groups = offered(page)

    assert list(groups) == ["Format", "Community", "Accessibility", "Other"]
    assert "Big Book (B)" in groups["Format"]
    assert "Women (W)" in groups["Community"]
    assert "Wheelchair Access (X)" in groups["Accessibility"]
    names = [name for options in groups.values() for name in options]
    assert not any(name.startswith("Spanish") for name in names)
    vocabulary = aa_meeting.fellowship.type_vocabulary
    own = MeetingType.objects.filter(vocabulary=vocabulary, category="format").count()
    assert len(groups["Format"]) == own
    # Checkboxes under a label per category, and the Spanish code never among them.
    spanish = MeetingType.objects.get(vocabulary=vocabulary, code="S")
    assert "<label>Format</label>" in page.text
    assert f'name="types" value="{spanish.pk}"' not in page.text
    assert 'type="checkbox" name="types"' in page.text


def test_it_shows_another_fellowships_types_once_the_fellowship_is_changed(
    staff_client, aa_meeting, smart, smart_formats
):
    page = staff_client.get(change_url(aa_meeting))
    response = staff_client.post(change_url(aa_meeting), form_data(page, fellowship=smart.pk))

    assert response.status_code == 200  # Big Book and Open are AA's, not SMART's
    errors = response.context["adminform"].form.errors["types"]
    assert "not one of this fellowship's" in errors[0]
    assert offered(response) == {"Community": ["Family and Friends (FAM)"]}

    again = form_data(response, fellowship=smart.pk, types=[smart_formats.pk])
    assert staff_client.post(change_url(aa_meeting), again).status_code == 302
    aa_meeting.refresh_from_db()
    assert aa_meeting.fellowship == smart
    assert list(aa_meeting.types.values_list("code", flat=True)) == ["FAM"]


def test_it_offers_the_types_of_the_fellowship_named_on_the_add_page(staff_client, smart_formats):
    smart = Fellowship.objects.get(slug="smart-recovery")
    page = staff_client.get(reverse("admin:groups_meeting_add"), {"fellowship": smart.pk})
    assert offered(page) == {"Community": ["Family and Friends (FAM)"]}

    # With no fellowship yet, every vocabulary's types, each group named by its vocabulary.
    blank = staff_client.get(reverse("admin:groups_meeting_add"))
    assert "SMART formats: Community" in offered(blank)
    assert not any(group.endswith(": Language") for group in offered(blank))


def test_it_saves_languages_in_the_languages_field(staff_client, aa_meeting):
    spanish, english = Language.objects.get(code="es"), Language.objects.get(code="en")
    page = staff_client.get(change_url(aa_meeting))
    data = form_data(page, languages=[str(english.pk), str(spanish.pk)])
    assert staff_client.post(change_url(aa_meeting), data).status_code == 302

    aa_meeting.refresh_from_db()
    assert set(aa_meeting.languages.values_list("code", flat=True)) == {"en", "es"}
    # The fellowship's code for Spanish follows the language, for feeds that carry it.
    assert set(aa_meeting.types.values_list("code", flat=True)) == {"B", "O", "EN", "S"}

    page = staff_client.get(change_url(aa_meeting))
    assert staff_client.post(change_url(aa_meeting), form_data(page, languages=[english.pk]))
    assert set(aa_meeting.types.values_list("code", flat=True)) == {"B", "O", "EN"}
    assert list(aa_meeting.languages.values_list("code", flat=True)) == ["en"]


# The check inline ---------------------------------------------------------------------------


def check_row(**fields) -> dict:
    data = {"verifications-TOTAL_FORMS": "1"}
    for name in ("method", "verified_on", "note"):
        data[f"verifications-0-{name}"] = fields.get(name, "")
    return data


def test_it_shows_an_empty_check_row_that_does_not_look_recorded(staff_client, aa_meeting):
    page = staff_client.get(change_url(aa_meeting))
    (inline,) = page.context["inline_admin_formsets"]
    (row,) = inline.formset.extra_forms
    assert row["verified_on"].value() in (None, "")
    assert row["method"].value() in (None, "")


def test_it_records_nothing_for_an_empty_check_row(staff_client, aa_meeting):
    page = staff_client.get(change_url(aa_meeting))
    data = {**form_data(page), **check_row()}
    assert staff_client.post(change_url(aa_meeting), data).status_code == 302
    assert not Verification.objects.exists()
    aa_meeting.refresh_from_db()
    assert aa_meeting.last_verified is None


def test_it_asks_how_when_a_check_row_is_filled_without_it(staff_client, aa_meeting):
    page = staff_client.get(change_url(aa_meeting))
    data = {**form_data(page), **check_row(note="Rang the secretary", verified_on="2026-11-02")}
    response = staff_client.post(change_url(aa_meeting), data)

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    errors = inline.formset.forms[0].errors
    assert list(errors) == ["method"]
    assert "“how”" in errors["method"][0]
    assert "how" in response.text
    assert not Verification.objects.exists()


def test_it_records_a_filled_check_row_with_how(staff_client, aa_meeting):
    page = staff_client.get(change_url(aa_meeting))
    data = {**form_data(page), **check_row(method="called", note="Rang the secretary")}
    assert staff_client.post(change_url(aa_meeting), data).status_code == 302

    check = Verification.objects.get(meeting=aa_meeting)
    assert (check.method, check.note, check.verified_by.username) == (
        "called",
        "Rang the secretary",
        "admin",
    )
    aa_meeting.refresh_from_db()
    assert aa_meeting.last_verified == check.verified_on  # empty date: today


# Archive, where it archives -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["volunteer", "coordinator"])
def test_it_calls_the_archiving_link_and_page_archive(client, aa_meeting, aa, who):
    if who == "volunteer":
        client.force_login(make_volunteer("sam", fellowships=[aa]))
    else:  # may purge, from the list's action; this link still archives
        client.force_login(User.objects.create_superuser("co", "co@example.org", "a-long-pw-1"))
    page = client.get(change_url(aa_meeting))
    assert 'class="deletelink">Archive</a>' in page.text
    assert ">Delete</a>" not in page.text

    confirm = client.get(reverse("admin:groups_meeting_delete", args=[aa_meeting.pk]))
    assert "<title>Archive this meeting?" in confirm.text
    assert "&rsaquo; Archive" in confirm.text
    assert 'value="Yes, archive it"' in confirm.text
    assert "Delete" not in confirm.text.split("<main", 1)[-1]

    client.post(reverse("admin:groups_meeting_delete", args=[aa_meeting.pk]), {"post": "yes"})
    aa_meeting.refresh_from_db()
    assert aa_meeting.status == Meeting.Status.INACTIVE
    assert "Archive</a>" not in client.get(change_url(aa_meeting)).text  # already archived


# Query counts ---------------------------------------------------------------------------------


def test_it_opens_the_meeting_form_in_a_constant_number_of_queries(staff_client, aa_meeting):
    # Volunteers open this form for every listing they check; the grouped types picker and the
    # record of checks must not query per type or per check.
    vocabulary = aa_meeting.fellowship.type_vocabulary
    admin = User.objects.get(username="admin")
    staff_client.get(change_url(aa_meeting))  # warm the catalogue cache
    counts = []
    for n in range(2):
        for i in range(5):
            MeetingType.objects.create(
                vocabulary=vocabulary, code=f"Z{n}{i}", name=f"Extra {n}{i}", category="other"
            )
            Verification.objects.create(meeting=aa_meeting, method="called", verified_by=admin)
        aa_meeting.types.add(*MeetingType.objects.filter(code__startswith=f"Z{n}"))
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(change_url(aa_meeting))
        assert response.status_code == 200
        assert f"Extra {n}4" in response.text
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
