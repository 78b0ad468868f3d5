"""The case, queue and inbox streams on the real Redis layer, with committed data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import Role, User
from config.asgi import application
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.live import case_messages, event_push
from helpdesk.models import Department, DepartmentType, Ticket, TicketEvent
from tests import factories
from tests.conftest import COMMUNE_A, COMMUNE_B, Personas
from tests.notifications.live import (
    PrivateRedis,
    WebsocketCommunicator,
    default_redis_layers,
    private_redis,
    redis_layers,
    ws_headers,
)

TIMEOUT = 5


@pytest.fixture
def commune_a(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_A)


@pytest.fixture
def commune_b(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_B)


@pytest.fixture(autouse=True)
def redis_layer(settings: SettingsWrapper) -> None:
    settings.CHANNEL_LAYERS = default_redis_layers()


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(
        reporter=personas.resident, commune=commune_a, description="Ổ gà lớn trước cổng trường"
    )


async def _open(path: str, user: User | None) -> WebsocketCommunicator:
    headers = await database_sync_to_async(ws_headers)(user)
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def _open_case(ticket: Ticket, user: User, after: int | None = None) -> Any:
    query = "" if after is None else f"?after={after}"
    communicator = await _open(f"/ws/cases/{ticket.number}/{query}", user)
    return communicator


async def _events_until_synced(communicator: WebsocketCommunicator) -> tuple[list[int], int]:
    ids: list[int] = []
    while True:
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        if message["type"] == "synced":
            return ids, message["last_id"]
        ids.append(message["event"]["id"])


async def _next_event(communicator: WebsocketCommunicator) -> dict[str, Any]:
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    assert message["type"] == "event", message
    event: dict[str, Any] = message["event"]
    return event


def _stranger() -> User:
    return factories.user_create(full_name="Vũ Văn Khách")


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("resident", None),
        ("officer_a", None),
        ("leader_a", None),
        ("province_admin", None),
        ("officer_b", 4404),  # out of scope looks like "no such case", for staff too
        ("stranger", 4404),
        ("anonymous", 4401),
    ],
)
async def test_case_stream_admits_followers_and_refuses_others_with_a_close_code(
    personas: Personas, ticket: Ticket, who: str, outcome: int | None
) -> None:
    user: User | None
    if who == "anonymous":
        user = None
    elif who == "stranger":
        user = await database_sync_to_async(_stranger)()
    else:
        user = getattr(personas, who)
    communicator = await _open(f"/ws/cases/{ticket.number}/", user)
    message = await communicator.receive_output(timeout=TIMEOUT)
    if outcome is None:
        assert message["type"] == "websocket.send"
    else:
        assert message == {"type": "websocket.close", "code": outcome}
    await communicator.disconnect()


async def test_unknown_case_is_refused_with_4404(personas: Personas, ticket: Ticket) -> None:
    communicator = await _open("/ws/cases/TN-1999-99999/", personas.officer_a)
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": 4404,
    }


@pytest.mark.parametrize("path", ["/ws/nope/", "/ws/", "/ws/cases//", "/ws/queue/x/"])
async def test_an_unknown_socket_path_is_closed_like_an_unknown_case(
    personas: Personas, path: str
) -> None:
    """It was channels' "No route found": a 500 with a traceback, for anyone."""
    communicator = await _open(path, personas.resident)
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": 4404,
    }


@pytest.mark.parametrize("after", ["9" * 4301, "%C2%B2", "%D9%A1%D9%A2", "1" * 19, "-1", "1.5"])
async def test_an_after_that_is_no_event_id_is_closed_with_4400(
    personas: Personas, ticket: Ticket, after: str
) -> None:
    """Any script's digits and any length passed the check, then broke int()."""
    communicator = await _open(f"/ws/cases/{ticket.number}/?after={after}", personas.resident)
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": 4400,
    }


async def test_an_after_past_the_cases_last_event_still_gets_the_next_events(
    personas: Personas, ticket: Ticket
) -> None:
    """Event ids count across cases: an "after" past this case's last event
    made the socket skip every event up to it, silently."""
    first = await _open_case(ticket, personas.resident, after=0)
    _ids, latest = await _events_until_synced(first)
    await first.disconnect()

    ahead = await _open_case(ticket, personas.resident, after=9_000_000_000_000_000)
    assert await _events_until_synced(ahead) == ([], latest)
    await database_sync_to_async(
        lambda: lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận.")
    )()
    live = await _next_event(ahead)
    assert (live["kind"], live["body"]) == ("reply", "Đã nhận.")
    await ahead.disconnect()


