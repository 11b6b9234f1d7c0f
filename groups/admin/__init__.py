"""The admin, as volunteers use it: scoped to their listings (groups.scope), with history and
revert (django-simple-history), archive instead of delete, refusal of conflicting edits
(groups.concurrency), verification records, the queue of corrections from the public, and
imports. One module per area; importing this package registers them all."""

from django.contrib import admin

from groups.admin import catalogue, corrections, helplines, home, imports, listings, volunteers

# The demo's published passwords are refused with DEBUG off (groups.onboarding).
admin.site.login_form = home.DemoRefusingLoginForm

__all__ = ["catalogue", "corrections", "helplines", "home", "imports", "listings", "volunteers"]
