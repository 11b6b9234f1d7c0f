"""Each volunteer's listings that need checking: printed, or e-mailed to each of them.

The same list as the admin's "Listings that need checking": not checked within
VERIFICATION_INTERVAL_DAYS, or flagged by reports that nobody was there; oldest check first.
Run it from cron, e.g. weekly: `python manage.py flag_stale_listings --email`.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import ngettext, pgettext

from groups.models import Meeting
from groups.scope import scope_of


def stale_for(user):
    queryset = Meeting.objects.needing_check().select_related("fellowship", "location")
    return scope_of(user).meetings(queryset)


class Command(BaseCommand):
    help = "Lists, or e-mails to each volunteer, the listings in their scope that need checking."

    def add_arguments(self, parser):
        parser.add_argument(
            "--email", action="store_true", help="E-mail each volunteer their list."
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The site's address for links in e-mails, e.g. https://meetings.example.org",
        )

    def handle(self, *args, email=False, base_url="", **options):
        volunteers = (
            User.objects.filter(is_active=True, is_staff=True, volunteer__isnull=False)
            .select_related("volunteer")
            .order_by("username")
        )
        sent = 0
        for user in volunteers:
            meetings = list(stale_for(user))
            if not meetings:
                continue
            rows = [
                {
                    "meeting": m,
                    "checked": m.last_verified.isoformat()
                    if m.last_verified
                    else pgettext("last checked", "never"),
                    "url": base_url.rstrip("/")
                    + reverse("admin:groups_meeting_change", args=[m.pk]),
                }
                for m in meetings
            ]
            context = {
                "user": user,
                "rows": rows,
                "scope": scope_of(user).describe(),
                "days": settings.VERIFICATION_INTERVAL_DAYS,
                "site_name": settings.SITE_NAME,
            }
            body = render_to_string("groups/emails/stale_listings.txt", context)
            if email and user.email:
                # The e-mail is for a volunteer (in the directory's language, LANGUAGE_CODE);
                # what is printed is for the operator.
                subject = ngettext(
                    "%(count)s listing to check in %(site_name)s",
                    "%(count)s listings to check in %(site_name)s",
                    len(rows),
                ) % {"count": len(rows), "site_name": settings.SITE_NAME}
                send_mail(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
                sent += 1
            else:
                self.stdout.write(f"== {user.get_username()} ({context['scope']})\n{body}")
        if email:
            self.stdout.write(f"E-mailed {sent} volunteer(s).")
