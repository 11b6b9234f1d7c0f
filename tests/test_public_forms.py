"""The public's forms take the right data: types and languages as plain checkboxes, times on
either clock, and time zones by place (groups.forms, groups.corrections)."""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from groups.models import ChangeRequest, Fellowship, Meeting, MeetingType
from tests.adminforms import make_volunteer
from tests.conftest import make_group, make_meeting
from tests.test_corrections import correction_data, correction_url, review_data, review_url

pytestmark = pytest.mark.django_db

# "America/New_York", "Europe/London", "America/Argentina/Buenos_Aires", "Etc/UTC"…
IANA = re.compile(
    r"\b(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc|US)"
    r"/[A-Z][A-Za-z_\-]+"
)


@pytest.fixture
def meeting():
    meeting = make_meeting(
        "smart-recovery",
        name="Leith SMART",
        types=("O", "D"),
        languages=("en",),
        group=make_group("smart-recovery"),
    )
    return meeting


@pytest.fixture
def volunteer(smart):
    client = Client()
    client.force_login(make_volunteer("sam", fellowships=[smart]))
    return client


class VisibleText(HTMLParser):
    """The text a person reads on the page (and in the attributes read out to them): no
    option values, no ids, no scripts."""

    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        if tag not in ("a", "span", "strong", "em", "abbr", "time"):
            self.parts.append(" ")  # a new line, box or choice
        self.parts += [value or "" for name, value in attrs if name in self.SPOKEN]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", html.unescape("".join(parser.parts)))


def checked(response, name: str) -> set[str]:
    """The values of the ticked checkboxes named `name`."""
    boxes = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', response.text)
    return {re.search(r'value="([^"]*)"', box)[1] for box in boxes if " checked" in box}


def offered(response, name: str) -> set[str]:
    boxes = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', response.text)
    return {re.search(r'value="([^"]*)"', box)[1] for box in boxes}


def approve(volunteer, change, **edits):
    page = volunteer.get(review_url(change))
    assert page.status_code == 200
    response = volunteer.post(review_url(change), review_data(page, decide="approve", **edits))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return page


# Types and languages


def test_it_prefills_the_listings_types_and_languages_as_ticked_boxes(client, meeting):
    page = client.get(correction_url(meeting))
    assert page.status_code == 200
    assert checked(page, "types") == {"O", "D"}
    assert checked(page, "languages") == {"en"}
    text = visible_text(page)
    # The fellowship's own types by category; a language is offered once, as a language.
    for legend in ("Kind of meeting", "Format", "Community", "Accessibility", "Languages"):
        assert f"<legend>{legend}</legend>" in page.text, legend
    assert {"O", "C", "W", "M"} <= offered(page, "types")
    language_types = MeetingType.objects.filter(
        vocabulary=meeting.fellowship.type_vocabulary, language__isnull=False
    ).values_list("code", flat=True)
    assert not offered(page, "types") & set(language_types)
    assert "English" in text and "Women" in text


def test_it_offers_the_languages_listings_use_and_the_meetings_own(client, meeting):
    make_meeting(languages=("cy",))
    make_meeting(languages=("pl",), status=Meeting.Status.INACTIVE)  # not listed
    page = client.get(correction_url(meeting))
    assert offered(page, "languages") == {"en", "cy"}


def test_a_correction_of_types_goes_from_the_form_to_the_public_page(client, meeting, volunteer):
    sent = client.post(correction_url(meeting), correction_data(meeting, types=["D", "W"]))
    assert sent.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.proposed == {"types": "D,W"}

    page = volunteer.get(review_url(change))
    rows = {row.field: row for row in page.context["diff"]}
    assert rows["types"].changed and not rows["languages"].changed
    assert rows["types"].words == "added Women; removed Open"
    assert rows["types"].current == "Discussion, Open"
    assert rows["types"].proposed == "Discussion, Women (added Women; removed Open)"
    assert "added Women; removed Open" in page.text  # in the table of what changed

    approve(volunteer, change)
    meeting.refresh_from_db()
    assert set(meeting.types.values_list("code", flat=True)) == {"D", "W"}
    assert meeting.history.latest().history_change_reason == f"Change request #{change.pk} approved"
    public = client.get(meeting.get_absolute_url()).text
    assert "Women" in public and ">Open<" not in public


