"""Trigram indexes for the finder's text search (?q=) on PostgreSQL (0007 replaces them with
one index on Meeting.search_text).

Django's icontains sends UPPER(column::text) LIKE UPPER('%word%'), so the indexes are on that
expression. SQLite has no trigram indexes; there the search scans, which is fine at its scale.
"""

from django.db import migrations

INDEXES = [
    ("meeting_name_trgm", "groups_meeting", "name"),
    ("meeting_notes_trgm", "groups_meeting", "notes"),
    ("group_name_trgm", "groups_group", "name"),
    ("location_name_trgm", "groups_location", "name"),
    ("location_city_trgm", "groups_location", "city"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("groups", "0004_meeting_week_minute")]

    operations = [migrations.RunPython(create, drop)]
