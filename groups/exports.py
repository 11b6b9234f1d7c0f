"""Exports of the directory: the Meeting Guide feed and the table format (CSV).

Both are written from the mixed feed's entries (groups.feeds.entry), so that they cannot
disagree and the feed's rules hold in each: private contacts in neither, paused online meetings
left out, phones in the spec's characters, an online meeting's place only its town. Streamed a
chunk of meetings at a time.
"""

import csv
from urllib.parse import urljoin

from django.conf import settings

from groups import feeds
from groups.importing.table import HEADERS, cells
from groups.models import Meeting
from groups.places import RegionTree


class SiteAddress:
    """Stands in for a request where there is none (a command): builds absolute links on the
    site's address."""

    def __init__(self, base: str = ""):
        self.base = (base or settings.SITE_URL).rstrip("/") + "/"
        self.site_url = self.base  # the feed's entity_website_url (groups.feeds.site_url)

    def build_absolute_uri(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/"))


def exported(fellowship: str = ""):
    """What an export holds: the listed meetings (inactive ones are not published)."""
    meetings = Meeting.objects.listed()
    return meetings.filter(fellowship__slug=fellowship) if fellowship else meetings


def feed_chunks(queryset, request):
    return feeds.stream(queryset, request, RegionTree())


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_chunks(queryset, request, *, byte_order_mark: bool = False):
    """The table format, a line at a time. A byte order mark makes Excel read it as UTF-8."""
    writer = csv.writer(_Line())
    yield ("\ufeff" if byte_order_mark else "") + writer.writerow(HEADERS)
    for entry in feeds.entries(queryset, request, RegionTree()):
        yield writer.writerow(cells(entry))


FORMATS = {"meeting-guide": feed_chunks, "csv": csv_chunks}
