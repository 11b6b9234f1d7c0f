"""Subscribed sources that stay fresh: each is fetched again from its URL every refresh_hours
and imported through the same Importer as a file, and its stewards are told what happened.

A refresh either applies a sound import or changes nothing at all, and says which, and why,
on the source and to the stewards. TSML once lost 1,160 meetings when a refresh went wrong;
here no failure can mark meetings inactive:

- a fetch that fails (no answer, an HTTP error, the time limit, the size cap) stops before
  anything is read;
- content that is not a list of meetings, or an empty one, is refused;
- one bad row refuses the whole refresh, unless the source says to save the good rows
  (`refresh_skip_invalid`: a feed with a few rows its publisher typed badly still updates the
  rest, and a bad row's meeting stays as it was, never marked inactive);
- an import that would mark more than `max_deactivate_percent` of the source's listed meetings
  inactive (a truncated feed, a publisher's broken export) is refused. A dry run finds that
  out before anything is written, and the real import's own count is checked again inside the
  transaction, which is rolled back if listings changed in between.

Sources are checked again refresh_hours after their last check, whatever its outcome: a broken
feed is tried, and its stewards told, once an interval, not at every run of the command.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups import importing
from groups.importing import sources
from groups.importing.save import Importer, Report, counts_text
from groups.models import ImportSource, Meeting

logger = logging.getLogger(__name__)
NAMED = 5  # meetings named in a steward's e-mail under each heading

Status = ImportSource.Outcome


@dataclasses.dataclass
class Outcome:
    source: ImportSource
    status: str  # ImportSource.Outcome
    message: str  # why, for a person; kept on the source (in the language active then)
    report: Report | None = None  # of the import, or of the dry run that refused it

    @property
    def ok(self) -> bool:
        return self.status == Status.OK

    def __str__(self) -> str:
        return f"{self.source.name}: {Status(self.status).label}: {self.message}"


class _TooMany(Exception):
    pass


def due_sources(now: datetime.datetime | None = None) -> list[ImportSource]:
    """Subscribed sources never checked, or checked refresh_hours ago or longer.

    Each source's interval is compared here, not in SQL: SQLite cannot multiply an interval
    by a column, and a directory subscribes to a few dozen sources, not thousands."""
    now = now or timezone.now()
    return [source for source in subscribed() if is_due(source, now)]


def subscribed():
    return (
        ImportSource.objects.filter(refresh_hours__gt=0)
        .exclude(url="")
        .select_related("fellowship")
    )


def is_due(source: ImportSource, now: datetime.datetime) -> bool:
    if not source.subscribed:
        return False
    interval = datetime.timedelta(hours=source.refresh_hours)
    return source.last_checked is None or source.last_checked <= now - interval


def too_many(deactivated: int, listed: int, percent: int) -> bool:
    """More than `percent` % of the listed meetings (whole numbers: no rounding at the edge)."""
    return deactivated * 100 > percent * listed


def refresh(
    source: ImportSource, *, now=None, force=False, timeout: float | None = None
) -> Outcome | None:
    """Fetches, checks and imports one source; None when it is not due (and not forced)."""
    now = now or timezone.now()
    if not force and not is_due(source, now):
        return None
    if not source.url:  # nothing was checked: nothing to record, nobody to tell
        return Outcome(source, Status.FAILED, _("This source has no URL to fetch."))
    try:
        outcome = _refresh(source, timeout or sources.TIMEOUT_SECONDS)
    except Exception as error:  # a steward must hear of it, and the other sources go on
        logger.exception("Refreshing %s failed", source.name)
        said = _("The import stopped with an error: %(error)s") % {"error": error}
        outcome = (Status.FAILED, said, None)
    return _finish(source, now, *outcome)


def _refresh(source: ImportSource, timeout: float) -> tuple[str, str, Report | None]:
    try:
        content = sources.fetch(source.url, timeout)
    except sources.SourceError as error:
        return Status.FAILED, str(error), None
    try:
        parsed = importing.parse(source.format, content)
    except ValueError as error:
        said = _("What the URL sent is not a list of meetings: %(error)s") % {"error": error}
        return Status.REFUSED, said, None
    skip = source.refresh_skip_invalid
    listed = Meeting.objects.filter(source=source).listed().count()
    trial = Importer(source, parsed).run(dry_run=True, skip_invalid=skip)
    refused = _refusal(source, trial, listed)
    if refused:
        return Status.REFUSED, refused, trial
    # The dry run's rows were read by an Importer that has been rolled back: fresh ones.
    parsed = importing.parse(source.format, content)
    try:
        with transaction.atomic():
            listed = Meeting.objects.filter(source=source).listed().count()
            report = Importer(source, parsed).run(skip_invalid=skip)
            gone, percent = len(report.deactivated), source.max_deactivate_percent
            if report.saved and too_many(gone, listed, percent):
                raise _TooMany
    except _TooMany:
        report.saved, report.run = False, None  # rolled back
        return Status.REFUSED, _too_many_message(gone, listed, percent), report
    if not report.saved:
        return Status.REFUSED, _refusal(source, report, listed) or report.refused, report
    return Status.OK, counts_text(report.counts()) + ".", report


def _refusal(source: ImportSource, report: Report, listed: int) -> str:
    """Why this import must not be applied, in words; "" when it may."""
    counts = report.counts()
    if report.rejected and not source.refresh_skip_invalid:
        n = counts["rejected"]
        # The source's option, by the name its page gives it.
        option = ImportSource._meta.get_field("refresh_skip_invalid").verbose_name
        return ngettext(
            "%(count)s row could not be understood, so nothing was changed. Ask the publisher "
            'to correct them, or let this source save the good rows ("%(option)s").',
            "%(count)s rows could not be understood, so nothing was changed. Ask the publisher "
            'to correct them, or let this source save the good rows ("%(option)s").',
            n,
        ) % {"count": n, "option": option}
    if report.refused:
        return _("Nothing was changed: %(reason)s") % {"reason": report.refused}
    if report.rejected and not (counts["created"] + counts["updated"] + counts["unchanged"]):
        return _("No row could be understood, so nothing was changed.")
    gone, percent = counts["deactivated"], source.max_deactivate_percent
    return _too_many_message(gone, listed, percent) if too_many(gone, listed, percent) else ""


def _too_many_message(gone: int, listed: int, percent: int) -> str:
    return ngettext(
        "It would mark %(gone)s of the source's %(listed)s listed meeting inactive "
        "(%(share)s %%), more than the %(percent)s %% allowed, so nothing was changed. If those "
        "meetings really stopped, raise the limit on the source's page and refresh it; "
        "otherwise the feed may be broken or cut short.",
        "It would mark %(gone)s of the source's %(listed)s listed meetings inactive "
        "(%(share)s %%), more than the %(percent)s %% allowed, so nothing was changed. If those "
        "meetings really stopped, raise the limit on the source's page and refresh it; "
        "otherwise the feed may be broken or cut short.",
        listed,
    ) % {
        "gone": gone,
        "listed": listed,
        "share": gone * 100 // max(listed, 1),
        "percent": percent,
    }


def _finish(source, now, status, message, report=None) -> Outcome:
    """Records the check on the source (its own columns only: an edit of the source made
    meanwhile in the admin is kept) and tells the stewards."""
    fields = {"last_checked": now, "last_outcome": status, "last_message": message}
    ImportSource.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)
    outcome = Outcome(source, status, message, report)
    _tell_stewards(outcome)
    return outcome


def _tell_stewards(outcome: Outcome) -> None:
    """Every failure and refusal; a success only when it changed something (a feed refreshed
    every hour would otherwise send 24 e-mails a day saying nothing)."""
    source, report = outcome.source, outcome.report
    recipients = source.steward_addresses()
    if not recipients:
        return
    counts = report.counts() if report else {}
    if outcome.ok and not any(counts[n] for n in ("created", "updated", "deactivated", "rejected")):
        return
    # In the language active when the refresh runs (the directory's own, from the command).
    if outcome.ok:
        subject = _(
            "%(source)s: %(created)s new, %(updated)s changed, %(deactivated)s marked inactive"
        ) % {"source": source.name, **counts}
    elif outcome.status == Status.REFUSED:
        subject = _("%(source)s: refresh refused, nothing changed") % {"source": source.name}
    else:
        subject = _("%(source)s: refresh failed, nothing changed") % {"source": source.name}
    context = {
        "outcome": outcome,
        "source": source,
        "report": report.text(limit=NAMED, mended_limit=NAMED) if report else "",
        "url": settings.SITE_URL.rstrip("/")
        + reverse("admin:groups_importsource_change", args=[source.pk]),
        "site_name": settings.SITE_NAME,
    }
    body = render_to_string("groups/emails/source_refreshed.txt", context)
    try:
        send_mail(
            f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients
        )
    except OSError:  # the outcome is recorded on the source; the other sources go on
        logger.exception("Could not e-mail the stewards of %s", source.name)