@pytest.mark.parametrize(
    "frame",
    [{"text": "ping"}, {"bytes": b"\x00"}, {"text": ""},
     {"text": "[" * 200_000 + "]" * 200_000}, {"text": "{}"}],
)  # fmt: skip
async def test_what_a_client_sends_is_dropped_and_the_socket_stays_live(
    personas: Personas, ticket: Ticket, frame: dict[str, Any]
) -> None:
    """These sockets read nothing from the client; each of these frames broke
    the socket with a traceback (channels decoded them as JSON)."""
    communicator = await _open_case(ticket, personas.resident)
    await _events_until_synced(communicator)
    await communicator.send_input({"type": "websocket.receive", **frame})
    await database_sync_to_async(
        lambda: lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Vẫn nghe.")
    )()
    live = await _next_event(communicator)
    assert live["body"] == "Vẫn nghe."
    await communicator.disconnect()


async def test_socket_without_origin_is_rejected(personas: Personas, ticket: Ticket) -> None:
    communicator = WebsocketCommunicator(application, f"/ws/cases/{ticket.number}/")
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_live_events_arrive_in_commit_order(personas: Personas, ticket: Ticket) -> None:
    resident = await _open_case(ticket, personas.resident)
    await _events_until_synced(resident)

    def work() -> None:
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đội đang sửa.")

    await database_sync_to_async(work)()
    received = [await _next_event(resident) for _ in range(3)]
    assert [(e["kind"], e["to_status"]) for e in received] == [
        ("status", "accepted"),
        ("status", "in_progress"),
        ("reply", ""),
    ]
    assert [e["id"] for e in received] == sorted(e["id"] for e in received)
    assert await resident.receive_nothing(timeout=0.3)
    await resident.disconnect()


async def test_internal_note_reaches_staff_but_never_the_resident(
    personas: Personas, ticket: Ticket
) -> None:
    resident = await _open_case(ticket, personas.resident)
    officer = await _open_case(ticket, personas.officer_a)
    await _events_until_synced(resident)
    await _events_until_synced(officer)

    def work() -> None:
        lifecycle.ticket_reply(
            ticket=ticket, by=personas.officer_a, body="Gọi nhà thầu", internal=True
        )
        lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Chúng tôi đã nhận.")

    await database_sync_to_async(work)()
    assert [(await _next_event(officer))["kind"] for _ in range(2)] == ["note", "reply"]
    reply = await _next_event(resident)
    assert (reply["kind"], reply["body"]) == ("reply", "Chúng tôi đã nhận.")
    assert await resident.receive_nothing(timeout=0.3)
    # Nor through the catch-up.
    again = await _open_case(ticket, personas.resident, after=0)
    ids, _last = await _events_until_synced(again)
    note_ids = await database_sync_to_async(
        lambda: set(ticket.events.filter(is_public=False).values_list("id", flat=True))
    )()
    assert ids
    assert not set(ids) & note_ids
    for communicator in (resident, officer, again):
        await communicator.disconnect()


async def test_reconnect_after_catches_up_the_missed_events_then_goes_live(
    personas: Personas, ticket: Ticket
) -> None:
    first = await _open_case(ticket, personas.resident, after=0)
    ids, last = await _events_until_synced(first)
    assert len(ids) == 1  # "created"
    await first.disconnect()

    def offline_changes() -> None:
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)

    await database_sync_to_async(offline_changes)()
    second = await _open_case(ticket, personas.resident, after=last)
    missed, last = await _events_until_synced(second)
    assert len(missed) == 2
    assert missed == sorted(missed)
    assert missed[0] > ids[0]
    await database_sync_to_async(
        lambda: lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã vá.")
    )()
    live = await _next_event(second)
    assert live["id"] > last
    assert (live["kind"], live["body"]) == ("reply", "Đã vá.")
    await second.disconnect()


