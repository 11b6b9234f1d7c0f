from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, F, Max, Q

from groups import corrections, onboarding
from groups.catalogue import catalogue
from groups.models import ChangeRequest, Fellowship, Group, Location, Meeting, Region, Volunteer

# The demo's accounts, with the passwords the README gives. Created with DEBUG on only, and
# refused at sign-in with DEBUG off (groups.onboarding.DEMO_PASSWORDS).
DEMO_USERS = [
    # (username, password, fellowship slug, region slug, coordinator)
    ("coordinator", "demo-coordinator-2026", None, None, True),
    ("aa-edinburgh", "demo-volunteer-2026", "aa", "edinburgh", False),
    ("smart-volunteer", "demo-volunteer-2026", "smart-recovery", None, False),
]
HISTORY_NOTE = "Demo data loaded"


class Command(BaseCommand):
    help = "Load the demo data (fixtures/demo.json) unless the directory already lists meetings."

    def handle(self, *args, **options):
        if Meeting.objects.exists():
            self.stdout.write("Meetings are already listed; the demo data was not loaded again.")
        else:
            with transaction.atomic():
                recorded = Meeting.history.aggregate(last=Max("history_id"))["last"] or 0
                call_command("loaddata", "demo", verbosity=0)
                record_history(demo_loader(), after=recorded)
                add_corrections()
            self.stdout.write(f"Loaded the demo data: {Meeting.objects.count()} meetings.")
        if settings.DEBUG:
            for username, *_ in DEMO_USERS:
                add_demo_user(username)
            names = ", ".join(username for username, *_ in DEMO_USERS)
            self.stdout.write(f"Demo accounts (see the README for their passwords): {names}.")
        else:
            self.stdout.write("DEBUG is off: the demo accounts were not created.")


def demo_loader() -> User:
    """The demo data's author in its history: a named account that cannot sign in."""
    user, created = User.objects.get_or_create(
        username=onboarding.DEMO_LOADER,
        defaults={"first_name": "Demo data", "is_staff": False, "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def record_history(user, after: int) -> None:
    """loaddata saves raw rows, which django-simple-history leaves unrecorded but for the
    meetings' types and languages, recorded twice each as changed by nobody. Those go (the
    meetings' versions after `after`); each meeting, group and venue is recorded once instead,
    as created by `user` with its types and languages, so its history starts with who put it
    there."""
    loaded = Meeting.history.filter(history_id__gt=after)
    for field in ("types", "languages"):
        history = apps.get_model("groups", f"HistoricalMeeting_{field}")
        history.objects.filter(history__in=loaded).delete()
    loaded.delete()
    for model in (Location, Group, Meeting):
        model.history.bulk_history_create(
            list(model.objects.all()), default_user=user, default_change_reason=HISTORY_NOTE
        )
    versions = dict(
        Meeting.history.filter(history_id__gt=after, history_user=user).values_list(
            "id", "history_id"
        )
    )
    for field, target in (("types", "meetingtype"), ("languages", "language")):
        through = getattr(Meeting, field).through
        history = apps.get_model("groups", f"HistoricalMeeting_{field}")
        history.objects.bulk_create(
            history(
                id=row.pk,
                meeting_id=row.meeting_id,
                history_id=versions[row.meeting_id],
                **{f"{target}_id": getattr(row, f"{target}_id")},
            )
            for row in through.objects.all()
        )


def _aa_edinburgh_meetings():
    edinburgh = Region.objects.get(slug="edinburgh")
    below = catalogue().regions.below(edinburgh.pk)
    return Meeting.objects.listed().filter(
        fellowship__slug="aa",
        location__region_id__in=below,
        attendance="in_person",
        day__isnull=False,  # not "by appointment"
    )


def add_corrections() -> None:
    """Two corrections waiting in the AA Edinburgh volunteer's queue: a new venue name for a
    meeting at a venue that holds several, and a later start for another meeting elsewhere."""
    meetings = _aa_edinburgh_meetings()
    # The venue whose meetings are all the volunteer's, the most of them: approving the new
    # name "for all meetings there" then renames every one.
    busiest = (
        Location.objects.annotate(
            held=Count("meetings"),
            theirs=Count("meetings", filter=Q(meetings__fellowship__slug="aa")),
        )
        .filter(pk__in=meetings.values("location"), held__gt=2, theirs=F("held"))
        .order_by("-held", "pk")
        .first()
    )
    at_venue = meetings.filter(location=busiest).order_by("day", "start_time", "pk").first()
    renamed = f"{busiest.name} (Community Rooms)"
    elsewhere = meetings.exclude(location=busiest).order_by("day", "start_time", "pk").first()
    later = elsewhere.start_time.replace(hour=(elsewhere.start_time.hour + 1) % 24)
    for meeting, values, note in (
        (
            at_venue,
            {"location_name": renamed},
            "The hall has been renamed; the sign outside says the new name now.",
        ),
        (
            elsewhere,
            {"start_time": later.strftime("%H:%M")},
            "We start an hour later since the autumn.",
        ),
    ):
        ChangeRequest.objects.create(
            meeting=meeting,
            fellowship_id=meeting.fellowship_id,
            region_id=meeting.location.region_id,
            report=ChangeRequest.Report.CHANGED,
            proposed=corrections.proposed_changes(meeting, values),
            note=note,
            listing_updated=meeting.updated,
        )


def add_demo_user(username) -> User:
    _, password, fellowship, region, coordinator = next(
        row for row in DEMO_USERS if row[0] == username
    )
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = user.is_staff = True
    user.save()
    user.groups.add(onboarding.volunteers_group())
    if coordinator:
        user.groups.add(onboarding.coordinators_group())
        return user
    volunteer, _ = Volunteer.objects.get_or_create(user=user)
    volunteer.fellowships.set(Fellowship.objects.filter(slug=fellowship))
    volunteer.regions.set(Region.objects.filter(slug=region))
    return user
