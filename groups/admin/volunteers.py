"""Volunteers' scopes, edited with their user account (coordinators only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from groups.models import Volunteer


class VolunteerInline(admin.StackedInline):
    model = Volunteer
    can_delete = True
    filter_horizontal = ["fellowships", "regions"]
    verbose_name_plural = "volunteer scope (which listings they keep current)"


admin.site.unregister(User)


@admin.register(User)
class VolunteerUserAdmin(UserAdmin):
    inlines = [VolunteerInline]
    list_display = ["username", "first_name", "email", "is_staff", "is_active", "scope"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("volunteer__fellowships", "volunteer__regions")
        )

    @admin.display(description="Scope")
    def scope(self, obj):
        if obj.is_superuser:
            return "Every listing"
        volunteer = getattr(obj, "volunteer", None)
        if volunteer is None:
            return ""
        names = [f.short_name for f in volunteer.fellowships.all()]
        names += [r.name for r in volunteer.regions.all()]
        return ", ".join(names)
