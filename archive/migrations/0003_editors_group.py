from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
# Everything an editor does to the archive, and nothing outside it (no users, no groups).
EDITOR_MODELS = [
    "article",
    "source",
    "tag",
    "tagalias",
    "claim",
    "claimappearance",
    "claimevidence",
]
ACTIONS = ["view", "add", "change", "delete"]


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in EDITOR_MODELS for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label="archive", codename__in=codenames
    )
    assert permissions.count() == len(codenames), "an archive permission is missing"
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_postgres_extensions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
