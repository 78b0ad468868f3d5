from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking the keyed filings and replies that use the table.
    atomic = False

    dependencies = [
        ("helpdesk", "0029_idempotency_record_event"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="idempotencyrecord",
            index=models.Index(fields=["event"], name="idempotency_event"),
        ),
    ]
