"""Counts that stop at a cap, for lists whose exact size costs more than the page.

A province admin's queue holds hundreds of thousands of cases: an exact
``COUNT(*)`` reads every one of them (150-350 ms at 1,000,000 cases under
load, bench/queue_scale.py), while a page reads 25. Counting at most
``cap + 1`` rows reads at most that many rows, and the page says "more than
40 pages" instead of a figure nobody pages through anyway: past the first
thousand cases an officer narrows the filters. 1,000 rather than 10,000
because a filter the scope's indexes do not cover (a service, a department
inside a province) visits a heap row per counted case: 10,001 of them took
55-95 ms in EXPLAIN ANALYZE at 1,000,000 cases, about ten times 1,001.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000


def count_capped(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """The number of rows, or ``cap + 1`` when there are more than ``cap``.

    ``SELECT count(*) FROM (SELECT id … LIMIT cap + 1)``: the ordering is
    dropped so the inner scan can stop early on any index.
    """
    return queryset.order_by().values("pk")[: cap + 1].count()


class CappedPaginator(Paginator[Any]):
    """A Paginator whose count stops at ``cap + 1`` (``capped`` then is true);
    pages past the cap are not offered: narrowing the filters finds those cases."""

    def __init__(
        self, *args: Any, cap: int = COUNT_CAP, known_count: int | None = None, **kwargs: Any
    ) -> None:
        """``known_count``: the exact number of rows when the caller has it
        already (the queue's running tallies); the pager then asks no count."""
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return min(self.known_count, self.cap + 1)
        # Built only on querysets (the queue); a list has no cheap count to cap.
        assert isinstance(self.object_list, QuerySet)
        return count_capped(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap
