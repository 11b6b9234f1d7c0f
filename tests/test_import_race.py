"""Two imports at once: each matches venues and groups by what they hold and makes the missing
ones, so without taking turns both would make the same new venue. PostgreSQL only: SQLite
lets one writer in at a time by itself."""

import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from groups.models import Group, Location, Meeting

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serializes writers itself"
    ),
]


def feed(tmp_path, name, count=300):
    entries = [
        {
            "name": f"{name} meeting {n}",
            "slug": f"{name}-{n}",
            "day": n % 7,
            "time": f"{7 + n % 12:02d}:00",
            "timezone": "Europe/London",
            "location": "St Mary's Hall",
            "address": "3 Kirkgate",
            "city": "Edinburgh",
            "group": "Leith Monday Group",
        }
        for n in range(count)
    ]
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(entries))
    return path


def test_two_sources_importing_the_same_new_venue_at_once_make_it_once(tmp_path):
    paths = [feed(tmp_path, "north"), feed(tmp_path, "south")]
    start, errors = threading.Barrier(2), []

    def run(path):
        try:
            start.wait()
            call_command("import_meetings", str(path), "--format", "meeting-guide",
                         "--fellowship", "aa", stdout=io.StringIO())  # fmt: skip
        except Exception as error:  # reported below, with the other thread's outcome
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Meeting.objects.count() == 600
    assert Location.objects.filter(address="3 Kirkgate").count() == 1
    assert Group.objects.filter(name="Leith Monday Group").count() == 1
