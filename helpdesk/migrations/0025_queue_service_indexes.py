from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: the ticket table is the biggest one.
    atomic = False

    dependencies = [
        ("helpdesk", "0024_public_map_newest_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=[unit, "service", "due_at", "id"], name=f"ticket_{unit}_service_due"
            ),
        )
        for unit in ("department", "commune", "province")
    ]
