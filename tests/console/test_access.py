"""Who gets into the console: officers log in with a phone number as typed, and no
console page shows a reporter to a resident."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.models import Ticket
from tests import factories
from tests.conftest import Personas


@pytest.mark.django_db
def test_reporter_phone_is_in_no_console_page_for_another_resident(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = Client()
    client.force_login(factories.user_create(full_name="Người khác"))
    for url in (
        reverse("console:queue"),
        reverse("console:dashboard"),
        reverse("console:ticket-detail", args=[ticket_a.number]),
        reverse("console:ticket-live", args=[ticket_a.number]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert personas.resident.phone not in response.content.decode()


@pytest.mark.django_db
def test_officer_logs_in_with_phone_as_typed_locally(personas: Personas) -> None:
    local = "0" + personas.officer_a.phone.removeprefix("+84")
    response = Client().post(
        reverse("console:login"), {"username": local, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:queue")


@pytest.mark.django_db
def test_login_page_asks_for_phone_number_in_english_when_chosen() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    content = client.get(reverse("console:login")).content.decode()
    assert '<html lang="en">' in content
    assert "Phone number" in content


@pytest.mark.django_db
def test_a_wrong_password_is_told_in_words_for_a_phone_number(personas: Personas) -> None:
    """Django's sentence ("both fields may be case-sensitive") means nothing for
    a phone number (a helper's walk)."""
    for language, sentence in (
        ("en", "This phone number and password do not match."),
        ("vi", "Số điện thoại và mật khẩu không khớp."),
    ):
        page = Client(HTTP_ACCEPT_LANGUAGE=language).post(
            reverse("console:login"),
            {"username": personas.officer_a.phone, "password": "not-the-password"},
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert sentence in html
        assert "case-sensitive" not in html


@pytest.mark.django_db
def test_a_resident_is_not_sent_round_the_console(personas: Personas) -> None:
    """The home page offered residents "open the console", whose refusal linked
    "back to the queue", refused again (a helper's walk). The console's login
    page linked to itself."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas.resident)
    home = client.get(reverse("reports:home")).content.decode()
    assert f'href="{reverse("console:queue")}"' not in home
    refused = client.get(reverse("console:queue"))
    assert refused.status_code == 403
    html = refused.content.decode()
    assert f'<a href="{reverse("reports:home")}">Back to the start</a>' in html
    assert f'href="{reverse("console:queue")}"' not in html
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(personas.officer_a)
    assert "Back to the queue" in officer.get("/console/cases/NO-SUCH-1/").content.decode()
    login = Client().get(reverse("console:login")).content.decode()
    assert f'href="{reverse("console:login")}"' not in login


@pytest.mark.django_db
def test_the_console_opens_in_the_officers_own_language(personas: Personas) -> None:
    """As a code log-in does on the resident pages: a new phone or a cleared
    browser opens in the language the account keeps."""
    from django.conf import settings

    officer = personas.officer_a
    officer.language = "en"
    officer.save(update_fields=["language"])
    client = Client()
    answer = client.post(
        reverse("console:login"), {"username": officer.phone, "password": factories.PASSWORD}
    )
    assert answer.status_code == 302
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(reverse("console:queue")).content.decode()
