"""make backup / make restore (issue 12): a real pg_dump of the test database and
its media, restored by the real command into a fresh database and media folder."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, models
from psycopg import sql

from backup.manifest import Manifest
from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.lifecycle import ticket_accept, ticket_reply
from helpdesk.models import Attachment, Ticket, TicketEvent
from notifications.models import Notification
from tests import factories
from tests.conftest import Personas

COMPARED: tuple[type[models.Model], ...] = (Ticket, Attachment, TicketEvent, Notification)


@dataclass(frozen=True)
class Target:
    """A fresh database and media folder to restore into."""

    name: str
    url: str
    media: Path

    def connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        conn = psycopg.connect(self.url.replace("postgis://", "postgresql://"), autocommit=True)
        conn.execute("SET TIME ZONE 'UTC'")
        return conn


def _url(dbname: str) -> str:
    conf = connection.settings_dict
    auth = f"{quote(conf['USER'])}:{quote(conf['PASSWORD'])}@" if conf["USER"] else ""
    return f"postgis://{auth}{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{dbname}"


def _drop_when_free(name: str) -> None:
    """Drop the restore database; wait out an autovacuum worker in it.

    Autovacuum may start on freshly restored tables, and WITH (FORCE) cannot
    end that worker without pg_signal_backend, which the app's role has not
    (a CI run failed so at teardown). The worker is done within seconds.
    """
    deadline = time.monotonic() + 30
    while True:
        try:
            with _admin() as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _admin() -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(_url("postgres").replace("postgis://", "postgresql://"), autocommit=True)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    """An empty database made from template1 (PostGIS in it), by the app's own role."""
    name = f"{connection.settings_dict['NAME']}_restore"
    _drop_when_free(name)
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield Target(name=name, url=_url(name), media=tmp_path / "restored-media")
    _drop_when_free(name)


def restore(archive: Path, into: Target, *extra: str) -> subprocess.CompletedProcess[str]:
    """`manage.py restore_backup` in its own process, configured like `make restore`."""
    env = {
        **os.environ,
        "DATABASE_URL": into.url,
        "DJANGO_MEDIA_ROOT": str(into.media),
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(  # noqa: S603 - this interpreter, the project's manage.py
        [sys.executable, "manage.py", "restore_backup", str(archive), *extra],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def filed(committed_reference_data: None, personas: Personas, commune_a: AdminUnit) -> list[Ticket]:
    """Cases filed, answered and published through the real services, committed."""
    lat, lon = factories.point_inside(commune_a)
    photos = (factories.jpeg(color="red"), factories.jpeg(color="green"))
    draft = CaseDraft(
        service_code="road_damage", description="Ổ gà", lat=lat, lon=lon, photos=photos
    )
    first = case_submit(reporter=personas.resident, draft=draft).ticket
    ticket_accept(ticket=first, by=personas.officer_a)
    ticket_reply(
        ticket=first, by=personas.officer_a, body="Đã tiếp nhận", photos=(factories.jpeg(),)
    )
    published = first.attachments.get(role=Attachment.Role.REPORT, position=0)
    attachment_approve_public(attachment=published, by=personas.officer_a)
    second = factories.case_file(
        reporter=personas.resident, commune=commune_a, description="Hố sâu"
    )
    return [first, second]


@pytest.fixture
def archive(filed: list[Ticket], tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("create_backup", output_dir=tmp_path / "backups", stdout=out)
    (path,) = (tmp_path / "backups").glob("xadesk-*.tar")
    assert str(path) in out.getvalue()
    return path


def _rows(cursor: Any, model: type[models.Model]) -> list[str]:
    """Every row of the model's table as PostgreSQL's own text, in id order."""
    cursor.execute(
        sql.SQL("SELECT t::text FROM {} AS t ORDER BY id")
        .format(sql.Identifier(model._meta.db_table))
        .as_string()
    )
    return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_fresh_database_and_storage_finds_every_case_photo_event_and_notification(
    archive: Path, target: Target
) -> None:
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # personal data
    with tarfile.open(archive) as tar:
        raw = tar.extractfile("manifest.json")
        assert raw is not None
        manifest = Manifest.from_json(raw.read())
    assert manifest.counts["cases"] == Ticket.objects.count() == 2
    assert manifest.media_missing == []

    result = restore(archive, target)

    assert result.returncode == 0, result.stderr
    assert "cases                  2         2" in result.stdout
    with connection.cursor() as source, target.connect() as restored:
        # Django's connection talks UTC too: the rows' text forms compare as is.
        for model in COMPARED:
            expected = _rows(source, model)
            assert expected, model
            assert _rows(restored.cursor(), model) == expected, model
    photos = Attachment.objects.all()
    assert photos.count() == 4  # two filed, one on the reply, one on the second case
    names = [
        n
        for p in photos
        for n in (p.display, p.thumbnail, p.public_display, p.public_thumbnail)
        if n
    ]
    assert len(names) == 10  # one photo approved: its public copies too
    for name in names:
        with default_storage.open(name, "rb") as original:
            assert (target.media / name).read_bytes() == original.read(), name


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_unless_forced(archive: Path, target: Target) -> None:
    assert restore(archive, target).returncode == 0
    with target.connect() as restored:
        restored.execute("UPDATE helpdesk_ticket SET description = 'đổi sau khi khôi phục'")

    refused = restore(archive, target)

    assert refused.returncode == 4
    assert "--force" in refused.stderr
    with target.connect() as restored:
        descriptions = restored.execute("SELECT description FROM helpdesk_ticket").fetchall()
        assert {d for (d,) in descriptions} == {"đổi sau khi khôi phục"}

    forced = restore(archive, target, "--force")

    assert forced.returncode == 0, forced.stderr
    with target.connect() as restored:
        descriptions = restored.execute("SELECT description FROM helpdesk_ticket").fetchall()
        assert {d for (d,) in descriptions} == {"Ổ gà", "Hố sâu"}


def _corrupt(archive: Path, member_name: str) -> None:
    """Flip one byte in the middle of a member's data, as a bad disk would."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(member_name)
    with archive.open("r+b") as raw:
        raw.seek(member.offset_data + member.size // 2)
        byte = raw.read(1)
        raw.seek(-1, os.SEEK_CUR)
        raw.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.django_db(transaction=True)
def test_corrupted_archive_is_refused_and_changes_nothing(archive: Path, target: Target) -> None:
    with tarfile.open(archive) as tar:
        photo = next(m.name for m in tar.getmembers() if m.name.startswith("media/photos/"))
    _corrupt(archive, photo)

    result = restore(archive, target)

    assert result.returncode == 3
    assert f"{photo} in the archive does not match its checksum" in result.stderr
    with target.connect() as restored:
        tables = restored.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert [t for (t,) in tables.fetchall()] == ["spatial_ref_sys"]  # PostGIS's own
    assert not target.media.exists()


def test_missing_archive_is_a_sentence_and_exit_status_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist") as raised:
        call_command("restore_backup", str(tmp_path / "nothing.tar"))
    assert raised.value.returncode == 2
