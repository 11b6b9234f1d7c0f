"""Old meeting slugs (issue 15): a changed slug keeps answering with a redirect."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0014_fellowship_facts"),
    ]

    operations = [
        migrations.CreateModel(
            name="MeetingSlug",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=64, unique=True)),
                ("retired", models.DateTimeField(auto_now_add=True, verbose_name="replaced on")),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="old_slugs",
                        to="groups.meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "old slug",
                "ordering": ["-retired", "-pk"],
            },
        ),
    ]
