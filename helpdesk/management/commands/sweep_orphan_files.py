"""Delete photo files no attachment refers to (left by a crash before commit).

`manage.py run_scheduler` runs it every hour with --commit (helpdesk/schedule.py); without
it, a dry run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from helpdesk.photo_sweep import PHOTO_PREFIXES, orphan_files_sweep


class Command(BaseCommand):
    help = (
        "Delete stored photo files that no attachment refers to and that are older than "
        "the grace period. A dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commit", action="store_true", help="Delete; else only count.")
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=None,
            help="Keep unreferenced files younger than this (default "
            "XADESK_ORPHAN_GRACE_HOURS, 24); at least 1.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["grace_hours"]
        if hours is None:
            hours = settings.ORPHAN_GRACE_HOURS
        if hours < 1:
            # A filing in progress has written its files but not its rows.
            raise CommandError(_("The grace period must be at least 1 hour."))
        result = orphan_files_sweep(grace=timedelta(hours=hours), commit=options["commit"])
        values = {
            "prefixes": ", ".join(PHOTO_PREFIXES),
            "scanned": result.scanned,
            "referenced": result.referenced,
            "deleted": result.deleted,
            "young": result.kept_young,
            "hours": hours,
        }
        if result.no_attachments:
            raise CommandError(
                _(
                    "No attachment exists in the database, so all %(scanned)d photo files "
                    "would look orphaned: nothing was deleted. Is DATABASE_URL right?"
                )
                % values
            )
        if options["commit"]:
            line = _(
                "Scanned %(scanned)d files under %(prefixes)s: %(referenced)d referenced, "
                "%(deleted)d orphans deleted, %(young)d orphans kept (younger than %(hours)d h)."
            )
        else:
            line = _(
                "Dry run. Scanned %(scanned)d files under %(prefixes)s: %(referenced)d "
                "referenced, %(deleted)d orphans to delete, %(young)d orphans kept (younger "
                "than %(hours)d h). Delete them with --commit."
            )
        self.stdout.write(line % values)