async def test_letters_reach_the_phone_as_they_are_caught_up_or_pushed(
    personas: Personas, ticket: Ticket
) -> None:
    """Not six bytes for each accented letter (json.dumps's escapes) on a phone's data."""
    await database_sync_to_async(
        lambda: lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đội đang sửa.")
    )()
    resident = await _open_case(ticket, personas.resident, after=0)
    caught_up = []
    while '"synced"' not in (frame := await resident.receive_from(timeout=TIMEOUT)):
        caught_up.append(frame)
    await database_sync_to_async(
        lambda: lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã vá xong.")
    )()
    pushed = await resident.receive_from(timeout=TIMEOUT)
    await resident.disconnect()
    assert any('"body": "Đội đang sửa."' in frame for frame in caught_up), caught_up
    assert '"body": "Đã vá xong."' in pushed, pushed
    assert not [frame for frame in [*caught_up, pushed] if "\\u" in frame]


async def test_overlapping_catch_up_and_live_push_deliver_each_event_once(
    personas: Personas, ticket: Ticket
) -> None:
    accepted = await database_sync_to_async(
        lambda: lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    )()
    assert accepted.status == "accepted"
    communicator = await _open_case(ticket, personas.resident, after=0)
    ids, _last = await _events_until_synced(communicator)
    assert len(ids) == 2
    # A late push of events the catch-up already sent (as when the commit lands
    # between subscribing and reading) is dropped.
    for event_id in ids:
        await database_sync_to_async(_push_again)(event_id)
    await database_sync_to_async(
        lambda: lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
    )()
    event = await _next_event(communicator)
    assert event["to_status"] == "in_progress"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_lost_push_is_recovered_from_the_database_without_a_gap(
    personas: Personas, ticket: Ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    communicator = await _open_case(ticket, personas.resident)
    await _events_until_synced(communicator)

    def accept_without_push() -> None:
        with monkeypatch.context() as patch:
            patch.setattr("helpdesk.events.event_push_on_commit", lambda event, ticket: None)
            lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)

    await database_sync_to_async(accept_without_push)()
    await database_sync_to_async(
        lambda: lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
    )()
    first = await _next_event(communicator)
    second = await _next_event(communicator)
    assert [first["to_status"], second["to_status"]] == ["accepted", "in_progress"]
    await communicator.disconnect()


@pytest.mark.parametrize(("who", "code"), [("resident", 4403), ("anonymous", 4401)])
async def test_queue_stream_is_for_officers_only(
    personas: Personas, committed_reference_data: None, who: str, code: int
) -> None:
    user = None if who == "anonymous" else personas.resident
    communicator = await _open("/ws/queue/", user)
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": code,
    }


def _officer_of_another_department(commune: AdminUnit) -> User:
    officer = factories.user_create(full_name="Bùi Thị Hoa")
    factories.role_grant(
        user=officer,
        role=Role.OFFICER,
        unit=commune,
        departments=(
            factories.department_create(
                commune=commune, department_type=DepartmentType.CULTURE_SOCIETY
            ),
        ),
    )
    return officer


async def test_queue_stays_silent_for_a_case_outside_the_officers_scope(
    personas: Personas, ticket: Ticket, commune_a: AdminUnit
) -> None:
    other_department = await database_sync_to_async(_officer_of_another_department)(commune_a)
    queue_a = await _open("/ws/queue/", personas.officer_a)
    queue_b = await _open("/ws/queue/", personas.officer_b)
    queue_other = await _open("/ws/queue/", other_department)
    for communicator in (queue_a, queue_b, queue_other):
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "subscribed"

    def work() -> None:
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận.")

    await database_sync_to_async(work)()
    # The case's own queue hears of it, so the changes were pushed and the
    # silence below is the scope's doing, not a push that never happened.
    message = await queue_a.receive_json_from(timeout=TIMEOUT)
    assert message["ticket"]["number"] == ticket.number
    # Another commune's officer, and another department of the same commune.
    assert await queue_b.receive_nothing(timeout=0.5)
    assert await queue_other.receive_nothing(timeout=0.1)
    for communicator in (queue_a, queue_b, queue_other):
        await communicator.disconnect()


