"""The inbound-SMS webhook the gateway calls for every message it receives.

POST, JSON (``{"id", "from", "text"}``) or a form with the same fields
(``message_id``/``sender``/``message`` are accepted too, as gateways name
them). Authenticated by settings.SMS_INBOUND_SECRET: either sent as is in
``X-Sms-Secret``, or as ``X-Sms-Signature``, the hex HMAC-SHA256 of the raw
body keyed with it. Anything else is a 403; so is every request while the
secret is unset. A handled message, a resend and a dropped one all get a 200:
a gateway retries anything else. A message whose handling broke off (a 503)
is handled again when the gateway resends it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.phones import InvalidPhoneNumber
from core.errors import Unavailable
from core.nul_input import takes_nul
from sms_intake.services import sms_receive


def _authentic(request: HttpRequest) -> bool:
    secret: str = settings.SMS_INBOUND_SECRET
    if not secret:
        return False
    given = request.headers.get("X-Sms-Secret", "")
    if given and hmac.compare_digest(given.encode(), secret.encode()):
        return True
    signature = request.headers.get("X-Sms-Signature", "").strip().lower()
    if signature.startswith("sha256="):
        signature = signature[len("sha256=") :]
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return bool(signature) and hmac.compare_digest(signature.encode(), expected.encode())


def _fields(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _first(data: dict[str, Any], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if value is not None:
            return str(value)
    return ""


@takes_nul  # a GSM "@" may come as a NUL; sms_receive maps it
@csrf_exempt  # a server-to-server call, authenticated by the shared secret
@require_POST
def inbound_receive(request: HttpRequest) -> JsonResponse:
    if not _authentic(request):
        return JsonResponse({"error": "forbidden"}, status=403)
    data = _fields(request)
    phone = _first(data, "from", "sender", "phone", "msisdn")
    if not phone:
        return JsonResponse({"error": "the sender's number (from) is missing"}, status=400)
    try:
        received = sms_receive(
            gateway_id=_first(data, "id", "message_id", "messageId"),
            phone_raw=phone,
            text=_first(data, "text", "message", "body"),
        )
    except InvalidPhoneNumber:
        return JsonResponse({"status": "ignored"})
    except Unavailable as exc:
        # Not handled to the end: the gateway sends it again, and the resend
        # is handled again (sms_intake/services.py RESUME_AFTER).
        response = JsonResponse({"error": exc.code}, status=exc.http_status)
        if "retry_after" in exc.details:
            response["Retry-After"] = str(exc.details["retry_after"])
        return response
    sms = received.sms
    return JsonResponse(
        {
            "status": "duplicate" if received.duplicate else sms.outcome,
            "case": sms.ticket.number if sms.ticket_id and sms.ticket else None,
        }
    )
