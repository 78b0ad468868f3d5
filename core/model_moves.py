"""Moving a model from one app to another without touching its rows.

Migrations that move a model (issue 10: help articles to knowledge/, the
idempotency record to helpdesk/) take it over in Django's state and rename
what PostgreSQL holds under the old name: the table, the indexes named after
it (which renames the constraints they back) and its identity sequence. The
content type moves too, so permissions and admin history stay attached.
Imported by migrations: keep these functions' behaviour stable.
"""

from __future__ import annotations

from typing import Any


def table_rename_sql(*, old: str, new: str) -> str:
    """SQL renaming table ``old`` and every index and sequence named after it to ``new``."""
    # The names are constants of migrations, not input: nothing to inject.
    sql = f"""
DO $$
DECLARE
    item record;
    serial text;
BEGIN
    ALTER TABLE {old} RENAME TO {new};
    -- Renaming an index that backs a constraint (pkey, unique) renames the constraint.
    FOR item IN
        SELECT index_class.relname AS name
        FROM pg_index
        JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
        WHERE pg_index.indrelid = '{new}'::regclass
          AND index_class.relname LIKE '{old.replace("_", "\\_")}%'
    LOOP
        EXECUTE format(
            'ALTER INDEX %I RENAME TO %I',
            item.name, '{new}' || substr(item.name, length('{old}') + 1)
        );
    END LOOP;
    serial := pg_get_serial_sequence('{new}', 'id');
    IF serial IS NOT NULL THEN
        EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', serial, '{new}_id_seq');
    END IF;
END
$$;
"""  # noqa: S608
    return sql


def content_type_move(apps: Any, schema_editor: Any, *, model: str, old: str, new: str) -> None:
    """Give the content type of ``model`` from app ``old`` to app ``new``."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    # post_migrate may have made the new one already (a database that ran the
    # new code before this migration); the old one then just goes stale.
    if not content_types.filter(app_label=new, model=model).exists():
        content_types.filter(app_label=old, model=model).update(app_label=new)
