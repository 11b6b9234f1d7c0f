"""Subscribed sources that stay fresh: refreshes against a real HTTP server on loopback, what
the stewards are told, refusals that change nothing, the refresh_sources command, the admin's
"Refresh now", and the refusal of private addresses."""

import datetime
import http.server
import io
import ipaddress
import json
import socket
import threading

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from groups.importing import refresh as refreshing
from groups.importing import sources
from groups.importing.refresh import due_sources, refresh
from groups.models import Fellowship, ImportSource, Meeting
from tests.adminforms import form_data

pytestmark = pytest.mark.django_db

STEWARDS = ["sam@example.org", "kim@example.org"]


# A real server on loopback ----------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        site = self.server.site
        site.requests.append(self.path)
        status, headers, body = site.routes.get(self.path, (404, {}, b"Not found"))
        if self.path == "/slow":
            site.released.wait(5)  # longer than the tests' time limit
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up on /slow: nothing to say


class Site:
    """What each path answers, set by the test, and every path asked for."""

    def __init__(self):
        self.routes, self.requests = {}, []
        self.released = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.site = self
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, path, body=b"", status=200, **headers):
        self.routes[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)
        return self.base + path


@pytest.fixture
def site(settings):
    settings.IMPORT_ALLOW_PRIVATE_ADDRESSES = True  # the test server is on loopback
    site = Site()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.released.set()
    site.server.shutdown()
    site.server.server_close()
    thread.join()


def entry(n, **fields):
    return {
        "name": f"Harbour Meeting {n}",
        "slug": f"harbour-{n}",
        "day": 1,
        "time": "19:00",
        "timezone": "Europe/London",
        "location": "Harbour Hall",
        "address": "3 Shore Road",
        "city": "Leith",
        "country": "United Kingdom",
        **fields,
    }


def feed(*numbers, **changes):
    """A Meeting Guide feed of those meetings; `changes` maps a number to its changed fields."""
    entries = [entry(n, **changes.get(f"m{n}", {})) for n in numbers]
    return json.dumps(entries).encode()


def make_source(url, name="Harbour Intergroup", **fields):
    defaults = {
        "format": "meeting-guide",
        "fellowship": Fellowship.objects.get(slug="aa"),
        "refresh_hours": 6,
        "stewards": ", ".join(STEWARDS),
    }
    return ImportSource.objects.create(name=name, url=url, **{**defaults, **fields})


def listed_names():
    return sorted(Meeting.objects.listed().values_list("name", flat=True))


@pytest.fixture
def subscribed(site):
    """A source whose first refresh brought in five meetings; the outbox is emptied."""
    source = make_source(site.serve("/feed.json", feed(1, 2, 3, 4, 5)))
    assert refresh(source).ok
    mail.outbox.clear()
    return source


def unused_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Refreshing -------------------------------------------------------------------------------


def test_it_imports_a_subscribed_feed_and_mails_the_stewards_what_changed(site):
    source = make_source(site.serve("/feed.json", feed(1, 2, 3)))
    now = timezone.now()
    outcome = refresh(source, now=now)
    assert outcome.ok
    assert listed_names() == ["Harbour Meeting 1", "Harbour Meeting 2", "Harbour Meeting 3"]
    source.refresh_from_db()
    assert (source.last_checked, source.last_outcome) == (now, "ok")
    assert source.last_message.startswith("created 3, updated 0")
    assert source.runs.get().created == 3  # recorded among its imports, as an upload is
    [message] = mail.outbox
    assert sorted(message.to) == sorted(STEWARDS)
    assert "Harbour Intergroup: 3 new, 0 changed, 0 marked inactive" in message.subject
    assert "Harbour Meeting 1 [harbour-1]" in message.body
    assert reverse("admin:groups_importsource_change", args=[source.pk]) in message.body

    site.serve("/feed.json", feed(1, 2, 3, 4, m2={"time": "20:00"}))
    assert refresh(source, force=True).ok
    assert Meeting.objects.get(name="Harbour Meeting 2").start_time == datetime.time(20, 0)
    assert "1 new, 1 changed, 0 marked inactive" in mail.outbox[1].subject
    assert "Harbour Meeting 2 [harbour-2] (start_time)" in mail.outbox[1].body

    # Nothing changed: recorded on the source, and nobody is e-mailed about it.
    assert refresh(source, force=True).ok
    source.refresh_from_db()
    assert "unchanged 4" in source.last_message
    assert len(mail.outbox) == 2


