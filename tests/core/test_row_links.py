"""One reverse() for a list's links gives each row what reverse() would."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.row_links import links_to

KEYS = ("TN-2026-00001", "aB3_-x9Zq0Lm", "Đ ư?#%", "a:b@c!$&'()*+,;=~", "with/slash", "ROWKEY")


@pytest.mark.parametrize("viewname", ["console:ticket-detail", "reports:public-case"])
def test_each_link_is_the_one_reverse_gives(viewname: str) -> None:
    link = links_to(viewname)
    for key in KEYS:
        if "/" in key:  # not a path segment: reverse() refuses it, the link quotes it
            assert link(key) == reverse(viewname, args=["with"]).replace("with", "with%2Fslash")
            continue
        assert link(key) == reverse(viewname, args=[key]), key
