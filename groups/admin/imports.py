"""The admin for imports and exports: import sources with their runs, the "Import a file" page
(upload, preview, confirm) and the meetings' "Export selected meetings as CSV" action.

A volunteer imports only into their own sources, and an import of theirs is kept only when
every meeting it creates, changes or marks inactive is in their scope, as it was and as it
would be (scoped_import). Refreshing a source from its URL runs unattended, with nobody's scope
to check it against, so that and subscribing are for coordinators.

An upload is kept on its ImportRun (status "preview") between the preview and the volunteer's
confirmation: the database is the one store every app server shares, a file of a few MB is
small for it, and nothing is left behind on disk. The content is emptied once the run is saved.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from groups import importing
from groups.admin.base import DirectoryAdmin, ScopedMixin
from groups.exports import csv_chunks
from groups.importing.refresh import refresh
from groups.importing.save import Importer, Report
from groups.models import Fellowship, ImportRun, ImportSource, Meeting, validate_timezone
from groups.scope import Scope, scope_of

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PERMISSION = "groups.add_importsource"


@admin.action(description=_lazy("Export selected meetings as CSV"))
def export_meetings_csv(modeladmin, request, queryset):
    response = StreamingHttpResponse(
        csv_chunks(queryset, request, byte_order_mark=True), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meetings.csv"'
    return response


# Registered with the site but disabled there, so that only MeetingAdmin, which names it in its
# `actions`, offers it (Django's documented way to share an action by name).
admin.site.add_action(export_meetings_csv)
admin.site.disable_action("export_meetings_csv")


class _Undo(Exception):
    pass


NAMED = 10  # meetings named in a refusal

# The preview's table of counts (Report.counts()), a column each.
COUNT_LABELS = {
    "created": _lazy("created"),
    "updated": _lazy("updated"),
    "unchanged": _lazy("unchanged"),
    "deactivated": _lazy("deactivated"),
    "rejected": _lazy("rejected"),
}


def scoped_import(importer: Importer, user, *, keep: bool, **options) -> Report:
    """Runs the import and keeps it only when `keep` and every meeting it creates, changes or
    marks inactive is in the user's scope, both as it was and as it would be; otherwise rolls
    all of it back, and a refusal (`report.refused`) names the meetings outside.

    The import is really run, in a transaction: what the meetings would become is read from the
    database, as the Importer made them (its places, groups and regions included), not guessed.
    A coordinator's import is the Importer's own (a dry run for a preview)."""
    scope = scope_of(user)
    if scope.everything:
        return importer.run(dry_run=not keep, user=user, **options)
    source = importer.source
    try:
        with transaction.atomic():
            ours = set()
            if source.pk:
                theirs = scope.meetings(Meeting.objects.filter(source=source))
                ours = set(theirs.values_list("slug", flat=True))
            report = importer.run(user=user, **options)
            if not report.saved:
                return report  # refused by the Importer, and rolled back by it
            outside = _outside(scope, report, ours)
            if outside:
                report.refused = _refusal(scope, outside)
            if outside or not keep:
                raise _Undo
    except _Undo:
        report.saved, report.run = False, None
    return report


def _outside(scope: Scope, report: Report, ours: set[str]) -> list:
    before = [c for c in report.updated + report.deactivated if c.slug not in ours]
    after = report.created + report.updated
    inside = set(
        scope.meetings(Meeting.objects.filter(slug__in=[c.slug for c in after])).values_list(
            "slug", flat=True
        )
    )
    outside = {c.slug: c for c in before + [c for c in after if c.slug not in inside]}
    return list(outside.values())


def _refusal(scope: Scope, outside: list) -> str:
    n = len(outside)
    values = {
        "count": n,
        "scope": scope.describe(),
        "named": "; ".join(f"{c.name} [{c.slug}]" for c in outside[:NAMED]),
        "more": n - NAMED,
    }
    if n > NAMED:
        # Translators: named lists the first meetings by name; more is how many others.
        text = ngettext(
            "%(count)s meeting would be outside your scope (%(scope)s): %(named)s and "
            "%(more)s more. Leave them out of the file, or ask a coordinator to import it.",
            "%(count)s meetings would be outside your scope (%(scope)s): %(named)s and "
            "%(more)s more. Leave them out of the file, or ask a coordinator to import it.",
            n,
        )
    else:
        # Translators: named lists the meetings by name.
        text = ngettext(
            "%(count)s meeting would be outside your scope (%(scope)s): %(named)s. "
            "Leave them out of the file, or ask a coordinator to import it.",
            "%(count)s meetings would be outside your scope (%(scope)s): %(named)s. "
            "Leave them out of the file, or ask a coordinator to import it.",
            n,
        )
    return text % values


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("File"),
        help_text=_lazy("A Meeting Guide feed (.json), a spreadsheet or BMLT JSON."),
    )
    format = forms.ChoiceField(label=_lazy("Format"), choices=ImportSource.Format.choices)
    fellowship = forms.ModelChoiceField(
        Fellowship.objects.all(),
        label=_lazy("Fellowship"),
        help_text=_lazy("For meetings the file does not give a fellowship."),
    )
    name = forms.CharField(
        label=_lazy("Name"),
        required=False,
        max_length=200,
        help_text=_lazy(
            "The source's name; empty means the file's name. Importing again under the "
            "same name updates its meetings and marks those no longer in the file inactive."
        ),
    )
    timezone = forms.CharField(
        label=_lazy("Timezone"),
        required=False,
        max_length=64,
        validators=[validate_timezone],
        help_text=_lazy("For meetings and places without one; empty means the server's zone."),
    )

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["fellowship"].queryset = scope.fellowship_choices(Fellowship.objects.all())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is over %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload

    def clean(self):
        data = super().clean()
        if "file" in data:
            data["name"] = data.get("name") or data["file"].name[:200]
            found = ImportSource.objects.filter(name=data["name"]).first()
            if found and not self.scope.import_sources().filter(pk=found.pk).exists():
                self.add_error(
                    "name" if self.data.get("name") else "file",
                    _(
                        "%(source)s is someone else's source: you import into your own. Give "
                        "another name to import this file as a new source."
                    )
                    % {"source": found.name},
                )
            elif found and data.get("format") and found.format != data["format"]:
                self.add_error(
                    "format",
                    _(
                        "%(source)s is imported as %(format)s; "
                        "give another name to import this file as a new source."
                    )
                    % {"source": found.name, "format": found.get_format_display()},
                )
        return data

    def source(self, user) -> ImportSource:
        data = self.cleaned_data
        source = ImportSource.objects.filter(name=data["name"]).first() or ImportSource(
            name=data["name"], format=data["format"], created_by=user
        )
        source.fellowship = data["fellowship"]
        source.file_name = data["file"].name[:255]
        source.timezone = data["timezone"] or source.timezone
        source.save()
        return source


class ImportRunInline(admin.TabularInline):
    model = ImportRun
    extra = 0
    can_delete = False
    fields = [
        "started",
        "status",
        "user",
        "file_name",
        "created",
        "updated",
        "unchanged",
        "deactivated",
        "rejected",
        "report_text",
    ]
    readonly_fields = fields
    ordering = ["-started", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").defer("content")

    @admin.display(description=_lazy("report"))
    def report_text(self, run):
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', run.report)


@admin.register(ImportSource)
class ImportSourceAdmin(ScopedMixin, DirectoryAdmin):
    scope_method = "import_sources"  # a volunteer's own; every source for coordinators
    list_display = [
        "name",
        "format",
        "fellowship",
        "entity",
        "meeting_count",
        "last_run",
        "refresh_hours",
        "last_outcome",
    ]
    list_filter = ["format", "fellowship", "last_outcome"]
    search_fields = ["name", "url", "file_name", "entity"]
    list_select_related = ["fellowship"]
    fieldsets = [
        (None, {"fields": ["name", "format", "fellowship", "url", "file_name", "timezone"]}),
        (
            _lazy("Subscription"),
            {
                "description": _lazy(
                    "A source with a URL and an interval is fetched again that "
                    "often (manage.py refresh_sources). A refresh that fails, or looks wrong, "
                    "changes nothing, and the stewards are told why."
                ),
                "fields": [
                    "refresh_hours",
                    "stewards",
                    "max_deactivate_percent",
                    "refresh_skip_invalid",
                ],
            },
        ),
        (_lazy("Last refresh"), {"fields": ["last_checked", "last_outcome", "last_message"]}),
        (_lazy("Publisher"), {"fields": ["entity", "entity_url", "created", "last_run"]}),
    ]
    readonly_fields = [
        "entity",
        "entity_url",
        "created",
        "last_run",
        "last_checked",
        "last_outcome",
        "last_message",
    ]
    inlines = [ImportRunInline]
    actions = ["refresh_now"]
    # Only a coordinator subscribes a source: a refresh runs unattended, in nobody's scope.
    coordinators_only = ["refresh_hours"]
    change_list_template = "admin/groups/importsource/change_list.html"
    change_form_template = "admin/groups/importsource/change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"stewards": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("meetings"))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if scope_of(request.user).everything:
            return fields
        return [*fields, *self.coordinators_only]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fellowship":
            kwargs["queryset"] = scope_of(request.user).fellowship_choices(Fellowship.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_lazy("meetings"), ordering="meeting_count")
    def meeting_count(self, source):
        return source.meeting_count

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.upload_view), name="groups_importsource_upload"),
            path(
                "import/<int:run_id>/", view(self.confirm_view), name="groups_importsource_confirm"
            ),
            path(
                "<int:source_id>/refresh/",
                view(self.refresh_view),
                name="groups_importsource_refresh",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm(PERMISSION)

    def has_refresh_permission(self, request) -> bool:
        """A coordinator who may import: a refresh is an import from the source's URL, with
        nobody to check it against a volunteer's scope."""
        return self.has_import_permission(request) and scope_of(request.user).everything

    def _allowed(self, request, *, refreshing=False):
        may = self.has_refresh_permission if refreshing else self.has_import_permission
        if not may(request):
            raise PermissionDenied

    # Refreshing ----------------------------------------------------------------------------

    @admin.action(description=_lazy("Refresh selected sources now"), permissions=["refresh"])
    def refresh_now(self, request, queryset):
        for source in queryset.select_related("fellowship"):
            self._tell(request, refresh(source, force=True))

    def refresh_view(self, request, source_id):
        """The change page's "Refresh now" button."""
        self._allowed(request, refreshing=True)
        sources = self.get_queryset(request).select_related("fellowship")
        source = get_object_or_404(sources, pk=source_id)
        if request.method == "POST":
            self._tell(request, refresh(source, force=True))
        return redirect(reverse("admin:groups_importsource_change", args=[source.pk]))

    def _tell(self, request, outcome):
        level = {
            ImportSource.Outcome.OK: messages.SUCCESS,
            ImportSource.Outcome.REFUSED: messages.WARNING,
        }.get(outcome.status, messages.ERROR)
        messages.add_message(request, level, str(outcome))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_refresh": self.has_refresh_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, template, context, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a file"),
            **context,
        }
        return TemplateResponse(request, template, context, status=status)

    def upload_view(self, request):
        """Upload a file, then see what it would change before anything is saved."""
        self._allowed(request)
        form = UploadForm(request.POST or None, request.FILES or None, scope=scope_of(request.user))
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            try:
                parsed = importing.parse(form.cleaned_data["format"], content)
            except ValueError as error:
                form.add_error("file", str(error))
            else:
                # Previews nobody confirmed within a day are forgotten, with their files.
                stale = timezone.now() - datetime.timedelta(days=1)
                ImportRun.objects.filter(
                    status=ImportRun.Status.PREVIEW, started__lt=stale
                ).delete()
                source = form.source(request.user)
                run = ImportRun.objects.create(
                    source=source,
                    user=request.user,
                    status=ImportRun.Status.PREVIEW,
                    file_name=form.cleaned_data["file"].name[:255],
                    content=content,
                )
                importer = Importer(source, parsed)
                report = scoped_import(importer, request.user, keep=False, skip_invalid=True)
                if report.refused:
                    messages.error(
                        request,
                        _("This import cannot be saved: %(reason)s") % {"reason": report.refused},
                    )
                return self._preview(request, run, report)
        status = 400 if form.errors else 200
        return self._page(request, "admin/groups/importsource/upload.html", {"form": form}, status)

    def _preview(self, request, run, report, status=200):
        counts = report.counts()
        context = {
            "run": run,
            "report": report,
            "counts": counts,
            # The columns of the counts' table, each named in the page's language.
            "count_columns": [(COUNT_LABELS.get(name, name), n) for name, n in counts.items()],
            # A Counter answers 0 to the template's report.unknown_types.items look-up.
            "unknown_types": sorted(report.unknown_types.items()),
        }
        return self._page(request, "admin/groups/importsource/preview.html", context, status)

    def confirm_view(self, request, run_id):
        """Saves a previewed upload (the good rows only, if the volunteer chose so)."""
        self._allowed(request)
        run = get_object_or_404(
            ImportRun,
            pk=run_id,
            status=ImportRun.Status.PREVIEW,
            source__in=scope_of(request.user).import_sources(),
        )
        if request.method != "POST":
            return redirect(reverse("admin:groups_importsource_upload"))
        source = run.source
        parsed = importing.parse(source.format, bytes(run.content))
        skip = request.POST.get("skip_invalid") == "on"
        importer = Importer(source, parsed)
        try:
            report = scoped_import(importer, request.user, keep=True, skip_invalid=skip, record=run)
        except IntegrityError as error:  # a meeting saved elsewhere meanwhile
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": error})
            trial = scoped_import(Importer(source, parsed), request.user, keep=False)
            return self._preview(request, run, trial, 409)
        if report.refused:
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": report.refused})
            return self._preview(request, run, report, 400)
        messages.success(request, report.summary())
        return redirect(reverse("admin:groups_importsource_change", args=[source.pk]))
