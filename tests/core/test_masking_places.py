"""The public view keeps the administrative units' names in masked text.

core.masking reads no database; helpdesk.public_view.places_kept reads the
units' short names for it, once per process and only for a text with a full
name in it. Here with the test boundaries (Thái Nguyên and Lạng Sơn).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.masking import mask_text
from helpdesk import public_view
from helpdesk.public_view import places_kept


@pytest.mark.django_db
def test_the_units_names_are_read_once_and_kept() -> None:
    public_view._places_read.cache_clear()
    with CaptureQueriesContext(connection) as captured:
        # No full name: nothing read.
        assert mask_text("Đã nhận, chị Lan", places=places_kept) == "Đã nhận, chị •••"
        assert not captured.captured_queries
        # Phường Lương Văn Tri, Lạng Sơn: its name without "phường" stays.
        assert mask_text("Lương Văn Tri ngập", places=places_kept) == "Lương Văn Tri ngập"
        assert mask_text("Lương Văn Tri ngập") == "••• ••• ••• ngập"
        # A name after "xã" that is no unit's is the chairman's.
        assert mask_text("Chủ tịch UBND xã Nguyễn Văn An ký", places=places_kept) == (
            "Chủ tịch UBND xã ••• ••• ••• ký"
        )
        assert mask_text("ông Lương Văn Tri đến", places=places_kept) == "ông ••• ••• ••• đến"
    assert len(captured.captured_queries) == 1
