from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models

OPEN = models.Q(("status__in", ("new", "transferred", "accepted", "in_progress")))


def _operations(unit: str) -> list[migrations.operations.base.Operation]:
    # The new index is built beside the old one and takes its name after, so
    # the overdue queue is never without an index while this runs.
    return [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=OPEN,
                fields=[unit, "due_at", "id"],
                include=("commune",),
                name=f"ticket_open_{unit}_new",
            ),
        ),
        RemoveIndexConcurrently(model_name="ticket", name=f"ticket_open_{unit}"),
        migrations.RenameIndex(
            model_name="ticket", new_name=f"ticket_open_{unit}", old_name=f"ticket_open_{unit}_new"
        ),
    ]


class Migration(migrations.Migration):
    # Built without locking writes: the ticket table is the biggest one.
    atomic = False

    dependencies = [
        ("helpdesk", "0026_queue_department_units_index"),
    ]

    operations = [*_operations("department"), *_operations("province")]
