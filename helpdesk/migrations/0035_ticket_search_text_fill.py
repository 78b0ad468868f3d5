# The existing cases' search text, then its trigram index, without holding the
# case table: written in one transaction with the column, a province's
# 1,000,000 cases kept every filing and every officer's queue waiting on its
# lock for 14 minutes (bench database, 2026-12-07, a loaded 2-core machine).
# Here each batch of 5,000 cases commits on its own (officers and filings wait
# for one batch at most) and the index is built CONCURRENTLY. Until it ends,
# the queue's words do not find the cases not yet written.

import django.contrib.postgres.indexes
from django.db import migrations

INDEX = django.contrib.postgres.indexes.GinIndex(
    fields=['search_text'], name='ticket_search_trgm', opclasses=['gin_trgm_ops']
)


def search_text_write(apps, schema_editor):
    # The rule of today (helpdesk/search_text.py); each batch its own
    # transaction, as the migration is not atomic.
    from helpdesk.search_text import search_text_refresh

    search_text_refresh()


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('helpdesk', '0034_ticket_search_text'),
    ]

    operations = [
        migrations.RunPython(search_text_write, migrations.RunPython.noop, elidable=True),
        # IF NOT EXISTS: a database that ran the first form of 0034 (column,
        # text and index in one transaction) has the index already.
        migrations.RunSQL(
            'CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_search_trgm'
            ' ON helpdesk_ticket USING gin (search_text gin_trgm_ops)',
            'DROP INDEX CONCURRENTLY IF EXISTS ticket_search_trgm',
            state_operations=[migrations.AddIndex(model_name='ticket', index=INDEX)],
        ),
    ]
