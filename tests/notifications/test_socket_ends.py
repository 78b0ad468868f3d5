"""Open sockets end with their log-in and follow the person's rights (core/socket_ends.py).

Through the whole ASGI application on the real Redis layer: the log-out, the
revoked key and the role change are made the way people make them (the page,
the API, the admin's models), and the sockets are real consumers.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from importlib import import_module
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.auth import api_token_create
from accounts.models import ApiToken, RoleAssignment, User
from config.asgi import application
from core.group_socket import CLOSE_TRY_AGAIN_LATER
from core.socket_ends import (
    CLOSE_ASK_AGAIN,
    CLOSE_SERVER_ERROR,
    CLOSE_SIGNED_OUT,
    REMEMBER_SECONDS,
    SWEEP_SECONDS,
    SocketEnds,
    credential_ended_message,
    person_changed_message,
    session_credential,
    socket_ends,
    stronger,
)
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import DepartmentMembership, Ticket
from tests import factories
from tests.conftest import COMMUNE_A, COMMUNE_B, Personas
from tests.notifications.live import (
    ORIGIN,
    WebsocketCommunicator,
    default_redis_layers,
    redis_layers,
)

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


# --- The handshake's window (SocketEnds itself, on its own loop) ---------------------


class _Socket:
    def __init__(self, expires_at: float = math.inf) -> None:
        self.codes: list[int] = []
        self.expires_at = expires_at
        self.rechecked = 0

    def recheck(self) -> None:
        self.rechecked += 1

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


async def test_an_old_socket_is_asked_again_so_an_untold_end_reaches_it_too(
    personas: Personas,
) -> None:
    """A session deleted without a log-out (expiry, clearsessions) sends no message:
    the age limit makes the socket's handshake read it again."""
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    inbox = await _open("/ws/inbox/", _cookie_headers(browser))
    await database_sync_to_async(lambda: Session.objects.all().delete())()
    assert await inbox.receive_nothing(timeout=0.3)  # no message tells it
    ends = socket_ends(get_channel_layer())
    # The sweep as it runs once a minute, an hour and more from now.
    later = time.monotonic() + 1.2 * settings.WS_MAX_AGE_SECONDS
    assert ends.sweep(later) >= 1
    # Its log-in is read again, as the handshake read it: nobody.
    assert await _closed_with(inbox) == CLOSE_SIGNED_OUT


async def test_a_socket_whose_log_in_still_holds_goes_on_past_its_age(
    personas: Personas, ticket: Ticket
) -> None:
    """No reconnect for the living: the officer's queue shows no 'may have missed' note."""
    browser = await database_sync_to_async(_logged_in)(personas.officer_a)
    queue = await _open("/ws/queue/", _cookie_headers(browser))
    ends = socket_ends(get_channel_layer())
    later = time.monotonic() + 1.2 * settings.WS_MAX_AGE_SECONDS
    assert ends.sweep(later) >= 1
    assert await queue.receive_nothing(timeout=0.5)
    # Read again and found: due again an age from now, not at the next sweep.
    assert ends.sweep(time.monotonic() + SWEEP_SECONDS) == 0
    assert ends.sweep(time.monotonic() + 1.2 * settings.WS_MAX_AGE_SECONDS) >= 1
    assert await queue.receive_nothing(timeout=0.5)
    await database_sync_to_async(
        lambda: lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    )()
    pushed = await queue.receive_json_from(timeout=TIMEOUT)
    assert pushed["type"] == "ticket"
    await queue.disconnect()


async def test_a_socket_is_not_asked_again_before_its_age(personas: Personas) -> None:
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    inbox = await _open("/ws/inbox/", _cookie_headers(browser))
    ends = socket_ends(get_channel_layer())
    assert ends.sweep(time.monotonic() + 0.8 * settings.WS_MAX_AGE_SECONDS) == 0
    assert await inbox.receive_nothing(timeout=0.3)
    await inbox.disconnect()


