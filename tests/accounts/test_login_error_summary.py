"""The login pages after a refusal, as the server sends them (no script needed).

A keyboard walk: a bad number or a wrong code put the focus at the top of the
page, with the sentence under the box and nothing at the top to go to it. Now
the summary at the top takes the focus as the page opens (autofocus), links to
the box, and the box is marked invalid and described by the same sentence
(templates/_error_summary.html, core/form_errors.py).
"""

from __future__ import annotations

import pytest
from django.test import Client

from core.sms import SmsMessage
from tests.accounts.test_otp import last_code, outbox, redis_client  # noqa: F401
from tests.refused_page import RefusedPage

pytestmark = pytest.mark.django_db

NUMBER = "0981234567"


def test_a_bad_number_is_summed_up_at_the_top_with_a_link_to_the_marked_box(
    outbox: list[SmsMessage],  # noqa: F811 - the fixture of test_otp
) -> None:
    response = Client().post("/accounts/login/", {"phone": "12345"})
    assert response.status_code == 200
    [sentence] = response.context["form"].errors["phone"]
    page = RefusedPage.of(response.content)
    assert page.summary.text() == sentence
    assert page.links == [("id_phone", sentence)]
    page.assert_marked("id_phone", sentence)
    assert outbox == []


def test_a_wrong_code_is_summed_up_at_the_top_with_a_link_to_the_marked_box(
    client: Client,
    outbox: list[SmsMessage],  # noqa: F811 - the fixture of test_otp
) -> None:
    client.post("/accounts/login/", {"phone": NUMBER})
    wrong = f"{(int(last_code(outbox)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/login/code/", {"code": wrong})
    assert response.status_code == 200
    [sentence] = response.context["form"].errors["code"]
    page = RefusedPage.of(response.content)
    assert page.links == [("id_code", sentence)]
    page.assert_marked("id_code", sentence)
    assert "_auth_user_id" not in client.session


def test_a_refusal_about_no_box_is_the_focused_summary_without_a_link(
    client: Client,
    outbox: list[SmsMessage],  # noqa: F811 - the fixture of test_otp
) -> None:
    client.post("/accounts/login/", {"phone": NUMBER})
    response = client.post("/accounts/login/", {"phone": NUMBER})  # within the minute
    [sentence] = response.context["form"].non_field_errors()
    page = RefusedPage.of(response.content)
    assert page.summary.text() == sentence
    assert page.links == []
    assert "aria-invalid" not in page.by_id("id_phone").attrs


def test_the_pages_before_any_refusal_take_no_focus(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "autofocus" not in page
    assert 'id="form-error"' not in page
