from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking the keyed filings and replies that use the table.
    atomic = False

    dependencies = [
        ("helpdesk", "0029_idempotency_record_event"),
    ]

    operations = [
        # A CREATE INDEX CONCURRENTLY that failed leaves an invalid index of
        # this name behind, and the next run would stop at "already exists".
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS idempotency_event",
            reverse_sql=migrations.RunSQL.noop,
        ),
        AddIndexConcurrently(
            model_name="idempotencyrecord",
            index=models.Index(fields=["event"], name="idempotency_event"),
        ),
    ]
