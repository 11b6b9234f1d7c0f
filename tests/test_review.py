"""Reviewing a change request in one screen: Approve and Reject, the short diff, the reports of
"nobody was there", one message, the queue's columns, and a venue changed on purpose."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.models import ChangeRequest, Location, Meeting, Verification
from tests.adminforms import form_data, make_volunteer
from tests.conftest import make_location, make_meeting

pytestmark = pytest.mark.django_db

QUEUE = "admin:groups_changerequest_changelist"


@pytest.fixture
def volunteer(smart):
    client = Client()
    client.force_login(make_volunteer("sam", fellowships=[smart]))
    return client


@pytest.fixture
def meeting(smart):
    return make_meeting(smart, name="Leith SMART", start_time=datetime.time(19, 0))


def request_for(meeting, report="changed", **proposed):
    return ChangeRequest.objects.create(
        meeting=meeting, fellowship=meeting.fellowship, report=report, proposed=proposed
    )


def url(change):
    return reverse("admin:groups_changerequest_change", args=[change.pk])


def review(client, change, **changes):
    page = client.get(url(change))
    assert page.status_code == 200
    data = {k: ("" if v is None else v) for k, v in form_data(page).items()}
    return page, {**data, **changes}


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# Approve and Reject --------------------------------------------------------------------------


def test_it_decides_with_approve_and_reject_buttons_not_a_dropdown(volunteer, meeting):
    change = request_for(meeting, start_time="19:30")
    page = volunteer.get(url(change))
    assert '<button type="submit" name="decide" value="approve"' in page.text
    assert '<button type="submit" name="decide" value="reject"' in page.text
    assert '<select name="decide"' not in page.text
    assert 'name="_save"' not in page.text  # no generic Save

    _, data = review(volunteer, change, decide="approve")
    approved = volunteer.post(url(change), data, follow=True)
    meeting.refresh_from_db()
    assert meeting.start_time == datetime.time(19, 30)
    assert messages_of(approved) == [
        f'Approved: <a href="{meeting.get_absolute_url()}">Leith SMART</a> is changed and '
        "counts as checked today."
    ]  # one message, not also "was changed successfully"
    assert approved.redirect_chain[-1][0] == reverse(QUEUE)


def test_it_needs_a_reason_to_reject_and_names_the_field(volunteer, meeting):
    change = request_for(meeting, start_time="19:30")
    _, data = review(volunteer, change, decide="reject", reason="")
    refused = volunteer.post(url(change), data)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["reason"]
    assert "“Reason for rejecting”" in errors[0]
    assert "Reason for rejecting" in refused.text
    change.refresh_from_db()
    assert change.decision == "pending"

    data["reason"] = "The group says 19:00 is right."
    rejected = volunteer.post(url(change), data, follow=True)
    assert messages_of(rejected) == ["Rejected: the listing is unchanged."]
    change.refresh_from_db()
    meeting.refresh_from_db()
    assert change.decision == "rejected" and meeting.start_time == datetime.time(19, 0)


def test_it_asks_for_a_decision_when_neither_button_sent_one(volunteer, meeting):
    change = request_for(meeting, start_time="19:30")
    _, data = review(volunteer, change, decide="")
    response = volunteer.post(url(change), data)
    assert "Choose Approve or Reject." in response.text
    change.refresh_from_db()
    assert change.decision == "pending"


def test_it_shows_no_buttons_once_decided_and_says_who_decided(volunteer, meeting):
    change = request_for(meeting, start_time="19:30")
    _, data = review(volunteer, change, decide="approve")
    volunteer.post(url(change), data)
    page = volunteer.get(url(change))
    assert 'value="approve"' not in page.text
    assert "Approved by sam on" in page.text
    again = volunteer.post(url(change), data)
    assert "already approved by sam at" in again.text


# The short diff ------------------------------------------------------------------------------


def _table(text, table_id):
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', text, re.S)
    assert match, table_id
    return match.group(0)


def test_it_shows_only_the_changed_fields_and_all_of_them_on_demand(volunteer, meeting):
    change = request_for(meeting, start_time="19:30", notes="Ring the bell")
    page = volunteer.get(url(change))
    short = _table(page.text, "changed-fields")
    assert "Start time" in short and "Notes" in short
    assert "Venue name" not in short and "Online meeting link" not in short
    # All fields, in a disclosure that opens without JavaScript.
    assert re.search(r"<details[^>]*>\s*<summary>Show all \d+ fields</summary>", page.text)
    everything = _table(page.text, "all-fields")
    assert "Venue name" in everything and "Online meeting link" in everything
    # The editable values: the changed ones first, the others folded away.
    fieldsets = list(page.context["adminform"])
    names = [(fs.name, list(fs.fields)) for fs in fieldsets]
    shown = next(fields for name, fields in names if name.startswith("The listing after"))
    assert shown == ["start_time", "notes"]
    folded = next(fs for fs in fieldsets if fs.name.startswith("The other"))
    assert "collapse" in folded.classes and "location_name" in list(folded.fields)


# Nobody was there --------------------------------------------------------------------------


def test_it_shows_the_reports_that_nobody_was_there_and_what_approving_does(
    volunteer, meeting, client
):
    first = request_for(meeting, report="nobody_there")
    ChangeRequest.objects.filter(pk=first.pk).update(
        created=timezone.make_aware(datetime.datetime(2026, 3, 2, 19, 15)),
        note="Locked door at 19:10",
    )
    second = request_for(meeting, report="nobody_there")
    ChangeRequest.objects.filter(pk=second.pk).update(
        created=timezone.make_aware(datetime.datetime(2026, 3, 9, 19, 5)), note="Dark hall"
    )
    page = volunteer.get(url(second))
    assert "Reports that nobody was there" in page.text
    assert "2 Mar 2026 19:15" in page.text and "Locked door at 19:10" in page.text
    assert "9 Mar 2026 19:05" in page.text and "Dark hall" in page.text
    assert "flagged for checking" in page.text and "does not count as checked" in page.text
    assert "All 2 waiting reports of this meeting are decided together." in page.text

    _, data = review(volunteer, second, decide="approve")
    approved = volunteer.post(url(second), data, follow=True)
    meeting.refresh_from_db()
    assert meeting.flagged_on == timezone.localdate()
    assert meeting.flag_reason == "Nobody was there: 2 report(s), approved by sam"
    assert meeting.status == "active" and not Verification.objects.filter(meeting=meeting)
    assert set(ChangeRequest.objects.values_list("decision", flat=True)) == {"approved"}
    assert messages_of(approved) == [
        f'Approved: <a href="{meeting.get_absolute_url()}">Leith SMART</a> is flagged for checking.'
    ]
    listed = volunteer.get(reverse("admin:groups_needschecking_changelist"))
    assert meeting.pk in [m.pk for m in listed.context["cl"].result_list]


def test_it_closes_a_listing_when_nobody_was_there_and_the_volunteer_says_so(
    volunteer, meeting, client
):
    change = request_for(meeting, report="nobody_there")
    _, data = review(volunteer, change, decide="approve", status="temporarily_closed")
    data["status_reason"] = "Nobody there for two weeks"
    volunteer.post(url(change), data)
    meeting.refresh_from_db()
    assert meeting.status == "temporarily_closed"
    assert meeting.flagged_on is None  # checked by the volunteer: a check answers the flag


# The queue ---------------------------------------------------------------------------------


def test_it_lists_each_request_with_its_meetings_day_time_and_place(volunteer, smart):
    leith = make_meeting(
        smart, name="SMART", day=Meeting.Day.MONDAY, location=make_location(city="Leith")
    )
    portobello = make_meeting(
        smart,
        name="SMART",
        day=Meeting.Day.THURSDAY,
        start_time=datetime.time(18, 30),
        location=make_location(city="Portobello"),
    )
    request_for(leith, start_time="19:30")
    request_for(portobello, notes="Back door")
    queue = volunteer.get(reverse(QUEUE))
    assert ">When<" in queue.text and ">Place<" in queue.text
    assert re.search(r"Mon 19:00.*?Leith", queue.text, re.S)
    assert re.search(r"Thu 18:30.*?Portobello", queue.text, re.S)


# Queries -----------------------------------------------------------------------------------


def _queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm the catalogue cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_it_opens_the_review_page_in_queries_that_do_not_grow_with_the_reports(
    volunteer, meeting, django_assert_max_num_queries
):
    change = request_for(meeting, report="nobody_there")
    counts = []
    for _ in range(2):
        for _ in range(4):
            request_for(meeting, report="nobody_there")
        counts.append(_queries(volunteer, url(change)))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(17):  # the session, the scope, the request, its diff
        volunteer.get(url(change))


def test_it_lists_the_queue_in_queries_that_do_not_grow_with_the_requests(
    volunteer, smart, django_assert_max_num_queries
):
    counts = []
    for _ in range(2):
        for n in range(4):
            request_for(make_meeting(smart, name=f"SMART {n}"), start_time="19:30")
        counts.append(_queries(volunteer, reverse(QUEUE)))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(12):
        volunteer.get(reverse(QUEUE))


# A venue changed on purpose ----------------------------------------------------------------


@pytest.fixture
def hall(smart):
    """A venue where three meetings are held."""
    place = make_location(name="St Mary's Hall", address="5 Kirkgate", postal_code="EH6 6BJ")
    meetings = [
        make_meeting(smart, name=f"Hall SMART {day}", day=day, location=place) for day in (1, 3, 5)
    ]
    return place, meetings


def test_it_asks_this_meeting_or_all_at_the_venue_before_a_venue_change(volunteer, hall):
    place, (meeting, *_) = hall
    change = request_for(meeting, location_name="St Mary's Community Rooms")
    page, data = review(volunteer, change, decide="approve")
    assert "All 3 meetings at this venue" in page.text and "Only this meeting" in page.text
    refused = volunteer.post(url(change), data)
    assert refused.status_code == 200
    assert (
        "3 meetings are held at this venue" in refused.context["adminform"].form.errors["venue"][0]
    )
    change.refresh_from_db()
    assert change.decision == "pending"


def test_it_renames_the_venue_for_every_meeting_there_when_told_all(volunteer, hall, client):
    place, meetings = hall
    change = request_for(meetings[0], location_name="St Mary's Community Rooms")
    _, data = review(volunteer, change, decide="approve", venue="all")
    assert volunteer.post(url(change), data).status_code == 302
    assert Location.objects.count() == 1
    for meeting in meetings:
        meeting.refresh_from_db()
        assert meeting.location_id == place.pk
        assert "St Mary&#x27;s Community Rooms" in client.get(meeting.get_absolute_url()).text


def test_it_gives_only_this_meeting_a_venue_of_its_own_when_told_this(volunteer, hall):
    place, (meeting, *others) = hall
    change = request_for(meeting, location_name="St Mary's Upper Room")
    _, data = review(volunteer, change, decide="approve", venue="this")
    assert volunteer.post(url(change), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.location_id != place.pk
    assert meeting.location.name == "St Mary's Upper Room"
    assert meeting.location.address == "5 Kirkgate"
    assert meeting.location.latitude == place.latitude  # same address, same spot on the map
    for other in others:
        other.refresh_from_db()
        assert other.location.name == "St Mary's Hall"


def test_it_moves_this_meeting_to_a_venue_already_listed_instead_of_a_duplicate(volunteer, hall):
    place, (meeting, *_) = hall
    library = make_location(name="Leith Library", address="28 Ferry Road", postal_code="EH6 4AE")
    change = request_for(
        meeting,
        location_name="leith library",
        location_address="28 Ferry Road",
        location_postal_code="EH6 4AE",
    )
    _, data = review(volunteer, change, decide="approve", venue="this")
    assert volunteer.post(url(change), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.location_id == library.pk
    assert Location.objects.filter(address="28 Ferry Road").count() == 1


def test_it_asks_the_same_in_the_meeting_form(volunteer, hall, client):
    place, (meeting, *others) = hall
    page_url = reverse("admin:groups_meeting_change", args=[meeting.pk])
    page = volunteer.get(page_url)
    assert "All 3 meetings at this venue" in page.text
    data = form_data(page, venue_name="Kirkgate Rooms")
    data.pop("venue_change", None)
    refused = volunteer.post(page_url, data)
    assert refused.status_code == 200
    assert "2 other meetings are held" in " ".join(
        refused.context["adminform"].form.errors["venue_change"]
    )

    everyone = volunteer.post(
        page_url, form_data(page, venue_name="Kirkgate Rooms", venue_change="all")
    )
    assert everyone.status_code == 302
    assert Location.objects.count() == 1
    for other in others:
        assert "Kirkgate Rooms" in client.get(other.get_absolute_url()).text

    page = volunteer.get(page_url)
    alone = volunteer.post(
        page_url, form_data(page, venue_name="Kirkgate Upper Room", venue_change="this")
    )
    assert alone.status_code == 302
    meeting.refresh_from_db()
    place.refresh_from_db()
    assert meeting.location.name == "Kirkgate Upper Room" and place.name == "Kirkgate Rooms"
    assert Location.objects.count() == 2


def test_it_warns_when_the_listing_changed_after_the_request_was_sent(volunteer, meeting):
    fresh = request_for(meeting, name="Leith SMART Evening")
    fresh.listing_updated = meeting.updated
    fresh.save()
    assert 'id="changed-since"' not in volunteer.get(url(fresh)).text
    meeting.notes = "Now in the back room."
    meeting.save()
    page = volunteer.get(url(fresh)).text
    assert 'id="changed-since"' in page
    assert "after this request was sent" in page
