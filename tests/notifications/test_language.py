"""Messages follow the language a person chose, from the header's button or
the preferences page.

A message's text is picked by the recipient's account language when its inbox
row is written (notifications/services.py, ``_inbox_rows_insert``); its SMS,
Zalo and email copies send that row. So a switch counts for every message
written after it, and those written before keep their words.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from core import sms
from core.errors import InvalidInput
from notifications.fanout import fanouts_process
from notifications.models import Channel, Delivery, Notification, NotificationPreference
from notifications.outbox import deliveries_process
from notifications.services import Message, notification_preferences_update, notifications_send
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 12, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PAGE = "/notifications/preferences/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def memory_gateways(settings: Settings) -> None:
    settings.SMS_BACKEND = "memory"
    settings.ZALO_BACKEND = "memory"
    sms.outbox.clear()


def _message(key: str) -> Message:
    return Message(
        texts={
            "vi": (f"Báo cáo #{key} đã được tiếp nhận", "Dự kiến xử lý trước 17:00"),
            "en": (f"Report #{key} accepted", "Expected by 17:00"),
        },
        dedupe_key=key,
    )


def _logged_in(user: User, language: str = "vi") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _language(user: User) -> str:
    return User.objects.values_list("language", flat=True).get(pk=user.pk)


def _checked_language(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="language" value="(\w+)"[^>]*checked', page)


def test_after_the_switch_new_messages_and_their_sms_are_english(
    personas: Personas, settings: Settings
) -> None:
    resident = personas.resident
    [before] = notifications_send(recipient_ids=[resident.pk], message=_message("A1"), now=NOON)
    # A message to many people is written later by the worker (a FanOut row):
    # it takes the language the person has then.
    inline_max = settings.NOTIFICATIONS_INLINE_MAX
    settings.NOTIFICATIONS_INLINE_MAX = 0
    notifications_send(recipient_ids=[resident.pk], message=_message("A2"), now=NOON)
    settings.NOTIFICATIONS_INLINE_MAX = inline_max

    client = _logged_in(resident)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302

    [after] = notifications_send(recipient_ids=[resident.pk], message=_message("A3"), now=NOON)
    assert fanouts_process(now=NOON) == 1
    rows = {n.dedupe_key: n for n in Notification.objects.filter(recipient=resident)}
    assert (after.title, after.language) == ("Report #A3 accepted", "en")
    assert (rows["A2"].title, rows["A2"].language) == ("Report #A2 accepted", "en")
    # Written before the switch: kept as written.
    assert (before.title, before.language) == ("Báo cáo #A1 đã được tiếp nhận", "vi")
    assert rows["A1"].title == "Báo cáo #A1 đã được tiếp nhận"

    inbox = client.get("/notifications/").content.decode()
    assert "Report #A3 accepted" in inbox
    assert "Báo cáo #A1 đã được tiếp nhận" in inbox

    assert Delivery.objects.filter(channel=Channel.SMS).count() == 3
    deliveries_process(now=NOON)
    texts = sorted(message.text for message in sms.outbox)
    assert texts == [
        "Báo cáo #A1 đã được tiếp nhận. Dự kiến xử lý trước 17:00",
        "Report #A2 accepted. Expected by 17:00",
        "Report #A3 accepted. Expected by 17:00",
    ]


def test_the_preferences_page_offers_and_saves_the_language(personas: Personas) -> None:
    resident = personas.resident
    client = _logged_in(resident)
    page = client.get(PAGE).content.decode()
    assert _checked_language(page) == ["vi"]
    # Each named in itself, and marked so a screen reader uses that voice.
    assert re.search(r'<label for="id_language_0" lang="vi">Tiếng Việt</label>', page)
    assert re.search(r'<label for="id_language_1" lang="en">English</label>', page)

    data = {"sms_enabled": "on", "quiet_start": "22:00", "quiet_end": "06:00", "language": "en"}
    response = client.post(PAGE, data)
    assert response.status_code == 302
    assert _language(resident) == User.Language.ENGLISH
    preference = NotificationPreference.objects.get(user=resident)
    assert (preference.quiet_start, preference.quiet_end) == (time(22, 0), time(6, 0))
    # The site follows, and says it saved in the language it now shows.
    assert response.cookies[COOKIE].value == "en"
    page = client.get(PAGE).content.decode()
    assert '<html lang="en">' in page
    assert "Your notification settings are saved." in page
    assert _checked_language(page) == ["en"]
    [note] = notifications_send(recipient_ids=[resident.pk], message=_message("B1"), now=NOON)
    assert note.title == "Report #B1 accepted"

    # Saving again with the language untouched leaves the site's as it is.
    response = client.post(PAGE, {**data, "quiet_start": "23:00"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    # A form without the field (an older page) keeps the saved language.
    assert client.post(PAGE, {k: v for k, v in data.items() if k != "language"}).status_code == 302
    assert _language(resident) == User.Language.ENGLISH


def test_a_language_not_offered_is_refused_like_the_other_fields(personas: Personas) -> None:
    client = _logged_in(personas.resident, language="en")
    data = {"sms_enabled": "on", "quiet_start": "22:00", "quiet_end": "06:00", "language": "fr"}
    response = client.post(PAGE, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please check what you entered." in page
    assert response.context["form"].errors["language"]
    assert COOKIE not in response.cookies
    assert _language(personas.resident) == User.Language.VIETNAMESE
    assert not NotificationPreference.objects.exists()  # nothing else saved either


def test_the_service_refuses_a_language_with_the_field_named(personas: Personas) -> None:
    """The rule is the service's (accounts.services.user_language_set), as for
    the page's other fields; a refused language saves none of the rest."""
    with pytest.raises(InvalidInput) as refused:
        notification_preferences_update(
            user=personas.resident,
            email_enabled=False,
            sms_enabled=False,
            zalo_enabled=False,
            zalo_user_id="",
            quiet_start=time(22, 0),
            quiet_end=time(6, 0),
            language="fr",
        )
    assert refused.value.field == "language"
    assert not NotificationPreference.objects.exists()
    assert _language(personas.resident) == User.Language.VIETNAMESE
