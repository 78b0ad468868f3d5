"""Why a backup or a restore stopped: a stable code, an exit status and a sentence.

These are read by operators at a terminal and by scripts that run the
commands (cron, a deploy job), so each failure has its own exit status.
"""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore could not be completed; nothing half-done is left behind."""

    code = "backup_failed"
    exit_code = 1

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ToolFailed(BackupError):
    """pg_dump or pg_restore is missing, too old, or failed."""

    code = "tool_failed"
    exit_code = 1


class DatabaseUnreachable(BackupError):
    code = "database_unreachable"
    exit_code = 1


class ArchiveMissing(BackupError):
    code = "archive_missing"
    exit_code = 2


class ArchiveCorrupt(BackupError):
    """Not a XaDesk backup, or a file in it does not match its checksum."""

    code = "archive_corrupt"
    exit_code = 3


class TargetNotEmpty(BackupError):
    code = "target_not_empty"
    exit_code = 4


class ExtensionMissing(BackupError):
    """The target database lacks an extension the app role may not create."""

    code = "extension_missing"
    exit_code = 5


class BackupTooNew(BackupError):
    """The backup has migrations this version of the app does not know."""

    code = "backup_too_new"
    exit_code = 6


class CountsDiffer(BackupError):
    """The restored database holds other counts than the manifest records."""

    code = "counts_differ"
    exit_code = 7
