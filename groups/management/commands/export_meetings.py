from django.core.management.base import BaseCommand, CommandError

from groups.exports import FORMATS, SiteAddress, exported
from groups.models import Fellowship


class Command(BaseCommand):
    help = "Write the listed meetings as a Meeting Guide feed or a table-format CSV (streamed)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(FORMATS), default="meeting-guide")
        parser.add_argument("--fellowship", default="", help="Only this fellowship (its slug).")
        parser.add_argument("-o", "--output", default="-", help="A file; default standard output.")
        parser.add_argument(
            "--site-url", default="", help="The site's address for links (default SITE_URL)."
        )

    def handle(self, *args, format, fellowship, output, site_url, **options):
        if fellowship and not Fellowship.objects.filter(slug=fellowship).exists():
            raise CommandError(f"No fellowship with the slug {fellowship!r}.")
        chunks = FORMATS[format](exported(fellowship), SiteAddress(site_url))
        if output == "-":
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as out:
                for chunk in chunks:
                    out.write(chunk)
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror}.") from None
        if options["verbosity"] > 1:
            self.stderr.write(f"Wrote {output}.")
