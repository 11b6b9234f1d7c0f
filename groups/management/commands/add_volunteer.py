"""Gives someone a volunteer's account from the command line (see docs and groups.onboarding)."""

import getpass
import sys

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from groups import onboarding
from groups.models import Fellowship, Region, Volunteer


class Command(BaseCommand):
    help = "Create or update a volunteer's account: staff, in `volunteers`, with their scope."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--fellowship",
            action="append",
            default=[],
            metavar="SLUG",
            help="A fellowship they keep (e.g. aa); repeat for more. None: every fellowship.",
        )
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            metavar="SLUG",
            help="A region they keep, with the places inside it; repeat for more. None: anywhere.",
        )
        parser.add_argument(
            "--coordinator",
            action="store_true",
            help="Every listing, unscoped, with the coordinators' permissions.",
        )
        parser.add_argument("--email", default=None, help="Their e-mail address.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input instead of asking.",
        )

    def handle(self, *args, username, fellowship, region, coordinator, email, **options):
        fellowships = _named(Fellowship, "--fellowship", fellowship)
        regions = _named(Region, "--region", region)
        if coordinator and (fellowships or regions):
            raise CommandError("A coordinator keeps every listing: drop --fellowship and --region.")
        if not coordinator and not (fellowships or regions):
            raise CommandError(
                "Give a scope (--fellowship and/or --region), or --coordinator for every listing."
            )
        user = User.objects.filter(username=username).first()
        password = self._password(options["password_stdin"], user, username)
        with transaction.atomic():
            created = user is None
            user = user or User(username=username)
            if email is not None:
                user.email = email
            if password:
                user.set_password(password)
            elif created:
                user.set_unusable_password()
            user.is_active = user.is_staff = True
            user.save()
            user.groups.add(onboarding.volunteers_group())
            if coordinator:
                user.groups.add(onboarding.coordinators_group())
                Volunteer.objects.filter(user=user).delete()
            else:
                user.groups.remove(*user.groups.filter(name=onboarding.COORDINATORS))
                volunteer, _ = Volunteer.objects.get_or_create(user=user)
                volunteer.fellowships.set(fellowships)
                volunteer.regions.set(regions)
        scope = "every listing (coordinator)" if coordinator else _words(fellowships, regions)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username}: staff, scope {scope}. Sign in at /admin/.")

    def _password(self, from_stdin, user, username) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: standard input gave no password.")
        elif not sys.stdin.isatty():
            if user is not None:
                return ""  # an update keeps the password when nobody is there to type one
            raise CommandError("No terminal to ask for a password: use --password-stdin.")
        else:
            password = getpass.getpass(f"Password for {username}: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords did not match.")
        probe = user or User(username=username)
        try:
            password_validation.validate_password(password, probe)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        return password


def _named(model, argument, slugs):
    found = {row.slug: row for row in model.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        known = ", ".join(model.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(
            f"{argument}: no {model._meta.verbose_name} {', '.join(map(repr, unknown))}. "
            f"Known: {known}."
        )
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _words(fellowships, regions) -> str:
    names = ", ".join(f.name for f in fellowships) or "every fellowship"
    places = ", ".join(r.name for r in regions) or "everywhere"
    return f"{names} in {places}"
