"""Relays pass alerts on to households without a phone and mark each one told."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from alerts.models import Relay, RelayHousehold, RelayTold
from alerts.selectors import alerts_reach
from geo.models import AdminUnit
from notifications import fanout
from notifications.push import inbox_group
from tests import factories
from tests.alerts.helpers import publish, resident_of
from tests.conftest import Personas
from tests.notifications.live import default_redis_layers

pytestmark = pytest.mark.django_db


@pytest.fixture
def relay_person(commune_a: AdminUnit) -> User:
    person = factories.user_create(full_name="Trưởng thôn Đồng Tâm")
    relay = Relay.objects.create(
        name=person.full_name, commune=commune_a, village="Thôn Đồng Tâm", person=person
    )
    for name, people in (("Hộ bà Lò Thị Én", 3), ("Hộ ông Ma Văn Sáng", 5)):
        RelayHousehold.objects.create(
            relay=relay, head_name=name, village="Thôn Đồng Tâm", people=people
        )
    return person


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_relay_marks_households_told_once_and_the_officer_sees_the_count(
    personas: Personas, commune_a: AdminUnit, relay_person: User
) -> None:
    alert = publish(personas.officer_a, timezone.now(), commune=commune_a)
    relay = _client(relay_person)
    page = relay.get("/alerts/relay/").content.decode()
    assert alert.short_text in page
    assert "Hộ bà Lò Thị Én" in page
    assert "Hộ ông Ma Văn Sáng" in page
    household = RelayHousehold.objects.get(head_name="Hộ bà Lò Thị Én")
    told_url = f"/alerts/relay/{alert.pk}/households/{household.pk}/told/"
    assert relay.post(told_url).status_code == 302
    assert relay.post(told_url).status_code == 302  # a second tap counts nothing more
    assert RelayTold.objects.filter(alert=alert).count() == 1
    assert alerts_reach(alerts=[alert])[alert.pk].households_told == 1
    assert alerts_reach(alerts=[alert])[alert.pk].households == 2
    assert "data-told" in relay.get("/alerts/relay/").content.decode()
    # The alert's link (the public page) shows a relay the way to their list.
    assert 'href="/alerts/relay/"' in relay.get(f"/alerts/{commune_a.code}/").content.decode()
    public = Client().get(f"/alerts/{commune_a.code}/").content.decode()
    assert 'href="/alerts/relay/"' not in public


def test_only_the_relays_own_households_and_current_alerts_can_be_marked(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, relay_person: User
) -> None:
    elsewhere = publish(personas.officer_b, timezone.now(), commune=commune_b)
    mine = publish(personas.officer_a, timezone.now(), commune=commune_a)
    other_relay = Relay.objects.create(name="X", commune=commune_a, village="Thôn Na Mao")
    stranger_home = RelayHousehold.objects.create(
        relay=other_relay, head_name="Hộ khác", village="Thôn Na Mao"
    )
    own_home = RelayHousehold.objects.get(head_name="Hộ bà Lò Thị Én")
    relay = _client(relay_person)
    url = "/alerts/relay/{}/households/{}/told/"
    assert relay.post(url.format(mine.pk, stranger_home.pk)).status_code == 404
    assert relay.post(url.format(elsewhere.pk, own_home.pk)).status_code == 404
    # Someone who is no relay.
    assert _client(personas.resident).post(url.format(mine.pk, own_home.pk)).status_code == 403
    assert _client(personas.resident).get("/alerts/relay/").status_code == 403
    assert not RelayTold.objects.exists()


def test_a_village_alert_lists_only_that_villages_households(
    personas: Personas, commune_a: AdminUnit, relay_person: User
) -> None:
    relay = Relay.objects.get(person=relay_person)
    RelayHousehold.objects.create(relay=relay, head_name="Hộ Na Mao", village="Thôn Na Mao")
    alert = publish(
        personas.officer_a, timezone.now(), commune=commune_a, villages=("Thôn Na Mao",)
    )
    page = _client(relay_person).get("/alerts/relay/").content.decode()
    assert "Hộ Na Mao" in page
    assert "Hộ bà Lò Thị Én" not in page
    assert alerts_reach(alerts=[alert])[alert.pk].households == 1


def test_an_open_page_hears_the_alert_on_the_inbox_socket(
    settings: Settings,
    personas: Personas,
    commune_a: AdminUnit,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """What static/js/live.js turns into the banner: the inbox push with the alert's link."""
    settings.CHANNEL_LAYERS = default_redis_layers()
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    listener = RedisChannelLayer(hosts=config["hosts"], prefix=config["prefix"])
    person = resident_of(commune_a)
    channel = async_to_sync(listener.new_channel)()
    async_to_sync(listener.group_add)(inbox_group(person.pk), channel)
    alert = publish(personas.officer_a, timezone.now(), commune=commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        fanout.fanouts_process()

    async def next_message() -> dict[str, Any]:
        message: dict[str, Any] = await asyncio.wait_for(listener.receive(channel), 5)
        return message

    pushed = json.loads(async_to_sync(next_message)()["text"])
    assert pushed["type"] == "notification"
    assert pushed["notification"]["title"] == alert.short_text
    assert pushed["notification"]["link"].startswith(f"/alerts/{commune_a.code}/")
