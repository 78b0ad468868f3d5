"""The inbox API: each person sees and marks only their own messages."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.auth import api_token_create
from notifications.services import Message, notifications_send
from tests import factories


@pytest.mark.django_db
def test_inbox_lists_own_messages_and_marks_them_read() -> None:
    lan, tu = factories.user_create(), factories.user_create()
    for key in ("a", "b"):
        notifications_send(
            recipient_ids=[lan.pk],
            message=Message(texts={"vi": ("Tiêu đề", "Nội dung")}, dedupe_key=key),
        )
    client = Client()
    client.force_login(lan)
    items = client.get("/api/v1/notifications/?unread=true").json()["items"]
    assert len(items) == 2
    assert client.get("/api/v1/notifications/unread").json() == {"unread": 2}
    assert client.post(f"/api/v1/notifications/{items[0]['id']}/read").json() == {"unread": 1}
    other = Client()
    other.force_login(tu)
    assert other.post(f"/api/v1/notifications/{items[1]['id']}/read").status_code == 404
    assert other.get("/api/v1/notifications/").json()["items"] == []
    assert client.post("/api/v1/notifications/read-all").json() == {"unread": 0}
    assert Client().get("/api/v1/notifications/").status_code == 401


@pytest.mark.django_db
def test_app_clients_read_the_inbox_with_their_token() -> None:
    """A phone app signs in with a token (no session cookie): its inbox works too.

    The stateful fuzz run found every inbox route answering 401 to a token the
    rest of the API accepted.
    """
    lan = factories.user_create()
    notifications_send(
        recipient_ids=[lan.pk],
        message=Message(texts={"vi": ("Tiêu đề", "Nội dung")}, dedupe_key="token"),
    )
    client = Client(headers={"authorization": f"Bearer {api_token_create(user=lan)}"})
    items = client.get("/api/v1/notifications/").json()["items"]
    assert [item["title"] for item in items] == ["Tiêu đề"]
    assert client.get("/api/v1/notifications/unread").json() == {"unread": 1}
    assert client.post(f"/api/v1/notifications/{items[0]['id']}/read").json() == {"unread": 0}
    assert (
        client.get("/api/v1/notifications/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    )
