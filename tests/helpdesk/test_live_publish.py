"""What a committed event pushes to each case group: the gap check every socket
relies on, built before the commit.

Each group's ``prev`` is the id of the previous event that group was shown, so
a socket that has delivered less than ``prev`` reads the gap from the database
(helpdesk/live.py). The three groups see different parts of the timeline; all
three are read in one query inside the change's transaction, so that nothing
is read between the commit and the push every follower waits for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from pytest_django.fixtures import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings as SettingsWrapper

from geo.models import AdminUnit
from helpdesk import lifecycle, live
from helpdesk.models import Ticket, TicketEvent
from helpdesk.support import case_support_add
from tests import factories
from tests.conftest import Personas
from tests.notifications.live import default_redis_layers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def redis_layer(settings: SettingsWrapper) -> None:
    settings.CHANNEL_LAYERS = default_redis_layers()


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(
        reporter=personas.resident, commune=commune_a, description="Ổ gà lớn trước cổng trường"
    )


def _received(groups: list[str], change: Callable[[], object]) -> dict[str, dict[str, Any]]:
    """Run ``change`` and return what each of ``groups`` received once it committed."""
    layer = get_channel_layer()

    async def join() -> dict[str, str]:
        channels = {group: await layer.new_channel() for group in groups}
        for group, channel in channels.items():
            await layer.group_add(group, channel)
        return channels

    async def receive(channels: dict[str, str]) -> dict[str, dict[str, Any]]:
        got = {}
        for group, channel in channels.items():
            got[group] = await asyncio.wait_for(layer.receive(channel), 5)
            await layer.group_discard(group, channel)
        return got

    channels = async_to_sync(join)()
    change()
    return async_to_sync(receive)(channels)


def test_each_case_group_gets_the_previous_event_it_was_shown(
    personas: Personas,
    ticket: Ticket,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    neighbour = factories.user_create(full_name="Hàng xóm")
    answer = lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận.")
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Gọi thầu", internal=True)
    case_support_add(ticket=ticket, user=neighbour)  # public, but hidden from the public
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Cảm ơn")  # the same
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        last = lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Mai sửa.")
    timeline = list(ticket.events.order_by("id").values_list("id", "kind", "is_public"))
    note, supported, own_words, latest = (row[0] for row in timeline[-4:])
    assert [row[1:] for row in timeline[-4:]] == [
        (TicketEvent.Kind.NOTE, False),
        (TicketEvent.Kind.SUPPORTED, True),
        (TicketEvent.Kind.REPLY, True),
        (TicketEvent.Kind.REPLY, True),
    ]
    assert latest == last.pk
    assert note < supported < own_words < latest

    case_groups = [f"case.{ticket.pk}.staff", f"case.{ticket.pk}", f"case.{ticket.pk}.public"]
    queue = f"queue.dept.{ticket.department_id}"

    (push,) = [c for c in callbacks if getattr(c, "func", None) is live.event_push]

    def commit() -> None:
        # After the commit, one read: the case as committed, for the queues,
        # after the case groups were sent their ready messages.
        with django_assert_num_queries(1):
            push()

    got = _received([*case_groups, queue], commit)

    assert got[f"case.{ticket.pk}.staff"]["prev"] == own_words  # staff see everything
    assert got[f"case.{ticket.pk}"]["prev"] == own_words  # the reporter: public events
    # The public view skips the note, the "me too" and the reporter's own words.
    assert got[f"case.{ticket.pk}.public"]["prev"] == answer.pk
    for group in case_groups:
        assert got[group]["event"]["id"] == latest
    assert got[queue]["type"] == "queue.ticket"


def test_a_push_that_cannot_be_built_in_the_transaction_is_built_after_it(
    personas: Personas,
    ticket: Ticket,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A fault while building the pushes (here injected once) never fails the
    change it reports: the reply is saved, and its push is built after the commit."""
    real = live.event_payload
    calls = 0

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("injected")
        return real(*args, **kwargs)

    monkeypatch.setattr(live, "event_payload", failing_once)
    group = f"case.{ticket.pk}"

    def reply() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận.")

    got = _received([group], reply)

    saved = ticket.events.latest("id")
    assert (saved.kind, saved.body) == (TicketEvent.Kind.REPLY, "Đã nhận.")
    assert got[group]["event"]["id"] == saved.pk
    assert got[group]["event"]["body"] == "Đã nhận."
    assert "retried after commit" in caplog.text
