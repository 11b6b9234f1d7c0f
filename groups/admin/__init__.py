"""The admin, as volunteers use it: scoped to their listings (groups.scope), with history and
revert (django-simple-history), archive instead of delete, refusal of conflicting edits
(groups.concurrency), verification records, the queue of corrections from the public, and
imports. One module per area; importing this package registers them all."""

from groups.admin import catalogue, corrections, helplines, imports, listings, volunteers

__all__ = ["catalogue", "corrections", "helplines", "imports", "listings", "volunteers"]
