"""What a backup archive holds, written last into it as manifest.json.

database.dump    pg_dump -Fc of the database
media/<name>     every file of the media storage, under its storage name
manifest.json    this: versions, migration state, counts, checksums
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from psycopg import sql

from backup.errors import ArchiveCorrupt
from helpdesk.models import Attachment, Ticket, TicketEvent
from notifications.models import Notification

FORMAT = "xadesk-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.dump"
# The Attachment columns that hold a storage name.
PHOTO_FILE_FIELDS = ("display", "thumbnail", "original", "public_display", "public_thumbnail")


def counted_models() -> dict[str, type[models.Model]]:
    """What a restore is checked by: the operator's words for the rows that matter."""
    return {
        "cases": Ticket,
        "photos": Attachment,
        "events": TicketEvent,
        "notifications": Notification,
        "people": get_user_model(),
    }


@dataclass
class Manifest:
    created_at: str
    app_version: str
    git_commit: str
    database_name: str
    server_version: str
    pg_dump_version: str
    dump_sha256: str
    dump_size: int
    storage: str
    migrations: list[tuple[str, str]]
    counts: dict[str, int]
    media: dict[str, dict[str, str | int]] = field(default_factory=dict)
    # Photo files named by the dumped rows but gone from storage when copied.
    media_missing: list[str] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ArchiveCorrupt("manifest.json is not a XaDesk backup manifest.")
            if data.get("format_version") != FORMAT_VERSION:
                raise ArchiveCorrupt(
                    f"This backup is in format version {data.get('format_version')}; this "
                    f"version of XaDesk reads version {FORMAT_VERSION}."
                )
            data["migrations"] = [tuple(pair) for pair in data["migrations"]]
            return cls(**data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ArchiveCorrupt(f"manifest.json cannot be read: {exc}.") from None


def app_version() -> str:
    try:
        return importlib.metadata.version("xadesk")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def git_commit() -> str:
    """The checkout's commit, or "" where there is no git (an image built without .git)."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _table_exists(conn: psycopg.Connection[tuple[Any, ...]], table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()
    return bool(row and row[0])


def snapshot_counts(conn: psycopg.Connection[tuple[Any, ...]]) -> dict[str, int]:
    """Row counts of the counted tables that exist (an unmigrated database has none)."""
    counts = {}
    for label, model in counted_models().items():
        if not _table_exists(conn, model._meta.db_table):
            continue
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(model._meta.db_table))
        row = conn.execute(query).fetchone()
        assert row is not None
        counts[label] = int(row[0])
    return counts


def snapshot_migrations(conn: psycopg.Connection[tuple[Any, ...]]) -> list[tuple[str, str]]:
    if not _table_exists(conn, "django_migrations"):
        return []
    rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    return [(str(app), str(name)) for app, name in rows]


def snapshot_photo_files(conn: psycopg.Connection[tuple[Any, ...]]) -> set[str]:
    """Every storage name the dumped photo rows point at.

    Only the columns the dumped schema has: an older version had fewer (the
    public copies came in helpdesk 0012).
    """
    table = Attachment._meta.db_table
    wanted = []
    for name in PHOTO_FILE_FIELDS:
        field = Attachment._meta.get_field(name)
        assert isinstance(field, models.Field)
        assert field.column
        wanted.append(field.column)
    present = {
        str(row[0])
        for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        ).fetchall()
    }
    columns = [sql.Identifier(column) for column in wanted if column in present]
    if not columns:
        return set()
    query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(columns), sql.Identifier(table))
    return {str(name) for row in conn.execute(query).fetchall() for name in row if name}
