"""A new volunteer can sign in (issue 15): a scope or the `volunteers` group makes them staff,
however it was given; `manage.py add_volunteer` makes one from the command line; the demo has a
coordinator and two scoped volunteers whose published passwords are refused with DEBUG off, and
its history starts with the account that loaded it."""

import io

import pytest
from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from groups.models import ChangeRequest, Group, Location, Meeting, Volunteer
from groups.scope import scope_of
from tests.adminforms import form_data
from tests.conftest import make_region

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def sign_in(username, password) -> Client:
    """Through the admin's own sign-in form, as a person would."""
    client = Client()
    client.post(reverse("admin:login"), {"username": username, "password": password})
    return client


def signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def user_form(page, **changes) -> dict:
    """The admin's user form as posted, its date split in two as the browser sends it."""
    data = form_data(page, **changes)
    joined = data.pop("date_joined")
    data.update(date_joined_0=joined.strftime("%Y-%m-%d"), date_joined_1=joined.strftime("%H:%M"))
    return data


def staff(user) -> bool:
    user.refresh_from_db()
    return user.is_staff


@pytest.fixture
def volunteers():
    return UserGroup.objects.get(name="volunteers")


@pytest.fixture
def edinburgh():
    return make_region("Edinburgh", slug="edinburgh")


@pytest.fixture
def coordinator():
    client = Client()
    client.force_login(User.objects.create_superuser("chief", "c@example.org", PASSWORD))
    return client


# Staff follows a scope or the group ---------------------------------------------------------


def test_it_makes_a_user_given_a_scope_staff(aa):
    user = User.objects.create_user("ada", password=PASSWORD)
    assert not signed_in(sign_in("ada", PASSWORD))
    volunteer = Volunteer.objects.create(user=user)
    assert not staff(user)  # an empty scope keeps nothing
    volunteer.fellowships.add(aa)
    assert staff(user)
    assert signed_in(sign_in("ada", PASSWORD))


def test_it_makes_a_user_given_a_region_from_the_regions_side_staff(edinburgh):
    user = User.objects.create_user("ada", password=PASSWORD)
    edinburgh.volunteers.add(Volunteer.objects.create(user=user))
    assert staff(user)


def test_it_makes_a_user_added_to_volunteers_staff_from_either_side(volunteers):
    ada = User.objects.create_user("ada", password=PASSWORD)
    ada.groups.add(volunteers)
    assert staff(ada)
    bob = User.objects.create_user("bob", password=PASSWORD)
    volunteers.user_set.add(bob)
    assert staff(bob)
    assert signed_in(sign_in("bob", PASSWORD))


def test_it_makes_staff_from_the_admins_user_screen_with_staff_left_unticked(
    coordinator, volunteers, aa, edinburgh
):
    user = User.objects.create_user("ada", password=PASSWORD)
    url = reverse("admin:auth_user_change", args=[user.pk])
    page = coordinator.get(url)
    data = user_form(page, groups=[str(volunteers.pk)])
    data.pop("is_staff", None)
    data.update(
        {
            "volunteer-TOTAL_FORMS": "1",
            "volunteer-INITIAL_FORMS": "0",
            "volunteer-0-fellowships": [str(aa.pk)],
            "volunteer-0-regions": [str(edinburgh.pk)],
        }
    )
    saved = coordinator.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert staff(user)
    assert scope_of(User.objects.get(pk=user.pk)).label == "Alcoholics Anonymous in Edinburgh"
    assert signed_in(sign_in("ada", PASSWORD))


def test_it_makes_staff_from_the_scope_inline_alone(coordinator, smart):
    user = User.objects.create_user("ada", password=PASSWORD)
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = user_form(coordinator.get(url))
    data.update(
        {
            "volunteer-TOTAL_FORMS": "1",
            "volunteer-INITIAL_FORMS": "0",
            "volunteer-0-fellowships": [str(smart.pk)],
        }
    )
    assert coordinator.post(url, data).status_code == 302
    assert staff(user)


