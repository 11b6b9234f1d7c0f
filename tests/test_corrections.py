"""Corrections from the public: the form, the queue, approval, rejection, replies and spam."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import corrections
from groups.models import ChangeRequest, Meeting, Verification
from tests.adminforms import make_volunteer
from tests.conftest import make_group, make_meeting, make_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return make_meeting(
        "smart-recovery",
        name="Leith SMART",
        group=make_group("smart-recovery", email="leith-smart@example.org"),
    )


@pytest.fixture
def volunteer(smart):
    client = Client()
    client.force_login(make_volunteer("sam", fellowships=[smart]))
    return client


def correction_data(meeting, **changes):
    """The correction form as the page fills it in, with `changes`."""
    data = {
        "report": "changed",
        "name": meeting.name,
        "day": str(meeting.day),
        "start_time": meeting.start_time.strftime("%H:%M"),
        "end_time": "",
        "timezone": meeting.timezone,
        "attendance": meeting.attendance,
        "location_name": meeting.location.name if meeting.location else "",
        "location_address": meeting.location.address if meeting.location else "",
        "location_city": meeting.location.city if meeting.location else "",
        "location_postal_code": meeting.location.postal_code if meeting.location else "",
        "location_country": meeting.location.country if meeting.location else "",
        "conference_url": meeting.conference_url,
        "conference_phone": meeting.conference_phone,
        "conference_notes": meeting.conference_notes,
        "notes": meeting.notes,
        "types": [t.code for t in meeting.types.all() if not corrections.is_language_type(t)],
        "languages": [language.code for language in meeting.languages.all()],
        "note": "",
        "email": "",
        "website": "",
    }
    data.update(changes)
    return data


def correction_url(meeting):
    return reverse("meeting_correction", args=[meeting.slug])


def review_url(change):
    return reverse("admin:groups_changerequest_change", args=[change.pk])


def review_data(page, **changes):
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.time):
            value = value.strftime("%H:%M")
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_it_turns_a_correction_into_a_change_request_with_only_what_changed(client, meeting):
    response = client.post(
        correction_url(meeting),
        correction_data(meeting, start_time="19:30", email="me@example.org"),
    )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    change = ChangeRequest.objects.get()
    assert change.meeting == meeting
    assert change.proposed == {"start_time": "19:30"}
    assert change.decision == "pending"
    meeting.refresh_from_db()
    assert meeting.start_time == datetime.time(19, 0)  # nothing changes before a volunteer looks


def test_it_flows_from_the_public_form_to_approval_and_the_public_page(
    client, meeting, volunteer, django_capture_on_commit_callbacks
):
    client.post(
        correction_url(meeting),
        correction_data(meeting, start_time="19:30", email="me@example.org"),
    )
    change = ChangeRequest.objects.get()

    queue = volunteer.get(reverse("admin:groups_changerequest_changelist"))
    assert "Leith SMART" in queue.text
    page = volunteer.get(review_url(change))
    assert page.status_code == 200
    rows = {row.field: row for row in page.context["diff"]}
    assert rows["start_time"].current == "19:00" and rows["start_time"].proposed == "19:30"
    assert rows["start_time"].changed and not rows["name"].changed
    assert "me@example.org" not in page.text  # the sender's address stays out of sight

    with django_capture_on_commit_callbacks(execute=True):
        approved = volunteer.post(review_url(change), review_data(page, decide="approve"))
    assert approved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.start_time == datetime.time(19, 30)
    assert meeting.last_verified == timezone.localdate()
    assert Verification.objects.get(meeting=meeting).method == "correction"
    latest = meeting.history.latest()
    assert latest.history_user.username == "sam"
    assert latest.history_change_reason == f"Change request #{change.pk} approved"
    assert "19:30" in client.get(meeting.get_absolute_url()).text

    change.refresh_from_db()
    assert change.decision == "approved" and change.email == ""
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["me@example.org"]
    assert "updated the directory" in mail.outbox[0].body


def test_it_applies_what_the_volunteer_edited_before_approving(client, meeting, volunteer):
    client.post(correction_url(meeting), correction_data(meeting, start_time="19:30"))
    change = ChangeRequest.objects.get()
    page = volunteer.get(review_url(change))
    volunteer.post(review_url(change), review_data(page, decide="approve", start_time="19:45"))
    meeting.refresh_from_db()
    assert meeting.start_time == datetime.time(19, 45)


def test_it_changes_nothing_when_a_correction_is_rejected(
    client, meeting, volunteer, django_capture_on_commit_callbacks
):
    client.post(
        correction_url(meeting),
        correction_data(meeting, name="Renamed", email="me@example.org"),
    )
    change = ChangeRequest.objects.get()
    page = volunteer.get(review_url(change))

    no_reason = volunteer.post(review_url(change), review_data(page, decide="reject"))
    assert no_reason.status_code == 200
    assert "reason" in no_reason.context["adminform"].form.errors

    with django_capture_on_commit_callbacks(execute=True):
        volunteer.post(
            review_url(change),
            review_data(page, decide="reject", reason="The group confirmed the name is unchanged."),
        )
    meeting.refresh_from_db()
    assert meeting.name == "Leith SMART"
    change.refresh_from_db()
    assert change.decision == "rejected"
    assert "The group confirmed the name is unchanged." in mail.outbox[0].body
    assert not Verification.objects.exists()


def test_it_answers_an_invalid_approval_field_by_field(client, meeting, volunteer):
    client.post(correction_url(meeting), correction_data(meeting, start_time="19:30"))
    change = ChangeRequest.objects.get()
    page = volunteer.get(review_url(change))
    response = volunteer.post(
        review_url(change), review_data(page, decide="approve", attendance="hybrid")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "conference_url" in errors
    meeting.refresh_from_db()
    assert meeting.attendance == "in_person" and meeting.start_time == datetime.time(19, 0)


def test_it_answers_bad_public_input_field_by_field(client, meeting):
    response = client.post(
        correction_url(meeting),
        correction_data(
            meeting,
            start_time="25:99",
            conference_url="http://meet.example.org/x",
            timezone="Mars/Olympus",
            email="not-an-address",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"start_time", "conference_url", "timezone", "email"}
    assert "Please check the form" in response.text
    assert 'href="#id_start_time"' in response.text
    assert 'value="not-an-address"' in response.text  # nothing typed is lost
    assert not ChangeRequest.objects.exists()


def test_it_asks_what_is_wrong_when_nothing_was_changed(client, meeting):
    response = client.post(correction_url(meeting), correction_data(meeting))
    assert response.status_code == 400
    assert "Nothing here differs from the listing" in response.text
    assert not ChangeRequest.objects.exists()


def test_it_keeps_nothing_a_robot_sends(client, meeting):
    response = client.post(
        correction_url(meeting),
        correction_data(meeting, name="Cheap pills", website="http://spam.example"),
    )
    assert response.status_code == 302  # looks the same to the robot
    assert not ChangeRequest.objects.exists()


def test_it_limits_how_many_one_address_sends_in_an_hour(client, meeting, settings):
    settings.CORRECTIONS_PER_HOUR = 3
    for n in range(3):
        sent = client.post(
            correction_url(meeting),
            correction_data(meeting, note=f"Report {n}"),
            REMOTE_ADDR="203.0.113.5",
        )
        assert sent.status_code == 302
    refused = client.post(
        correction_url(meeting),
        correction_data(meeting, note="One more"),
        REMOTE_ADDR="203.0.113.5",
    )
    assert refused.status_code == 429
    assert "Please try again later" in refused.text
    assert "One more" in refused.text  # kept in the form
    other = client.post(
        correction_url(meeting),
        correction_data(meeting, note="Someone else"),
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 302
    assert ChangeRequest.objects.count() == 4


def test_it_flags_a_listing_after_several_reports_that_nobody_was_there(
    client, meeting, volunteer, settings
):
    settings.NOBODY_THERE_REPORTS = 2
    meeting.last_verified = timezone.localdate()
    meeting.save()
    client.post(correction_url(meeting), correction_data(meeting, report="nobody_there"))
    meeting.refresh_from_db()
    assert meeting.flagged_on is None
    client.post(correction_url(meeting), correction_data(meeting, report="nobody_there"))
    meeting.refresh_from_db()
    assert meeting.flagged_on == timezone.localdate()
    assert "2 people reported that nobody was there" in meeting.flag_reason

    stale = volunteer.get(reverse("admin:groups_needschecking_changelist"))
    assert [m.pk for m in stale.context["cl"].result_list] == [meeting.pk]
    assert "nobody was there" in stale.text


def test_it_does_not_count_old_reports_that_nobody_was_there(client, meeting, settings):
    settings.NOBODY_THERE_REPORTS = 2
    client.post(correction_url(meeting), correction_data(meeting, report="nobody_there"))
    ChangeRequest.objects.update(created=timezone.now() - datetime.timedelta(days=90))
    client.post(correction_url(meeting), correction_data(meeting, report="nobody_there"))
    meeting.refresh_from_db()
    assert meeting.flagged_on is None


def test_it_closes_a_listing_when_a_closure_report_is_approved(client, meeting, volunteer):
    client.post(
        correction_url(meeting),
        correction_data(meeting, report="closed", note="The group folded in October."),
    )
    change = ChangeRequest.objects.get()
    assert change.proposed["status"] == "inactive"
    page = volunteer.get(review_url(change))
    volunteer.post(review_url(change), review_data(page, decide="approve"))
    assert client.get(meeting.get_absolute_url()).status_code == 410


def test_it_moves_a_meeting_to_a_new_address_without_moving_its_neighbours(
    client, meeting, volunteer
):
    neighbour = make_meeting("smart-recovery", name="Neighbour", location=meeting.location)
    client.post(
        correction_url(meeting),
        correction_data(meeting, location_address="1 New Road", location_postal_code="EH7 1AA"),
    )
    change = ChangeRequest.objects.get()
    page = volunteer.get(review_url(change))
    volunteer.post(review_url(change), review_data(page, decide="approve", venue="this"))
    meeting.refresh_from_db()
    neighbour.refresh_from_db()
    assert meeting.location.address == "1 New Road"
    assert meeting.location.latitude is None  # new coordinates wait for a volunteer
    assert neighbour.location.address == "12 Example Street"


def test_it_turns_a_proposed_meeting_into_a_listing_on_approval(client, volunteer, smart):
    region = make_region("Portobello")
    page = client.get(reverse("meeting_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("meeting_new"),
        {
            "fellowship": smart.pk,
            "name": "Portobello SMART",
            "day": "3",
            "start_time": "18:30",
            "end_time": "20:00",
            "timezone": "Europe/London",
            "attendance": "in_person",
            "location_name": "Library",
            "location_address": "14 Rosefield Avenue",
            "location_city": "Edinburgh",
            "location_postal_code": "EH15 1AU",
            "location_country": "United Kingdom",
            "region": region.slug,
            "note": "I go every week.",
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.report == "new" and change.meeting is None
    review = volunteer.get(review_url(change))
    assert review.status_code == 200
    approved = volunteer.post(review_url(change), review_data(review, decide="approve"))
    assert approved.status_code == 302, approved.context["adminform"].form.errors
    created = Meeting.objects.get(name="Portobello SMART")
    assert created.fellowship == smart
    assert created.location.region == region
    assert client.get(created.get_absolute_url()).status_code == 200
    assert "Portobello SMART" in client.get("/meetings/?fellowship=smart-recovery").text


def test_it_requires_the_essentials_of_a_proposed_meeting(client):
    response = client.post(reverse("meeting_new"), {"name": "", "attendance": "online"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"fellowship", "name", "timezone", "conference_url"}
    assert not ChangeRequest.objects.exists()


def test_it_shows_a_volunteer_only_the_requests_in_their_scope(client, meeting):
    na_meeting = make_meeting("na", name="Harbour NA")
    client.post(correction_url(na_meeting), correction_data(na_meeting, note="Moved upstairs"))
    na_change = ChangeRequest.objects.get()
    smart_volunteer = Client()
    smart_volunteer.force_login(make_volunteer("sam", fellowships=[meeting.fellowship]))
    queue = smart_volunteer.get(reverse("admin:groups_changerequest_changelist"))
    assert "Harbour NA" not in queue.text
    assert smart_volunteer.get(review_url(na_change)).status_code == 302
    smart_volunteer.post(
        review_url(na_change), {"decide": "reject", "reason": "Not mine to decide"}
    )
    na_change.refresh_from_db()
    assert na_change.decision == "pending"


def test_it_opens_the_queue_on_waiting_requests(client, meeting):
    client.post(correction_url(meeting), correction_data(meeting, note="Waiting one"))
    ChangeRequest.objects.create(
        meeting=meeting,
        fellowship=meeting.fellowship,
        report="changed",
        note="Done one",
        decision="rejected",
        reason="Duplicate",
    )
    staff = Client()
    staff.force_login(
        User.objects.create_superuser("admin", "a@example.org", "a-long-test-password")
    )
    queue = staff.get(reverse("admin:groups_changerequest_changelist"))
    assert [c.note for c in queue.context["cl"].result_list] == ["Waiting one"]
    everything = staff.get(reverse("admin:groups_changerequest_changelist") + "?decision=all")
    assert len(everything.context["cl"].result_list) == 2
