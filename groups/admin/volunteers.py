"""Volunteers' scopes, edited with their user account (coordinators only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from groups.models import Volunteer


class VolunteerInline(admin.StackedInline):
    model = Volunteer
    can_delete = True
    filter_horizontal = ["fellowships", "regions"]
    verbose_name_plural = _lazy("volunteer scope (which listings they keep current)")


admin.site.unregister(User)


@admin.register(User)
class VolunteerUserAdmin(UserAdmin):
    inlines = [VolunteerInline]
    list_display = ["username", "first_name", "email", "is_staff", "is_active", "scope"]

    # A coordinator gives volunteers their accounts and scopes, but cannot make anyone a
    # superuser, hand out permissions one by one, or change a superuser's account.
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("volunteer__fellowships", "volunteer__regions")
        )

    @admin.display(description=_lazy("Scope"))
    def scope(self, obj):
        if obj.is_superuser:
            return _("Every listing")
        volunteer = getattr(obj, "volunteer", None)
        if volunteer is None:
            return ""
        names = [f.short_name for f in volunteer.fellowships.all()]
        names += [r.name for r in volunteer.regions.all()]
        return ", ".join(names)