def test_it_follows_a_redirect(site):
    site.serve("/feed.json", feed(1))
    source = make_source(site.serve("/old-feed", status=302, Location="/feed.json"))
    assert refresh(source).ok
    assert listed_names() == ["Harbour Meeting 1"]
    assert site.requests == ["/old-feed", "/feed.json"]


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("/missing.json", "answered HTTP 404 Not Found"),
        ("refused", "its server refused the connection"),
        ("/slow", "did not answer within 0.5 seconds"),
        ("/huge", "sent more than 1,000 bytes, the most the directory reads"),
    ],
)
def test_it_changes_nothing_when_the_fetch_fails_and_tells_the_stewards_why(
    site, subscribed, monkeypatch, where, said
):
    monkeypatch.setattr(sources, "MAX_BYTES", 1000)
    site.serve("/slow", feed(1))
    site.serve("/huge", b" " * 2000 + feed(1))
    if where == "refused":
        subscribed.url = f"http://127.0.0.1:{unused_port()}/feed.json"
    else:
        subscribed.url = site.base + where
    subscribed.save()

    outcome = refresh(subscribed, force=True, timeout=0.5)
    assert outcome.status == "failed"
    assert len(listed_names()) == 5  # every meeting still listed
    subscribed.refresh_from_db()
    assert subscribed.last_outcome == "failed" and said in subscribed.last_message
    [message] = mail.outbox
    assert message.subject.endswith("Harbour Intergroup: refresh failed, nothing changed")
    assert (
        said in message.body and "its meetings in the directory stay as they were" in message.body
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"error": "Down for maintenance"}', "not a list of meetings"),
        (b"<html><body>Our meetings</body></html>", "not a list of meetings"),
        (b"[]", "the source lists no meetings"),
    ],
)
def test_it_changes_nothing_when_the_content_is_not_a_list_of_meetings(
    site, subscribed, content, said
):
    site.serve("/feed.json", content)
    outcome = refresh(subscribed, force=True)
    assert outcome.status == "refused"
    assert len(listed_names()) == 5
    subscribed.refresh_from_db()
    assert subscribed.last_outcome == "refused" and said in subscribed.last_message
    [message] = mail.outbox
    assert "refresh refused, nothing changed" in message.subject and said in message.body


def test_it_refuses_a_refresh_that_would_mark_too_many_meetings_inactive(site, subscribed):
    site.serve("/feed.json", feed(1, 2))  # a feed cut short: 3 of the 5 are missing
    outcome = refresh(subscribed, force=True)
    assert outcome.status == "refused"
    assert len(listed_names()) == 5 and subscribed.runs.count() == 1  # not even a run
    expected = "It would mark 3 of the source's 5 listed meetings inactive (60 %), more than "
    assert f"{expected}the 20 % allowed" in outcome.message
    [message] = mail.outbox
    assert expected in message.body and "Harbour Meeting 5" in message.body

    site.serve("/feed.json", feed(1, 2, 3, 4))  # one of five (20 %) is allowed
    assert refresh(subscribed, force=True).ok
    assert Meeting.objects.get(name="Harbour Meeting 5").status == "inactive"
    assert "1 marked inactive" in mail.outbox[1].subject

    subscribed.max_deactivate_percent = 100  # the stewards know the meetings stopped
    subscribed.save()
    site.serve("/feed.json", feed(1))
    assert refresh(subscribed, force=True).ok
    assert listed_names() == ["Harbour Meeting 1"]


def test_it_checks_the_share_again_on_the_real_import(site, subscribed, monkeypatch):
    # Listings may change between the dry run and the import: the import's own count decides.
    site.serve("/feed.json", feed(1, 2))
    monkeypatch.setattr(refreshing, "_refusal", lambda *args: "")
    outcome = refresh(subscribed, force=True)
    assert outcome.status == "refused" and len(listed_names()) == 5
    assert "It would mark 3 of the source's 5 listed meetings inactive" in outcome.message
    assert subscribed.runs.count() == 1  # the rolled-back run is not kept


def test_it_refuses_bad_rows_unless_the_source_saves_the_good_ones(site, subscribed):
    site.serve("/feed.json", feed(1, 2, 3, 4, 5, 6, m2={"time": "20:00"}, m6={"day": "Funday"}))
    outcome = refresh(subscribed, force=True)
    assert outcome.status == "refused"
    assert "1 row could not be understood, so nothing was changed" in outcome.message
    assert len(listed_names()) == 5
    assert Meeting.objects.get(name="Harbour Meeting 2").start_time == datetime.time(19, 0)
    assert "'Funday' is not a day of the week" in mail.outbox[0].body

    subscribed.refresh_skip_invalid = True
    subscribed.save()
    outcome = refresh(subscribed, force=True)
    assert outcome.ok and "rejected 1" in outcome.message
    assert Meeting.objects.get(name="Harbour Meeting 2").start_time == datetime.time(20, 0)
    assert "Harbour Meeting 6" not in listed_names()
    assert "'Funday' is not a day of the week" in mail.outbox[1].body


