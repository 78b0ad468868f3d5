# The existing cases' search text, then its indexes, without holding the case
# table: written in one transaction with the column, a province's 1,000,000
# cases kept every filing and every officer's queue waiting on its lock for
# 14 minutes (bench database, 2026-12-07, a loaded 2-core machine). Here each
# batch of 5,000 cases commits on its own (officers and filings wait for one
# batch at most) and the indexes are built CONCURRENTLY. Until it ends, the
# queue's words do not find the cases not yet written; the scheduler writes
# any that an older process files meanwhile (helpdesk/search_text.py).

import django.contrib.postgres.indexes
from django.db import migrations, models

TRIGRAMS = django.contrib.postgres.indexes.GinIndex(
    fields=['search_text'], name='ticket_search_trgm', opclasses=['gin_trgm_ops']
)
UNWRITTEN = models.Index(
    fields=['id'], condition=models.Q(search_text=None), name='ticket_search_unwritten'
)
CREATE = {
    'ticket_search_trgm': 'ON helpdesk_ticket USING gin (search_text gin_trgm_ops)',
    'ticket_search_unwritten': 'ON helpdesk_ticket (id) WHERE search_text IS NULL',
}


def search_text_write(apps, schema_editor):
    # The rule of today (helpdesk/search_text.py); each batch its own
    # transaction, as the migration is not atomic.
    from helpdesk.search_text import search_text_refresh

    search_text_refresh(unwritten=True)


def indexes_build(apps, schema_editor):
    # A CONCURRENTLY build that fails (cancelled, a deadlock) leaves an
    # INVALID index of that name: IF NOT EXISTS alone would keep it, unused
    # by the planner, and record the migration as done.
    with schema_editor.connection.cursor() as cursor:
        for name, definition in CREATE.items():
            cursor.execute(
                'SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid'
                ' WHERE c.relname = %s',
                [name],
            )
            row = cursor.fetchone()
            if row is not None and row[0]:
                cursor.execute(f'DROP INDEX CONCURRENTLY {name}')
            cursor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}')


def indexes_drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in CREATE:
            cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS {name}')


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('helpdesk', '0034_ticket_search_text'),
        # Its names are in the search text: written before it is.
        ('open311', '0003_filer_names_on_tickets'),
    ]

    operations = [
        migrations.RunPython(search_text_write, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(indexes_build, indexes_drop)],
            state_operations=[
                migrations.AddIndex(model_name='ticket', index=TRIGRAMS),
                migrations.AddIndex(model_name='ticket', index=UNWRITTEN),
            ],
        ),
    ]
