"""The meeting types' names in the nine languages the Meeting Guide spec publishes them in (its
own data: groups/data/meeting_guide_types.json), and the fellowships' descriptions and facts in
Spanish and French (groups/data/fellowships_translations.json). A text a volunteer has already
written in a language is kept."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _merge(row, texts: dict) -> bool:
    kept = dict(row.translations or {})
    changed = False
    for language, fields in texts.items():
        mine = dict(kept.get(language) or {})
        for field, text in fields.items():
            if text and not mine.get(field):
                mine[field] = text
                changed = True
        if mine:
            kept[language] = mine
    row.translations = kept
    return changed


def seed(apps, schema_editor):
    MeetingType = apps.get_model("groups", "MeetingType")
    Fellowship = apps.get_model("groups", "Fellowship")
    spec = json.loads((DATA / "meeting_guide_types.json").read_text(encoding="utf-8"))["types"]
    by_english = {names["en"].casefold(): names for names in spec.values()}
    for row in MeetingType.objects.all():
        names = by_english.get(row.name.casefold())
        if row.vocabulary.slug == "meeting-guide" and row.code in spec:
            names = spec[row.code]
        if names and _merge(
            row, {lang: {"name": name} for lang, name in names.items() if lang != "en"}
        ):
            row.save(update_fields=["translations"])
    path = DATA / "fellowships_translations.json"
    content = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for row in Fellowship.objects.filter(slug__in=content):
        if _merge(row, content[row.slug]):
            row.save(update_fields=["translations"])


class Migration(migrations.Migration):
    dependencies = [("groups", "0016_translations")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
