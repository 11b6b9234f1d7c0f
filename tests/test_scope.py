"""Nobody crosses a volunteer's scope (issue 13): every registered admin URL and action refuses
what is outside it, groups and venues with no meetings are their creator's, imports stay within
it, and change requests follow their meeting. Real requests through the admin."""

import datetime
import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import corrections
from groups.models import (
    ChangeRequest,
    Fellowship,
    Group,
    Helpline,
    ImportRun,
    ImportSource,
    Language,
    Location,
    Meeting,
    MeetingType,
    NeedsChecking,
    Region,
    TypeVocabulary,
)
from tests.adminforms import form_data, make_volunteer
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db

# The catalogue is the same for everyone and public on every page: a volunteer may look at it
# (read-only), never change it. Every other registered model must refuse what is outside scope.
PUBLIC = {Fellowship, TypeVocabulary, MeetingType, Language, Region}


@pytest.fixture
def world(smart):
    na = Fellowship.objects.get(slug="na")
    leith, glasgow = make_region("Leith"), make_region("Glasgow")
    olive = make_volunteer("olive", fellowships=[na], regions=[glasgow])
    sam = make_volunteer("sam", fellowships=[smart], regions=[leith])
    sam.user_permissions.add(*Permission.objects.filter(codename__endswith="_importsource"))
    source = ImportSource.objects.create(
        name="Olive's feed", format="meeting-guide", fellowship=na, created_by=olive
    )
    venue = make_location(name="Glasgow Hall", region=glasgow, created_by=olive)
    group = make_group(na, name="Glasgow NA", private_contact_email="secret@example.org")
    meeting = make_meeting(
        na, name="Glasgow Friday", group=group, location=venue, source=source, source_key="k1"
    )
    meeting.save()  # a second history record, to revert to the first
    change = ChangeRequest.objects.create(
        meeting=meeting, fellowship=na, report="changed", proposed={"name": "Taken"}
    )
    run = ImportRun.objects.create(source=source, user=olive, status="preview", content=b"[]")
    outside = {
        UserGroup: UserGroup.objects.get(name="volunteers"),
        User: olive,
        AccessAttempt: AccessAttempt.objects.create(
            username="x", ip_address="203.0.113.9", failures_since_start=1
        ),
        AccessLog: AccessLog.objects.create(username="x", ip_address="203.0.113.9"),
        AccessFailureLog: AccessFailureLog.objects.create(username="x", ip_address="203.0.113.9"),
        Fellowship: na,
        TypeVocabulary: TypeVocabulary.objects.get(slug="meeting-guide"),
        MeetingType: MeetingType.objects.get(vocabulary__slug="meeting-guide", code="O"),
        Language: Language.objects.get(code="en"),
        Region: glasgow,
        # Directory-wide like the catalogue, but volunteers are given no helpline permission.
        Helpline: Helpline.objects.create(
            name="Samaritans",
            phone="116 123",
            country="GB",
            source_name="samaritans.org",
            source_url="https://www.samaritans.org/",
        ),
        ChangeRequest: change,
        ImportSource: source,
        Location: venue,
        Group: group,
        Meeting: meeting,
        NeedsChecking: NeedsChecking.objects.get(pk=meeting.pk),
    }
    volunteer = Client()
    volunteer.force_login(sam)
    coordinator = Client()
    coordinator.force_login(User.objects.create_superuser("chief", "c@example.org", "pw-long-1"))
    return {
        "outside": outside,
        "run": run,
        "volunteer": volunteer,
        "coordinator": coordinator,
        "sam": sam,
        "leith": leith,
        "glasgow": glasgow,
    }


def snapshot() -> dict:
    """Every row the admin could write (sessions aside), to compare before and after a POST."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label == "sessions":
            continue
        values = model._base_manager.values_list()
        rows[model._meta.label] = sorted(
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) for row in values
        )
    return rows


def refused(response) -> bool:
    """403, 404, or the admin's "does not exist" after its redirect."""
    if response.status_code in (403, 404):
        return True
    text = response.content.decode() if not response.streaming else ""
    return response.status_code == 200 and "exist. Perhaps it was deleted?" in text


def url_of(pattern, obj, world) -> str:
    """The pattern's URL for the outside object (and its source, run or version)."""
    values = {
        "object_id": obj.pk,
        "id": obj.pk,
        "source_id": world["outside"][ImportSource].pk,
        "run_id": world["run"].pk,
    }
    if hasattr(obj, "history"):
        values["version_id"] = obj.history.latest().pk
    names = list(getattr(pattern.pattern, "converters", {}))
    if not names and pattern.pattern.regex.groups:  # django-simple-history's revert page
        assert pattern.name.endswith("_simple_history"), f"Tell the walk what {pattern.name} takes"
        return reverse(f"admin:{pattern.name}", args=[values["object_id"], values["version_id"]])
    missing = set(names) - set(values)
    assert not missing, f"Tell the walk what {pattern.name} takes as {missing}"
    return reverse(f"admin:{pattern.name}", kwargs={name: values[name] for name in names})


