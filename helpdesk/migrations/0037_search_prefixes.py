# The queue's search reads each word's beginnings (helpdesk/search_prefixes.py)
# instead of trigrams: the function, then its index built CONCURRENTLY (a
# province's 1,000,000 cases keep being filed and read meanwhile), then the
# trigram index dropped the same way. Nothing to write in the cases: the
# index is of an expression of the search text they have.

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations

import helpdesk.search_prefixes

# The function as this migration makes it; a later change is a later migration.
FUNCTION = """
CREATE OR REPLACE FUNCTION xadesk_search_prefixes(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000
AS $$
  SELECT coalesce(array_agg(left(word, size)), '{}')
    FROM unnest(string_to_array(btrim($1), ' ')) AS word,
         generate_series(CASE WHEN word LIKE '+%' THEN length(word) ELSE 1 END,
                         length(word)) AS size
   WHERE word <> ''
$$
"""


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('helpdesk', '0036_search_text_refresh'),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, 'DROP FUNCTION IF EXISTS xadesk_search_prefixes(text)'),
        # A CREATE INDEX CONCURRENTLY that failed leaves an invalid index of
        # this name behind, and the next run would stop at "already exists".
        migrations.RunSQL(
            'DROP INDEX CONCURRENTLY IF EXISTS ticket_search_prefixes',
            reverse_sql=migrations.RunSQL.noop,
        ),
        AddIndexConcurrently(
            model_name='ticket',
            index=django.contrib.postgres.indexes.GinIndex(
                helpdesk.search_prefixes.SearchPrefixes('search_text'),
                name='ticket_search_prefixes',
            ),
        ),
        RemoveIndexConcurrently(model_name='ticket', name='ticket_search_trgm'),
        # The planner's statistics of an expression index are gathered by
        # ANALYZE only: without them it guesses how many cases a word finds.
        migrations.RunSQL('ANALYZE helpdesk_ticket', reverse_sql=migrations.RunSQL.noop),
    ]
