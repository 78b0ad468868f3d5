"""Sign-up and login by one-time SMS code: services, API and pages.

Real PostGIS and real Redis. Each test counts its rate limits under its own
Redis key prefix and deletes those keys afterwards. The SMS gateway is the
process boundary: messages land in core.sms.outbox (MemorySmsBackend), or a
test backend refuses them. Time is moved by passing ``now`` into the services,
and the 60-second wait in Redis is "waited out" by deleting that one key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts.auth import api_token_create
from accounts.models import ApiToken, OneTimeCode, User
from accounts.otp import (
    AccountDisabled,
    OtpExpired,
    OtpInvalid,
    OtpTooManyAttempts,
    OtpUsed,
    RateLimited,
    SmsUnavailable,
    code_hash,
    otp_request,
    otp_verify,
    rate_limit_keys,
)
from accounts.phones import InvalidPhoneNumber
from core import sms
from core.sms import SmsBackend, SmsDeliveryFailed, SmsMessage, SmsResult
from geo.models import AdminUnit
from notifications.models import SmsUsage
from notifications.sms_budget import usage_month
from tests import factories
from tests.conftest import Personas

IP = "203.0.113.7"
pytestmark = pytest.mark.django_db


class RefusingSmsBackend(SmsBackend):
    """A gateway that is down: every message is refused."""

    def send(self, *, to: str, text: str, key: str = "") -> SmsResult:
        raise SmsDeliveryFailed("SMS gateway answered HTTP 503.")


@pytest.fixture(autouse=True)
def outbox(settings: Settings) -> Iterator[list[SmsMessage]]:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def redis_client() -> Iterator[redis.Redis]:
    # The codes' limits count under this test's own prefix (tests/conftest.py).
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    yield client
    client.close()


def wait_a_minute(client: redis.Redis, phone: str) -> None:
    """Let the 60-second wait between codes to one number pass."""
    wait_key, _, _ = rate_limit_keys(phone=phone, ip=None)
    client.delete(wait_key)


def last_code(outbox: list[SmsMessage]) -> str:
    match = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert match, outbox[-1].text
    return match.group(1)


# ---- requesting a code -----------------------------------------------------------


def test_request_sends_a_six_digit_code_and_stores_only_its_hash(
    outbox: list[SmsMessage],
) -> None:
    result = otp_request(phone_raw="0981 234 567", ip=IP)

    assert result.phone == "+84981234567"
    assert result.retry_after == 60
    [message] = outbox
    assert message.to == "+84981234567"
    code = last_code(outbox)
    row = OneTimeCode.objects.get(phone="+84981234567")
    stored = [str(getattr(row, f.attname)) for f in OneTimeCode._meta.concrete_fields]
    assert not any(code in value for value in stored)
    assert row.code_hash == code_hash(phone="+84981234567", code=code)
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    assert row.requested_ip == IP


def test_same_code_for_another_number_hashes_differently() -> None:
    assert code_hash(phone="+84981234567", code="123456") != code_hash(
        phone="+84981234568", code="123456"
    )


def test_sms_is_written_in_the_language_of_a_known_person(outbox: list[SmsMessage]) -> None:
    factories.user_create(phone="+84981234567", language=User.Language.ENGLISH)
    otp_request(phone_raw="0981234567", ip=IP)
    code = last_code(outbox)
    assert outbox[0].text == (
        f"Your XaDesk verification code is {code}. It is valid for 5 minutes. "
        "Do not share this code with anyone."
    )


def test_invalid_number_is_refused_before_anything_is_sent(outbox: list[SmsMessage]) -> None:
    with pytest.raises(InvalidPhoneNumber):
        otp_request(phone_raw="024 3825 1234", ip=IP)  # a Hà Nội landline
    assert outbox == []
    assert not OneTimeCode.objects.exists()


def test_gateway_failure_is_reported_and_leaves_no_code_nor_wait(
    settings: Settings, outbox: list[SmsMessage]
) -> None:
    settings.SMS_BACKEND = "tests.accounts.test_otp.RefusingSmsBackend"
    with pytest.raises(SmsUnavailable):
        otp_request(phone_raw="0981234567", ip=IP)
    assert not OneTimeCode.objects.exists()

    settings.SMS_BACKEND = "memory"
    otp_request(phone_raw="0981234567", ip=IP)  # at once: the 60-second wait was lifted
    assert len(outbox) == 1


# ---- the SMS bill ------------------------------------------------------------------


def _commune_of_province(code: str) -> AdminUnit:
    unit = AdminUnit.objects.filter(
        level=AdminUnit.Level.COMMUNE, parent__code=code, retired_in__isnull=True
    ).first()
    if unit is None:
        pytest.skip("the test boundaries have no commune in that province")
    return unit


def test_a_code_is_counted_on_the_province_of_the_persons_latest_case(
    outbox: list[SmsMessage],
) -> None:
    person = factories.user_create(phone="+84981234567")
    factories.case_file(reporter=person, commune=_commune_of_province("20"))
    factories.case_file(reporter=person, commune=factories.commune_get(code="05443"))

    otp_request(phone_raw="0981234567", ip=IP)

    usage = SmsUsage.objects.get()  # one row: Thái Nguyên's, none for Lạng Sơn
    assert usage.province is not None
    assert usage.province.code == "19"
    assert usage.month == usage_month(timezone.now())
    # The Vietnamese text keeps its marks: UCS-2, over 70 units, two segments.
    assert (usage.messages, usage.segments, usage.withheld) == (1, 2, 0)
    assert len(outbox) == 1


def test_a_code_to_a_new_number_goes_on_the_unattributed_row(
    settings: Settings, outbox: list[SmsMessage]
) -> None:
    settings.XADESK_PROVINCES = []
    otp_request(phone_raw="0981234567", ip=IP)
    otp_request(phone_raw="0981234568", ip=IP)
    assert SmsUsage.objects.get(province=None).messages == 2


def test_a_code_to_a_new_number_goes_on_the_deployments_only_province(
    settings: Settings, outbox: list[SmsMessage]
) -> None:
    settings.XADESK_PROVINCES = ["20"]
    otp_request(phone_raw="0981234567", ip=IP)
    usage = SmsUsage.objects.get()
    assert usage.province is not None
    assert (usage.province.code, usage.messages) == ("20", 1)


def test_a_code_is_sent_and_counted_past_the_provinces_monthly_cap(
    settings: Settings, outbox: list[SmsMessage]
) -> None:
    settings.SMS_MONTHLY_CAP = 1
    person = factories.user_create(phone="+84981234567")
    ticket = factories.case_file(reporter=person, commune=factories.commune_get(code="05443"))
    SmsUsage.objects.update_or_create(
        province_id=ticket.province_id,
        month=usage_month(timezone.now()),
        defaults={"messages": 5, "segments": 5},
    )

    otp_request(phone_raw="0981234567", ip=IP)

    assert len(outbox) == 1
    assert re.search(r"\b\d{6}\b", outbox[0].text)
    usage = SmsUsage.objects.get(province_id=ticket.province_id)
    assert (usage.messages, usage.segments, usage.withheld) == (6, 7, 0)


def test_a_code_the_gateway_refused_is_not_counted(settings: Settings) -> None:
    settings.SMS_BACKEND = "tests.accounts.test_otp.RefusingSmsBackend"
    with pytest.raises(SmsUnavailable):
        otp_request(phone_raw="0981234567", ip=IP)
    assert not SmsUsage.objects.exists()


# ---- rate limits -------------------------------------------------------------------


def test_number_gets_at_most_one_code_per_minute(outbox: list[SmsMessage]) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    with pytest.raises(RateLimited) as limited:
        otp_request(phone_raw="0981234567", ip="198.51.100.1")
    assert 55 <= limited.value.retry_after <= 60
    assert limited.value.code == "otp_rate_limited"
    assert limited.value.details == {"retry_after": limited.value.retry_after}
    assert len(outbox) == 1


def test_number_gets_at_most_three_codes_per_fifteen_minutes(
    outbox: list[SmsMessage], redis_client: redis.Redis
) -> None:
    for _ in range(3):
        otp_request(phone_raw="0981234567", ip=IP)
        wait_a_minute(redis_client, "+84981234567")
    with pytest.raises(RateLimited) as limited:
        otp_request(phone_raw="0981234567", ip=IP)
    assert 850 <= limited.value.retry_after <= 900
    assert len(outbox) == 3
    assert OneTimeCode.objects.count() == 3


def test_address_gets_at_most_its_codes_per_hour_and_a_refusal_costs_nothing(
    outbox: list[SmsMessage], settings: Settings
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp.ip": (10, 3600)}
    for n in range(10):
        otp_request(phone_raw=f"+849810000{n:02d}", ip=IP)
    with pytest.raises(RateLimited) as limited:
        otp_request(phone_raw="+84981000099", ip=IP)
    assert 3500 <= limited.value.retry_after <= 3600
    assert len(outbox) == 10

    # The refused number was not counted: from another address it gets a code now.
    otp_request(phone_raw="+84981000099", ip="198.51.100.1")
    assert outbox[-1].to == "+84981000099"


def test_limits_are_counted_in_the_database_when_redis_is_down(
    settings: Settings, outbox: list[SmsMessage], caplog: pytest.LogCaptureFixture
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    start = timezone.now()
    otp_request(phone_raw="0981234567", ip=IP, now=start)
    with pytest.raises(RateLimited) as limited:
        otp_request(phone_raw="0981234567", ip=IP, now=start + timedelta(seconds=30))
    assert limited.value.retry_after == 30
    otp_request(phone_raw="0981234567", ip=IP, now=start + timedelta(seconds=61))
    otp_request(phone_raw="0981234567", ip=IP, now=start + timedelta(seconds=122))
    with pytest.raises(RateLimited) as limited:
        otp_request(phone_raw="0981234567", ip=IP, now=start + timedelta(seconds=183))
    assert limited.value.retry_after == 900 - 183
    assert len(outbox) == 3
    assert "Redis unavailable" in caplog.text


# ---- verifying a code --------------------------------------------------------------


def test_first_right_code_signs_up_and_a_later_login_reuses_the_account(
    outbox: list[SmsMessage], redis_client: redis.Redis
) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    user = otp_verify(phone_raw="+84 981 234 567", code=last_code(outbox), ip=IP)
    assert user.phone == "+84981234567"
    assert not user.has_usable_password()

    wait_a_minute(redis_client, "+84981234567")
    otp_request(phone_raw="0981234567", ip=IP)
    again = otp_verify(phone_raw="0981234567", code=last_code(outbox), ip=IP)
    assert again.pk == user.pk
    assert User.objects.filter(phone="+84981234567").count() == 1


def test_existing_person_logs_in_to_their_account(outbox: list[SmsMessage]) -> None:
    officer = factories.user_create(phone="+84981234567", full_name="Trần Minh Đức")
    otp_request(phone_raw="0981234567", ip=IP)
    assert otp_verify(phone_raw="0981234567", code=last_code(outbox), ip=IP) == officer
    assert officer.has_usable_password()  # password login for officers is untouched


def test_code_typed_with_spaces_is_accepted(outbox: list[SmsMessage]) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    code = last_code(outbox)
    assert otp_verify(phone_raw="0981234567", code=f" {code[:3]} {code[3:]} ", ip=IP)


def test_code_works_only_once(outbox: list[SmsMessage]) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    code = last_code(outbox)
    otp_verify(phone_raw="0981234567", code=code, ip=IP)
    with pytest.raises(OtpUsed):
        otp_verify(phone_raw="0981234567", code=code, ip=IP)


def test_code_expires_after_five_minutes(outbox: list[SmsMessage]) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    code = last_code(outbox)
    sent_at = OneTimeCode.objects.get().created_at
    with pytest.raises(OtpExpired):
        otp_verify(phone_raw="0981234567", code=code, ip=IP, now=sent_at + timedelta(minutes=5))
    user = otp_verify(
        phone_raw="0981234567", code=code, ip=IP, now=sent_at + timedelta(minutes=4, seconds=59)
    )
    assert user.phone == "+84981234567"


def test_wrong_code_is_refused_and_counted(outbox: list[SmsMessage]) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    wrong = f"{(int(last_code(outbox)) + 1) % 1_000_000:06d}"
    with pytest.raises(OtpInvalid) as refused:
        otp_verify(phone_raw="0981234567", code=wrong, ip=IP)
    assert refused.value.details == {"attempts_left": 4}
    assert OneTimeCode.objects.get().attempts == 1
    assert not User.objects.filter(phone="+84981234567").exists()


def test_five_wrong_tries_kill_the_code_even_for_the_right_one(outbox: list[SmsMessage]) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        with pytest.raises(OtpInvalid):
            otp_verify(phone_raw="0981234567", code=wrong, ip=IP)
    with pytest.raises(OtpTooManyAttempts):
        otp_verify(phone_raw="0981234567", code="not-a-code", ip=IP)
    with pytest.raises(OtpTooManyAttempts):
        otp_verify(phone_raw="0981234567", code=code, ip=IP)
    assert OneTimeCode.objects.get().attempts == 5


def test_older_code_is_dead_once_a_newer_one_was_sent(
    outbox: list[SmsMessage], redis_client: redis.Redis
) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    first = last_code(outbox)
    wait_a_minute(redis_client, "+84981234567")
    otp_request(phone_raw="0981234567", ip=IP)
    second = last_code(outbox)
    if first != second:  # one chance in a million they are equal
        with pytest.raises(OtpInvalid):
            otp_verify(phone_raw="0981234567", code=first, ip=IP)
    assert otp_verify(phone_raw="0981234567", code=second, ip=IP).phone == "+84981234567"


def test_number_without_any_code_is_refused() -> None:
    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw="0981234567", code="123456", ip=IP)


def test_disabled_account_cannot_log_in_by_code(outbox: list[SmsMessage]) -> None:
    factories.user_create(phone="+84981234567", is_active=False)
    otp_request(phone_raw="0981234567", ip=IP)
    with pytest.raises(AccountDisabled):
        otp_verify(phone_raw="0981234567", code=last_code(outbox), ip=IP)


def test_codes_never_appear_in_our_log_records(
    settings: Settings,
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.SMS_BACKEND = "console"
    caplog.set_level(logging.DEBUG)
    otp_request(phone_raw="0981234567", ip=IP)
    printed = capsys.readouterr().out
    code = re.findall(r"\b\d{6}\b", printed)[-1]  # the console backend shows it, as it must
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(OtpInvalid):
        otp_verify(phone_raw="0981234567", code=wrong, ip=IP)
    otp_verify(phone_raw="0981234567", code=code, ip=IP)
    with pytest.raises(OtpUsed):
        otp_verify(phone_raw="0981234567", code=code, ip=IP)
    with pytest.raises(RateLimited):
        otp_request(phone_raw="0981234567", ip=IP)
    settings.SMS_BACKEND = "tests.accounts.test_otp.RefusingSmsBackend"
    wait_a_minute(redis_client, "+84981234567")
    with pytest.raises(SmsUnavailable):
        otp_request(phone_raw="0981234567", ip=IP)

    ours = [r for r in caplog.records if r.name.startswith(("accounts", "core"))]
    assert len(ours) >= 5
    for record in caplog.records:
        assert code not in record.getMessage()
        assert wrong not in record.getMessage()
        assert "+84981234567" not in record.getMessage()


# ---- API -----------------------------------------------------------------------------


def test_api_request_answers_202(client: Client, outbox: list[SmsMessage]) -> None:
    response = client.post(
        "/api/v1/auth/otp/request", {"phone": "0981 234 567"}, content_type="application/json"
    )
    assert response.status_code == 202
    assert response.json() == {"sent": True, "retry_after": 60}
    assert outbox[0].to == "+84981234567"


def test_api_request_with_invalid_number_answers_422_invalid_phone(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/otp/request", {"phone": "12345"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_phone"


def test_api_request_too_soon_answers_429_with_retry_after(client: Client) -> None:
    body = {"phone": "0981234567"}
    client.post("/api/v1/auth/otp/request", body, content_type="application/json")
    response = client.post("/api/v1/auth/otp/request", body, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "otp_rate_limited"
    assert 55 <= int(response["Retry-After"]) <= 60
    assert response.json()["details"]["retry_after"] == int(response["Retry-After"])


def test_api_request_answers_503_when_the_gateway_is_down(
    client: Client, settings: Settings
) -> None:
    settings.SMS_BACKEND = "tests.accounts.test_otp.RefusingSmsBackend"
    response = client.post(
        "/api/v1/auth/otp/request", {"phone": "0981234567"}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "sms_unavailable"


def test_api_verify_returns_a_token_and_logs_the_session_in(
    client: Client, outbox: list[SmsMessage]
) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    response = client.post(
        "/api/v1/auth/otp/verify",
        {"phone": "0981234567", "code": last_code(outbox)},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    user = User.objects.get(phone="+84981234567")
    assert body["user"] == {"id": user.pk, "phone": user.phone, "full_name": "", "language": "vi"}
    assert body["token"].startswith("xd_")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()  # stored hashed

    mobile = Client(headers={"authorization": f"Bearer {body['token']}"})
    me = mobile.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["phone"] == "+84981234567"
    assert client.get("/api/v1/auth/me").json()["phone"] == "+84981234567"  # by session


@pytest.mark.parametrize(("code", "expected"), [("000000", "otp_invalid"), ("", "otp_invalid")])
def test_api_verify_wrong_code_answers_422(
    client: Client, outbox: list[SmsMessage], code: str, expected: str
) -> None:
    otp_request(phone_raw="0981234567", ip=IP)
    if code == last_code(outbox):
        code = "000001"
    response = client.post(
        "/api/v1/auth/otp/verify",
        {"phone": "0981234567", "code": code},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == expected
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "persona", ["resident", "digital_team", "officer_a", "officer_b", "leader_a", "province_admin"]
)
def test_api_me_answers_each_persona_with_their_own_account(
    personas: Personas, persona: str
) -> None:
    user: User = getattr(personas, persona)
    token = api_token_create(user=user)
    response = Client(headers={"authorization": f"Bearer {token}"}).get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize("header", [None, "Bearer xd_not-a-real-token", "Basic Zm9vOmJhcg=="])
def test_api_me_refuses_anonymous_and_unknown_tokens(header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    response = Client(headers=headers).get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_token_of_a_disabled_account_is_refused() -> None:
    user = factories.user_create()
    token = api_token_create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = Client(headers={"authorization": f"Bearer {token}"}).get("/api/v1/auth/me")
    assert response.status_code == 401


def test_api_logout_revokes_the_token() -> None:
    user = factories.user_create()
    token = api_token_create(user=user)
    mobile = Client(headers={"authorization": f"Bearer {token}"})
    assert mobile.post("/api/v1/auth/logout").status_code == 204
    assert not ApiToken.objects.filter(user=user).exists()
    assert mobile.get("/api/v1/auth/me").status_code == 401
    assert mobile.post("/api/v1/auth/logout").status_code == 401


# ---- pages ----------------------------------------------------------------------------


def test_pages_take_a_resident_from_number_to_code_to_where_they_were(
    outbox: list[SmsMessage],
) -> None:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/?next=/console/")
    assert page.status_code == 200
    assert b'name="phone"' in page.content

    sent = browser.post(
        "/accounts/login/",
        {
            "phone": "0981 234 567",
            "next": "/console/",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/login/code/?next=%2Fconsole%2F"

    code_page = browser.get(sent["Location"])
    assert code_page.status_code == 200
    assert "0981 234 567" in code_page.content.decode()

    done = browser.post(
        "/accounts/login/code/",
        {
            "code": last_code(outbox),
            "next": "/console/",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert done.status_code == 302
    assert done["Location"] == "/console/"
    user = User.objects.get(phone="+84981234567")
    assert browser.session["_auth_user_id"] == str(user.pk)
    assert "otp_phone" not in browser.session


def test_login_form_without_csrf_token_is_refused() -> None:
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"phone": "0981234567"})
    assert response.status_code == 403


def test_login_page_shows_the_problem_with_the_number(outbox: list[SmsMessage]) -> None:
    response = Client().post("/accounts/login/", {"phone": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert outbox == []


def test_login_page_says_how_long_to_wait(client: Client) -> None:
    client.post("/accounts/login/", {"phone": "0981234567"})
    response = client.post("/accounts/login/", {"phone": "0981234567"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.context["code_url"].startswith("/accounts/login/code/")


def test_wrong_code_on_the_page_is_shown_and_does_not_log_in(
    client: Client, outbox: list[SmsMessage]
) -> None:
    client.post("/accounts/login/", {"phone": "0981234567"})
    wrong = f"{(int(last_code(outbox)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/login/code/", {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session


def test_code_page_without_a_number_sends_back_to_the_first_page(client: Client) -> None:
    response = client.get("/accounts/login/code/?next=/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fconsole%2F"


def test_login_never_redirects_to_another_site(client: Client, outbox: list[SmsMessage]) -> None:
    client.post("/accounts/login/", {"phone": "0981234567", "next": "https://evil.example/"})
    response = client.post(
        "/accounts/login/code/", {"code": last_code(outbox), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_officer_password_login_still_works() -> None:
    officer = factories.user_create(phone="+84981234567")
    browser = Client()
    response = browser.post(
        "/console/login/", {"username": "0981 234 567", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(officer.pk)


def test_spoofed_forwarded_for_does_not_escape_the_per_ip_code_limit(
    settings: Settings,
) -> None:
    """Ten codes an hour per address (set so here): a direct client cannot get
    an eleventh by naming another address in X-Forwarded-For."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "otp.ip": (10, 3600)}
    statuses = []
    for n in range(12):
        response = Client(REMOTE_ADDR="203.0.113.50").post(
            "/api/v1/auth/otp/request",
            {"phone": f"+849820000{n:02d}"},
            content_type="application/json",
            headers={"x-forwarded-for": f"198.51.100.{n}"},
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [202] * 10
    assert statuses[10:] == [429, 429]


def test_behind_our_proxy_each_client_address_has_its_own_limit(settings: Settings) -> None:
    """The same twelve requests through nginx (the trusted peer) come from twelve
    people: none is refused, so the header is still read where it should be."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    statuses = [
        Client(REMOTE_ADDR="127.0.0.1")
        .post(
            "/api/v1/auth/otp/request",
            {"phone": f"+849830000{n:02d}"},
            content_type="application/json",
            headers={"x-forwarded-for": f"198.51.100.{n}"},
        )
        .status_code
        for n in range(12)
    ]
    assert statuses == [202] * 12