def hostile_post(world, name, url, obj) -> dict:
    """What a coordinator would send on this page (a valid save), or a copy of the object for
    an add page, or an upload into someone else's source."""
    if name == "groups_importsource_upload":
        upload = SimpleUploadedFile("feed.json", json.dumps([]).encode())
        return {"file": upload, "format": "meeting-guide", "fellowship": 1, "name": obj.name}
    coordinator = world["coordinator"]
    page_url = url
    if name.endswith("_add"):
        page_url = reverse(f"admin:{name[:-4]}_change", args=[obj.pk])
    page = coordinator.get(page_url)
    data = {"post": "yes"}
    if page.status_code == 200 and page.context and "adminform" in page.context:
        data.update(form_data(page))
        for field in ("name", "slug", "username", "code"):
            if field in data:
                data[field] = f"{data[field]}-copy"[:20]
    return data


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: m._meta.label_lower.replace(".", "_")
)
def test_it_refuses_every_admin_url_and_action_outside_the_volunteers_scope(world, model):
    modeladmin = admin.site._registry[model]
    obj = world["outside"].get(model)
    assert obj is not None, f"Tell the walk which {model.__name__} is outside a volunteer's scope"
    volunteer, public = world["volunteer"], model in PUBLIC
    for pattern in modeladmin.get_urls():
        if pattern.name is None:  # the admin's own redirect of a bare object URL to its page
            continue
        url = url_of(pattern, obj, world)
        shown = volunteer.get(url, follow=True)
        if pattern.name.endswith("_changelist"):
            if shown.status_code == 200 and not public:
                assert obj.pk not in [row.pk for row in shown.context["cl"].result_list]
            else:
                assert public or refused(shown), url
        elif pattern.name.endswith(("_add", "_upload")):
            assert shown.status_code in (200, 403), url  # what may be added is the form's
        elif public and shown.status_code == 200:
            assert not shown.context.get("has_change_permission"), url  # read-only
        else:
            assert refused(shown), (url, shown.status_code, shown.redirect_chain)
        before = snapshot()
        volunteer.post(url, hostile_post(world, pattern.name, url, obj))
        assert snapshot() == before, f"POST {url} changed the database"

    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for _, action, _ in modeladmin._get_base_actions():
        before = snapshot()
        response = volunteer.post(
            changelist,
            {"action": action, "_selected_action": [obj.pk], "post": "yes", "method": "called"},
        )
        assert snapshot() == before, f"the action {action} changed the database"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert str(obj).encode() not in body or public, f"the action {action} showed it"

    for field in modeladmin.autocomplete_fields:
        remote = model._meta.get_field(field).remote_field.model
        found = volunteer.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field,
                "term": "",
            },
        )
        if found.status_code == 200:
            ids = [row["id"] for row in found.json()["results"]]
            assert str(world["outside"][remote].pk) not in ids, f"{field} offers it"


def test_it_walks_every_registered_admin(world):
    # A model registered later needs its outside object here, or the walk above fails for it.
    assert set(admin.site._registry) <= set(world["outside"])


# (a) The list of listings that need checking ----------------------------------------------


def test_it_opens_a_listing_that_needs_checking_on_the_meetings_own_form(world, smart):
    mine = make_meeting(smart, name="Leith SMART", location=make_location(region=world["leith"]))
    volunteer = world["volunteer"]
    listing = volunteer.get(reverse("admin:groups_needschecking_changelist"))
    assert [m.pk for m in listing.context["cl"].result_list] == [mine.pk]
    assert reverse("admin:groups_meeting_change", args=[mine.pk]) in listing.text
    opened = volunteer.get(reverse("admin:groups_needschecking_change", args=[mine.pk]))
    assert opened.url == reverse("admin:groups_meeting_change", args=[mine.pk])

    # On the meeting's own form a move onto another region's venue is refused, as anywhere.
    page = volunteer.get(opened.url)
    glasgow_hall = world["outside"][Location]
    moved = volunteer.post(opened.url, form_data(page, location=glasgow_hall.pk))
    assert moved.status_code == 200 and "location" in moved.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.location.region == world["leith"]


# (b) Groups and venues with no meetings ------------------------------------------------------


