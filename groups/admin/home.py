"""The admin's home page as a work queue, and its sign-in.

A volunteer opens /admin/ on their scope in words and what is waiting in it, each count a link
to the list of exactly those items; then their lists, with the reference tables (read-only for
them) apart at the bottom. Superusers and coordinators see the same counts directory-wide.
The counts are one query each, whatever the scope (tests/test_work_queue.py).
"""

import dataclasses

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups import onboarding
from groups.models import ChangeRequest, ImportSource, Meeting
from groups.scope import scope_of

# The catalogue: the same for everyone, which a volunteer may look at but not change.
REFERENCE = {
    "Fellowship",
    "MeetingType",
    "Language",
    "Region",
    "Helpline",
    "TypeVocabulary",
}


@dataclasses.dataclass(frozen=True)
class Count:
    label: str
    count: int
    url: str


def scope_in_words(scope) -> str:
    if scope.everything:
        return _("every listing in the directory")
    if scope.nothing:
        return scope.describe()
    if not scope.regions:
        # Translators: fellowships are the names of the volunteer's fellowships.
        return _("%(fellowships)s, everywhere") % {"fellowships": scope.label}
    if not scope.fellowships:
        # Translators: regions are the names of the volunteer's regions.
        return _("every fellowship in %(regions)s") % {"regions": scope.label}
    return scope.label


def _changelist(name: str, **params) -> str:
    url = reverse(f"admin:groups_{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def counts(user) -> list[Count]:
    """What is waiting in the user's scope, for the lists they may open."""
    scope = scope_of(user)
    if scope.nothing:
        return []
    shown = []
    if user.has_perm("groups.view_changerequest"):
        waiting = ChangeRequest.objects.filter(decision=ChangeRequest.Decision.PENDING)
        n = scope.change_requests(waiting).count()
        # Translators: the work queue's counts are shown after their number ("2 corrections
        # waiting"), the number in bold.
        label = ngettext("correction waiting", "corrections waiting", n)
        url = _changelist("changerequest", decision=ChangeRequest.Decision.PENDING)
        shown.append(Count(label, n, url))
    if user.has_perm("groups.view_needschecking"):
        due = scope.meetings(Meeting.objects.needing_check())
        n = due.count()
        label = ngettext("listing to check", "listings to check", n)
        shown.append(Count(label, n, _changelist("needschecking")))
        n = due.filter(flagged_on__isnull=False).count()
        # Translators: listings that people reported nobody was at (shown after their number).
        label = ngettext("flagged by “nobody was there”", "flagged by “nobody was there”", n)
        shown.append(Count(label, n, _changelist("needschecking", flagged="yes")))
    if user.has_perm("groups.view_importsource"):
        failed = ImportSource.objects.filter(last_outcome=ImportSource.Outcome.FAILED)
        n = scope.import_sources(failed).count()
        label = ngettext("import that failed", "imports that failed", n)
        url = _changelist("importsource", last_outcome__exact=ImportSource.Outcome.FAILED)
        shown.append(Count(label, n, url))
    return shown


def split_app_list(app_list) -> tuple[list, list]:
    """The apps with the reference tables taken out, and those tables (in their own list)."""
    work, reference = [], []
    for app in app_list:
        mine = [m for m in app["models"] if m["object_name"] not in REFERENCE]
        if app["app_label"] == "groups":
            reference = [m for m in app["models"] if m["object_name"] in REFERENCE]
        if mine:
            work.append({**app, "models": mine})
    # The directory's own work first, then the accounts and the sign-in log.
    work.sort(key=lambda app: app["app_label"] != "groups")
    return work, reference


class DemoRefusingLoginForm(AdminAuthenticationForm):
    """The demo's passwords are in the README: with DEBUG off, nobody signs in with one."""

    def clean(self):
        if onboarding.is_refused_demo_password(self.cleaned_data.get("password")):
            raise forms.ValidationError(
                _(
                    "That is one of the demo's published passwords, refused on a live site "
                    "(DEBUG is off). Ask a coordinator to set a password of your own."
                ),
                code="demo_password",
            )
        return super().clean()
