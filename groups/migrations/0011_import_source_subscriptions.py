"""Subscriptions: an import source may be refreshed from its URL every few hours, with
stewards told of each refresh, a cap on how much of it one refresh may mark inactive, and a
record of the last check (groups.importing.refresh)."""

import django.core.validators
import groups.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0010_volunteers_group"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importsource",
            name="timezone",
            field=models.CharField(
                blank=True,
                help_text="For meetings whose zone cannot be found from their place (coordinates, "
                "ZIP code, town or country). Empty: such meetings are refused, never put in UTC.",
                max_length=64,
                validators=[groups.models.validate_timezone],
                verbose_name="time zone",
            ),
        ),
        migrations.AddField(
            model_name="importsource",
            name="last_checked",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last refresh"),
        ),
        migrations.AddField(
            model_name="importsource",
            name="last_message",
            field=models.TextField(blank=True, verbose_name="what the last refresh said"),
        ),
        migrations.AddField(
            model_name="importsource",
            name="last_outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ok", "Refreshed"),
                    ("refused", "Refused, nothing changed"),
                    ("failed", "Failed, nothing changed"),
                ],
                max_length=10,
                verbose_name="outcome of the last refresh",
            ),
        ),
        migrations.AddField(
            model_name="importsource",
            name="max_deactivate_percent",
            field=models.PositiveSmallIntegerField(
                default=20,
                help_text="Of the source's listed meetings. A refresh that would mark more of them inactive (a broken or truncated feed, usually) changes nothing and tells the stewards.",
                validators=[django.core.validators.MaxValueValidator(100)],
                verbose_name="largest share a refresh may mark inactive (%)",
            ),
        ),
        migrations.AddField(
            model_name="importsource",
            name="refresh_hours",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Fetch the URL again this often (manage.py refresh_sources, run by cron). Empty or 0: not subscribed, imported only by hand.",
                null=True,
                verbose_name="refresh every (hours)",
            ),
        ),
        migrations.AddField(
            model_name="importsource",
            name="refresh_skip_invalid",
            field=models.BooleanField(
                default=False,
                help_text="Off: one row that cannot be understood refuses the whole refresh. On: the others are saved and the bad ones listed to the stewards (their meetings stay as they were).",
                verbose_name="save the good rows when some are bad",
            ),
        ),
        migrations.AddField(
            model_name="importsource",
            name="stewards",
            field=models.TextField(
                blank=True,
                help_text="E-mail addresses, comma-separated or one a line: told what each refresh changed, and why one changed nothing.",
                validators=[groups.models.validate_email_list],
            ),
        ),
        migrations.AddConstraint(
            model_name="importsource",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("refresh_hours__isnull", True),
                    ("refresh_hours", 0),
                    models.Q(("url", ""), _negated=True),
                    _connector="OR",
                ),
                name="import_source_subscription_has_url",
                violation_error_message="A subscribed source needs a URL to fetch.",
            ),
        ),
        migrations.AddConstraint(
            model_name="importsource",
            constraint=models.CheckConstraint(
                condition=models.Q(("max_deactivate_percent__lte", 100)),
                name="import_source_max_deactivate_percent_valid",
            ),
        ),
    ]
