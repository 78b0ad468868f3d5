"""The alert form's SMS counter, server side: the count by the SMS bill's own
rule (core/sms.py), on the page as it is made and in the refusal, for an
officer whose phone runs no JavaScript."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, Category
from core.sms import sms_segments
from geo.models import AdminUnit
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

# 100 characters with Vietnamese marks: UCS-2, two SMS (67 a part).
LONG_VI = ("Mưa lớn, nước sông dâng cao. " * 4)[:100]
NEW = "/console/alerts/new/"


def _client(user: User, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _form(commune: AdminUnit, short_text: str) -> dict[str, str]:
    expires = timezone.localtime(timezone.now() + timedelta(hours=12))
    return {
        "category": Category.DISASTER,
        "area": f"commune:{commune.pk}",
        "villages": "",
        "short_text": short_text,
        "long_text": "Nước sông lên nhanh.",
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
    }


def _count_line(page: str) -> str:
    found = re.search(r'<p class="hint" id="sms-count"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no SMS count on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_form_says_the_count_of_the_text_it_was_made_with(
    personas: Personas, commune_a: AdminUnit
) -> None:
    assert sms_segments(LONG_VI) == 2
    officer = _client(personas.officer_a)
    assert _count_line(officer.get(NEW).content.decode()).startswith("0 characters · 1 SMS")
    # The scam check links here with its text (AlertForm.initial_from).
    page = officer.get(NEW, {"text": LONG_VI}).content.decode()
    assert _count_line(page) == ("100 characters · 2 SMS Too long: an alert must fit in one SMS.")
    plain = officer.get(NEW, {"text": "Hop dan luc 19h"}).content.decode()
    assert _count_line(plain).startswith("15 characters · 1 SMS")
    assert re.search(r"<strong data-sms-over hidden>", plain)


def test_a_refused_text_is_told_its_count(personas: Personas, commune_a: AdminUnit) -> None:
    response = _client(personas.officer_a).post(NEW, _form(commune_a, LONG_VI))
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert "This one has 100 characters: 2 SMS." in page
    assert _count_line(response.content.decode()).startswith("100 characters · 2 SMS")
    assert not Alert.objects.exists()


def test_the_count_reads_in_vietnamese(personas: Personas, commune_a: AdminUnit) -> None:
    officer = _client(personas.officer_a, "vi")
    page = officer.get(NEW, {"text": LONG_VI}).content.decode()
    assert _count_line(page) == "100 ký tự · 2 SMS Quá dài: cảnh báo phải vừa một tin SMS."
    refused = html.unescape(officer.post(NEW, _form(commune_a, LONG_VI)).content.decode())
    assert "Nội dung này có 100 ký tự: 2 tin SMS." in refused


def test_the_count_is_of_the_text_as_sent(personas: Personas, commune_a: AdminUnit) -> None:
    """Spaces collapse and direction controls go before the SMS is sent
    (alerts/services.py): 70 characters with marks fit one SMS."""
    text = "Đ" + "  a" * 34 + "\u200b "  # 1 + 68 after collapsing + nothing = 69
    page = _client(personas.officer_a).get(NEW, {"text": text}).content.decode()
    assert _count_line(page).startswith("69 characters · 1 SMS")


def test_the_page_carries_the_servers_rule_for_its_script(
    personas: Personas, commune_a: AdminUnit
) -> None:
    from core.sms import sms_rule  # new: the other tests fail on their own without it

    page = _client(personas.officer_a).get(NEW).content.decode()
    found = re.search(r'data-sms-rule="([^"]*)"', page)
    assert found
    assert json.loads(html.unescape(found.group(1))) == sms_rule()
    assert 'data-sms-count="id_short_text"' in page
    assert "console/sms-count" in page


def test_without_a_script_the_box_is_described_by_its_count(personas: Personas) -> None:
    """The count under the box is its description whether or not the counter's
    script runs (it added the reference itself, so a phone without JavaScript
    read the box without it)."""
    page = _client(personas.officer_a).get(NEW).content.decode()
    box = re.search(r"<textarea[^>]*name=\"short_text\"[^>]*>", page)
    assert box is not None
    assert 'aria-describedby="id_short_text_helptext sms-count"' in box.group(0)
    assert 'id="id_short_text_helptext"' in page
