"""A change whose COMMIT's answer never comes back (core/saving.py).

The connection breaks right after the COMMIT is sent (tests/faults/tcp_cut.py).
The app asks PostgreSQL, on a new connection, how that transaction ended:

- saved: the person is told it is saved (201), its pushes go out, its photos
  stay, and it counts against their abuse limit;
- not saved (the COMMIT was lost on its way): the usual 503 "nothing was
  saved", the photos deleted and the count given back;
- the database cannot be asked: a 503 ``save_unconfirmed`` that says it may be
  saved; the photos stay for the orphan sweep (helpdesk/photo_sweep.py) and the
  count stays, and the same Idempotency-Key gets the saved case back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Ticket
from helpdesk.photo_sweep import storage_files
from open311.keys import client_issue
from open311.models import ClientFiling
from tests import factories
from tests.conftest import Personas
from tests.faults.tcp_cut import Relayed
from tests.notifications.live import default_redis_layers

API = "/api/v1/reports/cases"
PHOTOS = "photos/"


@pytest.fixture
def one_filing_an_hour(settings: SettingsWrapper) -> None:
    settings.RATE_LIMITS = {"filing.person": (1, 3600)}


def _saved(description: str) -> Ticket | None:
    """The case, read on a new direct connection (the COMMIT may still be landing)."""
    for _ in range(50):
        ticket = Ticket.objects.filter(description=description).first()
        if ticket is not None:
            return ticket
        time.sleep(0.1)
    return None


def _post(client: Client, commune: AdminUnit, description: str, key: str) -> Any:
    lat, lon = factories.point_inside(commune)
    photo = SimpleUploadedFile("photo.jpg", factories.jpeg(color="blue"), content_type="image/jpeg")
    fields = {
        "service": "road_damage",
        "description": description,
        "lat": lat,
        "lon": lon,
        "photos": photo,
    }
    return client.post(API, fields, headers={"Idempotency-Key": key})


def _photo_files_exist(ticket: Ticket) -> bool:
    (photo,) = Attachment.objects.filter(ticket=ticket)
    assert photo.display
    assert photo.thumbnail
    return all(default_storage.exists(name) for name in (photo.display, photo.thumbnail))


@pytest.mark.usefixtures("committed_reference_data", "one_filing_an_hour")
def test_a_filing_saved_without_its_answer_is_told_it_is_saved(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed
) -> None:
    client = factories.token_client(personas.resident)
    description = "Ổ gà trước chợ, lần gửi mất trả lời"
    key = str(uuid.uuid4())
    relayed.relay.cut_after_next(b"COMMIT\x00")

    filed = _post(client, commune_a, description, key)

    assert relayed.relay.cut_done.is_set(), "no COMMIT went through the relay"
    assert filed.status_code == 201, filed.content[:500]
    relayed.direct()
    ticket = _saved(description)
    assert ticket is not None
    assert filed.json()["case"]["number"] == ticket.number
    assert _photo_files_exist(ticket), "the saved case's photos were deleted"
    # Saved, so it counts: the next filing of the hour is refused...
    assert _post(client, commune_a, "Một ổ gà khác", str(uuid.uuid4())).status_code == 429
    # ...and sending the same one again gives it back, not a second case.
    again = _post(client, commune_a, description, key)
    assert again.status_code == 200, again.content[:500]
    assert again.json()["case"]["number"] == ticket.number
    assert Ticket.objects.filter(description=description).count() == 1


@pytest.mark.usefixtures("committed_reference_data", "one_filing_an_hour")
def test_a_filing_whose_commit_was_lost_on_its_way_is_undone(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed
) -> None:
    """The server never got the COMMIT and rolled back: PostgreSQL says so, so
    the answer is the usual one, and nothing of it is left or counted."""
    client = factories.token_client(personas.resident)
    description = "Ổ gà trước chợ, COMMIT không tới nơi"
    before = set(storage_files(storage=default_storage, prefix=PHOTOS))
    relayed.relay.cut_after_next(b"COMMIT\x00", delivered=False)

    refused = _post(client, commune_a, description, str(uuid.uuid4()))

    assert relayed.relay.cut_done.is_set(), "no COMMIT went through the relay"
    assert refused.status_code == 503, refused.content[:500]
    assert refused.json()["code"] == "database_unavailable"
    relayed.direct()
    assert not Ticket.objects.filter(description=description).exists()
    assert set(storage_files(storage=default_storage, prefix=PHOTOS)) == before
    # Nothing was saved, so nothing was counted: sending it again files it.
    assert _post(client, commune_a, description, str(uuid.uuid4())).status_code == 201


@pytest.mark.usefixtures("committed_reference_data", "one_filing_an_hour")
def test_a_filing_whose_outcome_cannot_be_asked_says_so_and_keeps_everything(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed
) -> None:
    """The database is gone right after the COMMIT: the app cannot tell. It
    must not say "nothing was saved" (the person would file it twice), nor
    delete what a saved case names, nor give the count back."""
    client = factories.token_client(personas.resident)
    description = "Ổ gà trước chợ, máy chủ mất ngay sau COMMIT"
    key = str(uuid.uuid4())
    relayed.relay.cut_after_next(b"COMMIT\x00", then_refuse=True)

    unsure = _post(client, commune_a, description, key)

    assert relayed.relay.cut_done.is_set(), "no COMMIT went through the relay"
    assert unsure.status_code == 503, unsure.content[:500]
    body = unsure.json()
    assert body["code"] == "save_unconfirmed"
    assert "chưa biết" in body["message"], body["message"]  # vi, the default
    assert unsure["Retry-After"] == "15"
    relayed.direct()
    ticket = _saved(description)
    assert ticket is not None, "the COMMIT was sent but the case is not saved"
    assert _photo_files_exist(ticket)
    assert _post(client, commune_a, "Một ổ gà khác", str(uuid.uuid4())).status_code == 429
    again = _post(client, commune_a, description, key)
    assert again.status_code == 200, again.content[:500]
    assert again.json()["case"]["number"] == ticket.number


@pytest.mark.usefixtures("committed_reference_data")
def test_a_reply_saved_without_its_answer_is_still_pushed(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed, settings: SettingsWrapper
) -> None:
    """Django drops a transaction's on-commit work when its COMMIT fails; once
    PostgreSQL says it was saved, the push to the reporter's page goes out."""
    settings.CHANNEL_LAYERS = default_redis_layers()
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    layer = get_channel_layer()
    group = f"case.{ticket.pk}"
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    relayed.relay.cut_after_next(b"COMMIT\x00")

    reply = lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận, mai sửa.")

    assert relayed.relay.cut_done.is_set(), "no COMMIT went through the relay"
    pushed = async_to_sync(asyncio.wait_for)(layer.receive(channel), 5)
    assert pushed["event"]["id"] == reply.pk
    async_to_sync(layer.group_discard)(group, channel)


