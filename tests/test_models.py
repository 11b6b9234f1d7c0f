"""The model's invariants: database constraints hold even when validation is bypassed, and
validation names the field a volunteer must fix."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from groups.models import Fellowship, Location, Meeting, Region
from tests.conftest import make_group, make_location, make_meeting, make_region

pytestmark = pytest.mark.django_db


def refused_by_database(**fields):
    """True if the database itself refuses a meeting with these fields."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(**fields)
    return True


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        instance.full_clean()
    return info.value.message_dict


def unsaved_meeting(**fields):
    defaults = {
        "fellowship": Fellowship.objects.get(slug="aa"),
        "name": "Tuesday Night Group",
        "slug": "tuesday-night-group",
        "day": 2,
        "start_time": datetime.time(19, 30),
        "timezone": "Europe/London",
        "attendance": Meeting.Attendance.IN_PERSON,
    }
    return Meeting(**{**defaults, **fields})


# Database constraints


def test_it_refuses_an_in_person_meeting_without_a_location_in_the_database():
    assert refused_by_database(attendance="in_person", location=None)


def test_it_refuses_a_hybrid_meeting_without_a_location_in_the_database():
    assert refused_by_database(
        attendance="hybrid", location=None, conference_url="https://meet.example.org/1"
    )


def test_it_refuses_an_online_meeting_without_link_or_phone_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            fellowship=Fellowship.objects.get(slug="aa"),
            name="No way in",
            slug="no-way-in",
            day=1,
            start_time=datetime.time(9),
            timezone="UTC",
            attendance="online",
        )


def test_it_refuses_a_plain_http_link_in_the_database():
    assert refused_by_database(attendance="online", conference_url="http://meet.example.org/1")


def test_it_refuses_a_day_outside_the_week_in_the_database():
    assert refused_by_database(day=7)


def test_it_refuses_a_day_without_a_time_in_the_database():
    assert refused_by_database(day=1, start_time=None)


def test_it_refuses_an_end_time_without_a_start_in_the_database():
    assert refused_by_database(day=None, start_time=None, end_time=datetime.time(20))


def test_it_refuses_a_meeting_without_a_time_zone_in_the_database():
    assert refused_by_database(timezone="")


def test_it_refuses_a_duplicate_slug_in_the_database():
    make_meeting(slug="monday-serenity")
    assert refused_by_database(slug="monday-serenity")


def test_it_refuses_an_unknown_status_or_attendance_in_the_database():
    assert refused_by_database(status="gone")
    assert refused_by_database(attendance="telepathy")


def test_it_refuses_half_a_coordinate_pair_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_location(latitude=55.9, longitude=None)


def test_it_refuses_a_latitude_beyond_the_pole_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_location(latitude=91, longitude=0)


def test_it_refuses_a_longitude_beyond_the_date_line_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_location(latitude=0, longitude=181)


def test_it_refuses_a_location_without_a_time_zone_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_location(timezone="")


def test_it_refuses_a_region_that_is_its_own_parent_in_the_database():
    region = make_region("Lothian")
    region.parent_id = region.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        region.save()


def test_it_refuses_two_regions_of_one_name_under_one_parent_in_the_database():
    scotland = make_region("Scotland", kind=Region.Kind.STATE)
    make_region("Leith", parent=scotland)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_region("Leith", parent=scotland)


def test_it_saves_a_location_that_is_not_yet_geocoded():
    location = make_location(latitude=None, longitude=None)
    location.full_clean()
    assert Location.objects.get(pk=location.pk).has_coordinates is False


def test_it_saves_a_meeting_by_appointment_without_day_or_time():
    meeting = make_meeting(day=None, start_time=None)
    meeting.full_clean()
    assert Meeting.objects.get(pk=meeting.pk).by_appointment


# Validation messages a volunteer sees in a form


def test_it_names_the_link_field_when_a_hybrid_meeting_has_no_way_to_join():
    meeting = unsaved_meeting(attendance="hybrid", location=make_location())
    errors = errors_of(meeting)
    assert errors["conference_url"] == [
        "A hybrid meeting needs an online meeting link or a dial-in phone so that people can join."
    ]


def test_it_names_the_location_field_when_an_in_person_meeting_has_no_place():
    errors = errors_of(unsaved_meeting(attendance="in_person"))
    assert errors["location"] == ["An in-person meeting needs a location."]


def test_it_accepts_an_online_meeting_with_only_a_dial_in_phone():
    meeting = unsaved_meeting(attendance="online", conference_phone="+44 1632 960001,,123456#")
    meeting.full_clean()


def test_it_refuses_a_plain_http_link_with_a_message():
    meeting = unsaved_meeting(attendance="online", conference_url="http://meet.example.org/x")
    assert "https://" in errors_of(meeting)["conference_url"][0]


def test_it_refuses_letters_in_a_dial_in_phone():
    meeting = unsaved_meeting(attendance="online", conference_phone="call Sam")
    assert "conference_phone" in errors_of(meeting)


def test_it_refuses_an_unknown_time_zone_by_name():
    errors = errors_of(unsaved_meeting(location=make_location(), timezone="Europe/Leith"))
    assert errors["timezone"] == [
        "Europe/Leith is not a time zone name. Use an IANA name such as Europe/London "
        "or America/New_York."
    ]


def test_it_takes_the_time_zone_from_the_location_when_left_empty():
    location = make_location(timezone="America/Toronto")
    meeting = unsaved_meeting(location=location, timezone="")
    meeting.full_clean()
    assert meeting.timezone == "America/Toronto"


