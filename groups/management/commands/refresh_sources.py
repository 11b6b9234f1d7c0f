"""Refreshes subscribed import sources from their URLs (groups.importing.refresh).

Run it from cron or a systemd timer, e.g. every 15 minutes: each source is refreshed when its
own interval (refresh_hours) has passed, so the timer only sets how late a refresh may be.
One line per source; the exit status is 1 when any of them was not refreshed (failed or
refused), so that cron and systemd report it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from groups.importing.refresh import due_sources, refresh, subscribed
from groups.models import ImportSource


class Command(BaseCommand):
    help = "Refreshes the subscribed import sources that are due (or --all, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Sources to refresh now, by name.")
        parser.add_argument(
            "--all", action="store_true", help="Every subscribed source, due or not."
        )
        parser.add_argument("--timeout", type=float, default=None, help="Seconds, per fetch.")

    def handle(self, *args, names, all=False, timeout=None, **options):
        now = timezone.now()
        if names:
            found = {source.name: source for source in ImportSource.objects.filter(name__in=names)}
            missing = [name for name in names if name not in found]
            if missing:
                raise CommandError(f"No import source named {', '.join(map(repr, missing))}.")
            chosen = [found[name] for name in names]
        else:
            chosen = list(subscribed() if all else due_sources(now))
        if not chosen:
            self.stdout.write("No source is due for a refresh.")
            return
        not_refreshed = 0
        for source in chosen:
            outcome = refresh(source, now=now, force=True, timeout=timeout)
            style = self.style.SUCCESS if outcome.ok else self.style.ERROR
            self.stdout.write(style(str(outcome)))
            not_refreshed += not outcome.ok
        if not_refreshed:
            raise CommandError(f"{not_refreshed} of {len(chosen)} sources were not refreshed.")
