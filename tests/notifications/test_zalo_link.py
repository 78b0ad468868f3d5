"""Linking a resident's Zalo: a one-time code from their settings page, sent by
them to our Official Account, comes back through Zalo's signed webhook."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification, NotificationPreference, ZaloLinkCode
from notifications.zalo_link import WEBHOOK_MAX_BYTES, zalo_link_code_issue
from tests import factories

WEBHOOK = "/api/v1/notifications/zalo/webhook"
APP_ID = "4321987654"
SECRET = "oa-secret-key"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("zalo_keys"),
]


@pytest.fixture
def zalo_keys() -> Any:
    with override_settings(ZALO_APP_ID=APP_ID, ZALO_OA_SECRET_KEY=SECRET):
        yield


def _ms(moment: Any) -> str:
    return str(int(moment.timestamp() * 1000))


def _event(text: str, sender: str = "8412345678901234567", **extra: Any) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "user_id_by_app": "552177279717587730",
        "event_name": "user_send_text",
        "timestamp": _ms(timezone.now()),
        "sender": {"id": sender},
        "recipient": {"id": "579745863508352884"},
        "message": {"msg_id": "abc", "text": text},
        **extra,
    }


def _signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    # As Zalo signs it: sha256(app id + body + timestamp + OA secret key).
    return (
        "mac="
        + hashlib.sha256(APP_ID.encode() + body + timestamp.encode() + secret.encode()).hexdigest()
    )


def _post(body: bytes, signature: str | None) -> Any:
    # A page's CSRF check would refuse Zalo's call: it has no session or token.
    client = Client(enforce_csrf_checks=True)
    headers = {} if signature is None else {"X-ZEvent-Signature": signature}
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


def _send(event: dict[str, Any], secret: str = SECRET) -> Any:
    body = json.dumps(event).encode()
    return _post(body, _signature(body, str(event.get("timestamp", "")), secret))


def _preference(user: User) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()


def test_a_signed_event_with_the_code_links_its_sender() -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    response = _send(_event(f"{code[:3]} {code[3:]}"))
    assert (response.status_code, response.json()) == (200, {"status": "linked"})
    preference = _preference(lan)
    assert preference is not None
    assert (preference.zalo_user_id, preference.zalo_enabled) == ("8412345678901234567", True)
    link_code = ZaloLinkCode.objects.get(user=lan)
    assert link_code.used_at is not None
    assert link_code.zalo_user_id == "8412345678901234567"
    # She is told at once, with the way to undo it: a stranger's lucky guess
    # would not go unseen. Once, however often Zalo resends the event.
    _send(_event(code))
    notices = Notification.objects.filter(recipient=lan)
    assert [(n.title, n.link) for n in notices] == [
        ("Zalo của bạn đã được liên kết", reverse("notifications:preference-edit"))
    ]
    assert "Hủy liên kết Zalo" in notices[0].body
    # Not on the Zalo just linked, which may be a guesser's (a second read).
    channels = set(notices[0].deliveries.values_list("channel", flat=True))
    assert "zalo" not in channels


def test_the_code_is_kept_out_of_its_name_and_the_page_out_of_caches() -> None:
    """The admin's titles, breadcrumbs and log show an object's name; a live
    code links whoever sends it. And the settings page, which shows it, is
    not kept for a shared phone's Back button after log-out."""
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan)
    assert code.code not in str(code)
    client = Client()
    client.force_login(lan)
    response = client.get(reverse("notifications:preference-edit"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "mac=",
        "mac=" + "0" * 64,
        # Signed with another key: not our OA.
        "wrong-key",
    ],
)
def test_a_wrong_or_missing_signature_is_refused(signature: str | None) -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    body = json.dumps(_event(code)).encode()
    if signature == "wrong-key":
        signature = _signature(body, "1765059600000", secret="another")
    response = _post(body, signature)
    assert response.status_code == 403
    assert response.json()["code"] == "zalo_signature_invalid"
    assert response.json()["message"]
    assert _preference(lan) is None
    assert ZaloLinkCode.objects.get(user=lan).used_at is None


