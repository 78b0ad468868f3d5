"""API keys: required to file, revocable at once, rate-limited per key, issued in the admin."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import Ticket
from open311.keys import client_issue, client_key_rotate, client_revoke
from open311.models import ClientApplication
from tests import factories
from tests.conftest import Personas
from tests.open311.conftest import BASE, App, file_request

pytestmark = pytest.mark.django_db


def test_a_revoked_key_is_refused_at_once(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    assert file_request(app, commune_a).status_code == 201
    client_revoke(client=app.client)
    refused = file_request(app, commune_a, description="again")
    assert refused.status_code == 403
    assert refused.json()[0]["code"] == 403
    # Reading with the key is refused too: the key no longer names anyone.
    assert Client().get(f"{BASE}/requests.json", {"api_key": app.key}).status_code == 403
    assert Client().get(f"{BASE}/requests.json").status_code == 200


def test_a_new_key_replaces_the_old_one(app: App, personas: Personas, commune_a: AdminUnit) -> None:
    new_key = client_key_rotate(client=app.client)
    assert file_request(app, commune_a).status_code == 403
    assert file_request(App(app.client, new_key, app.operator), commune_a).status_code == 201


def test_a_key_of_a_deactivated_operator_account_is_refused(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    User.objects.filter(pk=app.operator.pk).update(is_active=False)
    assert file_request(app, commune_a).status_code == 403


def test_filings_are_limited_per_key_and_a_retry_is_never_counted(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    limits = {**settings.RATE_LIMITS, "filing.client": (2, 3600), "filing.person": (1, 3600)}
    other = client_issue(name="Other", account=factories.user_create())
    with override_settings(RATE_LIMITS=limits):
        first = file_request(app, commune_a, device_id="phone-1")
        # The operator's own per-person limit (1) does not apply to its app's filings.
        assert file_request(app, commune_a, description="2").status_code == 201
        refused = file_request(app, commune_a, description="3")
        assert refused.status_code == 429
        assert refused.json()[0]["code"] == 429
        assert int(refused["Retry-After"]) > 0
        # A retry of the first request still gets its case back.
        retry = file_request(app, commune_a, device_id="phone-1")
        assert retry.status_code == 200
        assert retry.json() == first.json()
        # Another application's key has its own count.
        assert (
            file_request(App(other.client, other.key, other.client.account), commune_a).status_code
            == 201
        )
    assert Ticket.objects.count() == 3


def test_the_admin_issues_a_key_once_and_revokes_it(
    admin_client_for: Client, personas: Personas, commune_a: AdminUnit
) -> None:
    operator = factories.user_create(full_name="Sở TT&TT")
    response = admin_client_for.post(
        "/admin/open311/clientapplication/add/",
        {"name": "Tỉnh app", "contact": "it@tinh.gov.vn", "account": operator.pk},
        follow=True,
    )
    assert response.status_code == 200
    (client,) = ClientApplication.objects.all()
    page = response.content.decode()
    (key,) = re.findall(r"x311_[\w-]{20,}", page)
    assert client.key_hash not in page
    app = App(client, key, operator)
    assert file_request(app, commune_a).status_code == 201
    admin_client_for.post(
        "/admin/open311/clientapplication/",
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    assert file_request(app, commune_a, description="again").status_code == 403
    # The list never shows a key again, only its first characters.
    listing = admin_client_for.get("/admin/open311/clientapplication/").content.decode()
    assert key not in listing
    assert client.key_prefix in listing


def test_the_command_prints_a_working_key_once(personas: Personas, commune_a: AdminUnit) -> None:
    out = io.StringIO()
    call_command("issue_open311_key", "Zalo mini app", account=personas.resident.phone, stdout=out)
    key = out.getvalue().strip()
    client = ClientApplication.objects.get(name="Zalo mini app")
    assert key not in (client.key_hash, client.key_prefix)
    assert file_request(App(client, key, personas.resident), commune_a).status_code == 201
    with pytest.raises(CommandError):
        call_command("issue_open311_key", "x", account="0900000000", stdout=io.StringIO())
