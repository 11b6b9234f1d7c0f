"""generate_meetings: synthetic data for benchmarks that the directory itself accepts."""

import pytest
from django.core.management import call_command

from groups.models import Meeting
from groups.weektime import duration, week_minute

pytestmark = pytest.mark.django_db


def test_it_adds_valid_meetings_in_realistic_proportions():
    call_command("generate_meetings", count=400, seed=3, stdout=None)
    meetings = list(Meeting.objects.select_related("group", "location"))
    assert len(meetings) == 400
    for meeting in meetings:
        meeting.full_clean()
        # bulk_create skips save(): the derived columns must still be right.
        assert meeting.week_minute == week_minute(meeting.day, meeting.start_time, meeting.timezone)
        assert meeting.duration == duration(meeting.start_time, meeting.end_time)
        assert meeting.search_text == meeting.words()
    share = {
        mode: sum(m.attendance == mode for m in meetings) / 400
        for mode in ("in_person", "online", "hybrid")
    }
    assert 0.6 < share["in_person"] < 0.8
    assert 0.12 < share["online"] < 0.28
    assert 0.04 < share["hybrid"] < 0.16
    assert len({m.fellowship_id for m in meetings}) == 12


def test_it_adds_to_what_is_there_without_colliding():
    call_command("generate_meetings", count=30, seed=3, stdout=None)
    call_command("generate_meetings", count=30, seed=3, stdout=None)
    assert Meeting.objects.count() == 60
