"""The case core links to the console's case page through the address the console
registered at start-up (console/apps.py), never by the console's URL names."""

from __future__ import annotations

from helpdesk.links import staff_case_link


def test_the_staff_case_link_is_the_console_case_page() -> None:
    assert staff_case_link(number="TN-2026-00001") == "/console/cases/TN-2026-00001/"
