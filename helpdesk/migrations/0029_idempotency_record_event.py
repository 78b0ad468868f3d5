"""A reply's idempotency key names its event (helpdesk/idempotency.py).

The column is nullable without a default: no rewrite, a moment's lock. Its
index is built concurrently in 0030, a migration of its own, so that a build
that fails leaves this one recorded and the next run starts at the index
(0030 first drops what a failed build left).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
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
    ]
