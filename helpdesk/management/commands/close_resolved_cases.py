"""Close cases resolved more than 7 days ago that nobody reopened.

Safe to run from several machines at once (rows are claimed with SKIP LOCKED);
`manage.py run_scheduler` (`make run`, the compose `scheduler`) runs it every hour.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from helpdesk.lifecycle import tickets_close_resolved


class Command(BaseCommand):
    help = "Close cases resolved more than 7 days ago."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = tickets_close_resolved()
        self.stdout.write(f"Closed {closed} case(s) resolved more than 7 days ago.")
