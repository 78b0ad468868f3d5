"""Back up the database and the media storage into one archive, and restore one."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from backup import postgres
from backup.errors import (
    ArchiveCorrupt,
    ArchiveMissing,
    BackupError,
    BackupTooNew,
    CountsDiffer,
    TargetNotEmpty,
)
from backup.manifest import (
    DUMP_NAME,
    MANIFEST_NAME,
    Manifest,
    app_version,
    counted_models,
    git_commit,
    snapshot_counts,
    snapshot_migrations,
    snapshot_photo_files,
)
from backup.media import (
    MEDIA_PREFIX,
    HashingReader,
    media_from_archive,
    media_to_archive,
    member_sha256,
    safe_name,
    storage_names,
)

Say = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    counts: dict[str, int]
    seconds: float


def _class_path(storage: Storage) -> str:
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


def backup_create(
    *, directory: Path, storage: Storage | None = None, say: Say = _quiet
) -> BackupResult:
    """Write xadesk-<UTC time>.tar into ``directory`` and return its path and manifest.

    Consistent while the app runs: the dump and the manifest's counts come from
    one exported snapshot, and the media are copied *after* the dump. Photos
    are written to storage before the row that names them commits and are
    never changed, so every file a dumped row names is already there; files
    written after the snapshot are copied too, harmless extras that no
    restored row points at. The one way a named file can go is an officer
    withdrawing a public photo between the two steps: such names are listed
    in the manifest (media_missing) and printed.
    """
    storage = storage or default_storage
    started = time.monotonic()
    now = datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"xadesk-{now:%Y%m%dT%H%M%SZ}.tar"
    if path.exists():
        raise BackupError(f"{path} already exists; wait a second and run the backup again.")
    partial = path.with_name(path.name + ".partial")
    db = postgres.Database.configured()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".dump-") as scratch:
        dump = Path(scratch) / DUMP_NAME
        with postgres.exported_snapshot(db) as (conn, snapshot):
            server = postgres.server_major(conn)
            counts = snapshot_counts(conn)
            migrations = snapshot_migrations(conn)
            named_files = snapshot_photo_files(conn)
            server_version = str(conn.info.parameter_status("server_version") or "")
            say(f"Dumping database {db.name} (PostgreSQL {server_version})…")
            pg_dump_version = postgres.database_dump(
                db=db, snapshot=snapshot, server=server, path=dump
            )
        # The archive holds personal data: only its owner may read it.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as tar:
                say("Copying media…")
                dump_sha256 = _add_file(tar, dump, DUMP_NAME)
                media = media_to_archive(storage=storage, tar=tar)
                manifest = Manifest(
                    created_at=now.isoformat(),
                    app_version=app_version(),
                    git_commit=git_commit(),
                    database_name=db.name,
                    server_version=server_version,
                    pg_dump_version=pg_dump_version,
                    dump_sha256=dump_sha256,
                    dump_size=dump.stat().st_size,
                    storage=_class_path(storage),
                    migrations=migrations,
                    counts=counts,
                    media=media,
                    media_missing=sorted(named_files - media.keys()),
                )
                raw = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size = len(raw)
                info.mode = 0o600
                info.mtime = int(now.timestamp())
                tar.addfile(info, io.BytesIO(raw))
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(path=path, manifest=manifest, seconds=time.monotonic() - started)


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> str:
    info = tar.gettarinfo(str(path), arcname=name)
    info.mode = 0o600
    with path.open("rb") as handle:
        reader = HashingReader(handle)
        tar.addfile(info, reader)
    return reader.sha256.hexdigest()


def archive_verify(tar: tarfile.TarFile) -> Manifest:
    """Read the manifest and check every file of the archive against it."""
    try:
        raw = tar.extractfile(MANIFEST_NAME)
    except KeyError:
        raise ArchiveCorrupt("The archive has no manifest.json: not a XaDesk backup.") from None
    if raw is None:
        raise ArchiveCorrupt("manifest.json in the archive is not a regular file.")
    manifest = Manifest.from_json(raw.read())
    members = {m.name: m for m in tar.getmembers()}
    expected = {DUMP_NAME: manifest.dump_sha256} | {
        MEDIA_PREFIX + name: str(entry["sha256"]) for name, entry in manifest.media.items()
    }
    unsafe = [name for name in manifest.media if not safe_name(name)]
    if unsafe:
        raise ArchiveCorrupt(f"The manifest names files outside the media folder: {unsafe[:3]}.")
    missing = sorted(expected.keys() - members.keys())
    if missing:
        raise ArchiveCorrupt(
            f"The archive lacks {len(missing)} file(s) its manifest lists, e.g. {missing[0]}."
        )
    for name, sha256 in expected.items():
        if member_sha256(tar, members[name]) != sha256:
            raise ArchiveCorrupt(
                f"{name} in the archive does not match its checksum: the archive is damaged. "
                "Nothing was changed."
            )
    return manifest


def _unknown_migrations(manifest: Manifest) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in manifest.migrations if (app, name) not in known]


def backup_restore(
    *, path: Path, force: bool = False, storage: Storage | None = None, say: Say = _quiet
) -> RestoreResult:
    """Restore an archive into the configured database and media storage, then migrate.

    Checks everything that can be checked before changing anything: the
    archive's checksums, that this version of the app knows every migration of
    the backup, and that the target is empty (unless ``force``).
    """
    storage = storage or default_storage
    started = time.monotonic()
    if not path.is_file():
        raise ArchiveMissing(f"{path} does not exist or is not a file.")
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError):
        raise ArchiveCorrupt(
            f"{path} is not a backup archive: it cannot be read as a tar file."
        ) from None
    with tar:
        db = postgres.Database.configured()
        # Cheap refusals first: a target with data is refused before the whole
        # archive is read for its checksums.
        connections.close_all()
        with db.connect(autocommit=True) as conn:
            _refuse_unless_empty(conn=conn, db=db, storage=storage, force=force)
        say(f"Checking {path}…")
        manifest = archive_verify(tar)
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupTooNew(
                f"The backup was made by a newer XaDesk (commit {manifest.git_commit or '?'}, "
                f"version {manifest.app_version}): this version does not know the migrations "
                f"{', '.join(unknown[:5])}. Restore it with that version or a later one."
            )
        with tempfile.TemporaryDirectory(prefix="xadesk-restore-") as scratch:
            dump = Path(scratch) / DUMP_NAME
            member = tar.extractfile(DUMP_NAME)
            assert member is not None  # checked by archive_verify
            with member, dump.open("wb") as out:
                while chunk := member.read(1024 * 1024):
                    out.write(chunk)
            with db.connect(autocommit=True) as conn:
                server = postgres.server_major(conn)
                entries = postgres.dump_contents(dump=dump, server=server)
                postgres.extensions_ensure(conn, postgres.extension_names(entries))
                skip = postgres.extension_config_tables(conn)
                if force:
                    say(f"Emptying database {db.name} (--force)…")
                    postgres.database_empty(conn)
            say(f"Restoring database {db.name}…")
            postgres.database_restore(db=db, dump=dump, server=server, entries=entries, skip=skip)
        say(f"Restoring {len(manifest.media)} media file(s)…")
        media_from_archive(storage=storage, tar=tar, files=manifest.media)
    say("Migrating…")
    call_command("migrate", interactive=False, verbosity=0)
    counts = {label: model._default_manager.count() for label, model in counted_models().items()}
    say(counts_table(found=counts, recorded=manifest.counts))
    differ = {k: (v, counts.get(k)) for k, v in manifest.counts.items() if counts.get(k) != v}
    result = RestoreResult(manifest=manifest, counts=counts, seconds=time.monotonic() - started)
    if differ:
        raise CountsDiffer(
            "The restored database holds other counts than the backup recorded: "
            + ", ".join(f"{k} {got} (backup: {want})" for k, (want, got) in differ.items())
            + "."
        )
    return result


def _refuse_unless_empty(
    *,
    conn: psycopg.Connection[tuple[Any, ...]],
    db: postgres.Database,
    storage: Storage,
    force: bool,
) -> None:
    tables = postgres.user_tables(conn)
    files = next(iter(storage_names(storage)), None)
    if force or (not tables and files is None):
        return
    held = []
    if tables:
        held.append(f"the database {db.name} holds {len(tables)} table(s)")
    if files is not None:
        held.append(f"the media storage holds files (e.g. {files})")
    raise TargetNotEmpty(
        f"Not restoring: {' and '.join(held)}. A restore replaces them; run it again with "
        "--force (make restore FILE=... FORCE=1) to overwrite, or restore into an empty "
        "database and media folder."
    )


def counts_table(*, found: dict[str, int], recorded: dict[str, int]) -> str:
    lines = [f"{'':<14}{'restored':>10}{'backup':>10}"]
    for label in sorted(recorded.keys() | found.keys()):
        want, got = recorded.get(label, "-"), found.get(label, "-")
        if label not in recorded:
            mark = "  (not in the backup's schema)"
        else:
            mark = "" if want == got else "  <- differs"
        lines.append(f"{label:<14}{got:>10}{want:>10}{mark}")
    return "\n".join(lines)
