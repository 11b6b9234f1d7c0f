"""The public API described: an OpenAPI 3.1 document for /api/meetings/, served at
/api/openapi.json, so that clients and fuzzers (schemathesis) can use it.

Its parameters are read from the search's own FilterSet (groups.filters), so the document
cannot drift from what the API takes; the tests check real answers against its schemas.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from groups.filters import (
    APPROACHES,
    DAYS,
    MAX_DISTANCE,
    SOON,
    SORTS,
    TIMES_OF_DAY,
    UNITS,
    MeetingFilter,
)
from groups.models import Meeting

TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": ["string", "null"]}
LIST = {"style": "form", "explode": True}

# What each parameter takes; the descriptions are the README's.
PARAMETERS = {
    "q": (TEXT | {"maxLength": 200}, "Words in the meeting, group, venue, town or notes."),
    "fellowship": ({"type": "array", "items": TEXT}, "Fellowship slugs; any of them."),
    "approach": (
        {"type": "array", "items": {"enum": [value for value, _ in APPROACHES]}},
        "Twelve Step, secular or faith-based; any of them.",
    ),
    "day": (
        {"type": "array", "items": {"enum": ["today", "tomorrow", *(v for v, _ in DAYS)]}},
        "0-6 with 0 = Sunday, today or tomorrow, on the viewer's clock.",
    ),
    "soon": ({"enum": [value for value, _ in SOON]}, "In progress or starting within hours."),
    "time": ({"enum": list(TIMES_OF_DAY)}, "Time of day, on the viewer's clock."),
    "start_after": (TEXT | {"pattern": "^[0-2][0-9]:[0-5][0-9]$"}, "HH:MM."),
    "start_before": (TEXT | {"pattern": "^[0-2][0-9]:[0-5][0-9]$"}, "HH:MM."),
    "attendance": (
        {"type": "array", "items": {"enum": [value for value, _ in Meeting.Attendance.choices]}},
        "In person, online or hybrid; a hybrid meeting matches either of the others.",
    ),
    "type": ({"type": "array", "items": TEXT, "maxItems": 10}, "Type codes; all must match."),
    "language": ({"type": "array", "items": TEXT}, "Language codes."),
    "region": (TEXT, "A region's slug, with the regions inside it."),
    "near": (TEXT | {"maxLength": 100}, "A place name or postal code, found offline."),
    "lat": ({"type": "number", "minimum": -90, "maximum": 90}, "Latitude, with lng."),
    "lng": ({"type": "number", "minimum": -180, "maximum": 180}, "Longitude, with lat."),
    "distance": (
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DISTANCE},
        "Default 25; needs near or lat and lng.",
    ),
    "unit": ({"enum": [value for value, _ in UNITS]}, "km or mi."),
    "status": (
        {"type": "array", "items": {"enum": [value for value, _ in Meeting.Status.choices]}},
        "Default: active and temporarily closed.",
    ),
    "sort": ({"enum": [value for value, _ in SORTS]}, "Default: upcoming."),
    "tz": (TEXT, "A zone to read times in; anything that is not one is ignored."),
    "page": ({"type": "integer", "minimum": 1}, "Page number."),
}

LOCATION = {
    "type": ["object", "null"],
    "required": ["city", "formatted_address", "approximate"],
    "properties": {
        "name": TEXT,
        "address": TEXT,
        "city": TEXT,
        "state": TEXT,
        "postal_code": TEXT,
        "country": TEXT,
        "formatted_address": TEXT,
        "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]},
        "approximate": {"type": "boolean"},
        "region": NULLABLE_TEXT,
        "access_notes": TEXT,
        "notes": TEXT,
    },
}
CODE_AND_NAME = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": TEXT, "name": TEXT},
}
MEETING = {
    "type": "object",
    "required": ["slug", "name", "url", "fellowship", "day", "time", "timezone", "attendance"],
    "properties": {
        "slug": TEXT,
        "name": TEXT,
        "url": TEXT | {"format": "uri"},
        "fellowship": {
            "type": "object",
            "required": ["slug", "name"],
            "properties": {"slug": TEXT, "name": TEXT},
        },
        "group": NULLABLE_TEXT,
        "day": {"type": ["integer", "null"], "minimum": 0, "maximum": 6},
        "day_name": NULLABLE_TEXT,
        "by_appointment": {"type": "boolean"},
        "time": NULLABLE_TEXT,
        "end_time": NULLABLE_TEXT,
        "timezone": TEXT,
        "next_start": NULLABLE_TEXT | {"description": "ISO 8601, in the meeting's zone."},
        "in_progress": {"type": "boolean"},
        "viewer_start": NULLABLE_TEXT
        | {"description": "ISO 8601, in the viewer's zone, when known and it reads otherwise."},
        "attendance": {"enum": [value for value, _ in Meeting.Attendance.choices]},
        "status": {"enum": [value for value, _ in Meeting.Status.choices]},
        "status_reason": TEXT,
        "location": LOCATION,
        "conference_url": NULLABLE_TEXT,
        "conference_phone": NULLABLE_TEXT,
        "conference_notes": TEXT,
        "types": {"type": "array", "items": CODE_AND_NAME},
        "languages": {"type": "array", "items": TEXT},
        "notes": TEXT,
        "last_verified": NULLABLE_TEXT,
        "distance": {"type": ["number", "null"]},
        "distance_unit": {"enum": ["km", "mi", None]},
    },
}
PAGE = {
    "type": "object",
    "required": ["count", "count_capped", "next", "previous", "viewer_timezone", "results"],
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "count_capped": {"type": "boolean"},
        "next": NULLABLE_TEXT,
        "previous": NULLABLE_TEXT,
        "viewer_timezone": {
            "type": ["object", "null"],
            "required": ["name", "label", "source"],
            "properties": {
                "name": TEXT,
                "label": TEXT,
                "source": {"enum": ["query", "cookie", "place", "directory"]},
            },
        },
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Meeting"}},
    },
}
ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": TEXT},
            "description": "By parameter name, each with the messages a person can read.",
        }
    },
}


def _parameter(name: str, schema: dict, description: str) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if schema.get("type") == "array":
        parameter |= LIST
    return parameter | {"description": description}


def document(base_url: str = "/") -> dict:
    names = list(MeetingFilter.base_filters) + ["page"]
    missing = [name for name in names if name not in PARAMETERS]
    if missing:  # a filter added without a description here
        raise LookupError(f"groups.openapi has no description of {missing}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mutual Aid Directory: meetings",
            "version": "1",
            "description": "The directory's meeting search as JSON: the same parameters as "
            "the search page, the calendar export and the feeds.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/meetings/": {
                "get": {
                    "operationId": "searchMeetings",
                    "summary": "Search meetings",
                    "parameters": [_parameter(n, *PARAMETERS[n]) for n in names],
                    "responses": {
                        "200": {
                            "description": "A page of meetings, soonest first by default.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Page"}
                                }
                            },  # noqa: E501
                        },
                        "400": {
                            "description": "A parameter that cannot be understood, named.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Errors"}
                                }
                            },  # noqa: E501
                        },
                    },
                }
            }
        },
        "components": {"schemas": {"Page": PAGE, "Meeting": MEETING, "Errors": ERRORS}},
    }


@require_safe
def openapi(request):
    return JsonResponse(document(request.build_absolute_uri("/")))
