"""Restore an archive written by create_backup (make restore FILE=...).

Refuses a target that holds data unless --force, checks every checksum
before changing anything, and migrates afterwards, so an archive of an older
version restores into this one. Stop the app servers first: requests served
during a restore would see a half-restored database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backup.errors import BackupError
from backup.services import backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and media storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar written by create_backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite a database and media storage that already hold data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        try:
            result = backup_restore(path=options["archive"], force=options["force"], say=self._say)
        except BackupError as exc:
            raise CommandError(exc.message, returncode=exc.exit_code) from None
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored in {result.seconds:.1f} s: backup of {manifest.created_at} "
                f"(XaDesk {manifest.app_version}, commit {manifest.git_commit[:12] or '?'})."
            )
        )

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