@pytest.mark.parametrize(
    "change",
    ["password", "superuser", "role_granted", "seat_removed", "role_handed_on", "seat_handed_on"],
)
async def test_every_change_of_rights_makes_the_queue_ask_again(
    personas: Personas, change: str
) -> None:
    officer = personas.officer_a
    if change == "superuser":
        officer = await database_sync_to_async(factories.user_create)(
            full_name="Quản trị", is_staff=True, is_superuser=True
        )
    browser = await database_sync_to_async(_logged_in)(officer)
    queue = await _open("/ws/queue/", _cookie_headers(browser))

    def make_change() -> None:
        person = User.objects.get(pk=officer.pk)
        if change == "password":
            person.set_password("mật khẩu mới 2026")
            person.save()
        elif change == "superuser":
            person.is_superuser = False
            person.save()
        elif change == "role_granted":
            commune = factories.commune_get(code=COMMUNE_A)
            RoleAssignment.objects.create(user=person, role="leader", unit=commune)
        elif change == "seat_removed":
            DepartmentMembership.objects.filter(user=person).delete()
        else:
            # The admin hands the right to someone else: the former holder
            # must hear of it, not only the new one.
            successor = factories.user_create(full_name="Người kế nhiệm")
            model = RoleAssignment if change == "role_handed_on" else DepartmentMembership
            for right in model.objects.filter(user=person):
                right.user = successor
                right.save()

    await database_sync_to_async(make_change)()
    assert await _closed_with(queue) == CLOSE_ASK_AGAIN


async def test_a_department_moved_makes_its_members_ask_again_and_a_new_name_does_not(
    personas: Personas,
) -> None:
    officer = personas.officer_a
    browser = await database_sync_to_async(_logged_in)(officer)
    queue = await _open("/ws/queue/", _cookie_headers(browser))

    def department_save(**changes: Any) -> None:
        membership = DepartmentMembership.objects.filter(user=officer).first()
        assert membership is not None
        department = membership.department
        for name, value in changes.items():
            setattr(department, name, value)
        department.save()

    await database_sync_to_async(department_save)(name="Phòng Kinh tế, Hạ tầng và Đô thị")
    assert await queue.receive_nothing(timeout=0.5)
    await database_sync_to_async(
        lambda: department_save(commune=factories.commune_get(code=COMMUNE_B))
    )()
    assert await _closed_with(queue) == CLOSE_ASK_AGAIN


async def test_a_log_in_s_own_save_leaves_sockets_open(personas: Personas) -> None:
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    inbox = await _open("/ws/inbox/", _cookie_headers(browser))
    # Every log-in writes last_login: no socket of the person may pay for it.
    await database_sync_to_async(_logged_in)(personas.resident)
    assert await inbox.receive_nothing(timeout=0.5)
    await inbox.disconnect()


async def test_a_handshake_between_the_end_and_the_session_s_deletion_finds_nobody(
    personas: Personas,
) -> None:
    """logout() tells its receivers before it empties the session: the session
    must be gone before the message can reach a process (notifications/socket_ends.py).
    Here the log-out is held inside Django's flush, after the message went."""
    browser = await database_sync_to_async(_logged_in)(personas.resident)
    headers = _cookie_headers(browser)
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    told, opened = threading.Event(), threading.Event()

    def log_out() -> None:
        request = RequestFactory().post("/accounts/logout/")
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        flush = store.flush

        def held_flush() -> None:
            told.set()  # the receivers have run
            opened.wait(10)
            flush()

        store.flush = held_flush
        request.session = store
        request.user = User.objects.get(pk=personas.resident.pk)
        logout(request)
        connection.close()

    thread = threading.Thread(target=log_out)
    thread.start()
    assert await asyncio.to_thread(told.wait, 10)
    await asyncio.sleep(0.3)  # the end has reached this process
    late = WebsocketCommunicator(application, "/ws/inbox/", headers=headers)
    await late.connect(timeout=TIMEOUT)
    assert await _closed_with(late) == CLOSE_SIGNED_OUT
    opened.set()
    await asyncio.get_running_loop().run_in_executor(None, thread.join)


