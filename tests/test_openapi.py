"""The API described: /api/openapi.json is an OpenAPI 3.1 document whose schemas hold for the
API's real answers, and which names every parameter the search takes."""

import datetime

import pytest
import time_machine
from jsonschema import Draft202012Validator

from groups.filters import MeetingFilter
from tests.conftest import make_location, make_meeting

pytestmark = pytest.mark.django_db


def validator(document, schema):
    return Draft202012Validator({**document, "$ref": f"#/components/schemas/{schema}"})


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_is_an_openapi_31_document_naming_every_search_parameter(document):
    assert document["openapi"] == "3.1.0"
    operation = document["paths"]["/api/meetings/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {*MeetingFilter.base_filters, "page"}
    assert {"200", "400"} <= set(operation["responses"])
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_real_answers_keep_to_its_schemas(client, document):
    page, errors = validator(document, "Page"), validator(document, "Errors")
    make_meeting(types=("O", "D"), languages=("en",))
    make_meeting(attendance="online", timezone="America/New_York", day=None, start_time=None)
    make_meeting(attendance="hybrid", location=make_location(approximate=False))
    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)):
        for params in (
            {},
            {"tz": "Asia/Tokyo"},
            {"near": "Edinburgh", "distance": "10", "unit": "mi", "sort": "distance"},
            {"day": ["today", "1"], "attendance": "online"},
            {"page": "9"},
        ):
            response = client.get("/api/meetings/", params)
            assert response.status_code == 200, params
            page.validate(response.json())
        for params in ({"day": "9"}, {"page": "zero"}, {"lat": "91", "lng": "0"}):
            response = client.get("/api/meetings/", params)
            assert response.status_code == 400, params
            errors.validate(response.json())
            assert set(response.json()["errors"]) & set(params)
