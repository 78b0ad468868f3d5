from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: the ticket table is the biggest one.
    atomic = False

    dependencies = [
        ("helpdesk", "0023_queue_filter_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("kind", "field_report"), ("location__isnull", False)),
                fields=["-created_at"],
                name="ticket_public_newest",
            ),
        ),
    ]