def test_it_asks_for_a_time_zone_for_an_online_meeting_with_no_location():
    meeting = unsaved_meeting(
        attendance="online", conference_url="https://meet.example.org/1", timezone=""
    )
    assert "timezone" in errors_of(meeting)


def test_it_names_the_missing_half_of_day_and_time():
    errors = errors_of(unsaved_meeting(location=make_location(), start_time=None))
    assert "start_time" in errors
    errors = errors_of(unsaved_meeting(location=make_location(), day=None))
    assert "day" in errors


def test_it_refuses_a_duplicate_slug_with_a_message():
    make_meeting(slug="tuesday-night-group")
    errors = errors_of(unsaved_meeting(location=make_location()))
    assert errors["slug"] == ["Meeting with this Slug already exists."]


def test_it_takes_the_fellowship_from_the_group_when_left_empty():
    group = make_group("smart-recovery")
    meeting = unsaved_meeting(fellowship=None, group=group, location=make_location())
    meeting.full_clean()
    assert meeting.fellowship.slug == "smart-recovery"


def test_it_refuses_a_meeting_whose_fellowship_differs_from_its_group():
    group = make_group("na")
    errors = errors_of(unsaved_meeting(group=group, location=make_location()))
    assert "belongs to Narcotics Anonymous" in errors["fellowship"][0]


def test_it_names_the_missing_coordinate():
    errors = errors_of(
        Location(name="Hall", city="Leith", timezone="Europe/London", latitude=55.97)
    )
    assert errors["longitude"] == ["Give both latitude and longitude, or neither."]


def test_it_refuses_a_latitude_of_91_with_a_message():
    errors = errors_of(Location(timezone="Europe/London", latitude=91, longitude=0))
    assert "latitude" in errors


def test_it_refuses_a_region_cycle():
    scotland = make_region("Scotland", kind=Region.Kind.STATE)
    edinburgh = make_region("Edinburgh", parent=scotland)
    scotland.parent = edinburgh
    assert "parent" in errors_of(scotland)


def test_it_defaults_the_end_time_to_one_hour_after_the_start():
    assert unsaved_meeting(start_time=datetime.time(23, 30)).effective_end_time == datetime.time(
        0, 30
    )
    assert unsaved_meeting(end_time=datetime.time(21)).effective_end_time == datetime.time(21)


def test_it_lists_a_regions_ancestors_from_general_to_specific():
    uk = make_region("United Kingdom", kind=Region.Kind.COUNTRY)
    scotland = make_region("Scotland", kind=Region.Kind.STATE, parent=uk)
    leith = make_region("Leith", parent=scotland)
    assert leith.ancestors() == [uk, scotland, leith]


# QuerySet methods


def test_it_lists_only_active_meetings_as_active():
    active = make_meeting(status="active")
    make_meeting(status="temporarily_closed")
    make_meeting(status="inactive")
    assert list(Meeting.objects.active()) == [active]


def test_it_lists_active_and_temporarily_closed_but_not_inactive_meetings_publicly():
    active = make_meeting(status="active", name="A")
    closed = make_meeting(status="temporarily_closed", name="B")
    make_meeting(status="inactive", name="C")
    assert set(Meeting.objects.listed()) == {active, closed}


def test_it_finds_meetings_on_the_given_days_with_sunday_as_zero():
    sunday = make_meeting(day=0)
    saturday = make_meeting(day=6)
    make_meeting(day=3)
    make_meeting(day=None, start_time=None)
    assert set(Meeting.objects.on_day(0, 6)) == {sunday, saturday}
    assert list(Meeting.objects.on_day(0)) == [sunday]


def test_it_orders_meetings_in_week_order(aa):
    late = make_meeting(day=1, start_time=datetime.time(20))
    early = make_meeting(day=1, start_time=datetime.time(7))
    sunday = make_meeting(day=0, start_time=datetime.time(21))
    assert list(Meeting.objects.exclude(day=None)) == [sunday, early, late]


def test_it_loads_a_listing_in_a_fixed_number_of_queries(django_assert_num_queries):
    # A listing shows each meeting's fellowship, group, place, region, types and languages;
    # for_listing() must fetch them for any number of meetings in the same three queries.
    region = make_region("Leith")
    for n in range(6):
        make_meeting(
            group=make_group(),
            location=make_location(region=region),
            types=("O", "D"),
            languages=("en", "es"),
            name=f"M{n}",
        )
    with django_assert_num_queries(3):
        rows = [
            (m.fellowship, m.group, m.location.region, m.types.all(), m.languages.all())
            for m in Meeting.objects.for_listing()
        ]
        assert len(rows) == 6
        assert all(len(r[3]) == 2 and len(r[4]) == 2 for r in rows)


def test_it_measures_distance_alike_in_sql_and_in_python():
    # The filter measures in SQL, the results page in Python: they must agree.
    from groups.models import distance_km

    meeting = make_meeting(location=make_location(latitude=55.8642, longitude=-4.2518))
    in_sql = Meeting.objects.with_distance(55.9533, -3.1883).get(pk=meeting.pk).distance
    assert in_sql == pytest.approx(distance_km(55.9533, -3.1883, 55.8642, -4.2518), abs=1e-6)
    assert in_sql == pytest.approx(67.0, abs=1.0)  # Edinburgh to Glasgow