def test_it_tells_nobody_when_a_source_has_no_stewards(site):
    source = make_source(site.serve("/feed.json", b"[]"), stewards="")
    assert refresh(source).status == "refused"
    assert mail.outbox == []


def test_it_refreshes_only_sources_that_are_due():
    now = timezone.now()
    hours_ago = lambda n: now - datetime.timedelta(hours=n)  # noqa: E731
    make_source("https://a.example.org/feed.json", "never checked")
    make_source("https://b.example.org/feed.json", "checked 7 h ago", last_checked=hours_ago(7))
    make_source("https://c.example.org/feed.json", "checked 6 h ago", last_checked=hours_ago(6))
    make_source("https://d.example.org/feed.json", "checked 1 h ago", last_checked=hours_ago(1))
    make_source("https://e.example.org/feed.json", "every 0 h", refresh_hours=0)
    make_source("https://f.example.org/feed.json", "not subscribed", refresh_hours=None)
    due = {source.name for source in due_sources(now)}
    assert due == {"never checked", "checked 7 h ago", "checked 6 h ago"}
    fresh = ImportSource.objects.get(name="checked 1 h ago")
    assert refresh(fresh, now=now) is None  # not due: left alone
    assert refresh(ImportSource.objects.get(name="not subscribed"), now=now) is None


# The command ------------------------------------------------------------------------------