@pytest.mark.usefixtures("committed_reference_data")
def test_a_filing_cut_before_its_commit_deletes_its_photos(
    personas: Personas, commune_a: AdminUnit, relayed: Relayed
) -> None:
    """The same outage a statement earlier: rolled back for certain, so the
    files go at once rather than waiting for the sweep."""
    description = "Ổ gà trước chợ, lần gửi bị cắt giữa chừng"
    before = set(storage_files(storage=default_storage, prefix=PHOTOS))
    relayed.relay.cut_after_next(b'INSERT INTO "helpdesk_attachment"')

    lat, lon = factories.point_inside(commune_a)
    draft = CaseDraft(
        service_code="road_damage",
        description=description,
        lat=lat,
        lon=lon,
        photos=[factories.jpeg(color="blue")],
    )
    with pytest.raises((OperationalError, InterfaceError)):
        case_submit(reporter=personas.resident, draft=draft)
    assert relayed.relay.cut_done.is_set(), "the filing sent no attachment"

    relayed.direct()
    assert not Ticket.objects.filter(description=description).exists()
    assert set(storage_files(storage=default_storage, prefix=PHOTOS)) == before


@pytest.mark.usefixtures("committed_reference_data")
def test_an_open311_request_whose_commit_was_lost_leaves_nothing(
    commune_a: AdminUnit, relayed: Relayed, settings: SettingsWrapper
) -> None:
    """Open311 keeps a client record beside the case, written in the case's own
    transaction: when that COMMIT is lost on its way, the photos go and the
    application's count is given back, as for any filing."""
    settings.RATE_LIMITS = {"filing.client": (1, 3600)}
    issued = client_issue(name="City app", account=factories.user_create())
    description = "Den duong hong, COMMIT khong toi noi"
    before = set(storage_files(storage=default_storage, prefix=PHOTOS))

    def post() -> Any:
        lat, lon = factories.point_inside(commune_a)
        photo = SimpleUploadedFile("p.jpg", factories.jpeg(color="blue"), content_type="image/jpeg")
        fields = {"api_key": issued.key, "service_code": "road_damage", "lat": lat, "long": lon}
        return Client().post(
            "/open311/v2/requests.json", {**fields, "description": description, "media": photo}
        )

    relayed.relay.cut_after_next(b"COMMIT\x00", delivered=False)
    refused = post()

    assert relayed.relay.cut_done.is_set(), "no COMMIT went through the relay"
    assert refused.status_code == 503, refused.content[:500]
    relayed.direct()
    assert not Ticket.objects.filter(description=description).exists()
    assert not ClientFiling.objects.exists()
    assert set(storage_files(storage=default_storage, prefix=PHOTOS)) == before
    # Nothing was saved, so nothing was counted: the same request files now.
    filed = post()
    assert filed.status_code == 201, filed.content[:500]
    assert ClientFiling.objects.get().ticket.description == description
