"""The preferences page on a small phone: quiet hours as 24-hour whole hours
(not "09:00 PM"), and no bare Zalo follower id box for a resident, who cannot
know that id: they link their Zalo with a code instead."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.forms import HOURS, NotificationPreferenceForm
from notifications.models import NotificationPreference, ZaloLinkCode
from tests.conftest import Personas

PAGE = "notifications:preference-edit"


def _page(user: User, language: str = "vi") -> str:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client.get(reverse(PAGE)).content.decode()


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, flags=re.S)
    assert found, f"no <select> named {name}"
    return found.group(1)


def _selected(options: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)" selected>', options)


@pytest.mark.django_db
def test_quiet_hours_are_two_selects_of_24_hour_whole_hours(personas: Personas) -> None:
    """<input type="time"> showed "09:00 PM" on a Vietnamese page in a phone's Chrome."""
    page = _page(personas.resident)
    assert 'type="time"' not in page
    start, end = _select(page, "quiet_start"), _select(page, "quiet_end")
    values = re.findall(r'<option value="([^"]+)"', start)
    assert values == [f"{hour:02d}:00" for hour in range(24)]
    assert re.findall(r">([^<]+)</option>", start) == values  # shown as written: 21:00
    assert _selected(start) == ["21:00"]  # the defaults, as stored
    assert _selected(end) == ["07:00"]
    # Not in the CSRF tokens' random letters (the page has one per form).
    shown = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    assert "PM" not in shown
    assert "AM" not in shown


@pytest.mark.django_db
def test_an_hour_chosen_is_stored_as_the_time_it_was(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.resident)
    data = {"sms_enabled": "on", "quiet_start": "22:00", "quiet_end": "05:00"}
    assert client.post(reverse(PAGE), data).status_code == 302
    preference = NotificationPreference.objects.get(user=personas.resident)
    assert (preference.quiet_start, preference.quiet_end) == (time(22, 0), time(5, 0))
    page = client.get(reverse(PAGE)).content.decode()
    assert _selected(_select(page, "quiet_start")) == ["22:00"]
    assert _selected(_select(page, "quiet_end")) == ["05:00"]


@pytest.mark.django_db
def test_a_time_between_hours_saved_by_the_api_is_shown_and_kept(personas: Personas) -> None:
    """The API takes any HH:MM: the page offers it as it is, so saving the page
    does not move 06:30 to an hour."""
    NotificationPreference.objects.create(
        user=personas.resident, quiet_start=time(22, 15), quiet_end=time(6, 30)
    )
    page = _page(personas.resident)
    end = _select(page, "quiet_end")
    assert _selected(end) == ["06:30"]
    values = re.findall(r'<option value="([^"]+)"', end)
    assert values == sorted(values)  # in its place among the hours
    assert len(values) == 25
    client = Client()
    client.force_login(personas.resident)
    data = {"sms_enabled": "on", "quiet_start": "22:15", "quiet_end": "06:30"}
    assert client.post(reverse(PAGE), data).status_code == 302
    preference = NotificationPreference.objects.get(user=personas.resident)
    assert (preference.quiet_start, preference.quiet_end) == (time(22, 15), time(6, 30))


def test_a_posted_time_with_a_fraction_stays_chosen_when_the_page_comes_back() -> None:
    """TimeField reads "21:00:00.5"; the list must show it chosen when another
    field sends the page back, or the browser shows 00:00 and a second save
    stores that (a second read)."""
    form = NotificationPreferenceForm(
        {"quiet_start": "21:00:00.5", "quiet_end": "21:00:00.5"},
        offer_digest=False,
        offer_email=False,
    )
    html = str(form["quiet_start"])
    assert '<option value="21:00" selected>21:00</option>' in html


def test_quiet_hours_validation_is_the_time_fields() -> None:
    form = NotificationPreferenceForm(
        {"quiet_start": "25:00", "quiet_end": "07:00"}, offer_digest=False, offer_email=False
    )
    assert not form.is_valid()
    assert "quiet_start" in form.errors
    assert len(HOURS) == 24