def test_a_body_changed_after_signing_is_refused() -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    signed = json.dumps(_event("hello")).encode()
    tampered = json.dumps(_event(code)).encode()
    response = _post(tampered, _signature(signed, "1765059600000"))
    assert response.status_code == 403
    assert _preference(lan) is None


def test_without_the_keys_set_every_event_is_refused() -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    with override_settings(ZALO_OA_SECRET_KEY=""):
        body = json.dumps(_event(code)).encode()
        response = _post(body, _signature(body, "1765059600000", secret=""))
    assert response.status_code == 403
    assert _preference(lan) is None


def test_a_replayed_event_links_once() -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    event = _event(code)
    assert _send(event).json() == {"status": "linked"}
    # The person unlinks; Zalo resending the old event must not link again.
    client = Client()
    client.force_login(lan)
    client.post(reverse("notifications:zalo-unlink"))
    replay = _send(event)
    assert (replay.status_code, replay.json()) == (200, {"status": "unknown_code"})
    preference = _preference(lan)
    assert preference is not None
    assert (preference.zalo_user_id, preference.zalo_enabled) == ("", False)
    assert ZaloLinkCode.objects.filter(user=lan, used_at__isnull=False).count() == 1


def test_an_expired_code_does_nothing() -> None:
    lan = factories.user_create()
    link_code = zalo_link_code_issue(user=lan)
    ZaloLinkCode.objects.filter(pk=link_code.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = _send(_event(link_code.code))
    assert (response.status_code, response.json()) == (200, {"status": "unknown_code"})
    assert _preference(lan) is None


def test_a_used_code_does_nothing_for_another_sender() -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    assert _send(_event(code, sender="111")).json() == {"status": "linked"}
    again = _send(_event(code, sender="222"))
    assert (again.status_code, again.json()) == (200, {"status": "unknown_code"})
    preference = _preference(lan)
    assert preference is not None
    assert preference.zalo_user_id == "111"


@pytest.mark.parametrize(
    "sent",
    [timedelta(minutes=-36), timedelta(days=-400), timedelta(minutes=6)],
    ids=["older-than-a-code-lives", "a-year-old", "dated-ahead"],
)
def test_an_event_from_outside_a_codes_life_links_no_one(sent: timedelta) -> None:
    """Six digits recur: an old event, resent or replayed, may hold the code
    just drawn for someone else."""
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    response = _send(_event(code, timestamp=_ms(timezone.now() + sent)))
    assert (response.status_code, response.json()) == (200, {"status": "stale"})
    assert _preference(lan) is None
    assert ZaloLinkCode.objects.get(user=lan).used_at is None


@pytest.mark.parametrize(
    "timestamp",
    ["", "abc", "١٧٦٥٠٥٩٦٠٠٠٠٠", "-1765059600000", "1765059600000.5", "9" * 15, "9" * 40],
)
def test_an_event_without_a_readable_time_links_no_one(timestamp: str) -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    response = _send(_event(code, timestamp=timestamp))
    assert (response.status_code, response.json()) == (200, {"status": "stale"})
    assert _preference(lan) is None


def test_a_late_event_links_a_code_drawn_before_it_was_sent_only() -> None:
    lan, tu = factories.user_create(), factories.user_create()
    lan_code = zalo_link_code_issue(user=lan)
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    ZaloLinkCode.objects.filter(pk=lan_code.pk).update(
        created_at=ten_minutes_ago - timedelta(minutes=1)
    )
    # Zalo delivers Lan's message ten minutes late: still hers.
    late = _send(_event(lan_code.code, timestamp=_ms(ten_minutes_ago)))
    assert late.json() == {"status": "linked"}
    # Tu's code was drawn a minute ago; an event sent ten minutes ago (beyond
    # the clocks' skew) cannot have read it, whatever digits it holds.
    tu_code = zalo_link_code_issue(user=tu)
    stranger = _send(_event(tu_code.code, sender="999", timestamp=_ms(ten_minutes_ago)))
    assert stranger.json() == {"status": "unknown_code"}
    assert _preference(tu) is None


def test_a_code_links_only_the_person_it_was_shown_to() -> None:
    lan, tu = factories.user_create(), factories.user_create()
    lan_code = zalo_link_code_issue(user=lan).code
    tu_code = zalo_link_code_issue(user=tu).code
    assert lan_code != tu_code
    # Tu's Zalo sends Lan's code: it is Lan's account that is linked (to the
    # Zalo that sent it), Tu's stays as it was.
    assert _send(_event(lan_code, sender="999")).json() == {"status": "linked"}
    lan_preference, tu_preference = _preference(lan), _preference(tu)
    assert lan_preference is not None
    assert lan_preference.zalo_user_id == "999"
    assert tu_preference is None
    assert ZaloLinkCode.objects.get(user=tu).used_at is None


def test_a_new_code_replaces_the_old_one() -> None:
    lan = factories.user_create()
    old = zalo_link_code_issue(user=lan).code
    assert zalo_link_code_issue(user=lan).code == old  # a reload shows the same code
    new = zalo_link_code_issue(user=lan, fresh=True).code
    while new == old:  # one chance in a million: draw again
        new = zalo_link_code_issue(user=lan, fresh=True).code
    assert ZaloLinkCode.objects.filter(user=lan).count() == 1
    assert _send(_event(old)).json() == {"status": "unknown_code"}
    assert _send(_event(new)).json() == {"status": "linked"}


@pytest.mark.parametrize(
    "event",
    [
        {"event_name": "follow", "follower": {"id": "8412"}, "timestamp": "1765059600000"},
        {"event_name": "user_send_image", "sender": {"id": "8412"}, "timestamp": "1"},
        _event("xin chào"),
        _event("123"),
        _event("1234567"),
        _event("", sender="not-a-number"),
        {"event_name": "user_send_text", "timestamp": "1", "sender": "x", "message": 5},
    ],
)
def test_other_events_are_answered_and_ignored(event: dict[str, Any]) -> None:
    lan = factories.user_create()
    zalo_link_code_issue(user=lan)
    response = _send(event)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert _preference(lan) is None


@pytest.mark.parametrize(
    "body",
    # Nested past Python's stack: a RecursionError was a 500 (a second read).
    [b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"", b"[" * 5000],
)
def test_a_body_that_is_no_event_is_a_400(body: bytes) -> None:
    response = _post(body, _signature(body, ""))
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_a_huge_body_is_a_413_before_any_check() -> None:
    event = _event("1" * (WEBHOOK_MAX_BYTES + 1))
    response = _send(event)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_follower_guessing_codes_is_stopped() -> None:
    lan = factories.user_create()
    code = zalo_link_code_issue(user=lan).code
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with override_settings(RATE_LIMITS={"zalo_link_try.phone": (3, 3600)}):
        for _ in range(3):
            assert _send(_event(wrong, sender="777")).json() == {"status": "unknown_code"}
        # Even the right code now: a guesser cannot go on until one hits.
        stopped = _send(_event(code, sender="777"))
        assert (stopped.status_code, stopped.json()) == (200, {"status": "rate_limited"})
    assert _preference(lan) is None


def test_codes_asked_for_are_limited_per_person() -> None:
    lan = factories.user_create()
    client = Client(headers={"accept-language": "en"})
    client.force_login(lan)
    with override_settings(RATE_LIMITS={"zalo_link_code.person": (2, 3600)}):
        for _ in range(2):
            assert client.post(reverse("notifications:zalo-code-new")).status_code == 302
        page = client.post(reverse("notifications:zalo-code-new"), follow=True).content.decode()
        assert "You have asked for many Zalo codes in a short while." in page
        api = client.post("/api/v1/notifications/zalo/link-code?fresh=true")
        assert api.status_code == 429
        assert api.json()["code"] == "zalo_link_codes_too_many"
        assert api["Retry-After"]
    # The live code is still given back (no new draw is needed to show it).
    assert client.post("/api/v1/notifications/zalo/link-code").status_code == 200
