"""The default scam rules (scams/rule_seed.py); officers edit them in the admin."""

from django.db import migrations


def seed(apps, schema_editor):
    from scams.rule_seed import rules_seed

    rules_seed(apps.get_model("scams", "ScamRule"))


class Migration(migrations.Migration):
    dependencies = [("scams", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
