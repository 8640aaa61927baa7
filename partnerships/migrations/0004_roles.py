"""Roles: a "publish" permission on every publishable model, and the two
groups an editor is put in (README, "Roles").

- Editors view, add and change all partnership content; they cannot publish,
  unpublish or delete.
- Publishers may do all of that, and publish, unpublish and delete.

The groups are created, or reset to exactly these permissions, when this
migration runs; running it again changes nothing. Unapplying it leaves the
groups and permissions in place (they may have members by then)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Editors": {"view", "add", "change"},
    "Publishers": {"view", "add", "change", "delete", "publish"},
}


def create_roles(apps, schema_editor):
    # Permissions are otherwise created after the whole migrate run
    # (post_migrate), too late for this migration on a fresh database.
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("partnerships")
    app_config.models_module = True  # create_permissions skips apps without models
    try:
        create_permissions(app_config, apps=apps, using=db, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.using(db).filter(
            content_type__app_label="partnerships",
            content_type__model__in=[model._meta.model_name for model in app_config.get_models()],
        )
    )
    for name, actions in ROLES.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.set(
            [
                permission
                for permission in permissions
                if permission.codename.split("_")[0] in actions
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnerships", "0003_job_title_and_position"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="agreement",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish"),
                "ordering": ["partner", "-signed_on", "title"],
                "verbose_name": "agreement",
                "verbose_name_plural": "agreements",
            },
        ),
        migrations.AlterModelOptions(
            name="fundingchannel",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish"),
                "ordering": ["partner", "position", "name"],
                "verbose_name": "funding channel",
                "verbose_name_plural": "funding channels",
            },
        ),
        migrations.AlterModelOptions(
            name="partner",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish"),
                "ordering": ["name"],
                "verbose_name": "partner",
                "verbose_name_plural": "partners",
            },
        ),
        migrations.AlterModelOptions(
            name="privatesupportactivity",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish"),
                "ordering": ["partner", "position", "name"],
                "verbose_name": "private support activity",
                "verbose_name_plural": "private support activities",
            },
        ),
        migrations.AlterModelOptions(
            name="project",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish"),
                "ordering": ["partner", "position", "name"],
                "verbose_name": "project",
                "verbose_name_plural": "projects",
            },
        ),
        migrations.AlterModelOptions(
            name="representative",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish"),
                "ordering": ["partner", "position", "family_name"],
                "verbose_name": "representative",
                "verbose_name_plural": "representatives",
            },
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
