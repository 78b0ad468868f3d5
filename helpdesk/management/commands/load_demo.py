"""Load the demo data once: boundaries of all Vietnam, Thái Nguyên's departments, demo accounts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from geo.models import BoundaryVersion
from helpdesk.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    demo_accounts_ensure,
    demo_departments_ensure,
)


class Command(BaseCommand):
    help = "Load demo data (idempotent): boundaries, departments of Thái Nguyên, demo accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--print-accounts", action="store_true", help="Only print the demo accounts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_accounts"]:
            self._print_accounts()
            return
        # A full import takes about a minute; later runs skip it so `make run`
        # starts in seconds. `import_boundaries --commit` refreshes on demand.
        if not BoundaryVersion.objects.exists():
            self.stdout.write("Importing the boundaries of all 34 provinces (first run only)…")
            call_command("import_boundaries", commit=True, stdout=self.stdout)
        departments = demo_departments_ensure()
        accounts = demo_accounts_ensure()
        self.stdout.write(
            f"Demo data ready: {departments} departments and {accounts} accounts added."
        )

    def _print_accounts(self) -> None:
        self.stdout.write(f"  DEMO accounts (demo data only — password for all: {DEMO_PASSWORD})")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(
                f"    {account.phone:<14} {account.full_name:<20} {account.role_label}"
            )
