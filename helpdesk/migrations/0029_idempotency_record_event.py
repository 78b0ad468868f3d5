"""A reply's idempotency key names its event (helpdesk/idempotency.py).

The column is nullable without a default (no rewrite); its index is built
without blocking the keyed filings and replies that read and write the table.
"""

import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("helpdesk", "0028_queue_commune_units_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="event",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="helpdesk.ticketevent",
            ),
        ),
        AddIndexConcurrently(
            model_name="idempotencyrecord",
            index=models.Index(fields=["event"], name="idempotency_event"),
        ),
    ]
