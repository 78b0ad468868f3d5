"""Open sockets end with their log-in and follow the person's rights (core/socket_ends.py).

Through the whole ASGI application on the real Redis layer: the log-out, the
revoked key and the role change are made the way people make them (the page,
the API, the admin's models), and the sockets are real consumers.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.auth import api_token_create
from accounts.models import ApiToken, RoleAssignment, User
from config.asgi import application
from core.group_socket import CLOSE_TRY_AGAIN_LATER
from core.socket_ends import (
    CLOSE_ASK_AGAIN,
    CLOSE_SIGNED_OUT,
    SocketEnds,
    credential_ended_message,
    person_changed_message,
    session_credential,
)
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket
from tests import factories
from tests.conftest import COMMUNE_A, Personas
from tests.notifications.live import ORIGIN, WebsocketCommunicator, default_redis_layers

TIMEOUT = 5


@pytest.fixture(autouse=True)
def redis_layer(settings: SettingsWrapper) -> None:
    settings.CHANNEL_LAYERS = default_redis_layers()


@pytest.fixture
def commune_a(committed_reference_data: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_A)


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(reporter=personas.resident, commune=commune_a, description="Ổ gà")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cookie_headers(client: Client) -> list[tuple[bytes, bytes]]:
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


def _bearer_headers(key: str) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {key}".encode())]


async def _open(path: str, headers: list[tuple[bytes, bytes]]) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    first = await socket.receive_output(timeout=TIMEOUT)
    assert first["type"] == "websocket.send", first  # open and streaming, not closed
    return socket


async def _closed_with(socket: WebsocketCommunicator) -> int:
    """The close code the socket gets next (pushes before it are skipped)."""
    while True:
        message = await socket.receive_output(timeout=TIMEOUT)
        if message["type"] == "websocket.close":
            code: int = message["code"]
            return code


async def test_a_page_log_out_closes_that_session_s_sockets_and_no_other(
    personas: Personas, ticket: Ticket
) -> None:
    """An officer's other tab kept streaming internal notes after /console/logout/."""
    officer = personas.officer_a
    tab = await database_sync_to_async(_logged_in)(officer)
    phone = await database_sync_to_async(_logged_in)(officer)
    case = await _open(f"/ws/cases/{ticket.number}/", _cookie_headers(tab))
    queue = await _open("/ws/queue/", _cookie_headers(tab))
    inbox = await _open("/ws/inbox/", _cookie_headers(tab))
    elsewhere = await _open(f"/ws/cases/{ticket.number}/", _cookie_headers(phone))

    response = await database_sync_to_async(tab.post)(reverse("console:logout"))
    assert response.status_code == 302

    for socket in (case, queue, inbox):
        assert await _closed_with(socket) == CLOSE_SIGNED_OUT
    # The same officer's other session follows the case as before.
    await database_sync_to_async(
        lambda: lifecycle.ticket_reply(ticket=ticket, by=officer, body="Nội bộ", internal=True)
    )()
    pushed = await elsewhere.receive_json_from(timeout=TIMEOUT)
    assert pushed["event"]["kind"] == "note"
    await elsewhere.disconnect()


async def test_the_resident_s_log_out_closes_their_case_socket(
    personas: Personas, ticket: Ticket
) -> None:
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    case = await _open(f"/ws/cases/{ticket.number}/", _cookie_headers(browser))
    await database_sync_to_async(browser.post)(reverse("accounts:logout"))
    assert await _closed_with(case) == CLOSE_SIGNED_OUT
    # And the cookie opens nothing any more.
    again = WebsocketCommunicator(
        application, f"/ws/cases/{ticket.number}/", headers=_cookie_headers(browser)
    )
    await again.connect(timeout=TIMEOUT)
    assert await _closed_with(again) == CLOSE_SIGNED_OUT


async def test_the_api_log_out_closes_that_key_s_sockets_and_not_another_device_s(
    personas: Personas, ticket: Ticket
) -> None:
    key = await database_sync_to_async(api_token_create)(user=personas.resident)
    other_key = await database_sync_to_async(api_token_create)(user=personas.resident)
    app = await _open(f"/ws/cases/{ticket.number}/", _bearer_headers(key))
    other_device = await _open(f"/ws/cases/{ticket.number}/", _bearer_headers(other_key))

    response = await database_sync_to_async(
        lambda: Client().post("/api/v1/auth/logout", HTTP_AUTHORIZATION=f"Bearer {key}")
    )()
    assert response.status_code == 204

    assert await _closed_with(app) == CLOSE_SIGNED_OUT
    assert await other_device.receive_nothing(timeout=0.5)
    await other_device.disconnect()


async def test_a_key_deleted_in_the_admin_closes_its_sockets(
    personas: Personas, ticket: Ticket
) -> None:
    key = await database_sync_to_async(api_token_create)(user=personas.resident)
    app = await _open(f"/ws/cases/{ticket.number}/", _bearer_headers(key))
    await database_sync_to_async(lambda: ApiToken.objects.filter(user=personas.resident).delete())()
    assert await _closed_with(app) == CLOSE_SIGNED_OUT


