"""Adds Meeting.search_text (see groups.searchtext), fills it, and on PostgreSQL gives it the
trigram index the finder's text search (?q=) reads; the per-column indexes of 0005 go."""

from django.db import migrations, models

from groups.searchtext import search_text

OLD_INDEXES = [
    "meeting_name_trgm",
    "meeting_notes_trgm",
    "group_name_trgm",
    "location_name_trgm",
    "location_city_trgm",
]


def fill(apps, schema_editor):
    Meeting = apps.get_model("groups", "Meeting")
    meetings = list(Meeting.objects.select_related("group", "location"))
    for m in meetings:
        group, place = m.group, m.location
        m.search_text = search_text(
            m.name,
            group.name if group else "",
            place.name if place else "",
            place.city if place else "",
            m.notes,
        )
    Meeting.objects.bulk_update(meetings, ["search_text"], batch_size=2000)


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # Django's icontains sends UPPER(column::text) LIKE UPPER('%word%').
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS meeting_search_text_trgm ON groups_meeting "
        "USING gin ((UPPER(search_text::text)) gin_trgm_ops)"
    )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS meeting_search_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("groups", "0006_meeting_week_minute_index")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
