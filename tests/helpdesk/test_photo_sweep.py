"""sweep_orphan_files: what a filing killed before its commit leaves is deleted, nothing else."""

from __future__ import annotations

import contextlib
import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from pytest_django import Settings

from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public, attachments_create, photos_process_all
from helpdesk.models import Attachment, Ticket
from tests.conftest import Personas
from tests.factories import case_file, jpeg


class Killed(Exception):
    """Stands for the process dying between writing the files and committing."""


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def published(personas: Personas, commune_a: AdminUnit) -> Attachment:
    """A filed case whose report photo an officer approved for the public map."""
    ticket = case_file(reporter=personas.resident, commune=commune_a)
    photo = Attachment.objects.get(ticket=ticket)
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    return photo


def _crashed_filing(*, ticket: Ticket, by: Personas) -> list[str]:
    """Write photos through the real pipeline in a transaction that never commits.

    The filing service deletes its files when it fails; a killed process runs
    no such clean-up, so here the rows roll back and the files stay.
    """
    written: list[str] = []
    with contextlib.suppress(Killed), transaction.atomic():
        photos = photos_process_all(photos=[jpeg(), jpeg(color="blue")], storage=default_storage)
        written += [
            name
            for photo in photos
            for name in (photo.display_name, photo.thumbnail_name, photo.original_name)
            if name
        ]
        attachments_create(
            ticket=ticket, photos=photos, role=Attachment.Role.REPORT, uploaded_by=by.resident
        )
        raise Killed
    assert written
    return written


def _age(root: Path, names: list[str], *, hours: float) -> None:
    moment = time.time() - hours * 3600
    for name in names:
        os.utime(root / name, (moment, moment))


def _files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.mark.django_db
def test_old_orphans_of_a_killed_filing_go_young_ones_and_referenced_files_stay(
    published: Attachment, personas: Personas, media: Path, settings: Settings
) -> None:
    settings.REPORTS_KEEP_ORIGINALS = True  # originals/ is swept too
    old = _crashed_filing(ticket=published.ticket, by=personas)
    young = _crashed_filing(ticket=published.ticket, by=personas)
    referenced = [
        published.display,
        published.thumbnail,
        published.public_display,
        published.public_thumbnail,
    ]
    assert _files(media) == {*old, *young, *referenced}
    assert {name.split("/")[0] for name in old} == {"photos", "originals"}
    # Referenced files are kept however old; an orphan only after 24 hours.
    _age(media, [*old, *referenced], hours=25)
    _age(media, young, hours=23)

    out = io.StringIO()
    call_command("sweep_orphan_files", "--commit", stdout=out)

    assert _files(media) == {*young, *referenced}
    assert out.getvalue().strip() == (
        "Đã quét 16 tệp trong photos/, originals/, public/, voice/: 4 tệp đang được dùng, "
        "đã xóa 6 tệp không thuộc về đâu, giữ lại 6 tệp như vậy (mới hơn 24 giờ)."
    )


@pytest.mark.django_db
def test_without_commit_the_sweep_only_counts(
    published: Attachment, personas: Personas, media: Path
) -> None:
    old = _crashed_filing(ticket=published.ticket, by=personas)
    _age(media, old, hours=48)
    before = _files(media)
    out = io.StringIO()
    call_command("sweep_orphan_files", stdout=out)
    assert _files(media) == before
    assert "4 tệp không thuộc về đâu sẽ bị xóa" in out.getvalue()


@pytest.mark.django_db
def test_grace_period_is_settable_but_never_under_an_hour(
    published: Attachment, personas: Personas, media: Path
) -> None:
    orphans = _crashed_filing(ticket=published.ticket, by=personas)
    _age(media, orphans, hours=3)
    call_command("sweep_orphan_files", "--commit", "--grace-hours", "4", stdout=io.StringIO())
    assert set(orphans) <= _files(media)
    call_command("sweep_orphan_files", "--commit", "--grace-hours", "2", stdout=io.StringIO())
    assert not set(orphans) & _files(media)
    with pytest.raises(CommandError, match="ít nhất 1 giờ"):
        call_command("sweep_orphan_files", "--commit", "--grace-hours", "0")


@pytest.mark.django_db
def test_a_database_without_attachments_deletes_nothing(media: Path) -> None:
    # As after restoring the photos before the database, or a wrong DATABASE_URL.
    (media / "photos" / "2026" / "11").mkdir(parents=True)
    stray = media / "photos" / "2026" / "11" / "a.jpg"
    stray.write_bytes(jpeg())
    _age(media, ["photos/2026/11/a.jpg"], hours=100)
    with pytest.raises(CommandError, match="DATABASE_URL"):
        call_command("sweep_orphan_files", "--commit")
    assert stray.exists()
