from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: the ticket table is the biggest one.
    atomic = False

    dependencies = [
        ("helpdesk", "0025_queue_service_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["department", "commune", "province"], name="ticket_department_units"
            ),
        ),
    ]