async def test_transfer_is_pushed_to_the_old_and_the_new_queue(
    personas: Personas, ticket: Ticket, commune_b: AdminUnit
) -> None:
    queue_a = await _open("/ws/queue/", personas.officer_a)
    queue_b = await _open("/ws/queue/", personas.officer_b)
    for communicator in (queue_a, queue_b):
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "subscribed"

    def transfer() -> None:
        target = Department.objects.get(
            commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
        )
        lifecycle.ticket_transfer(
            ticket=ticket, by=personas.officer_a, department=target, reason="Không đúng thẩm quyền"
        )

    await database_sync_to_async(transfer)()
    for communicator in (queue_a, queue_b):
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        assert message["ticket"]["number"] == ticket.number
        assert message["ticket"]["status"] == "transferred"
        await communicator.disconnect()


async def test_officer_losing_the_case_by_transfer_is_disconnected(
    personas: Personas, ticket: Ticket, commune_b: AdminUnit
) -> None:
    officer = await _open_case(ticket, personas.officer_a)
    await _events_until_synced(officer)

    def transfer() -> None:
        target = Department.objects.get(
            commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
        )
        lifecycle.ticket_transfer(
            ticket=ticket, by=personas.officer_a, department=target, reason="x"
        )

    await database_sync_to_async(transfer)()
    assert (await _next_event(officer))["to_status"] == "transferred"
    assert await officer.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": 4403,
    }


async def test_inbox_shows_new_notification_and_unread_count(
    personas: Personas, ticket: Ticket
) -> None:
    inbox = await _open("/ws/inbox/", personas.resident)
    assert await inbox.receive_json_from(timeout=TIMEOUT) == {"type": "unread", "count": 0}
    await database_sync_to_async(
        lambda: lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    )()
    frame = await inbox.receive_from(timeout=TIMEOUT)
    message = json.loads(frame)
    assert message["type"] == "notification"
    assert message["unread"] == 1
    assert ticket.number in message["notification"]["title"]
    # Letters as they are (core.group_socket.socket_json), not \\u escapes.
    assert not message["notification"]["title"].isascii()
    assert message["notification"]["title"] in frame
    await inbox.disconnect()
    anonymous = await _open("/ws/inbox/", None)
    assert (await anonymous.receive_output(timeout=TIMEOUT))["code"] == 4401


@pytest.fixture
def test_redis(tmp_path: Path, settings: SettingsWrapper) -> Iterator[PrivateRedis]:
    for server in private_redis(tmp_path):
        settings.CHANNEL_LAYERS = redis_layers(server.url)
        yield server


async def test_changes_are_saved_while_redis_is_down_and_clients_catch_up_after(
    personas: Personas,
    ticket: Ticket,
    test_redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    communicator = await _open_case(ticket, personas.resident)
    _ids, last = await _events_until_synced(communicator)
    await communicator.disconnect()
    test_redis.stop()

    def change_while_down() -> int:
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)  # must not raise
        client = Client()
        client.force_login(personas.resident)
        response = client.get(f"/api/v1/helpdesk/cases/{ticket.number}?after={last}")
        assert response.status_code == 200
        return len(response.json()["events"])

    assert await database_sync_to_async(change_while_down)() == 1
    # One line per batch of the change's pushes (the case's groups, its queues,
    # then the inboxes), not one per group.
    dropped = [r.getMessage() for r in caplog.records if r.name == "notifications.push"]
    assert 2 <= len(dropped) <= 3
    assert all("push(es) dropped" in line for line in dropped)
    assert sum(int(line.split()[0]) for line in dropped[:2]) >= 7  # 3 case groups, 4 queues
    assert (
        await database_sync_to_async(lambda: Ticket.objects.get(pk=ticket.pk).status)()
        == "accepted"
    )

    test_redis.start()
    # Like the page's script, the client retries: the first try after a restart
    # may meet a pooled connection the server closed (the socket ends with 1011).
    for _attempt in range(3):
        again = await _open_case(ticket, personas.resident, after=last)
        try:
            missed, _last = await _events_until_synced(again)
            break
        except RedisConnectionError:
            continue
    assert len(missed) == 1
    await database_sync_to_async(
        lambda: lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
    )()
    assert (await _next_event(again))["to_status"] == "in_progress"
    await again.disconnect()
    assert await database_sync_to_async(TicketEvent.objects.filter(ticket=ticket).count)() == 3


def _push_again(event_id: int) -> None:
    """Push a committed event once more, as a late duplicate of its first push."""
    event = TicketEvent.objects.select_related("ticket", "actor").get(pk=event_id)
    event_push(case_messages(event, ticket=event.ticket), event.pk)
