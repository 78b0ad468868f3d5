from django.db import migrations


def seed(apps, schema_editor):
    from helpdesk.catalogue_seed import services_seed

    # Adds only what is missing: the "Other problem" service SMS reports use.
    services_seed(apps.get_model("helpdesk", "Service"))


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0016_service_icon_names")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
