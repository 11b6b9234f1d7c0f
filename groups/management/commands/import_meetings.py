import os

from django.core.management.base import BaseCommand, CommandError

from groups import importing
from groups.importing.save import Importer
from groups.importing.sources import SourceError, is_url, read
from groups.models import Fellowship, ImportSource, validate_timezone


def _progress(items, **options):
    from tqdm import tqdm

    return tqdm(items, leave=False, **options)


class Command(BaseCommand):
    help = "Import meetings from a Meeting Guide feed, a table-format CSV or XLSX, or BMLT JSON."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file, or an http(s) URL.")
        parser.add_argument("--format", required=True, choices=sorted(importing.PARSERS))
        parser.add_argument(
            "--fellowship", required=True, help="Slug, for entries that do not name their own."
        )
        parser.add_argument(
            "--name", default="", help="The source's name (default: its URL or file name)."
        )
        parser.add_argument("--timezone", default="", help="For rows and places without one.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; save nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Save the good rows, list the bad."
        )
        parser.add_argument("--timeout", type=float, default=30, help="Seconds, for a URL.")

    def handle(self, *args, source, format, fellowship, name, timezone, **options):
        try:
            fellowship = Fellowship.objects.get(slug=fellowship)
        except Fellowship.DoesNotExist:
            raise CommandError(f"No fellowship with the slug {fellowship!r}.") from None
        if timezone:
            try:
                validate_timezone(timezone)
            except Exception as error:
                raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        record = self._source(source, name, format, fellowship, timezone)
        try:
            content = read(source, options["timeout"])
            parsed = importing.parse(format, content)
        except (SourceError, ValueError) as error:
            raise CommandError(str(error)) from None
        progress = _progress if self.stdout.isatty() else None
        importer = Importer(record, parsed, default_timezone=timezone, progress=progress)
        report = importer.run(skip_invalid=options["skip_invalid"], dry_run=options["dry_run"])
        limit = None if options["verbosity"] > 1 else 20
        text = report.text(limit=limit, mended_limit=limit)
        if report.refused:
            self.stderr.write(text)
            raise CommandError(f"Refused: {report.refused}")
        self.stdout.write(text)

    def _source(self, source, name, format, fellowship, timezone) -> ImportSource:
        """The source of that name, or a new one (saved only if the import is)."""
        name = name or (source if is_url(source) else os.path.basename(source))
        found = ImportSource.objects.filter(name=name).first()
        if found is None:
            url = source if is_url(source) else ""
            file_name = "" if url else os.path.basename(source)
            return ImportSource(
                name=name,
                format=format,
                fellowship=fellowship,
                url=url,
                file_name=file_name,
                timezone=timezone,
            )
        if found.format != format:
            raise CommandError(
                f"The source {name!r} is imported as {found.format}, not {format}; "
                "give --name to import this as another source."
            )
        found.fellowship = fellowship
        return found
