from django.db import migrations


def seed(apps, schema_editor):
    from helpdesk.catalogue_seed import services_seed

    services_seed(apps.get_model("helpdesk", "Service"))


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0004_catalogue_tickets")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