@pytest.mark.django_db
def test_a_resident_is_told_how_to_get_zalo_messages_not_asked_for_an_id(
    personas: Personas,
) -> None:
    """Nothing a resident can see in Zalo is their follower id: the bare box
    asked a farmer for what they cannot know, and "ask the commune office"
    sent them to an office with no tool to find it. They send our Official
    Account a code instead (notifications/zalo_link.py)."""
    page = _page(personas.resident)
    assert "bấm “Quan tâm”" in page
    # Opening the page draws no code: only the button does (a second read:
    # a live code for everyone who looked, and for a shared phone's Back).
    assert not ZaloLinkCode.objects.exists()
    assert "Bấm lấy mã, rồi nhắn mã đó cho trang Zalo chính thức ấy." in page
    assert "OA" not in page.split('id="zalo"', 1)[-1].split("</section>", 1)[0]
    assert 'action="/notifications/preferences/zalo/code/"' in page
    client = Client()
    client.force_login(personas.resident)
    assert client.post(reverse("notifications:zalo-code-new")).status_code == 302
    page = _page(personas.resident)
    assert "Nhắn cho tài khoản đó mã này:" in page
    code = ZaloLinkCode.objects.get(user=personas.resident, used_at__isnull=True).code
    assert re.search(rf'<strong class="zalo-code"[^>]*>{code[:3]} {code[3:]}</strong>', page)
    assert "Dùng được một lần, trong 30 phút" in page
    # Reopened later, the same code says the time it has left.
    ZaloLinkCode.objects.filter(code=code).update(expires_at=timezone.now() + timedelta(minutes=12))
    page = _page(personas.resident)
    assert re.search(rf'<strong class="zalo-code"[^>]*>{code[:3]} {code[3:]}</strong>', page)
    assert "Dùng được một lần, trong 12 phút" in page
    assert 'action="/notifications/preferences/zalo/code/"' in page  # a new code, no script
    # No box for the id, and no office to ask: the code does it.
    assert 'name="zalo_user_id"' not in page
    assert "Nhờ cán bộ xã/phường" not in page
    assert "Cần để nhận tin qua Zalo: ID mà" not in page  # the bare field's hint
    # Zalo is chosen once linked; until then the page points to the steps.
    assert 'name="zalo_enabled"' not in page
    # Reloading shows the same code (it may be half typed into Zalo).
    assert f"{code[:3]} {code[3:]}" in _page(personas.resident)
    assert ZaloLinkCode.objects.filter(user=personas.resident).count() == 1


@pytest.mark.django_db
def test_the_official_account_is_named_and_linked_when_configured(personas: Personas) -> None:
    with override_settings(
        ZALO_OA_NAME="UBND xã Tân Lập", ZALO_OA_URL_FOLLOW="https://zalo.me/123"
    ):
        page = _page(personas.resident)
    assert "tìm trang Zalo chính thức “UBND xã Tân Lập” và bấm “Quan tâm”" in page
    assert 'href="https://zalo.me/123"' in page


@pytest.mark.django_db
def test_a_linked_resident_sees_it_and_can_unlink(personas: Personas) -> None:
    NotificationPreference.objects.create(
        user=personas.resident, zalo_enabled=True, zalo_user_id="84123456789"
    )
    page = _page(personas.resident, language="en")
    assert "Zalo is linked: updates can come to you on Zalo." in page
    assert 'action="/notifications/preferences/zalo/unlink/"' in page
    assert 'name="zalo_enabled"' in page  # Zalo can be paused without unlinking
    assert "84123456789" not in page  # the id means nothing to them
    assert not ZaloLinkCode.objects.exists()  # no code to show
    client = Client()
    client.force_login(personas.resident)
    data = {"sms_enabled": "on", "quiet_start": "21:00", "quiet_end": "07:00"}
    assert client.post(reverse(PAGE), data).status_code == 302  # Zalo unticked: paused
    preference = NotificationPreference.objects.get(user=personas.resident)
    assert (preference.zalo_enabled, preference.zalo_user_id) == (False, "84123456789")
    assert client.post(reverse("notifications:zalo-unlink")).status_code == 302
    preference.refresh_from_db()
    assert (preference.zalo_enabled, preference.zalo_user_id) == (False, "")
    again = _page(personas.resident, language="en")
    assert "Zalo is linked: updates" not in again
    assert "Get a code, then send it to the Official Account in a message." in again


@pytest.mark.django_db
def test_a_resident_not_linked_cannot_turn_zalo_on_by_hand(personas: Personas) -> None:
    """A posted tick without a linked Zalo is not offered, so not taken (it
    could bring no message); the rest is saved."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.resident)
    data = {"zalo_enabled": "on", "zalo_user_id": "1", "quiet_start": "22:00", "quiet_end": "07:00"}
    assert client.post(reverse(PAGE), data).status_code == 302
    preference = NotificationPreference.objects.get(user=personas.resident)
    assert (preference.zalo_enabled, preference.zalo_user_id) == (False, "")
    assert preference.quiet_start == time(22, 0)


@pytest.mark.django_db
def test_an_officer_keeps_the_plain_zalo_id_field(personas: Personas) -> None:
    page = _page(personas.officer_a, language="en")
    assert "Needed for Zalo: the id our Official Account knows you by." in page
    assert "the commune office enters it" not in page