def test_a_correction_of_languages_goes_from_the_form_to_the_public_page(
    client, meeting, volunteer
):
    make_meeting(languages=("cy",))  # Welsh is offered: a listed meeting is held in it
    sent = client.post(correction_url(meeting), correction_data(meeting, languages=["cy", "en"]))
    assert sent.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.proposed == {"languages": "cy,en"}

    page = volunteer.get(review_url(change))
    rows = {row.field: row for row in page.context["diff"]}
    assert rows["languages"].words == "added Welsh"
    assert rows["languages"].proposed == "English, Welsh (added Welsh)"

    approve(volunteer, change)
    meeting.refresh_from_db()
    assert set(meeting.languages.values_list("code", flat=True)) == {"cy", "en"}
    assert "English, Welsh" in client.get(meeting.get_absolute_url()).text


def test_approving_new_types_keeps_the_language_types_of_a_listing(client, volunteer, smart):
    spanish = make_meeting("smart-recovery", types=("O", "S"), languages=("es",))
    client.post(correction_url(spanish), correction_data(spanish, types=["C"]))
    approve(volunteer, ChangeRequest.objects.get())
    assert set(spanish.types.values_list("code", flat=True)) == {"C", "S"}


def test_it_refuses_a_type_or_language_not_offered_naming_the_field(client, meeting):
    response = client.post(
        correction_url(meeting), correction_data(meeting, types=["O", "XYZ"], languages=["tlh"])
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["types"] == ["“XYZ” is not one of the kinds of meeting listed."]
    assert errors["languages"] == ["“tlh” is not one of the languages listed."]
    text = visible_text(response)
    assert "Kind of meeting: “XYZ” is not one of the kinds of meeting listed." in text
    assert not ChangeRequest.objects.exists()


def test_a_volunteer_cannot_approve_a_type_code_the_fellowship_does_not_have(
    client, meeting, volunteer
):
    client.post(correction_url(meeting), correction_data(meeting, types=["W"]))
    change = ChangeRequest.objects.get()
    page = volunteer.get(review_url(change))
    response = volunteer.post(
        review_url(change), review_data(page, decide="approve", types="W, NOPE")
    )
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["types"]
    assert error.startswith("Not a type of this fellowship's meetings") and "NOPE" in error
    assert set(meeting.types.values_list("code", flat=True)) == {"O", "D"}


def test_the_new_meeting_form_offers_the_common_types_and_says_so(client):
    page = client.get(reverse("meeting_new"))
    assert {"O", "C", "W"} <= offered(page, "types")
    assert "These are the kinds most fellowships use" in visible_text(page)
    assert not checked(page, "types") and not checked(page, "languages")


def test_a_new_meeting_with_types_and_languages_is_listed_with_them(client, volunteer, smart):
    data = {
        "fellowship": str(smart.pk),
        "name": "Portobello SMART",
        "day": "2",
        "start_time": "6:30 pm",
        "attendance": "online",
        "conference_url": "https://meet.example.org/portobello",
        "timezone": "Europe/London",
        "types": ["W", "D"],
        "languages": ["en"],
    }
    make_meeting(languages=("en",))
    assert client.post(reverse("meeting_new"), data).status_code == 302
    change = ChangeRequest.objects.get()
    assert change.proposed["types"] == "D,W" and change.proposed["languages"] == "en"
    assert change.proposed["start_time"] == "18:30"

    page = approve(volunteer, change)
    rows = {row.field: row for row in page.context["diff"]}
    assert rows["types"].words == "added Discussion, Women"
    listed = Meeting.objects.get(name="Portobello SMART")
    assert set(listed.types.values_list("code", flat=True)) == {"D", "W"}
    assert set(listed.languages.values_list("code", flat=True)) == {"en"}
    assert "Women" in client.get(listed.get_absolute_url()).text


def test_the_new_meeting_form_refuses_a_type_the_chosen_fellowship_has_not(client, smart):
    own = smart.type_vocabulary.__class__.objects.create(name="Own words", slug="own-words")
    MeetingType.objects.create(vocabulary=own, code="W", name="Women", category="community")
    fellowship = Fellowship.objects.get(slug="sos")
    fellowship.type_vocabulary = own
    fellowship.save()
    response = client.post(
        reverse("meeting_new"),
        {
            "fellowship": str(fellowship.pk),
            "name": "Own Words Meeting",
            "attendance": "online",
            "conference_url": "https://meet.example.org/own",
            "timezone": "Europe/London",
            "types": ["W", "BE"],
        },
    )
    assert response.status_code == 400
    (error,) = response.context["form"].errors["types"]
    assert "not described as: Newcomer" in error


# Times


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("19:30", "19:30"),
        ("7:30 pm", "19:30"),
        ("7:30pm", "19:30"),
        ("7.30 p.m.", "19:30"),
        ("8 PM", "20:00"),
        ("19.30", "19:30"),
        ("12:15 am", "00:15"),
        ("07:05", "07:05"),
    ],
)
def test_it_takes_a_time_on_either_clock(client, meeting, typed, kept):
    response = client.post(correction_url(meeting), correction_data(meeting, start_time=typed))
    assert response.status_code == 302, response.context["form"].errors
    assert ChangeRequest.objects.get().proposed.get("start_time", "19:00") == kept


