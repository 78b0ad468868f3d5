"""A change whose COMMIT reached PostgreSQL but whose answer never came back.

The connection breaks right after the COMMIT is sent (tests/faults/tcp_cut.py):
PostgreSQL saves the case, the app gets an OperationalError and cannot tell
whether it was saved. Before, the filing's clean-up deleted the photos it had
written, and the saved case pointed at files that were gone. Now the files of
a change whose outcome is unknown are kept; the orphan sweep deletes them
later only if no attachment names them (helpdesk/photo_sweep.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection

from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Ticket
from helpdesk.photo_sweep import storage_files
from tests import factories
from tests.conftest import Personas
from tests.faults.tcp_cut import TcpCut


class Relayed:
    """The test's own database connection, through the relay until ``direct()``."""

    def __init__(self) -> None:
        database = connection.settings_dict  # the same dict as settings.DATABASES's
        self.address = (database["HOST"], database["PORT"])
        self.relay = TcpCut(target=(database["HOST"], int(database["PORT"])))
        connection.close()
        database["HOST"], database["PORT"] = "127.0.0.1", self.relay.port

    def direct(self) -> None:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = self.address
        self.relay.close()


@pytest.fixture
def relayed(transactional_db: None) -> Iterator[Relayed]:
    relayed = Relayed()
    try:
        yield relayed
    finally:
        relayed.direct()


def _saved(description: str) -> Ticket | None:
    """The case, read on a new direct connection (the COMMIT may still be landing)."""
    for _ in range(50):
        ticket = Ticket.objects.filter(description=description).first()
        if ticket is not None:
            return ticket
        time.sleep(0.1)
    return None


def _file(personas: Personas, commune: AdminUnit, description: str) -> None:
    lat, lon = factories.point_inside(commune)
    case_submit(
        reporter=personas.resident,
        draft=CaseDraft(
            service_code="road_damage",
            description=description,
            lat=lat,
            lon=lon,
            photos=[factories.jpeg(color="blue")],
        ),
    )


@pytest.mark.usefixtures("committed_reference_data")
def test_a_filing_saved_without_its_answer_keeps_its_photos(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed
) -> None:
    description = "Ổ gà trước chợ, lần gửi mất trả lời"
    relayed.relay.cut_after_next(b"COMMIT\x00")

    with pytest.raises((OperationalError, InterfaceError)):
        _file(personas, commune_a, description)
    assert relayed.relay.cut_done.is_set(), "no COMMIT went through the relay"

    relayed.direct()
    ticket = _saved(description)
    assert ticket is not None, "the COMMIT was sent but the case is not saved"
    (photo,) = Attachment.objects.filter(ticket=ticket)
    for name in (photo.display, photo.thumbnail):
        assert name
        assert default_storage.exists(name), f"{name} of the saved case was deleted"


@pytest.mark.usefixtures("committed_reference_data")
def test_a_filing_cut_before_its_commit_deletes_its_photos(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed
) -> None:
    """The same outage a statement earlier: rolled back for certain, so the
    files go at once rather than waiting for the sweep."""
    description = "Ổ gà trước chợ, lần gửi bị cắt giữa chừng"
    before = set(storage_files(storage=default_storage, prefix="photos/"))
    relayed.relay.cut_after_next(b'INSERT INTO "helpdesk_attachment"')

    with pytest.raises((OperationalError, InterfaceError)):
        _file(personas, commune_a, description)
    assert relayed.relay.cut_done.is_set(), "the filing sent no attachment"

    relayed.direct()
    assert not Ticket.objects.filter(description=description).exists()
    assert set(storage_files(storage=default_storage, prefix="photos/")) == before
