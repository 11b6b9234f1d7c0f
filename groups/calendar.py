"""Calendar files (RFC 5545): each meeting is a weekly event in its own time zone, with the
VTIMEZONE definitions included so that any calendar shows the right local time. The words of
an event (its summary and description) are in the language of the page the file was taken from.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vRecur

from groups.clock import occurrence
from groups.translations import translated

ICAL_DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]


def _description(meeting, url) -> str:
    lines = [f"{translated(meeting.fellowship, 'name')} · {meeting.get_attendance_display()}"]
    if meeting.conference_url:
        lines.append(_("Join online: %(link)s") % {"link": meeting.conference_url})
    if meeting.conference_phone:
        lines.append(_("Join by phone: %(phone)s") % {"phone": meeting.conference_phone})
    if meeting.conference_notes:
        lines.append(meeting.conference_notes)
    if meeting.notes:
        lines.append(meeting.notes)
    lines.append(_("Details and changes: %(link)s") % {"link": url})
    return "\n".join(lines)


def build(meetings, request) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", settings.SITE_NAME)
    now = timezone.now()
    for meeting in meetings:
        if meeting.by_appointment:
            continue
        when = occurrence(meeting, now)
        start = when.start
        end_time = meeting.effective_end_time
        end = datetime.datetime.combine(start.date(), end_time, tzinfo=meeting.zone)
        if end <= start:
            end += datetime.timedelta(days=1)
        url = request.build_absolute_uri(meeting.get_absolute_url())
        event = Event()
        event.add("uid", f"{meeting.slug}@{request.get_host()}")
        event.add("dtstamp", now)
        closed = meeting.status == meeting.Status.TEMPORARILY_CLOSED
        summary = meeting.name
        if closed:
            summary = _("Temporarily closed: %(name)s") % {"name": meeting.name}
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("rrule", vRecur(freq="WEEKLY", byday=ICAL_DAYS[meeting.day]))
        event.add("url", url)
        event.add("description", _description(meeting, url))
        if meeting.location and meeting.is_in_person:
            event.add(
                "location",
                ", ".join(
                    filter(None, [meeting.location.name, meeting.location.formatted_address])
                ),
            )
            if meeting.location.has_coordinates:
                event.add("geo", (meeting.location.latitude, meeting.location.longitude))
        elif meeting.conference_url:
            event.add("location", meeting.conference_url)
        if closed:
            # Not meeting for now: a calendar that subscribed to it shows it as cancelled
            # (and shows it again, confirmed, when it reopens), rather than a time to go.
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
