"""The inbox and preferences pages, the preferences API, and the live-update hooks of pages."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.auth import api_token_create
from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketEvent
from notifications.api import NotificationPreferenceIn
from notifications.models import Notification, NotificationPreference
from notifications.services import Message, notifications_send
from tests.conftest import Personas
from tests.factories import case_file

PERSONAS = ("resident", "digital_team", "officer_a", "officer_b", "leader_a", "province_admin")
STAFF = ("officer_a", "officer_b", "leader_a", "province_admin")
PREFERENCES_API = "/api/v1/notifications/preferences"


def _client(user: User | None = None) -> Client:
    # English, so assertions read the msgids.
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def _send(user: User, key: str, title: str, link: str = "/cases/TN-2026-00001/") -> Notification:
    [notification] = notifications_send(
        recipient_ids=[user.pk],
        message=Message(texts={"vi": (title, "Nội dung"), "en": (title, "Text")}, dedupe_key=key),
    )
    Notification.objects.filter(pk=notification.pk).update(link=link)
    return notification


def _unread(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _file(commune: AdminUnit, reporter: User) -> Ticket:
    return case_file(
        reporter=reporter,
        commune=commune,
        service_code="streetlight_out",
        description="Đèn đường hỏng trước cổng trường",
    )


def _live_attributes(content: str) -> tuple[str, int]:
    found = re.search(r'data-live-case="([^"]+)" data-live-after="(\d+)"', content)
    assert found is not None
    return found.group(1), int(found.group(2))


# --- Inbox page -------------------------------------------------------------------


@pytest.mark.django_db
def test_inbox_asks_anonymous_to_log_in() -> None:
    response = _client().get(reverse("notifications:notification-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_inbox_shows_only_my_notifications_newest_first_unread_marked(
    personas: Personas,
) -> None:
    _send(personas.resident, "a", "Older message for Lan")
    newer = _send(personas.resident, "b", "Newer message for Lan")
    _send(personas.digital_team, "c", "Message for Tú")
    Notification.objects.filter(recipient=personas.resident, dedupe_key="a").update(
        read_at=newer.created_at
    )

    content = _client(personas.resident).get(reverse("notifications:notification-list"))
    html = content.content.decode()
    assert html.index("Newer message for Lan") < html.index("Older message for Lan")
    assert "Message for Tú" not in html
    assert html.count('class="notification unread"') == 1
    assert reverse("notifications:notification-open", args=[newer.pk]) in html

    other = _client(personas.digital_team).get(reverse("notifications:notification-list"))
    assert "message for Lan" not in other.content.decode()


@pytest.mark.django_db
def test_inbox_is_paginated_with_a_bounded_number_of_queries(
    personas: Personas, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for number in range(25):
        _send(personas.resident, f"key-{number}", f"Message {number:02d}")
    client = _client(personas.resident)
    client.get(reverse("notifications:notification-list"))  # warm the session
    # Session, user, the header's console link and unread badge, count, page.
    with django_assert_max_num_queries(6):
        first = client.get(reverse("notifications:notification-list"))
    assert len(first.context["page"].object_list) == 20
    assert "Message 24" in first.content.decode()
    second = client.get(reverse("notifications:notification-list"), {"page": "2"})
    assert [n.title for n in second.context["page"].object_list] == [
        f"Message {n:02d}" for n in range(4, -1, -1)
    ]


@pytest.mark.django_db
def test_mark_all_read_marks_only_my_notifications(personas: Personas) -> None:
    _send(personas.resident, "a", "One")
    _send(personas.resident, "b", "Two")
    _send(personas.digital_team, "a", "Someone else's")
    client = _client(personas.resident)

    assert client.get(reverse("notifications:notification-read-all")).status_code == 405
    response = client.post(reverse("notifications:notification-read-all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:notification-list")
    assert _unread(personas.resident) == 0
    assert _unread(personas.digital_team) == 1
    assert 'class="notification unread"' not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_opening_a_notification_marks_it_read_and_goes_to_its_case(personas: Personas) -> None:
    mine = _send(personas.resident, "a", "Mine", link="/cases/TN-2026-00007/")
    response = _client(personas.resident).get(
        reverse("notifications:notification-open", args=[mine.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/TN-2026-00007/"
    assert _unread(personas.resident) == 0


@pytest.mark.django_db
def test_opening_another_persons_notification_changes_nothing(personas: Personas) -> None:
    theirs = _send(personas.digital_team, "a", "Theirs")
    response = _client(personas.resident).get(
        reverse("notifications:notification-open", args=[theirs.pk])
    )
    assert response["Location"] == reverse("notifications:notification-list")
    assert _unread(personas.digital_team) == 1


@pytest.mark.django_db
def test_opening_a_notification_never_leaves_the_site(personas: Personas) -> None:
    odd = _send(personas.resident, "a", "Odd link", link="https://evil.example/")
    response = _client(personas.resident).get(
        reverse("notifications:notification-open", args=[odd.pk])
    )
    assert response["Location"] == reverse("notifications:notification-list")


@pytest.mark.django_db
def test_header_badge_links_to_the_inbox_page(personas: Personas) -> None:
    html = _client(personas.resident).get(reverse("reports:case-list")).content.decode()
    assert f'class="unread" href="{reverse("notifications:notification-list")}"' in html
    assert "/api/v1/notifications/?unread" not in html


# --- Preferences page -------------------------------------------------------------


def _form(**changes: str) -> dict[str, str]:
    data = {
        "email_enabled": "on",
        "sms_enabled": "on",
        "zalo_enabled": "on",
        "zalo_user_id": " 84123456789 ",
        "quiet_start": "22:00",
        "quiet_end": "06:30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.django_db
def test_preferences_page_asks_anonymous_to_log_in() -> None:
    response = _client().get(reverse("notifications:preference-edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_preferences_page_shows_the_defaults_before_anything_is_saved(
    personas: Personas,
) -> None:
    response = _client(personas.resident).get(reverse("notifications:preference-edit"))
    assert response.status_code == 200
    assert response.context["form"]["quiet_start"].value() == time(21, 0)
    assert not NotificationPreference.objects.filter(user=personas.resident).exists()


@pytest.mark.django_db
def test_preferences_are_saved(personas: Personas) -> None:
    # An officer: staff type the Zalo follower id; a resident links it with a
    # code instead (tests/notifications/test_zalo_link.py).
    client = _client(personas.officer_a)
    response = client.post(reverse("notifications:preference-edit"), _form(sms_enabled=""))
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=personas.officer_a)
    assert (preference.email_enabled, preference.sms_enabled, preference.zalo_enabled) == (
        True,
        False,
        True,
    )
    assert preference.zalo_user_id == "84123456789"
    assert (preference.quiet_start, preference.quiet_end) == (time(22, 0), time(6, 30))
    page = client.get(response["Location"]).content.decode()
    assert "Your notification settings are saved." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"zalo_user_id": ""}, "To receive messages on Zalo, enter your Zalo follower id."),
        ({"quiet_end": "22:00"}, "Quiet hours must start and end at different times."),
        ({"quiet_start": "25:00"}, "Please check what you entered."),
    ],
)
def test_preferences_refuse_bad_input_with_a_message(
    personas: Personas, changes: dict[str, str], message: str
) -> None:
    response = _client(personas.officer_a).post(
        reverse("notifications:preference-edit"), _form(**changes)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not NotificationPreference.objects.filter(user=personas.officer_a).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_daily_digest_is_offered_to_staff_only(personas: Personas, name: str) -> None:
    response = _client(getattr(personas, name)).get(reverse("notifications:preference-edit"))
    assert ('name="daily_digest"' in response.content.decode()) == (name in STAFF)


@pytest.mark.django_db
def test_officer_turns_the_daily_digest_on(personas: Personas) -> None:
    _client(personas.officer_a).post(
        reverse("notifications:preference-edit"), _form(daily_digest="on")
    )
    assert NotificationPreference.objects.get(user=personas.officer_a).daily_digest


@pytest.mark.django_db
def test_resident_cannot_turn_the_daily_digest_on_by_posting_it(personas: Personas) -> None:
    response = _client(personas.resident).post(
        reverse("notifications:preference-edit"), _form(daily_digest="on")
    )
    assert response.status_code == 302
    assert not NotificationPreference.objects.get(user=personas.resident).daily_digest


# --- Preferences API --------------------------------------------------------------


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email_enabled": False,
        "sms_enabled": True,
        "zalo_enabled": True,
        "zalo_user_id": "84123456789",
        "quiet_start": "22:00",
        "quiet_end": "06:00",
        "daily_digest": False,
    }
    body.update(changes)
    return body


@pytest.mark.django_db
def test_preferences_api_refuses_anonymous() -> None:
    assert _client().get(PREFERENCES_API).status_code == 401
    response = _client().put(PREFERENCES_API, _body(), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_preferences_api_reads_defaults_and_offers_digest_to_staff(
    personas: Personas, name: str
) -> None:
    response = _client(getattr(personas, name)).get(PREFERENCES_API)
    assert response.status_code == 200
    assert response.json() == {
        "email_enabled": True,
        "sms_enabled": True,
        "zalo_enabled": False,
        "zalo_user_id": "",
        "quiet_start": "21:00:00",
        "quiet_end": "07:00:00",
        "daily_digest": False,
        "daily_digest_offered": name in STAFF,
        "language": "vi",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_preferences_api_saves_and_digest_is_for_staff_only(personas: Personas, name: str) -> None:
    user = getattr(personas, name)
    client = _client(user)
    response = client.put(
        PREFERENCES_API, _body(daily_digest=True), content_type="application/json"
    )
    if name in STAFF:
        assert response.status_code == 200
        assert response.json()["daily_digest"] is True
        assert client.get(PREFERENCES_API).json()["quiet_start"] == "22:00:00"
    else:
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"
        problem = "The daily digest is only available to officers."
        assert response.json()["details"] == {
            "fields": [{"field": "daily_digest", "problem": problem}]
        }
        assert not NotificationPreference.objects.filter(user=user).exists()
    saved = client.put(PREFERENCES_API, _body(zalo_enabled=False), content_type="application/json")
    assert saved.status_code == 200
    # Staff type their Zalo id; a resident's comes only from linking with a
    # code (notifications/zalo_link.py), whatever the API is sent.
    stored = NotificationPreference.objects.get(user=user).zalo_user_id
    assert stored == ("84123456789" if name in STAFF else "")


@pytest.mark.django_db
def test_a_residents_zalo_id_is_never_taken_from_the_api(personas: Personas) -> None:
    """A resident's Zalo comes only from linking: an id sent to the API is not
    taken (it skipped the proof that the Zalo is theirs), one left out does not
    unlink them, and Zalo cannot be turned on before a link (a second read)."""
    client = _client(personas.resident)
    response = client.put(PREFERENCES_API, _body(), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "zalo_enabled"
    assert "link your Zalo first" in response.json()["message"]
    NotificationPreference.objects.create(
        user=personas.resident, zalo_enabled=True, zalo_user_id="8400000000001"
    )
    body = _body(zalo_user_id="", email_enabled=True)
    assert client.put(PREFERENCES_API, body, content_type="application/json").status_code == 200
    preference = NotificationPreference.objects.get(user=personas.resident)
    assert (preference.zalo_user_id, preference.zalo_enabled) == ("8400000000001", True)
    other = _body(zalo_user_id="8499999999999")
    assert client.put(PREFERENCES_API, other, content_type="application/json").status_code == 200
    preference.refresh_from_db()
    assert preference.zalo_user_id == "8400000000001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"zalo_user_id": "  "},
            "zalo_user_id",
            "To receive messages on Zalo, enter your Zalo follower id.",
        ),
        (
            {"quiet_end": "22:00"},
            "quiet_end",
            "Quiet hours must start and end at different times.",
        ),
    ],
)
def test_preferences_api_refuses_bad_input_with_a_message(
    personas: Personas, changes: dict[str, Any], field: str, message: str
) -> None:
    # An officer, who types a Zalo id (a resident links one: the test below).
    response = _client(personas.officer_a).put(
        PREFERENCES_API, _body(**changes), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_input",
        "message": message,
        "details": {"fields": [{"field": field, "problem": message}]},
    }


@pytest.mark.django_db
def test_preferences_api_refuses_a_malformed_time(personas: Personas) -> None:
    response = _client(personas.resident).put(
        PREFERENCES_API, _body(quiet_start="nine"), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.django_db
def test_preferences_api_accepts_an_api_token(personas: Personas) -> None:
    token = api_token_create(user=personas.resident)
    client = Client(headers={"authorization": f"Bearer {token}"})
    body = _body(zalo_enabled=False)  # a resident's Zalo comes from linking
    response = client.put(PREFERENCES_API, body, content_type="application/json")
    assert response.status_code == 200
    assert client.get(PREFERENCES_API).json()["sms_enabled"] is True


# --- Live-update hooks ------------------------------------------------------------


@pytest.fixture
def case_with_internal_note(personas: Personas, commune_a: AdminUnit) -> Ticket:
    ticket = _file(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Đã cử đội kiểm tra.")
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Ghi chú nội bộ", internal=True
    )
    return ticket


@pytest.mark.django_db
def test_console_case_page_follows_from_its_last_event(
    personas: Personas, case_with_internal_note: Ticket
) -> None:
    ticket = case_with_internal_note
    last = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert not last.is_public
    response = _client(personas.officer_a).get(
        reverse("console:ticket-detail", args=[ticket.number])
    )
    html = response.content.decode()
    assert _live_attributes(html) == (ticket.number, last.pk)
    assert "data-live-banner hidden" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["resident", "officer_a"])
def test_resident_case_page_follows_from_its_last_public_event(
    personas: Personas, case_with_internal_note: Ticket, name: str
) -> None:
    ticket = case_with_internal_note
    public = TicketEvent.objects.filter(ticket=ticket, is_public=True).latest("id")
    internal = TicketEvent.objects.filter(ticket=ticket, is_public=False).get()
    response = _client(getattr(personas, name)).get(
        reverse("reports:case-detail", args=[ticket.number])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _live_attributes(html) == (ticket.number, public.pk)
    assert public.pk < internal.pk
    assert f'data-live-after="{internal.pk}"' not in html
    assert "data-live-public-only" in html
    assert "Ghi chú nội bộ" not in html


@pytest.mark.django_db
def test_queue_page_has_the_live_banner(personas: Personas) -> None:
    html = _client(personas.officer_a).get(reverse("console:queue")).content.decode()
    assert "data-live-queue" in html
    assert "data-live-banner hidden" in html
    assert "data-live-count" in html


@pytest.mark.django_db
def test_inbox_page_is_vietnamese_by_default(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.resident)
    response = client.get(reverse("notifications:notification-list"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_header_badge_shows_the_unread_count_without_javascript(personas: Personas) -> None:
    client = _client(personas.resident)
    badge = re.compile(r"<span class=\"badge\" data-live-unread( hidden)?>(\d*)</span>")
    found = badge.search(client.get("/").content.decode())
    assert found is not None
    assert found.groups() == (" hidden", "")
    _send(personas.resident, "a", "Một")
    _send(personas.resident, "b", "Hai")
    _send(personas.officer_a, "c", "Not mine")
    found = badge.search(client.get("/").content.decode())
    assert found is not None
    assert found.groups() == (None, "2")


@pytest.mark.django_db
def test_email_is_offered_only_to_a_person_with_an_address(personas: Personas) -> None:
    """A resident logged in by phone, with no email address, saw "By email"
    ticked (a helper walking make run): it promised what never came."""
    resident = personas.resident
    assert not resident.email
    page = _client(resident).get(reverse("notifications:preference-edit"))
    assert "email_enabled" not in page.context["form"].fields
    assert 'name="email_enabled"' not in page.content.decode()
    # Saving the rest keeps the email choice as it was.
    saved = _client(resident).post(reverse("notifications:preference-edit"), _form(sms_enabled=""))
    assert saved.status_code == 302
    assert NotificationPreference.objects.get(user=resident).email_enabled is True
    resident.email = "lan@example.vn"
    resident.save(update_fields=["email"])
    page = _client(resident).get(reverse("notifications:preference-edit"))
    assert "email_enabled" in page.context["form"].fields


@pytest.mark.django_db
def test_preferences_api_reads_and_saves_the_accounts_language(personas: Personas) -> None:
    """The settings page offers the language (notifications/views.py); the API
    the app uses does too, with the same service, and leaving it out keeps it."""
    resident = personas.resident
    client = _client(resident)
    saved = client.put(
        PREFERENCES_API, _body(zalo_enabled=False, language="en"), content_type="application/json"
    )
    assert saved.status_code == 200
    assert saved.json()["language"] == "en"
    # A page script using the session sees the site in it, as after the settings page.
    assert saved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    resident.refresh_from_db()
    assert resident.language == "en"
    kept = client.put(PREFERENCES_API, _body(zalo_enabled=False), content_type="application/json")
    assert kept.json()["language"] == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in kept.cookies  # no change, no new cookie
    # The schema offers exactly the account's languages.
    offered = NotificationPreferenceIn.model_json_schema()["properties"]["language"]
    assert set(offered["anyOf"][0]["enum"]) == set(User.Language.values)
    refused = client.put(
        PREFERENCES_API, _body(zalo_enabled=False, language="fr"), content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["details"]["fields"][0]["field"] == "payload.language"
    # A refused body saves nothing, the language included.
    back = client.put(
        PREFERENCES_API,
        _body(zalo_enabled=False, language="vi", quiet_start="22:00", quiet_end="22:00"),
        content_type="application/json",
    )
    assert back.status_code == 422
    resident.refresh_from_db()
    assert resident.language == "en"


@pytest.mark.django_db
def test_a_boxs_words_come_after_it_without_a_colon(personas: Personas) -> None:
    """A box read "☐ Qua SMS:", like a field waiting for input (a helper's walk)."""
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.officer_a)
    page = client.get(reverse("notifications:preference-edit")).content.decode()
    assert "Qua SMS</label>" in page
    assert "Qua SMS:" not in page
