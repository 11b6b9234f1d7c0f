"""Meetings as JSON: the public API's rows and schema.org Event data.

Private contacts never appear here: only fields a listing publishes. The API's fields and values
are data, never translated; the schema.org description is read by people (in search engines),
in the language of the meeting's page.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from groups.models import Meeting
from groups.translations import translated

SCHEMA_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _day_name(day) -> str | None:
    """The weekday's English name, as data: the same whatever language is active."""
    if day is None:
        return None
    with translation.override(None):  # the names as the code writes them
        return str(Meeting.Day(day).label)


def _time(value):
    return value.strftime("%H:%M") if value else None


def location_json(location):
    if location is None:
        return None
    return {
        "name": location.name,
        "address": location.address,
        "city": location.city,
        "state": location.state,
        "postal_code": location.postal_code,
        "country": location.country,
        "formatted_address": location.formatted_address,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "approximate": location.approximate,
        "region": location.region.slug if location.region else None,
        "access_notes": location.access_notes,
        "notes": location.notes,
    }


def meeting_json(row, request):
    meeting = row.meeting
    when = row.when
    return {
        "slug": meeting.slug,
        "name": meeting.name,
        "url": request.build_absolute_uri(meeting.get_absolute_url()),
        "fellowship": {"slug": meeting.fellowship.slug, "name": meeting.fellowship.name},
        "group": meeting.group.name if meeting.group else None,
        "day": meeting.day,
        "day_name": _day_name(meeting.day),
        "by_appointment": meeting.by_appointment,
        "time": _time(meeting.start_time),
        "end_time": _time(meeting.effective_end_time),
        "timezone": meeting.timezone,
        "next_start": when.start.isoformat() if when else None,
        "in_progress": when.in_progress if when else False,
        "viewer_start": when.viewer_start.isoformat() if when and when.viewer_start else None,
        "attendance": meeting.attendance,
        "status": meeting.status,
        "status_reason": meeting.status_reason,
        "location": location_json(meeting.location),
        "conference_url": meeting.conference_url or None,
        "conference_phone": meeting.conference_phone or None,
        "conference_notes": meeting.conference_notes,
        "types": [{"code": t.code, "name": t.name} for t in meeting.types.all()],
        "languages": [language.code for language in meeting.languages.all()],
        "notes": meeting.notes,
        "last_verified": meeting.last_verified.isoformat() if meeting.last_verified else None,
        "distance": round(row.distance, 2) if row.distance is not None else None,
        "distance_unit": row.unit if row.distance is not None else None,
    }


def meeting_schema_org(meeting, when, request):
    """schema.org Event data for a meeting page, so search engines can show the meeting."""
    modes = {
        Meeting.Attendance.IN_PERSON: "OfflineEventAttendanceMode",
        Meeting.Attendance.ONLINE: "OnlineEventAttendanceMode",
        Meeting.Attendance.HYBRID: "MixedEventAttendanceMode",
    }
    places = []
    location = meeting.location
    if location is not None and meeting.is_in_person:
        place = {
            "@type": "Place",
            "name": location.name or location.address,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": location.address,
                "addressLocality": location.city,
                "addressRegion": location.state,
                "postalCode": location.postal_code,
                "addressCountry": location.country,
            },
        }
        if location.has_coordinates:
            place["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
        places.append(place)
    if meeting.is_online and meeting.conference_url:
        places.append({"@type": "VirtualLocation", "url": meeting.conference_url})
    fellowship = translated(meeting.fellowship, "name")
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meeting.name,
        "url": request.build_absolute_uri(meeting.get_absolute_url()),
        "description": meeting.notes or _("A %(fellowship)s meeting.") % {"fellowship": fellowship},
        "eventAttendanceMode": f"https://schema.org/{modes[meeting.attendance]}",
        "eventStatus": "https://schema.org/EventPostponed"
        if meeting.status == Meeting.Status.TEMPORARILY_CLOSED
        else "https://schema.org/EventScheduled",
        "isAccessibleForFree": True,
        "organizer": {
            "@type": "Organization",
            "name": fellowship,
            "url": meeting.fellowship.website,
        },
        "location": places,
    }
    if when is not None:
        data["startDate"] = when.start.isoformat()
        data["eventSchedule"] = {
            "@type": "Schedule",
            "repeatFrequency": "P1W",
            "byDay": f"https://schema.org/{SCHEMA_DAYS[meeting.day]}",
            "startTime": _time(meeting.start_time),
            "endTime": _time(meeting.effective_end_time),
            "scheduleTimezone": meeting.timezone,
        }
    return data
