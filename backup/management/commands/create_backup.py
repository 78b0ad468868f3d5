"""Write one archive of the database and the media storage (make backup).

Safe while the app runs: see backup/services.py for how the dump and the
media copy stay consistent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backup.errors import BackupError
from backup.services import backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the media storage into one .tar archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "backups",
            help="Folder for the archive (default: backups/ in the checkout).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        try:
            result = backup_create(directory=options["output_dir"], say=self._say)
        except BackupError as exc:
            raise CommandError(exc.message, returncode=exc.exit_code) from None
        manifest = result.manifest
        counts = ", ".join(f"{n} {label}" for label, n in manifest.counts.items())
        size = result.path.stat().st_size
        self.stdout.write(f"Contents: {counts}; {len(manifest.media)} media file(s).")
        for name in manifest.media_missing:
            self.stderr.write(
                f"Warning: {name} is named by a photo row but was gone from storage when copied."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written in {result.seconds:.1f} s ({size / 1_048_576:.1f} MiB): "
            )
            + str(result.path)
        )

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
