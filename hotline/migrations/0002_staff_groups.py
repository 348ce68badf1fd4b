"""Create the two staff groups. Their permissions are written out here, not imported from the
app, so that this migration means the same thing whatever the code becomes later."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORDS = [
    "department",
    "annualreport",
    "figure",
    "appealcount",
    "livestreamepisode",
    "episodeguest",
    "datasharingrequest",
    "policydocument",
]
REFERENCE = ["region", "section", "reporttable", "indicator", "appealcategory", "sharingmethod"]

DATA_ENTRY = [f"{action}_{model}" for model in RECORDS for action in ("add", "change", "view")]
DATA_ENTRY += [f"delete_{model}" for model in RECORDS if model != "annualreport"]
DATA_ENTRY += [f"view_{model}" for model in REFERENCE]
REVIEWERS = DATA_ENTRY + ["publish_annualreport", "delete_annualreport"]
REVIEWERS += [f"{action}_{model}" for model in REFERENCE for action in ("add", "change")]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("数据录入员", DATA_ENTRY), ("审核员", REVIEWERS)):
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="hotline", codename__in=codenames)
        assert perms.count() == len(set(codenames)), "a permission named here does not exist"
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["数据录入员", "审核员"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
