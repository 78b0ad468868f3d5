from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: the ticket table is the biggest one.
    atomic = False

    dependencies = [
        ("helpdesk", "0027_open_indexes_carry_commune"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(fields=["commune", "province"], name="ticket_commune_units"),
        ),
    ]
