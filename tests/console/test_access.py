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
