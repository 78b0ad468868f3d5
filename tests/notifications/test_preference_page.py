"""The preferences page on a small phone: quiet hours as 24-hour whole hours
(not "09:00 PM"), and no bare Zalo follower id box for a resident, who cannot
know that id."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.forms import HOURS, NotificationPreferenceForm
from notifications.models import NotificationPreference
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
    assert "PM" not in page
    assert "AM" not in page


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
    """Nothing in XaDesk fills the follower id, and Zalo never shows it to the
    person: the bare box asked a farmer for what they cannot know."""
    page = _page(personas.resident)
    assert "Bạn không tự xem được ID này trong Zalo" in page
    assert "bấm “Quan tâm”" in page
    assert "Nhờ cán bộ xã/phường tìm ID Zalo của bạn" in page
    # The box stays, for whoever has the id, folded under the steps.
    assert re.search(r"<details>\s*<summary>ID Zalo \(cán bộ xã/phường nhập giúp\)", page)
    assert 'name="zalo_user_id"' in page
    assert "Cần để nhận tin qua Zalo: ID mà" not in page  # the bare field's hint


@pytest.mark.django_db
def test_a_residents_saved_zalo_id_shows_unfolded(personas: Personas) -> None:
    NotificationPreference.objects.create(
        user=personas.resident, zalo_enabled=True, zalo_user_id="84123456789"
    )
    page = _page(personas.resident)
    assert re.search(r"<details open>\s*<summary>", page)
    assert 'value="84123456789"' in page


@pytest.mark.django_db
def test_a_resident_asking_for_zalo_without_an_id_sees_the_box_open(personas: Personas) -> None:
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.resident)
    data = {"zalo_enabled": "on", "quiet_start": "21:00", "quiet_end": "07:00"}
    response = client.post(reverse(PAGE), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "To receive messages on Zalo, enter your Zalo follower id." in page
    assert re.search(r"<details open>\s*<summary>Zalo id \(the commune office enters it\)", page)


@pytest.mark.django_db
def test_an_officer_keeps_the_plain_zalo_id_field(personas: Personas) -> None:
    page = _page(personas.officer_a, language="en")
    assert "Needed for Zalo: the id our Official Account knows you by." in page
    assert "the commune office enters it" not in page
