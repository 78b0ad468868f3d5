"""The account admin (accounts/admin.py): a rename tells the person when search follows."""

from __future__ import annotations

from typing import Any

import pytest
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import SearchTextRefresh, Ticket
from tests.console.pages import case_in
from tests.factories import user_create

SEARCH_FOLLOWS = {
    "en": "The queue's search will find this person's cases by the new name within "
    "minutes; until then it finds them by the old one.",
    "vi": "Trong ít phút nữa, ô tìm kiếm của danh sách hồ sơ sẽ tìm thấy các hồ sơ của "
    "người này theo tên mới; trong lúc chờ, vẫn tìm theo tên cũ.",
}


def _change_form(client: Client, user: User, **changes: str) -> dict[str, Any]:
    """What the change page's form posts as it is shown, with ``changes``."""
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    data: dict[str, Any] = {}
    for field in page.context["adminform"].form:
        if field.field.disabled:
            continue
        value = field.value()
        if isinstance(field.field.widget, MultiWidget):
            for i, part in enumerate(field.field.widget.decompress(value) or []):
                data[f"{field.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list):
            data[field.html_name] = [str(item) for item in value]
        elif value is not None:
            data[field.html_name] = str(value)
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {management[name].html_name: value for name, value in management.initial.items()}
        )
    return {**data, **changes}


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_rename_in_the_admin_says_search_follows_within_minutes(
    admin_client_for: Client, commune_a: AdminUnit, language: str
) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    ticket = case_in(commune_a, reporter)
    url = reverse("admin:accounts_user_change", args=[reporter.pk])
    data = _change_form(admin_client_for, reporter, full_name="Vũ Văn Tuấn")
    response = admin_client_for.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert SEARCH_FOLLOWS[language] in _messages(response)
    reporter.refresh_from_db()
    assert reporter.full_name == "Vũ Văn Tuấn"
    # Recorded for the scheduler; the case is not rewritten in the request.
    assert SearchTextRefresh.objects.filter(reporter=reporter).exists()
    assert " vu van tu " in (
        Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk) or ""
    )


@pytest.mark.django_db
def test_an_admin_save_that_keeps_the_name_says_nothing_of_search(
    admin_client_for: Client, commune_a: AdminUnit
) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    case_in(commune_a, reporter)
    url = reverse("admin:accounts_user_change", args=[reporter.pk])
    # The same name, with the spaces a form drops; another field changed.
    data = _change_form(admin_client_for, reporter, full_name=" Vũ Văn Tú ", email="tu@example.org")
    response = admin_client_for.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert _messages(response)  # the admin's own "was changed successfully"
    assert SEARCH_FOLLOWS["en"] not in _messages(response)
    reporter.refresh_from_db()
    assert reporter.email == "tu@example.org"
    assert not SearchTextRefresh.objects.exists()