@pytest.mark.parametrize("signed_in", [False, True])
async def test_with_the_layer_down_a_handshake_is_answered_not_broken(
    personas: Personas, settings: SettingsWrapper, signed_in: bool
) -> None:
    """Before: every handshake awaited the group and broke (HTTP 500) with Redis away."""
    settings.CHANNEL_LAYERS = redis_layers("redis://127.0.0.1:1/0")
    if signed_in:
        headers = _cookie_headers(await database_sync_to_async(_logged_in)(personas.resident))
    else:
        headers = [ORIGIN]
    socket = WebsocketCommunicator(application, "/ws/inbox/", headers=headers)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    # Signed in: "try later" (1011), as any socket whose layer is away; nobody: 4401.
    assert await _closed_with(socket) == (CLOSE_SERVER_ERROR if signed_in else CLOSE_SIGNED_OUT)


async def test_a_lost_subscription_closes_every_watched_socket_and_joins_again() -> None:
    ends = SocketEnds(layer=None)
    sockets = [_Socket(), _Socket()]
    ends.watch(sockets[0], ("s:a", "p:1"), time.monotonic())
    ends.watch(sockets[1], ("s:b", "p:1"), time.monotonic())
    ends.joining = asyncio.get_running_loop().create_future()  # type: ignore[assignment]
    since = time.monotonic()
    ends.layer_failed()
    assert [s.codes for s in sockets] == [[CLOSE_SERVER_ERROR], [CLOSE_SERVER_ERROR]]
    assert ends.joining is None  # the next handshake joins again
    # A handshake that began before the failure and registers after it: ends
    # sent meanwhile may be lost, so it is told to try later too.
    assert ends.watch(_Socket(), ("s:c", "p:2"), since) == CLOSE_SERVER_ERROR
    assert ends.watch(_Socket(), ("s:d", "p:3"), time.monotonic() + 1) is None


async def test_old_ends_are_forgotten_in_order_without_rebuilding_everything() -> None:
    ends = SocketEnds(layer=None)
    for n in range(3):
        ends.deliver(credential_ended_message(f"s:{n}"))
    first_at = ends.order[0][0]
    # Five minutes later one more arrives: the three before it are forgotten.
    ends.order = type(ends.order)((first_at - REMEMBER_SECONDS, key) for _at, key in ends.order)
    ends.arrived = {key: (at, code) for (at, key), code in zip(ends.order, [4401] * 3, strict=True)}
    ends.deliver(credential_ended_message("s:new"))
    assert set(ends.arrived) == {"s:new"}
    assert [key for _at, key in ends.order] == ["s:new"]


@pytest.mark.parametrize("stream", ["queue", "case"])
async def test_rights_changed_with_the_message_lost_are_caught_by_the_re_read(
    personas: Personas, ticket: Ticket, stream: str
) -> None:
    """A seat removed while Redis was away: no message, yet the queue's groups
    (the case's staff view) no longer match the officer's rights when the
    sweep reads them again."""
    officer = personas.officer_a
    browser = await database_sync_to_async(_logged_in)(officer)
    path = "/ws/queue/" if stream == "queue" else f"/ws/cases/{ticket.number}/"
    queue = await _open(path, _cookie_headers(browser))

    def seat_removed_unheard() -> None:
        # Straight in SQL: no signal, so no message, as if it had been lost.
        table = DepartmentMembership._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE user_id = %s", [officer.pk])  # noqa: S608

    await database_sync_to_async(seat_removed_unheard)()
    assert await queue.receive_nothing(timeout=0.3)  # nobody told it
    ends = socket_ends(get_channel_layer())
    assert ends.sweep(time.monotonic() + 1.2 * settings.WS_MAX_AGE_SECONDS) >= 1
    assert await _closed_with(queue) == CLOSE_ASK_AGAIN


def test_signed_out_is_the_stronger_close() -> None:
    assert stronger(None, CLOSE_ASK_AGAIN) == CLOSE_ASK_AGAIN
    assert stronger(CLOSE_SIGNED_OUT, CLOSE_ASK_AGAIN) == CLOSE_SIGNED_OUT
    assert stronger(CLOSE_ASK_AGAIN, CLOSE_SIGNED_OUT) == CLOSE_SIGNED_OUT
    assert stronger(CLOSE_ASK_AGAIN, CLOSE_SERVER_ERROR) == CLOSE_SERVER_ERROR
