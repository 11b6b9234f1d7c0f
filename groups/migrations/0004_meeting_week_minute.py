"""Adds Meeting.week_minute (start as a UTC standard-time minute of the week) and
Meeting.duration (see groups.weektime), fills them for existing meetings, then requires them of
every weekly meeting."""

from django.db import migrations, models

from groups.weektime import duration, week_minute


def fill_week_minutes(apps, schema_editor):
    Meeting = apps.get_model("groups", "Meeting")
    meetings = list(Meeting.objects.filter(day__isnull=False))
    for meeting in meetings:
        meeting.week_minute = week_minute(meeting.day, meeting.start_time, meeting.timezone)
        meeting.duration = duration(meeting.start_time, meeting.end_time)
    Meeting.objects.bulk_update(meetings, ["week_minute", "duration"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0003_seed_fellowships"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="week_minute",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="meeting",
            name="duration",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_week_minutes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("day__isnull", True), ("week_minute__isnull", True)),
                    models.Q(("week_minute__gte", 0), ("week_minute__lt", 10080)),
                    _connector="OR",
                ),
                name="meeting_week_minute_in_week",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("duration__isnull", True), ("start_time__isnull", True)),
                    models.Q(("duration__gte", 1), ("duration__lte", 1440)),
                    _connector="OR",
                ),
                name="meeting_duration_in_day",
            ),
        ),
    ]
