"""The database unreachable: every public page answers a plain 503 with Retry-After, never a
500, and the next request after the database is back is served again, without a restart."""

import logging
import stat

import pytest
from django.db import connection

from tests.conftest import make_meeting

# The connection is really closed and reopened: outside a test transaction, with the seeded
# fellowships restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Outage:
    """Points the default connection where no database answers, for real: a closed port on
    loopback (PostgreSQL), or a file in a directory nobody may write to (SQLite)."""

    def __init__(self, tmp_path):
        self.original = dict(connection.settings_dict)
        self.locked = tmp_path / "locked"
        self.locked.mkdir()
        self.locked.chmod(stat.S_IRUSR | stat.S_IXUSR)

    def begin(self):
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
        else:
            connection.settings_dict.update(NAME=str(self.locked / "missing" / "db.sqlite3"))

    def end(self):
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.original)


@pytest.fixture
def outage(tmp_path):
    outage = Outage(tmp_path)
    yield outage
    outage.end()
    outage.locked.chmod(stat.S_IRWXU)


def test_every_public_page_says_back_in_a_moment_while_the_database_is_down(client, outage, caplog):
    meeting = make_meeting(name="Harbour Lights", slug="harbour-lights")
    pages = ["/", "/meetings/", "/meetings/?day=1&fellowship=aa", meeting.get_absolute_url(),
             "/fellowships/", "/fellowships/aa/", "/api/meetings/", "/referrals/sheet/",
             "/referrals/sheet.pdf", "/meetings.ics", "/feeds/meeting-guide.json"]  # fmt: skip
    outage.begin()
    with caplog.at_level(logging.WARNING, logger="groups.outage"):
        for path in pages:
            response = client.get(path)
            assert response.status_code == 503, path
            assert response["Retry-After"] == "30"
            assert "The directory is back in a moment" in response.text
            assert "Traceback" not in response.text
            assert "script-src 'self'" in response["Content-Security-Policy"]
    warnings = [record for record in caplog.records if record.name == "groups.outage"]
    assert warnings and all("Database unavailable" in w.getMessage() for w in warnings)
    assert not any(w.exc_info for w in warnings)  # one line each, no traceback

    outage.end()  # the database answers again: the next request is served, no restart
    response = client.get("/meetings/")
    assert response.status_code == 200 and "Harbour Lights" in response.text


def test_a_broken_connection_is_dropped_before_it_is_used(settings):
    # What lets a server with persistent connections (DB_CONN_MAX_AGE) recover by itself.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
