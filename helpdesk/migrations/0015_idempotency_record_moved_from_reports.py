"""The idempotency record moves from reports into the case core, rows and all.

Every channel (web form, REST API, and the SMS and Open311 intakes to come)
files through helpdesk/filing.py, so the keys that make a retry return the
first case belong to it (issue 10). The table, its unique constraint and its
rows are renamed, not copied (core/model_moves.py), and the content type
follows; reports/migrations/0002 drops the model from the reports app's state
only.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.model_moves import content_type_move, table_rename_sql

OLD_TABLE, NEW_TABLE = "reports_idempotencyrecord", "helpdesk_idempotencyrecord"
RENAME = table_rename_sql(old=OLD_TABLE, new=NEW_TABLE) + (
    f"ALTER TABLE {NEW_TABLE} RENAME CONSTRAINT reports_idempotency_once"
    " TO helpdesk_idempotency_once;"
)
RENAME_BACK = (
    f"ALTER TABLE {NEW_TABLE} RENAME CONSTRAINT helpdesk_idempotency_once"
    " TO reports_idempotency_once;"
) + table_rename_sql(old=NEW_TABLE, new=OLD_TABLE)


def content_type_forward(apps, schema_editor):
    content_type_move(apps, schema_editor, model="idempotencyrecord", old="reports", new="helpdesk")


def content_type_backward(apps, schema_editor):
    content_type_move(apps, schema_editor, model="idempotencyrecord", old="helpdesk", new="reports")


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0014_event_kind_transferred_was_never_written"),
        ("reports", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(RENAME, RENAME_BACK),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=128, verbose_name="idempotency key")),
                        ("request_hash", models.CharField(max_length=64)),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "ticket",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="helpdesk.ticket",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="idempotency_records",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "idempotency key",
                        "verbose_name_plural": "idempotency keys",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "key"), name="helpdesk_idempotency_once"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_forward, content_type_backward),
    ]
