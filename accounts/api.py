"""Sign up and log in by one-time code, mounted at /api/v1/auth/.

A successful verification answers with a bearer token (mobile clients) and also
logs the browser session in (web clients); the two are independent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from accounts.auth import (
    api_token_create,
    api_token_revoke,
    bearer_key,
    person_auth,
)
from accounts.language_cookie import language_cookie_set, log_in
from accounts.models import User
from accounts.otp import otp_request, otp_verify
from core.api_fields import JsonBody
from core.client_ip import client_ip

router = Router()

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


class OtpRequestIn(JsonBody):
    phone: str = Field(max_length=32, examples=["0912 345 678"])


class OtpRequestOut(Schema):
    sent: bool
    retry_after: int = Field(description="Seconds before another code may be requested.")


class OtpVerifyIn(JsonBody):
    phone: str = Field(max_length=32, examples=["0912 345 678"])
    code: str = Field(max_length=16, examples=["123456"])


class UserOut(Schema):
    id: int
    phone: str
    full_name: str
    language: str


class OtpVerifyOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    user: UserOut


def _user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "phone": user.phone,
        "full_name": user.full_name,
        "language": user.language,
    }


@router.post(
    "/otp/request",
    response={202: OtpRequestOut},
    summary="Send a one-time code by SMS",
)
def request_otp(request: HttpRequest, payload: OtpRequestIn) -> Status[dict[str, Any]]:
    # Too many codes (429 with Retry-After) and an SMS gateway that is down
    # (503) are answered by config/api.py like every other domain error.
    result = otp_request(phone_raw=payload.phone, ip=client_ip(request))
    return Status(202, {"sent": True, "retry_after": result.retry_after})


@router.post(
    "/otp/verify",
    response=OtpVerifyOut,
    summary="Check a one-time code; sign up or log in",
)
def verify_otp(
    request: HttpRequest, payload: OtpVerifyIn, response: HttpResponse
) -> dict[str, Any]:
    user = otp_verify(phone_raw=payload.phone, code=payload.code, ip=client_ip(request))
    # As the log-in pages do (accounts/views.py): the session's pages open in
    # the account's language, or, at a first log-in, in the one just chosen.
    language = log_in(request, user, backend=SESSION_BACKEND)
    language_cookie_set(response, language)
    return {"token": api_token_create(user=user), "user": _user_out(user)}


@router.get("/me", response=UserOut, auth=person_auth, summary="Who am I")
def get_me(request: HttpRequest) -> dict[str, Any]:
    # Both auth classes leave the person on request.user.
    user = request.user
    assert isinstance(user, User)
    return _user_out(user)


@router.post(
    "/logout",
    response={204: None},
    auth=person_auth,
    summary="Revoke the bearer token and end the session",
)
def logout_user(request: HttpRequest) -> Status[None]:
    key = bearer_key(request)
    if key is not None:
        api_token_revoke(key=key)
    logout(request)
    return Status(204, None)
