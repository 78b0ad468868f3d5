"""Exit 0 if a background process beat recently, 1 if not (container health checks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.heartbeat import NAME_PATTERN, heartbeat_age


class Command(BaseCommand):
    help = (
        "Check that a worker (delivery, photo) or the scheduler on this machine is alive: "
        "exit 0 if its heartbeat file is younger than --max-age seconds, else 1."
    )
    # A health check runs every few seconds: no system checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="delivery, photo or scheduler")
        parser.add_argument(
            "--max-age", type=float, default=60.0, help="Seconds a beat stays fresh."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if not NAME_PATTERN.fullmatch(name):
            raise CommandError(_("“%(name)s” is not a worker name.") % {"name": name})
        age = heartbeat_age(name=name)
        values = {"name": name, "max": options["max_age"]}
        if age is None:
            raise CommandError(_("The %(name)s process has not started here.") % values)
        values["age"] = age
        if age > options["max_age"]:
            raise CommandError(
                _(
                    "The %(name)s process last beat %(age).0f s ago, more than %(max).0f s: "
                    "it is stuck or stopped."
                )
                % values
            )
        self.stdout.write(_("The %(name)s process beat %(age).0f s ago.") % values)
