"""Volunteers in the admin: scope, history and revert, archive and restore, refused conflicting
edits, checks of listings, the login lockout. Real requests through the admin."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from groups.models import Fellowship, Meeting, Verification
from tests.adminforms import form_data, make_volunteer
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def na_meeting():
    return make_meeting("na", name="Harbour NA", group=make_group("na"))


@pytest.fixture
def smart_meeting():
    return make_meeting("smart-recovery", name="Leith SMART", group=make_group("smart-recovery"))


@pytest.fixture
def smart_volunteer(client, smart):
    user = make_volunteer("sam", fellowships=[smart])
    client.force_login(user)
    return user


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    client.force_login(user)
    return client


def change_url(obj):
    return reverse(f"admin:groups_{obj._meta.model_name}_change", args=[obj.pk])


# Scope ----------------------------------------------------------------------------------------


def test_it_lists_only_the_volunteers_own_listings(
    client, smart_volunteer, na_meeting, smart_meeting
):
    page = client.get(reverse("admin:groups_meeting_changelist"))
    assert page.status_code == 200
    assert "Leith SMART" in page.text
    assert "Harbour NA" not in page.text
    groups = client.get(reverse("admin:groups_group_changelist")).text
    assert smart_meeting.group.name in groups
    assert na_meeting.group.name not in groups


def test_it_keeps_a_volunteer_out_of_another_fellowships_meeting_by_url(
    client, smart_volunteer, na_meeting
):
    response = client.get(change_url(na_meeting))
    assert response.status_code == 302  # "does not exist", back to the admin's start
    assert "Harbour NA" not in client.get(response.url).text
    history = reverse("admin:groups_meeting_history", args=[na_meeting.pk])
    assert client.get(history).status_code == 403
    record = na_meeting.history.latest()
    revert = reverse("admin:groups_meeting_simple_history", args=[na_meeting.pk, record.pk])
    assert client.get(revert).status_code == 403


def test_it_keeps_a_volunteer_from_changing_or_archiving_another_fellowships_meeting_by_post(
    client, smart_volunteer, na_meeting, smart
):
    data = {
        "name": "Taken over",
        "slug": na_meeting.slug,
        "fellowship": smart.pk,
        "day": 2,
        "start_time": "08:00",
        "timezone": "Europe/London",
        "attendance": "in_person",
        "status": "active",
        "location": na_meeting.location_id,
    }
    client.post(change_url(na_meeting), data)
    client.post(reverse("admin:groups_meeting_delete", args=[na_meeting.pk]), {"post": "yes"})
    client.post(
        reverse("admin:groups_meeting_changelist"),
        {"action": "archive", "_selected_action": [na_meeting.pk]},
    )
    na_meeting.refresh_from_db()
    assert na_meeting.name == "Harbour NA"
    assert na_meeting.fellowship.slug == "na"
    assert na_meeting.status == Meeting.Status.ACTIVE


def test_it_refuses_to_create_a_meeting_in_another_fellowship(client, smart_volunteer):
    na = Fellowship.objects.get(slug="na")
    form = client.get(reverse("admin:groups_meeting_add"))
    offered = [str(f) for f in form.context["adminform"].form.fields["fellowship"].queryset]
    assert offered == ["SMART Recovery"]
    response = client.post(
        reverse("admin:groups_meeting_add"),
        {
            "name": "Sneaky NA",
            "slug": "sneaky-na",
            "fellowship": na.pk,
            "day": 1,
            "start_time": "19:00",
            "timezone": "Europe/London",
            "attendance": "online",
            "conference_url": "https://meet.example.org/x",
            "status": "active",
            "verifications-TOTAL_FORMS": "0",
            "verifications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "fellowship" in response.context["adminform"].form.errors
    assert not Meeting.objects.filter(slug="sneaky-na").exists()


def test_it_refuses_to_move_a_meeting_out_of_the_volunteers_scope(
    client, smart_volunteer, smart_meeting
):
    na = Fellowship.objects.get(slug="na")
    page = client.get(change_url(smart_meeting))
    response = client.post(change_url(smart_meeting), form_data(page, fellowship=na.pk, group=""))
    assert response.status_code == 200
    assert "fellowship" in response.context["adminform"].form.errors
    smart_meeting.refresh_from_db()
    assert smart_meeting.fellowship.slug == "smart-recovery"


def test_it_keeps_a_region_volunteer_to_places_in_their_region(client, aa):
    lothian = make_region("Lothian")
    leith = make_region("Leith", parent=lothian)
    elsewhere = make_region("Glasgow")
    inside = make_meeting("aa", name="Leith Thursday", location=make_location(region=leith))
    outside = make_meeting("aa", name="Glasgow Friday", location=make_location(region=elsewhere))
    client.force_login(make_volunteer("ria", regions=[lothian]))

    listed = client.get(reverse("admin:groups_meeting_changelist")).text
    assert "Leith Thursday" in listed and "Glasgow Friday" not in listed
    page = client.get(change_url(inside))
    response = client.post(change_url(inside), form_data(page, location=outside.location_id))
    assert response.status_code == 200
    assert "location" in response.context["adminform"].form.errors
    inside.refresh_from_db()
    assert inside.location.region == leith


def test_it_lets_staff_with_full_rights_see_everything(staff_client, na_meeting, smart_meeting):
    page = staff_client.get(reverse("admin:groups_meeting_changelist")).text
    assert "Harbour NA" in page and "Leith SMART" in page


def test_it_gives_a_volunteer_without_a_scope_nothing(client, na_meeting):
    user = make_volunteer("newcomer")
    client.force_login(user)
    page = client.get(reverse("admin:groups_meeting_changelist"))
    assert page.status_code == 200
    assert "Harbour NA" not in page.text


def test_it_offers_only_the_meetings_own_fellowships_type_codes(staff_client, smart_meeting):
    from groups.models import MeetingType, TypeVocabulary

    vocabulary = TypeVocabulary.objects.create(name="SMART formats", slug="smart-formats")
    MeetingType.objects.create(
        vocabulary=vocabulary, code="FAM", name="Family and Friends", category="community"
    )
    Fellowship.objects.filter(slug="smart-recovery").update(type_vocabulary=vocabulary)
    page = staff_client.get(change_url(smart_meeting))
    assert "Family and Friends" in page.text
    assert "Big Book" not in page.text  # another vocabulary's code


# History and revert -----------------------------------------------------------------------------


def test_it_records_an_edit_in_history_and_reverts_it(staff_client, smart_meeting):
    page = staff_client.get(change_url(smart_meeting))
    saved = staff_client.post(change_url(smart_meeting), form_data(page, start_time="20:30"))
    assert saved.status_code == 302
    smart_meeting.refresh_from_db()
    assert smart_meeting.start_time == datetime.time(20, 30)

    history = staff_client.get(reverse("admin:groups_meeting_history", args=[smart_meeting.pk]))
    assert history.status_code == 200
    assert "admin" in history.text  # who
    assert "19:00" in history.text and "20:30" in history.text  # the field-by-field diff

    first = smart_meeting.history.earliest()
    before = smart_meeting.history.count()
    revert_url = reverse("admin:groups_meeting_simple_history", args=[smart_meeting.pk, first.pk])
    old = staff_client.get(revert_url)
    assert old.status_code == 200
    reverted = staff_client.post(revert_url, form_data(old))
    assert reverted.status_code == 302
    smart_meeting.refresh_from_db()
    assert smart_meeting.start_time == datetime.time(19, 0)
    assert smart_meeting.history.count() == before + 1  # the revert is itself recorded


# Archive and restore ----------------------------------------------------------------------------


def test_it_archives_a_deleted_meeting_and_restores_it(client, smart_volunteer, smart_meeting):
    confirm = client.get(reverse("admin:groups_meeting_delete", args=[smart_meeting.pk]))
    assert "Archive the meeting" in confirm.text
    client.post(reverse("admin:groups_meeting_delete", args=[smart_meeting.pk]), {"post": "yes"})
    smart_meeting.refresh_from_db()
    assert smart_meeting.status == Meeting.Status.INACTIVE
    assert "Archived by sam" in smart_meeting.status_reason
    assert client.get(smart_meeting.get_absolute_url()).status_code == 410

    client.post(
        reverse("admin:groups_meeting_changelist"),
        {"action": "restore", "_selected_action": [smart_meeting.pk]},
    )
    smart_meeting.refresh_from_db()
    assert smart_meeting.status == Meeting.Status.ACTIVE
    assert client.get(smart_meeting.get_absolute_url()).status_code == 200


def test_it_lets_only_staff_delete_a_meeting_for_good(
    client, smart_volunteer, staff_client_factory, smart_meeting
):
    listing = client.get(reverse("admin:groups_meeting_changelist"))
    actions = dict(listing.context["action_form"].fields["action"].choices)
    assert "purge" not in actions and "delete_selected" not in actions
    client.post(
        reverse("admin:groups_meeting_changelist"),
        {"action": "purge", "_selected_action": [smart_meeting.pk], "post": "yes"},
    )
    assert Meeting.objects.filter(pk=smart_meeting.pk).exists()

    staff = staff_client_factory()
    staff.post(
        reverse("admin:groups_meeting_changelist"),
        {"action": "purge", "_selected_action": [smart_meeting.pk], "post": "yes"},
    )
    assert not Meeting.objects.filter(pk=smart_meeting.pk).exists()


@pytest.fixture
def staff_client_factory(django_user_model):
    from django.test import Client

    def make():
        other = Client()
        user = django_user_model.objects.create_superuser(
            "chief", "chief@example.org", "a-long-test-password"
        )
        other.force_login(user)
        return other

    return make


# No lost edits ----------------------------------------------------------------------------------


def test_it_refuses_a_conflicting_edit_and_keeps_both_versions(smart_meeting, smart):
    from django.test import Client

    alice, bob = Client(), Client()
    alice.force_login(make_volunteer("alice", fellowships=[smart]))
    bob.force_login(make_volunteer("bob", fellowships=[smart]))
    alices_page = alice.get(change_url(smart_meeting))
    bobs_page = bob.get(change_url(smart_meeting))

    assert (
        alice.post(
            change_url(smart_meeting), form_data(alices_page, start_time="20:00")
        ).status_code
        == 302
    )
    refused = bob.post(change_url(smart_meeting), form_data(bobs_page, name="Leith SMART Tuesday"))

    assert refused.status_code == 200
    text = refused.text
    assert "changed by someone else while you were editing it" in text
    assert "alice" in text and "19:00" in text and "20:00" in text
    assert 'value="Leith SMART Tuesday"' in text  # Bob's version is still in his form
    smart_meeting.refresh_from_db()
    assert smart_meeting.name == "Leith SMART"  # Alice's version stands
    assert smart_meeting.start_time == datetime.time(20, 0)

    # Having looked, Bob saves again: his form now carries the new version, and is accepted.
    again = bob.post(change_url(smart_meeting), form_data(refused))
    assert again.status_code == 302
    smart_meeting.refresh_from_db()
    assert smart_meeting.name == "Leith SMART Tuesday"


# Checks ----------------------------------------------------------------------------------------


def test_it_records_a_check_of_a_listing(client, smart_volunteer, smart_meeting):
    page = client.get(change_url(smart_meeting))
    data = form_data(page)
    data.update(
        {
            "verifications-TOTAL_FORMS": "1",
            "verifications-0-verified_on": timezone.localdate().isoformat(),
            "verifications-0-method": "attended",
            "verifications-0-note": "Went on Monday; 12 people.",
            "verifications-0-meeting": smart_meeting.pk,
        }
    )
    assert client.post(change_url(smart_meeting), data).status_code == 302
    check = Verification.objects.get(meeting=smart_meeting)
    assert check.verified_by == smart_volunteer
    assert check.method == "attended"
    smart_meeting.refresh_from_db()
    assert smart_meeting.last_verified == timezone.localdate()


def test_it_lists_listings_that_need_checking_oldest_first_within_the_scope(
    client, smart_volunteer, smart, na_meeting
):
    today = timezone.localdate()
    old = make_meeting(
        smart, name="Checked long ago", last_verified=today - datetime.timedelta(400)
    )
    older = make_meeting(
        smart, name="Checked longer ago", last_verified=today - datetime.timedelta(900)
    )
    never = make_meeting(smart, name="Never checked")
    make_meeting(smart, name="Checked lately", last_verified=today - datetime.timedelta(10))
    page = client.get(reverse("admin:groups_needschecking_changelist"))
    assert page.status_code == 200
    shown = [m.name for m in page.context["cl"].result_list]
    assert shown == [never.name, older.name, old.name]
    assert "Harbour NA" not in page.text

    client.post(
        reverse("admin:groups_needschecking_changelist"),
        {"action": "mark_checked", "method": "called", "_selected_action": [old.pk, never.pk]},
    )
    page = client.get(reverse("admin:groups_needschecking_changelist"))
    assert [m.name for m in page.context["cl"].result_list] == [older.name]
    assert Verification.objects.filter(method="called", verified_by=smart_volunteer).count() == 2


def test_it_asks_how_listings_were_checked_before_marking_them(
    client, smart_volunteer, smart_meeting
):
    response = client.post(
        reverse("admin:groups_needschecking_changelist"),
        {"action": "mark_checked", "method": "", "_selected_action": [smart_meeting.pk]},
        follow=True,
    )
    assert "Choose how the listings were checked" in response.text
    assert not Verification.objects.exists()


def test_it_sends_each_volunteer_the_listings_in_their_scope_that_need_checking(
    smart, na_meeting, smart_meeting
):
    make_volunteer("sam", fellowships=[smart])
    make_volunteer("nat", fellowships=[Fellowship.objects.get(slug="na")])
    call_command("flag_stale_listings", "--email")
    by_user = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_user) == {"sam@example.org", "nat@example.org"}
    assert "Leith SMART" in by_user["sam@example.org"]
    assert "Harbour NA" not in by_user["sam@example.org"]
    assert "Harbour NA" in by_user["nat@example.org"]
    assert f"/admin/groups/meeting/{smart_meeting.pk}/change/" in by_user["sam@example.org"]


def test_it_prints_the_stale_listings_for_each_volunteer(capsys, smart, smart_meeting):
    make_volunteer("sam", fellowships=[smart])
    smart_meeting.last_verified = timezone.localdate()
    smart_meeting.save()
    stale = make_meeting(smart, name="Forgotten SMART")
    call_command("flag_stale_listings")
    out = capsys.readouterr().out
    assert "sam" in out and "Forgotten SMART" in out
    assert "Leith SMART" not in out
    assert stale.slug in out or "never" in out.lower()


# Logging in -------------------------------------------------------------------------------------


def test_it_locks_out_a_login_after_the_configured_failures(client, settings):
    User.objects.create_user("vol", "vol@example.org", "the-right-password-1", is_staff=True)
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        failed = client.post(
            "/admin/login/", {"username": "vol", "password": "wrong", "next": "/admin/"}
        )
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert "Please enter the correct username and password" in failed.text
    locked = client.post(
        "/admin/login/", {"username": "vol", "password": "the-right-password-1", "next": "/admin/"}
    )
    assert locked.status_code in (403, 429)
    assert "Sign-in is paused" in locked.text
    assert client.get("/admin/").status_code == 302  # not signed in


def test_it_signs_in_with_the_right_password_before_any_lockout(client):
    User.objects.create_user("vol", "vol@example.org", "the-right-password-1", is_staff=True)
    client.post("/admin/login/", {"username": "vol", "password": "wrong", "next": "/admin/"})
    signed_in = client.post(
        "/admin/login/", {"username": "vol", "password": "the-right-password-1", "next": "/admin/"}
    )
    assert signed_in.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_refuses_a_weak_password_for_a_new_account(staff_client):
    response = staff_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newvol",
            "password1": "password",
            "password2": "password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("password2", []))
    assert "too short" in errors or "too common" in errors
    assert not User.objects.filter(username="newvol").exists()


# Queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "admin:groups_meeting_changelist",
        "admin:groups_needschecking_changelist",
        "admin:groups_group_changelist",
        "admin:groups_location_changelist",
        "admin:groups_changerequest_changelist",
        "admin:auth_user_changelist",
    ],
)
def test_it_lists_in_a_constant_number_of_queries(
    client, smart, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_volunteer("sam", fellowships=[smart])
    if url.startswith("admin:auth"):  # accounts are for coordinators
        user.is_superuser = True
        user.save()
    client.force_login(user)
    counts = []
    for _ in range(2):
        for n in range(6):
            meeting = make_meeting(smart, group=make_group(smart), name=f"SMART {n}")
            from groups.models import ChangeRequest

            ChangeRequest.objects.create(
                meeting=meeting, fellowship=smart, report="nobody_there", email="x@example.org"
            )
            make_volunteer(f"v{meeting.pk}", fellowships=[smart])
        client.get(reverse(url))  # warm the catalogue cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(14):
        client.get(reverse(url))
