"""Import sources and runs; each meeting may name its source and its id there (unique per
source, the key a re-import matches by)."""

import django.db.models.deletion
import groups.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0007_meeting_search_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="source_key",
            field=models.CharField(
                blank=True,
                help_text="Its slug or id there.",
                max_length=255,
                verbose_name="id in the source",
            ),
        ),
        migrations.CreateModel(
            name="ImportSource",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Its URL or file name unless named otherwise.",
                        max_length=200,
                        unique=True,
                    ),
                ),
                (
                    "format",
                    models.CharField(
                        choices=[
                            ("meeting-guide", "Meeting Guide JSON feed"),
                            ("csv", "Spreadsheet, table format (CSV)"),
                            ("xlsx", "Spreadsheet, table format (Excel .xlsx)"),
                            ("bmlt", "BMLT GetSearchResults JSON"),
                        ],
                        max_length=20,
                    ),
                ),
                ("url", models.URLField(blank=True, max_length=500, verbose_name="URL")),
                ("file_name", models.CharField(blank=True, max_length=255)),
                (
                    "timezone",
                    models.CharField(
                        blank=True,
                        help_text="For rows and places without one; empty means the server's zone.",
                        max_length=64,
                        validators=[groups.models.validate_timezone],
                        verbose_name="time zone",
                    ),
                ),
                (
                    "entity",
                    models.CharField(
                        blank=True,
                        help_text="Who publishes it, as the source itself says.",
                        max_length=200,
                    ),
                ),
                (
                    "entity_url",
                    models.URLField(blank=True, max_length=500, verbose_name="entity's website"),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "last_run",
                    models.DateTimeField(blank=True, null=True, verbose_name="last imported"),
                ),
                (
                    "fellowship",
                    models.ForeignKey(
                        help_text="For entries that do not name their own fellowship.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="import_sources",
                        to="groups.fellowship",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started", models.DateTimeField(auto_now_add=True)),
                (
                    "status",
                    models.CharField(
                        choices=[("preview", "Previewed, not saved"), ("applied", "Saved")],
                        max_length=10,
                    ),
                ),
                ("file_name", models.CharField(blank=True, max_length=255)),
                ("created", models.PositiveIntegerField(default=0)),
                ("updated", models.PositiveIntegerField(default=0)),
                ("unchanged", models.PositiveIntegerField(default=0)),
                ("deactivated", models.PositiveIntegerField(default=0)),
                ("rejected", models.PositiveIntegerField(default=0)),
                ("report", models.TextField(blank=True)),
                ("skip_invalid", models.BooleanField(default=False)),
                ("content", models.BinaryField(blank=True)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="runs",
                        to="groups.importsource",
                    ),
                ),
            ],
            options={
                "ordering": ["-started", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="meeting",
            name="source",
            field=models.ForeignKey(
                blank=True,
                help_text="The feed or file this meeting is imported from; a re-import updates it.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="meetings",
                to="groups.importsource",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                fields=("source", "source_key"), name="meeting_source_key_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="importsource",
            constraint=models.CheckConstraint(
                condition=models.Q(("format__in", ["meeting-guide", "csv", "xlsx", "bmlt"])),
                name="import_source_format_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="importrun",
            index=models.Index(fields=["source", "-started"], name="import_run_source_idx"),
        ),
        migrations.AddConstraint(
            model_name="importrun",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["preview", "applied"])),
                name="import_run_status_valid",
            ),
        ),
    ]