def refresh_sources(*args):
    out = io.StringIO()
    try:
        call_command("refresh_sources", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_the_command_refreshes_due_sources_and_fails_when_one_failed(site):
    make_source(site.serve("/feed.json", feed(1, 2)))
    make_source(site.base + "/gone.json", "Old Intergroup")
    make_source(site.base + "/later.json", "Checked Intergroup", last_checked=timezone.now())
    output, error = refresh_sources()
    lines = output.splitlines()
    assert len(lines) == 2
    assert "Harbour Intergroup: Refreshed: created 2" in lines[0]
    assert "Old Intergroup: Failed, nothing changed:" in lines[1]
    assert "answered HTTP 404" in lines[1]
    assert str(error) == "1 of 2 sources were not refreshed." and error.returncode == 1
    assert "/later.json" not in site.requests

    output, error = refresh_sources()  # both were just checked
    assert output == "No source is due for a refresh.\n" and error is None

    output, error = refresh_sources("Harbour Intergroup")  # named: refreshed, due or not
    assert "Harbour Intergroup: Refreshed: created 0, updated 0, unchanged 2" in output
    assert error is None

    site.serve("/later.json", feed(3))
    site.serve("/gone.json", feed(4))
    output, error = refresh_sources("--all")
    assert len(output.splitlines()) == 3 and error is None
    assert listed_names() == ["Harbour Meeting 1", "Harbour Meeting 2", "Harbour Meeting 3"] + [
        "Harbour Meeting 4"
    ]

    _, error = refresh_sources("No Such Feed")
    assert "No import source named 'No Such Feed'" in str(error)


# The admin --------------------------------------------------------------------------------


def messages_on(response):
    return [str(message) for message in response.context["messages"]]


def test_the_admin_refreshes_selected_sources_and_says_how_each_went(site, admin_client):
    good = make_source(site.serve("/feed.json", feed(1, 2)), refresh_hours=None)
    bad = make_source(site.base + "/gone.json", "Old Intergroup")
    page = admin_client.post(
        reverse("admin:groups_importsource_changelist"),
        {"action": "refresh_now", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    assert page.status_code == 200
    said = messages_on(page)
    assert any(m.startswith("Harbour Intergroup: Refreshed: created 2") for m in said)
    assert any("Old Intergroup: Failed, nothing changed" in m and "HTTP 404" in m for m in said)
    assert listed_names() == ["Harbour Meeting 1", "Harbour Meeting 2"]
    listed = admin_client.get(reverse("admin:groups_importsource_changelist")).text
    assert "Refreshed" in listed and "Failed, nothing changed" in listed  # each last outcome


def test_the_change_page_has_a_refresh_button_and_edits_the_subscription(site, admin_client):
    source = make_source(site.serve("/feed.json", feed(1)), refresh_hours=None, stewards="")
    url = reverse("admin:groups_importsource_change", args=[source.pk])
    page = admin_client.get(url)
    assert "Refresh now" in page.text
    button = reverse("admin:groups_importsource_refresh", args=[source.pk])
    done = admin_client.post(button, follow=True)
    assert done.redirect_chain[-1][0] == url
    assert messages_on(done)[0].startswith("Harbour Intergroup: Refreshed: created 1")

    data = form_data(
        admin_client.get(url),
        refresh_hours="12",
        stewards="sam@example.org\nkim@example.org",
        max_deactivate_percent="10",
    )
    assert admin_client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert (source.refresh_hours, source.max_deactivate_percent) == (12, 10)
    assert source.steward_addresses() == ["sam@example.org", "kim@example.org"]

    refused = admin_client.post(url, {**data, "url": "", "stewards": "sam@, kim@example.org"})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert errors["url"] == ["A subscribed source needs a URL to fetch."]
    assert errors["stewards"] == ["Not an e-mail address: sam@."]


def test_only_those_who_may_import_may_refresh(site, client):
    source = make_source(site.serve("/feed.json", feed(1)))
    staff = User.objects.create_user("staff", password="a-long-test-password", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_importsource", "change_importsource"])
    )
    source.created_by = staff  # their own source: others' are not even listed to them
    source.save()
    client.force_login(staff)
    changelist = client.get(reverse("admin:groups_importsource_changelist"))
    assert changelist.status_code == 200 and "refresh_now" not in changelist.text
    page = client.get(reverse("admin:groups_importsource_change", args=[source.pk]))
    assert page.status_code == 200 and "Refresh now" not in page.text
    refused = client.post(reverse("admin:groups_importsource_refresh", args=[source.pk]))
    assert refused.status_code == 403
    action = client.post(
        reverse("admin:groups_importsource_changelist"),
        {"action": "refresh_now", "_selected_action": [source.pk]},
    )
    assert action.status_code == 200  # "No action selected": the action is not theirs
    assert site.requests == [] and not Meeting.objects.exists()


# Private addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "this server itself (loopback)"),
        ("::1", "this server itself (loopback)"),
        ("::ffff:127.0.0.1", "this server itself (loopback)"),
        ("10.1.2.3", "on a private network"),
        ("172.16.0.9", "on a private network"),
        ("192.168.1.1", "on a private network"),
        ("fd00::1", "on a private network"),
        ("169.254.169.254", "a link-local address (such as a cloud's metadata service)"),
        ("fe80::1", "a link-local address (such as a cloud's metadata service)"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("0.0.0.0", "an unspecified address"),
        ("100.64.0.1", "not a public address"),
        ("93.184.216.34", ""),
        ("2606:4700:4700::1111", ""),
    ],
)
def test_it_fetches_only_from_public_addresses(address, why):
    assert sources.why_not_public(ipaddress.ip_address(address)) == why


def test_it_refuses_a_loopback_url_before_connecting(site, settings):
    settings.IMPORT_ALLOW_PRIVATE_ADDRESSES = False
    source = make_source(site.serve("/feed.json", feed(1)))
    outcome = refresh(source)
    assert outcome.status == "failed"
    assert "127.0.0.1 is this server itself (loopback): the directory fetches only from " in (
        outcome.message
    )
    assert site.requests == [] and not Meeting.objects.exists()
    with pytest.raises(CommandError, match="is this server itself"):
        call_command(
            "import_meetings", source.url, "--format", "meeting-guide", "--fellowship", "aa"
        )
    assert site.requests == []


def test_it_refuses_a_redirect_to_a_private_address(settings):
    settings.IMPORT_ALLOW_PRIVATE_ADDRESSES = False
    request = sources.urllib.request.Request("https://feeds.example.org/meetings.json")
    answer = io.BytesIO(b"Moved")
    with pytest.raises(sources.SourceError) as refused:
        sources._Redirects().redirect_request(
            request, answer, 302, "Found", {}, "http://10.0.0.7/admin"
        )
    assert str(refused.value).startswith(
        "https://feeds.example.org/meetings.json redirects to http://10.0.0.7/admin: "
        "10.0.0.7 is on a private network"
    )
    assert answer.closed


def test_it_refuses_redirects_to_other_schemes_and_too_many_redirects(site):
    source = make_source(site.serve("/to-file", status=302, Location="file:///etc/passwd"))
    outcome = refresh(source)
    assert outcome.status == "failed"
    assert "redirects to file:///etc/passwd: " in outcome.message
    assert "only http:// and https:// addresses can be fetched" in outcome.message

    for n in range(7):
        site.serve(f"/hop{n}", status=302, Location=f"/hop{n + 1}")
    source.url = site.base + "/hop0"
    source.save()
    assert "redirects more than 5 times" in refresh(source, force=True).message
    assert site.requests.count("/hop5") == 1 and "/hop6" not in site.requests
