"""The media side of a backup: every file in the default storage, through
Django's storage API, so a filesystem MEDIA_ROOT and an object store are
copied the same way."""

from __future__ import annotations

import hashlib
import posixpath
import tarfile
import time
from collections.abc import Iterator
from typing import IO

from django.core.files.base import File
from django.core.files.storage import Storage

from backup.errors import ArchiveCorrupt, BackupError

MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class HashingReader:
    """A file wrapper that counts and hashes what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def storage_names(storage: Storage, path: str = "") -> Iterator[str]:
    """Every file name in the storage, folders walked depth first, sorted."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:  # a MEDIA_ROOT nothing was ever written to
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for folder in sorted(folders):
        yield from storage_names(storage, posixpath.join(path, folder) if path else folder)


def media_to_archive(*, storage: Storage, tar: tarfile.TarFile) -> dict[str, dict[str, str | int]]:
    """Add every stored file to ``tar`` under media/; return name -> sha256 and size."""
    files: dict[str, dict[str, str | int]] = {}
    for name in storage_names(storage):
        info = tarfile.TarInfo(MEDIA_PREFIX + name)
        info.size = storage.size(name)
        info.mode = 0o600
        info.mtime = int(time.time())
        with storage.open(name, "rb") as handle:
            reader = HashingReader(handle)
            tar.addfile(info, reader)  # reads exactly info.size bytes
        files[name] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}
    return files


def safe_name(name: str) -> bool:
    """A relative path with no '..' step: the only names a restore writes."""
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def member_sha256(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    handle = tar.extractfile(member)
    if handle is None:
        raise ArchiveCorrupt(f"{member.name} in the archive is not a regular file.")
    digest = hashlib.sha256()
    with handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_from_archive(
    *, storage: Storage, tar: tarfile.TarFile, files: dict[str, dict[str, str | int]]
) -> None:
    """Write the archive's files into the storage under their own names.

    A file of the same name already there (a restore with --force) is
    replaced; storage.save would otherwise pick another name, and the
    restored rows would point at the old file.
    """
    for name in files:
        handle = tar.extractfile(MEDIA_PREFIX + name)
        if handle is None:
            raise ArchiveCorrupt(f"{MEDIA_PREFIX}{name} in the archive is not a regular file.")
        if storage.exists(name):
            storage.delete(name)
        with handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}; the restore stopped there.")