def test_it_gives_an_empty_group_to_its_creator_and_coordinators_alone(world, smart):
    volunteer, sam = world["volunteer"], world["sam"]
    added = volunteer.post(
        reverse("admin:groups_group_add"),
        {
            "name": "Leith SMART group",
            "slug": "leith-smart-group",
            "fellowship": smart.pk,
            "meetings-TOTAL_FORMS": "0",
            "meetings-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302
    assert Group.objects.get(slug="leith-smart-group").created_by == sam
    theirs = make_group(smart, name="Someone's new group", private_contact_email="p@example.org")
    page = volunteer.get(reverse("admin:groups_group_change", args=[theirs.pk]), follow=True)
    assert refused(page) and "p@example.org" not in page.text
    listed = volunteer.get(reverse("admin:groups_group_changelist")).text
    assert "Leith SMART group" in listed and "Someone&#x27;s new group" not in listed
    # Nor can they take it over by holding a meeting in it.
    form = volunteer.get(reverse("admin:groups_meeting_add"))
    assert theirs not in form.context["adminform"].form.fields["group"].queryset
    chief = world["coordinator"].get(reverse("admin:groups_group_change", args=[theirs.pk]))
    assert chief.status_code == 200 and "p@example.org" in chief.text


def test_it_keeps_an_unused_venue_from_another_volunteer(world, smart):
    other = make_volunteer("rosa", fellowships=[smart], regions=[world["leith"]])
    unused = make_location(name="Empty Hall", region=world["leith"], created_by=other)
    volunteer = world["volunteer"]
    url = reverse("admin:groups_location_change", args=[unused.pk])
    assert refused(volunteer.get(url, follow=True))
    volunteer.post(url, {"name": "Renamed", "region": world["leith"].pk, "timezone": "UTC"})
    found = volunteer.get(
        reverse("admin:autocomplete"),
        {"app_label": "groups", "model_name": "meeting", "field_name": "location", "term": "Empty"},
    )
    assert found.json()["results"] == []  # not offered for a meeting either
    unused.refresh_from_db()
    assert unused.name == "Empty Hall"
    rosa = Client()
    rosa.force_login(other)
    assert rosa.get(url).status_code == 200


# (c) Imports ---------------------------------------------------------------------------------


def feed(*meetings) -> bytes:
    return json.dumps(list(meetings)).encode()


def entry(slug, name, region, **fields):
    return {
        "slug": slug,
        "name": name,
        "day": 1,
        "time": "19:00",
        "timezone": "Europe/London",
        "location": "Hall",
        "formatted_address": f"1 Road, {region}, United Kingdom",
        "regions": [region],
        **fields,
    }


def upload(client, content, name, fellowship):
    data = {
        "file": SimpleUploadedFile("feed.json", content),
        "format": "meeting-guide",
        "fellowship": fellowship.pk,
        "name": name,
    }
    return client.post(reverse("admin:groups_importsource_upload"), data)


def test_it_refuses_an_import_that_would_create_meetings_outside_the_scope(world, smart):
    volunteer = world["volunteer"]
    content = feed(
        entry("leith-smart", "Leith SMART", "Leith"),
        entry("glasgow-smart", "Glasgow SMART", "Glasgow"),
    )
    preview = upload(volunteer, content, "Sam's feed", smart)
    assert preview.status_code == 200
    assert "would be outside your scope" in preview.text and "Glasgow SMART" in preview.text
    source = ImportSource.objects.get(name="Sam's feed")
    assert source.created_by == world["sam"]
    saved = volunteer.post(
        reverse("admin:groups_importsource_confirm", args=[preview.context["run"].pk])
    )
    assert saved.status_code == 400
    assert "Glasgow SMART [glasgow-smart]" in saved.text
    assert not Meeting.objects.filter(source=source).exists()

    inside = upload(
        volunteer, feed(entry("leith-smart", "Leith SMART", "Leith")), "Sam's feed", smart
    )
    assert "outside your scope" not in inside.text
    done = volunteer.post(
        reverse("admin:groups_importsource_confirm", args=[inside.context["run"].pk])
    )
    assert done.status_code == 302
    assert list(Meeting.objects.filter(source=source).values_list("name", flat=True)) == [
        "Leith SMART"
    ]


def test_it_refuses_an_import_into_someone_elses_source(world, smart):
    theirs = world["outside"][ImportSource]
    response = upload(
        world["volunteer"], feed(entry("x", "Leith SMART", "Leith")), theirs.name, smart
    )
    assert response.status_code == 400
    assert "someone else's source" in response.context["form"].errors["name"][0]
    meeting = world["outside"][Meeting]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ACTIVE  # not marked inactive by a stranger's file
    assert not ImportRun.objects.exclude(pk=world["run"].pk).exists()
    confirm = reverse("admin:groups_importsource_confirm", args=[world["run"].pk])
    assert world["volunteer"].post(confirm).status_code == 404


def test_it_leaves_refreshing_and_subscribing_to_coordinators(world, smart):
    mine = ImportSource.objects.create(
        name="Sam's URL", format="meeting-guide", fellowship=smart, created_by=world["sam"]
    )
    volunteer = world["volunteer"]
    page = volunteer.get(reverse("admin:groups_importsource_change", args=[mine.pk]))
    assert page.status_code == 200 and "Refresh now" not in page.text
    assert "refresh_hours" not in page.context["adminform"].form.fields
    assert (
        volunteer.post(reverse("admin:groups_importsource_refresh", args=[mine.pk])).status_code
        == 403
    )


# (d) Change requests follow their meeting ---------------------------------------------------


def test_it_closes_a_request_to_a_volunteer_once_its_meeting_left_their_scope(world, smart):
    meeting = make_meeting(smart, name="Leith SMART", location=make_location(region=world["leith"]))
    change = ChangeRequest.objects.create(
        meeting=meeting, fellowship=smart, report="changed", proposed={"name": "New name"}
    )
    volunteer = world["volunteer"]
    url = reverse("admin:groups_changerequest_change", args=[change.pk])
    assert volunteer.get(url).status_code == 200
    page = volunteer.get(url)
    meeting.location = world["outside"][Location]  # a coordinator moves it to Glasgow
    meeting.save()
    queue = volunteer.get(reverse("admin:groups_changerequest_changelist"))
    assert change.pk not in [c.pk for c in queue.context["cl"].result_list]
    data = {k: ("" if v is None else v) for k, v in form_data(page).items()}
    volunteer.post(url, {**data, "decide": "reject", "reason": "Not mine"})
    change.refresh_from_db()
    assert change.decision == "pending"


# Decisions that cannot race ----------------------------------------------------------------


def review(client, change, **changes):
    url = reverse("admin:groups_changerequest_change", args=[change.pk])
    page = client.get(url)
    data = {k: ("" if v is None else v) for k, v in form_data(page).items()}
    return url, {**data, **changes}


def test_it_lets_one_of_two_decisions_win_and_tells_the_other_who_decided(
    world, smart, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = make_meeting(smart, name="Leith SMART", location=make_location(region=world["leith"]))
    change = ChangeRequest.objects.create(
        meeting=meeting,
        fellowship=smart,
        report="changed",
        proposed={"name": "Leith SMART Tuesday"},
        email="me@example.org",
    )
    rosa = Client()
    rosa.force_login(make_volunteer("rosa", fellowships=[smart], regions=[world["leith"]]))
    sams_url, sams_form = review(world["volunteer"], change, decide="approve")
    _, rosas_form = review(rosa, change, decide="reject", reason="Duplicate")
    with django_capture_on_commit_callbacks(execute=True):
        assert world["volunteer"].post(sams_url, sams_form).status_code == 302
        late = rosa.post(sams_url, rosas_form)  # her page was opened before Sam decided
    assert late.status_code == 200
    assert "already approved by sam at" in late.text
    change.refresh_from_db()
    assert change.decision == "approved" and change.decided_by.username == "sam"
    assert len(mailoutbox) == 1  # one answer to the sender

    # A decision on a stale copy, as a second request racing the first would hold.
    stale = ChangeRequest.objects.get(pk=change.pk)
    stale.decision = "pending"
    with pytest.raises(corrections.AlreadyDecided, match="already approved by sam"):
        corrections.reject(stale, "Too late", world["sam"])
    change.refresh_from_db()
    assert change.decision == "approved" and change.reason == ""


def test_it_answers_a_second_approval_of_a_new_meeting_with_who_approved_it(world, smart):
    change = ChangeRequest.objects.create(
        fellowship=smart,
        region=world["leith"],
        report="new",
        proposed={
            "name": "Portobello SMART",
            "day": "3",
            "start_time": "18:30",
            "timezone": "Europe/London",
            "attendance": "in_person",
            "location_name": "Library",
            "location_address": "14 Rosefield Avenue",
            "location_city": "Edinburgh",
            "location_country": "United Kingdom",
        },
    )
    url, form = review(world["volunteer"], change, decide="approve")
    first = world["volunteer"].post(url, form)
    assert first.status_code == 302, first.context["adminform"].form.errors
    again = world["volunteer"].post(url, form)  # the same form, sent twice
    assert again.status_code == 200
    assert "already approved by sam at" in again.text
    assert Meeting.objects.filter(name="Portobello SMART").count() == 1
    stale = ChangeRequest.objects.get(pk=change.pk)
    stale.decision, stale.meeting = "pending", None
    prepared = corrections.prepare(stale, {**change.proposed, "fellowship": str(smart.pk)})
    with pytest.raises(corrections.AlreadyDecided):
        corrections.approve(stale, prepared, world["sam"])
    assert Meeting.objects.filter(name="Portobello SMART").count() == 1
    assert timezone.now() - ChangeRequest.objects.get(pk=change.pk).decided_at < datetime.timedelta(
        minutes=5
    )