async def test_a_role_taken_away_makes_the_queue_socket_ask_again_and_be_refused(
    personas: Personas, ticket: Ticket
) -> None:
    """The queue follows the groups of the roles read at connect: without the
    end, a former officer kept that commune's cases streaming."""
    officer = personas.officer_a
    browser = await database_sync_to_async(_logged_in)(officer)
    queue = await _open("/ws/queue/", _cookie_headers(browser))
    await database_sync_to_async(lambda: RoleAssignment.objects.filter(user=officer).delete())()
    # Not "signed out": the page reconnects, and this time is told no.
    assert await _closed_with(queue) == CLOSE_ASK_AGAIN
    again = WebsocketCommunicator(application, "/ws/queue/", headers=_cookie_headers(browser))
    await again.connect(timeout=TIMEOUT)
    assert await _closed_with(again) == 4403


async def test_a_deactivated_person_s_sockets_close_and_stay_closed(
    personas: Personas, ticket: Ticket
) -> None:
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    inbox = await _open("/ws/inbox/", _cookie_headers(browser))

    def deactivate() -> None:
        resident = User.objects.get(pk=personas.resident.pk)
        resident.is_active = False
        resident.save()

    await database_sync_to_async(deactivate)()
    assert await _closed_with(inbox) == CLOSE_ASK_AGAIN
    again = WebsocketCommunicator(application, "/ws/inbox/", headers=_cookie_headers(browser))
    await again.connect(timeout=TIMEOUT)
    assert await _closed_with(again) == CLOSE_SIGNED_OUT


async def test_a_change_that_does_not_touch_the_log_in_leaves_sockets_open(
    personas: Personas,
) -> None:
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    inbox = await _open("/ws/inbox/", _cookie_headers(browser))

    def rename() -> None:
        resident = User.objects.get(pk=personas.resident.pk)
        resident.full_name = "Nguyễn Thị Lan Anh"
        resident.save()

    await database_sync_to_async(rename)()
    assert await inbox.receive_nothing(timeout=0.5)
    await inbox.disconnect()


@pytest.mark.django_db
def test_people_loaded_without_their_password_cost_no_query_more(personas: Personas) -> None:
    # The receivers remember what a log-in relies on as each person is loaded:
    # a deferred password must stay deferred.
    with CaptureQueriesContext(connection) as queries:
        people = list(User.objects.only("id", "full_name"))
    assert len(people) >= 2
    assert len(queries) == 1


# --- The handshake's window (SocketEnds itself, on its own loop) ---------------------


class _Socket:
    def __init__(self) -> None:
        self.codes: list[int] = []

    def end(self, code: int) -> None:
        self.codes.append(code)


async def test_an_end_that_arrives_during_the_handshake_still_counts() -> None:
    """The person was read (at ``since``) before the log-out committed, and the
    message came before the socket was registered: the socket is ended anyway."""
    ends = SocketEnds(layer=None)
    credential = session_credential("abc")
    since = time.monotonic()
    await asyncio.sleep(0)
    ends.deliver(credential_ended_message(credential))
    assert ends.watch(_Socket(), (credential, "p:7"), since) == CLOSE_SIGNED_OUT


async def test_an_end_from_before_the_handshake_read_does_not_count() -> None:
    """A log-out committed before the read: the read itself saw nobody."""
    ends = SocketEnds(layer=None)
    credential = session_credential("abc")
    ends.deliver(credential_ended_message(credential))
    ends.deliver(person_changed_message(7))
    later = time.monotonic() + 1
    assert ends.watch(_Socket(), (credential, "p:7"), later) is None


async def test_signed_out_wins_over_ask_again_and_unwatched_sockets_hear_nothing() -> None:
    ends = SocketEnds(layer=None)
    credential = session_credential("abc")
    since = time.monotonic() - 1
    ends.deliver(person_changed_message(7))
    ends.deliver(credential_ended_message(credential))
    first = _Socket()
    assert ends.watch(first, ("p:7", credential), since) == CLOSE_SIGNED_OUT
    gone = _Socket()
    ends.watch(gone, (credential,), time.monotonic() + 1)
    ends.unwatch(gone, (credential,))
    ends.deliver(credential_ended_message(credential))
    assert gone.codes == []
    assert first.codes == [CLOSE_SIGNED_OUT]


async def test_one_person_s_sockets_past_the_limit_are_told_to_try_later(
    personas: Personas, settings: SettingsWrapper
) -> None:
    """A probe opened 600 sockets with one key in 2.3 s."""
    settings.WS_SOCKETS_PER_PERSON = 2
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    first = await _open("/ws/inbox/", _cookie_headers(browser))
    second = await _open("/ws/inbox/", _cookie_headers(browser))
    third = WebsocketCommunicator(application, "/ws/inbox/", headers=_cookie_headers(browser))
    await third.connect(timeout=TIMEOUT)
    assert await _closed_with(third) == CLOSE_TRY_AGAIN_LATER  # the page polls and retries
    # Another person is not counted with them.
    officer = await database_sync_to_async(_logged_in)(personas.officer_a)
    other = await _open("/ws/inbox/", _cookie_headers(officer))
    # A page closed frees its place.
    await first.disconnect()
    again = await _open("/ws/inbox/", _cookie_headers(browser))
    for socket in (second, other, again):
        await socket.disconnect()
