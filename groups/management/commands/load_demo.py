from django.core.management import call_command
from django.core.management.base import BaseCommand

from groups.models import Meeting


class Command(BaseCommand):
    help = "Load the demo data (fixtures/demo.json) unless the directory already lists meetings."

    def handle(self, *args, **options):
        if Meeting.objects.exists():
            self.stdout.write("Meetings are already listed; the demo data was not loaded again.")
            return
        call_command("loaddata", "demo", verbosity=0)
        self.stdout.write(f"Loaded the demo data: {Meeting.objects.count()} meetings.")
