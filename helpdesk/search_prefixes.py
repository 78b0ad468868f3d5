"""The index the queue's search box reads: each word's beginnings, once.

A searched word finds a case when it starts a word of the case's search text
(helpdesk/search_text.py: folded words one space apart, and each mobile
number the text writes as one "+84…" token). The text's every word and every
beginning of it ("duong" gives "d", "du", "duo", "duon", "duong"), and each
phone token whole, are the array ``xadesk_search_prefixes(search_text)``,
and a GIN index on that expression answers ``@> ARRAY['den', 'duong',
'hong']``: one posting list per searched word, intersected, with nothing to
check again on the row (containment of exact keys is not lossy).

The trigram index it replaces read, for the same three words, the lists of
nine trigrams such as " ng" or "ng " that half the cases hold, then checked
LIKE on every row they left: 45-55 ms in the index alone at 1,000,000 cases
(bench/HISTORY.md, "Queue search over every case"). A full-text index was no
better there: a prefix query ("an:*") merges the lists of every word it
starts, where this index keeps one list per beginning.

An expression index, not a column: nothing to write for the cases there
already, and the text stays the one thing filing keeps (migration 0037
builds it CONCURRENTLY). Its function is declared costly so that the planner
never chooses to compute it row by row on a scope's cases instead of
reading the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.fields import ArrayField

# ArrayField's own lookup (@>, the list cast to text[]), which django-stubs does
# not declare.
from django.contrib.postgres.fields.array import ArrayContains  # type: ignore[attr-defined]
from django.db import models
from django.db.models import Func, Q

# Created by migration 0037 (where its SQL is, as it was made): a word's
# beginnings from its first letter (a one-letter search is a word too: "a",
# "5"); a phone token's whole only, as no search looks for the beginning of a
# number's E.164 form. IMMUTABLE, as an index expression must be; STRICT: a
# text not written yet (NULL) has none, and is found by nothing, as before.
FUNCTION = "xadesk_search_prefixes"


class SearchPrefixes(Func):
    """``xadesk_search_prefixes(search_text)``: the indexed expression, which
    a query must write the same way for the planner to use the index."""

    function = FUNCTION
    output_field = ArrayField(models.TextField())


def prefixes_q(words: Sequence[str]) -> Q:
    """The cases whose search text has a word starting with each of ``words``
    (folded, helpdesk.search_text.search_words), or the token ``words`` is
    (a phone number's "+84…"). One condition for all the words: one scan of
    the index."""
    return Q(ArrayContains(SearchPrefixes("search_text"), list(words)))
