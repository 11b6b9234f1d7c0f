"""What every page of the admin shares: link fields, filters and the one scope rule.

Every admin of something a volunteer keeps (meetings, groups, venues, change requests, import
sources) is a ScopedMixin: its list, its pages, its actions, its history and its revert read
through groups.scope, so that a crafted URL or POST for anything outside the user's scope finds
nothing, and a save that would take something outside is rolled back.
"""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from groups.catalogue import catalogue
from groups.models import needs_check_q
from groups.scope import scope_of


def _site_header() -> str:
    # Translators: the admin's header; site is the directory's name.
    return _("%(site)s: volunteers") % {"site": settings.SITE_NAME}


# Read when a page is drawn, so in the language of the request.
admin.site.site_header = lazy(_site_header, str)()
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _lazy("Keep the listings current")


class DirectoryAdmin(admin.ModelAdmin):
    # A bare "example.org" typed into a link field means https://example.org.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


def https_links(field, **kwargs):
    """Form fields for the admin's model forms: a bare link means https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def _is_autocomplete(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


# Filters ------------------------------------------------------------------------------------


class RegionFilter(admin.SimpleListFilter):
    """A region and every place inside it."""

    title = _lazy("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        # Only the regions in the user's scope (all of them for a scope of fellowships only).
        regions, tree = scope_of(request.user).regions, catalogue().regions
        if not regions:
            return tree.choices
        return [(slug, name) for slug, name in tree.choices if tree.by_slug[slug][0] in regions]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        tree = catalogue().regions
        row = tree.by_slug.get(self.value())
        ids = tree.below(row[0]) if row else []
        return queryset.filter(**{self.field_path: ids})

    field_path = "location__region_id__in"


class LocationRegionFilter(RegionFilter):
    field_path = "region_id__in"


class FlaggedFilter(admin.SimpleListFilter):
    """The listings people reported nobody at (the admin home's "flagged" count links here)."""

    title = _lazy("flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged by “nobody was there”")), ("no", _("Not flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flagged_on__isnull=False)
        if self.value() == "no":
            return queryset.filter(flagged_on__isnull=True)
        return queryset


class CheckedFilter(admin.SimpleListFilter):
    title = _lazy("last checked")
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        days = settings.VERIFICATION_INTERVAL_DAYS
        return [
            (
                "stale",
                ngettext(
                    "Needs checking (over %(days)s day, never, or flagged)",
                    "Needs checking (over %(days)s days, never, or flagged)",
                    days,
                )
                % {"days": days},
            ),
            (
                "recent",
                ngettext(
                    "Checked in the last %(days)s day",
                    "Checked in the last %(days)s days",
                    days,
                )
                % {"days": days},
            ),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.filter(needs_check_q())
        if self.value() == "recent":
            return queryset.exclude(needs_check_q())
        return queryset


# Scoped admins ------------------------------------------------------------------------------


class ScopedMixin:
    """Lists, opens, changes and deletes only what the user's scope allows; a crafted URL or
    POST for anything else finds nothing. `scope_method` names the groups.scope.Scope method.
    What a user adds is recorded as theirs (`created_by`, where the model has it)."""

    scope_method = "meetings"

    def get_queryset(self, request):
        return getattr(scope_of(request.user), self.scope_method)(super().get_queryset(request))

    def _in_scope(self, request, obj) -> bool:
        if obj is None or obj.pk is None:
            return True
        checked = request.__dict__.setdefault("_scope_checks", {})
        key = (type(obj)._meta.concrete_model, obj.pk)
        if key not in checked:
            checked[key] = scope_of(request.user).allows(obj)
        return checked[key]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = scope_of(request.user)
        return form

    def save_model(self, request, obj, form, change):
        if not change and hasattr(obj, "created_by_id") and obj.created_by_id is None:
            obj.created_by = request.user
        # The form checked the scope; this refuses, and undoes, anything that got past it.
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not scope_of(request.user).allows(obj):
                raise PermissionDenied(_("That would put the listing outside your scope."))


class ScopedAdmin(ScopedMixin, SimpleHistoryAdmin, DirectoryAdmin):
    """A scoped admin with history and revert (django-simple-history)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert saves the model, its links and the log entry: all of it, or (refused) none.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)
