"""A random public identifier per case, and how precisely the public sees a place.

Existing cases get their own random ``public_id`` (a column default would give
every row the same value and break the unique index), hence three steps.
"""

import django.core.validators
from django.db import migrations, models

import helpdesk.models.tickets


def fill_public_ids(apps, schema_editor):  # type: ignore[no-untyped-def]
    Ticket = apps.get_model("helpdesk", "Ticket")
    rows = list(Ticket.objects.filter(public_id__isnull=True).only("pk"))
    for ticket in rows:
        ticket.public_id = helpdesk.models.tickets.public_id_new()
    Ticket.objects.bulk_update(rows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0008_proxy_resident_account"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ticket",
            name="public_id",
            field=models.CharField(
                default=helpdesk.models.tickets.public_id_new,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="public_location",
            field=models.CharField(
                choices=[
                    ("grid", "Rounded to a grid cell"),
                    ("commune", "Commune only"),
                    ("hidden", "Not shown to the public"),
                ],
                default="grid",
                max_length=10,
                verbose_name="place shown to the public",
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="public_grid_m",
            field=models.PositiveIntegerField(
                default=100,
                validators=[django.core.validators.MinValueValidator(50)],
                verbose_name="public grid cell (m)",
            ),
        ),
    ]