def test_it_takes_staff_away_with_the_last_membership_but_never_from_a_superuser(volunteers, aa):
    ada = User.objects.create_user("ada", password=PASSWORD)
    ada.groups.add(volunteers)
    scope = Volunteer.objects.create(user=ada)
    scope.fellowships.add(aa)
    ada.groups.remove(volunteers)
    assert staff(ada)  # the scope still holds
    scope.fellowships.remove(aa)
    assert not staff(ada)
    assert not signed_in(sign_in("ada", PASSWORD))

    chief = User.objects.create_superuser("chief2", "c2@example.org", PASSWORD)
    chief.groups.add(volunteers)
    chief.groups.remove(volunteers)
    volunteers.user_set.add(chief, ada)
    assert staff(ada)
    volunteers.user_set.clear()
    assert staff(chief) and not staff(ada)
    assert signed_in(sign_in("chief2", PASSWORD))


def test_it_takes_staff_away_when_the_scope_is_deleted(aa):
    ada = User.objects.create_user("ada", password=PASSWORD)
    scope = Volunteer.objects.create(user=ada)
    scope.fellowships.add(aa)
    scope.delete()
    assert not staff(ada)


# manage.py add_volunteer -------------------------------------------------------------------


def add_volunteer(*args, password=PASSWORD, monkeypatch=None) -> str:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    call_command("add_volunteer", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def test_it_adds_a_scoped_volunteer_who_signs_in_on_their_scope(
    monkeypatch, aa, edinburgh, volunteers
):
    said = add_volunteer(
        "ada",
        "--fellowship",
        "aa",
        "--region",
        "edinburgh",
        "--email",
        "ada@example.org",
        monkeypatch=monkeypatch,
    )
    assert "Created ada" in said and "Alcoholics Anonymous in Edinburgh" in said
    ada = User.objects.get(username="ada")
    assert ada.is_staff and ada.email == "ada@example.org"
    assert list(ada.groups.all()) == [volunteers]
    client = sign_in("ada", PASSWORD)
    home = client.get(reverse("admin:index"))
    assert "Your scope: Alcoholics Anonymous in Edinburgh" in home.text


def test_it_updates_an_existing_user_with_a_new_scope_and_password(monkeypatch, smart, edinburgh):
    add_volunteer("ada", "--region", "edinburgh", monkeypatch=monkeypatch)
    said = add_volunteer(
        "ada",
        "--fellowship",
        "smart-recovery",
        password="another-long-one-2",
        monkeypatch=monkeypatch,
    )
    assert "Updated ada" in said
    assert scope_of(User.objects.get(username="ada")).label == "SMART Recovery"
    assert signed_in(sign_in("ada", "another-long-one-2"))
    assert not signed_in(sign_in("ada", PASSWORD))


def test_it_adds_a_coordinator_who_keeps_every_listing_and_the_accounts(monkeypatch):
    add_volunteer("cora", "--coordinator", monkeypatch=monkeypatch)
    cora = User.objects.get(username="cora")
    assert not cora.is_superuser and cora.is_staff
    assert scope_of(cora).everything
    client = sign_in("cora", PASSWORD)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:groups_helpline_changelist")).status_code == 200
    assert "Your scope: every listing" in client.get(reverse("admin:index")).text
    # Accounts, but not the keys to everything: no superuser status to hand out, and no
    # changing a superuser's account.
    volunteer = User.objects.create_user("vic", password=PASSWORD)
    form = client.get(reverse("admin:auth_user_change", args=[volunteer.pk])).text
    assert 'name="is_superuser"' not in form and 'name="groups"' in form
    chief = User.objects.create_superuser("boss", "b@example.org", PASSWORD)
    page = client.get(reverse("admin:auth_user_change", args=[chief.pk]))
    assert 'name="password"' not in page.text and 'name="is_superuser"' not in page.text


@pytest.mark.parametrize(
    "args, named",
    [
        (["--fellowship", "alcoholics"], "--fellowship: no fellowship 'alcoholics'"),
        (["--fellowship", "aa", "--region", "atlantis"], "--region: no region 'atlantis'"),
        ([], "Give a scope (--fellowship and/or --region)"),
        (["--coordinator", "--fellowship", "aa"], "A coordinator keeps every listing"),
    ],
)
def test_it_names_the_argument_it_cannot_use(monkeypatch, args, named):
    with pytest.raises(CommandError, match=named.replace("(", r"\(").replace(")", r"\)")):
        add_volunteer("ada", *args, monkeypatch=monkeypatch)
    assert not User.objects.filter(username="ada").exists()


def test_it_refuses_a_weak_password_and_an_empty_one(monkeypatch, aa):
    with pytest.raises(CommandError, match="Password refused"):
        add_volunteer("ada", "--fellowship", "aa", password="12345", monkeypatch=monkeypatch)
    with pytest.raises(CommandError, match="gave no password"):
        add_volunteer("ada", "--fellowship", "aa", password="", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="ada").exists()


# The demo's accounts and history -------------------------------------------------------------


@pytest.fixture
def demo_loaded(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


def test_it_gives_the_demo_a_coordinator_and_two_scoped_volunteers_under_debug(
    settings, demo_loaded
):
    settings.DEBUG = True
    coordinator = sign_in("coordinator", "demo-coordinator-2026")
    assert "Your scope: every listing" in coordinator.get(reverse("admin:index")).text
    aa = sign_in("aa-edinburgh", "demo-volunteer-2026")
    home = aa.get(reverse("admin:index")).text
    assert "Your scope: Alcoholics Anonymous in Edinburgh" in home
    assert "<strong>2</strong> corrections waiting" in home
    smart = sign_in("smart-volunteer", "demo-volunteer-2026")
    assert "Your scope: SMART Recovery, everywhere" in smart.get(reverse("admin:index")).text


def test_it_refuses_the_demo_passwords_with_debug_off(settings, demo_loaded):
    settings.DEBUG = False
    for username, password in [
        ("coordinator", "demo-coordinator-2026"),
        ("aa-edinburgh", "demo-volunteer-2026"),
        ("smart-volunteer", "demo-volunteer-2026"),
    ]:
        page = Client().post(reverse("admin:login"), {"username": username, "password": password})
        assert "one of the demo&#x27;s published passwords" in page.text
        assert not signed_in(sign_in(username, password))


def test_it_creates_no_demo_accounts_with_debug_off(settings):
    settings.DEBUG = False
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "DEBUG is off: the demo accounts were not created" in out.getvalue()
    assert not User.objects.filter(is_staff=True).exists()
    assert ChangeRequest.objects.filter(decision="pending").count() == 2  # the data, all the same


def test_it_puts_two_corrections_in_the_aa_edinburgh_queue_one_a_shared_venues_name(
    demo_loaded,
):
    waiting = ChangeRequest.objects.filter(decision="pending")
    aa_edinburgh = scope_of(User.objects.get(username="aa-edinburgh"))
    assert set(aa_edinburgh.change_requests(waiting)) == set(waiting) and waiting.count() == 2
    venue_change = waiting.get(proposed__has_key="location_name")
    venue = venue_change.meeting.location
    assert venue.meetings.count() >= 3
    assert aa_edinburgh.locations(Location.objects.filter(pk=venue.pk)).exists()
    assert venue_change.proposed["location_name"] != venue.name


def test_it_starts_the_demos_history_with_the_account_that_loaded_it(demo_loaded):
    loader = User.objects.get(username="demo-loader")
    assert not loader.is_staff and not loader.has_usable_password()
    for model in (Meeting, Group, Location):
        assert model.history.count() == model.objects.count()
        assert set(model.history.values_list("history_user", flat=True)) == {loader.pk}
        assert set(model.history.values_list("history_type", flat=True)) == {"+"}
    meeting = Meeting.objects.exclude(types=None).first()
    first = meeting.history.get()
    assert {t.meetingtype_id for t in first.types.all()} == {t.pk for t in meeting.types.all()}
    assert {x.language_id for x in first.languages.all()} == {x.pk for x in meeting.languages.all()}


def test_it_shows_the_loader_on_a_demo_meetings_history_page(demo_loaded, coordinator):
    meeting = Meeting.objects.first()
    page = coordinator.get(reverse("admin:groups_meeting_history", args=[meeting.pk]))
    assert "demo-loader" in page.text and "Demo data loaded" in page.text
    assert ">None<" not in page.text
