"""The accessibility walk visits every page of the permission matrix (no browser)."""

from __future__ import annotations

from tests.browser.pages import NOT_PAGES, VISITS
from tests.permission_rows import PAGE_ROWS


def test_every_page_of_the_permission_matrix_is_walked_or_named_as_no_page() -> None:
    pages = {row.route for row in PAGE_ROWS if row.method == "GET"}
    walked = {visit.route for visit in VISITS}
    missing = pages - walked - set(NOT_PAGES)
    assert not missing, (
        f"Pages the accessibility walk does not visit: {sorted(missing)}. Add them to "
        "VISITS in tests/browser/pages.py (or to NOT_PAGES, with the reason)."
    )
    assert walked & set(NOT_PAGES) == set()
    assert walked | set(NOT_PAGES) <= pages, "routes that are not in the matrix any more"
