"""IdempotencyRecord now lives in helpdesk (helpdesk/migrations/0015, which
renamed its table): drop it from this app's state, touching no table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("helpdesk", "0015_idempotency_record_moved_from_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
        ),
    ]