@pytest.mark.parametrize("typed", ["half seven", "25:00", "19:30 pm", "7:75"])
def test_it_refuses_what_is_not_a_time_naming_the_field(client, meeting, typed):
    response = client.post(correction_url(meeting), correction_data(meeting, end_time=typed))
    assert response.status_code == 400
    assert response.context["form"].errors["end_time"] == [
        "Give the end time as a time of day, e.g. 20:30 or 8:30 pm."
    ]


def test_it_says_one_time_format_and_no_24_hour_clock(client, meeting):
    page = client.get(correction_url(meeting))
    text = visible_text(page)
    assert "24-hour" not in text
    assert "e.g. 19:30 or 7:30 pm." in text
    # A text box shows what is typed: a native time control picks its own clock.
    assert 'type="time"' not in page.text
    assert re.search(r'<input type="text" name="start_time" value="19:00"', page.text)


# Time zones


@pytest.mark.parametrize("path", ["correction", "new"])
def test_no_zone_is_named_by_its_database_name(client, meeting, path):
    url = correction_url(meeting) if path == "correction" else reverse("meeting_new")
    page = client.get(url)
    text = visible_text(page)
    assert not IANA.findall(text), IANA.findall(text)[:5]
    assert "London (" in text and "New York (Eastern Time)" in text
    assert re.search(r'<optgroup label="The Americas">', page.text)
    assert re.search(r'<optgroup label="Indian Ocean">', page.text)
    assert 'label="America"' not in page.text and 'label="Indian"' not in page.text


def test_a_zone_not_offered_is_refused_in_words(client, meeting):
    response = client.post(correction_url(meeting), correction_data(meeting, timezone="Mars/Base"))
    assert response.status_code == 400
    (error,) = response.context["form"].errors["timezone"]
    assert "Mars" not in error
    assert error.startswith("Choose a place from the list of time zones")


def test_the_zone_is_worked_out_from_the_town_and_its_error_says_so(client, smart, settings):
    data = {
        "fellowship": str(smart.pk),
        "name": "Somewhere",
        "attendance": "in_person",
        "location_address": "1 Main Street",
        "location_city": "Toronto",
        "location_country": "Canada",
        "timezone": "",
    }
    assert client.post(reverse("meeting_new"), data).status_code == 302
    assert ChangeRequest.objects.get().proposed["timezone"] == "America/Toronto"
    nowhere = client.post(reverse("meeting_new"), {**data, "location_city": "", "name": "X"})
    assert nowhere.status_code == 400
    assert nowhere.context["form"].errors["timezone"] == [
        "Choose the time zone: we could not tell it from the town or postal code."
    ]


def test_a_corrected_time_on_the_12_hour_clock_reaches_the_listing(client, meeting, volunteer):
    client.post(correction_url(meeting), correction_data(meeting, start_time="7:45 pm"))
    approve(volunteer, ChangeRequest.objects.get())
    meeting.refresh_from_db()
    assert meeting.start_time == datetime.time(19, 45)


def test_the_forms_do_not_query_once_a_type_or_language(
    client, meeting, django_assert_max_num_queries
):
    for _ in range(5):
        make_meeting(languages=("en", "cy"), types=("O", "W"))
    # The page reads the types and languages in a query each, whatever their number.
    with django_assert_max_num_queries(12):
        assert client.get(correction_url(meeting)).status_code == 200
