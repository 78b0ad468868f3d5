"""What event_publish hands each case group: the gap check every socket relies on.

Each group's ``prev`` is the id of the previous event that group was shown, so
a socket that has delivered less than ``prev`` reads the gap from the database
(helpdesk/live.py). The three groups see different parts of the timeline, and
all three are read in one query between the commit and the push.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from pytest_django.fixtures import DjangoAssertNumQueries
from pytest_django.fixtures import Settings as SettingsWrapper

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.live import event_publish
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
    return factories.pothole_case(reporter=personas.resident, commune=commune_a)


def _published(event_id: int, groups: list[str]) -> dict[str, dict[str, Any]]:
    """Publish ``event_id`` and return what each of ``groups`` received."""
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
    event_publish(event_id)
    return async_to_sync(receive)(channels)


def test_each_case_group_gets_the_previous_event_it_was_shown(
    personas: Personas, ticket: Ticket, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    neighbour = factories.user_create(full_name="Hàng xóm")
    answer = lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã nhận.")
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Gọi thầu", internal=True)
    case_support_add(ticket=ticket, user=neighbour)  # public, but hidden from the public
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Cảm ơn")  # the same
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

    groups = [f"case.{ticket.pk}.staff", f"case.{ticket.pk}", f"case.{ticket.pk}.public"]
    got = _published(latest, groups)

    assert got[f"case.{ticket.pk}.staff"]["prev"] == own_words  # staff see everything
    assert got[f"case.{ticket.pk}"]["prev"] == own_words  # the reporter: public events
    # The public view skips the note, the "me too" and the reporter's own words.
    assert got[f"case.{ticket.pk}.public"]["prev"] == answer.pk
    assert note < supported < own_words < latest
    for message in got.values():
        assert message["event"]["id"] == latest

    # The reads before the push: the event with its case, the three previous
    # ids in one query, and the residents' names the public copy masks.
    with django_assert_max_num_queries(4):
        event_publish(latest)
