"""The `volunteers` group: what a scoped volunteer may do in the admin.

Which listings they may do it to is their scope (groups.scope); this is only the "what".
Deleting a meeting archives it; deleting for good needs `purge_meeting`, which volunteers lack.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "meeting": ["view", "add", "change", "delete"],
    "needschecking": ["view", "change"],
    "group": ["view", "add", "change"],
    "location": ["view", "add", "change"],
    "verification": ["view", "add"],
    "changerequest": ["view", "change"],
    "fellowship": ["view"],
    "region": ["view"],
    "meetingtype": ["view"],
    "typevocabulary": ["view"],
    "language": ["view"],
}


def create_group(apps, schema_editor):
    # Permissions are normally made after migrations; make this app's now so they can be given.
    app_config = apps.get_app_config("groups")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    volunteers, _ = Group.objects.get_or_create(name="volunteers")
    codenames = [f"{verb}_{model}" for model, verbs in PERMISSIONS.items() for verb in verbs]
    permissions = Permission.objects.filter(
        content_type__app_label="groups", codename__in=codenames
    )
    assert permissions.count() == len(codenames), "a volunteer permission is missing"
    volunteers.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="volunteers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0009_volunteering"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
