"""The GeoReport v2 endpoints: parse the parameters, call a selector or the
filing service, write JSON or XML (the path's suffix decides).

Plain Django views, not the ninja API: GeoReport has its own XML, its own
error list and form-encoded POSTs. None of them reads the session: reading is
public and filing is authorised by the api_key alone, so they are exempt from
the CSRF check, which protects cookie-authenticated forms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.api_fields import uploads_of
from core.errors import DomainError
from geo.models import AdminUnit
from helpdesk.attachments import MAX_PHOTOS, TooManyPhotos
from open311 import params, presenters, selectors
from open311.errors import MethodNotAllowed, MissingParameter, PathNotFound
from open311.filing import RequestIn, request_submit
from open311.keys import client_for_key
from open311.models import ClientApplication
from open311.render import JSON, XML, render, render_error
from open311.selectors import RequestFilter

# When the interface last changed (the spec's "changeset"): 2026-12-07, a POST
# answers service_request_id without a token, updated_datetime is the last
# public change, and updated_before.
CHANGESET = "2026-12-07T00:00:00+07:00"
View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Answer OPTIONS (a browser's preflight too), other methods with 405, and every
    domain error in the spec's error list."""
    allowed = (*methods, "HEAD", "OPTIONS") if "GET" in methods else (*methods, "OPTIONS")

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return _options(request, allowed)
            if request.method not in allowed:
                response = render_error(MethodNotAllowed(), fmt=fmt)
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                response = view(request, *args, fmt=fmt, **kwargs)
            except DomainError as error:
                response = render_error(error, fmt=fmt)
            return _readable_anywhere(request, response)

        return wrapper

    return decorate


# A header name (RFC 9110's token), as a preflight lists them; anything else in
# Access-Control-Request-Headers makes the preflight fail rather than be echoed.
_HEADER_NAMES = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*")
# A browser asks again after this long (Chromium caps it at two hours).
_PREFLIGHT_SECONDS = 86400


def _options(request: HttpRequest, allowed: tuple[str, ...]) -> HttpResponse:
    """204 with the methods the path takes. A browser's preflight for reading
    (GET or HEAD with a header outside the CORS safelist, e.g. If-None-Match)
    is granted, as the answers to reading are public (_readable_anywhere); one
    for POST is not. An api_key in a web page is a key anyone can copy, so
    filing is not offered to pages of other sites: their browser withholds the
    answer to a plain form POST (which it sends without asking) and does not
    send a POST that needs a preflight (one with an Idempotency-Key)."""
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join(allowed)
    wanted = request.headers.get("Access-Control-Request-Method")
    asked = request.headers.get("Access-Control-Request-Headers", "").strip()
    if (
        "Origin" in request.headers
        and wanted in ("GET", "HEAD")
        and wanted in allowed
        and (not asked or _HEADER_NAMES.fullmatch(asked))
    ):
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD"
        if asked:
            response["Access-Control-Allow-Headers"] = asked
        response["Access-Control-Max-Age"] = str(_PREFLIGHT_SECONDS)
    return response


def _readable_anywhere(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let browser apps of other sites read a GET's answer: public data, or an
    error whose description they need to show."""
    if request.method in ("GET", "HEAD"):
        response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /open311/v2/: 404 as the spec's error list, not Django's
    HTML page, in XML when the path asks for it (the last URL pattern)."""
    fmt = XML if request.path.lower().endswith(".xml") else JSON
    return _readable_anywhere(request, render_error(PathNotFound(), fmt=fmt))


def _reader(request: HttpRequest) -> tuple[ClientApplication | None, AdminUnit | None]:
    """The optional api_key's application and the jurisdiction_id's province."""
    client = client_for_key(params.text(request.GET, "api_key"), required=False)
    province = selectors.jurisdiction_get(params.text(request.GET, "jurisdiction_id"))
    return client, province


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    body = {
        "changeset": CHANGESET,
        "contact": _("Ask the administrators of this XaDesk deployment."),
        "key_service": _(
            "An api_key is needed to submit requests; the administrators issue one "
            "per client application."
        ),
        "endpoints": [
            {
                "specification": presenters.SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(body, fmt=fmt, root="discovery")


@endpoint("GET")
def services_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    selectors.jurisdiction_get(params.text(request.GET, "jurisdiction_id"))
    body = [presenters.service_out(s) for s in selectors.services_listed()]
    return render(body, fmt=fmt, root="services")


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    selectors.jurisdiction_get(params.text(request.GET, "jurisdiction_id"))
    service = selectors.service_get(code)
    body = {
        "service_code": service.code,
        "attributes": presenters.attributes_out(service, selectors.service_attributes(service)),
    }
    return render(body, fmt=fmt, root="service_definition")


@endpoint("GET", "POST")
def requests_collection(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt=fmt)
    client, province = _reader(request)
    ids = params.words(request.GET, "service_request_id")
    updated_after = params.moment(request.GET, "updated_after")
    has_dates = any(params.text(request.GET, n) for n in ("start_date", "end_date"))
    filters = RequestFilter(
        ids=ids,
        service_codes=params.words(request.GET, "service_code"),
        statuses=params.statuses(request.GET),
        # With updated_after (and no dates) a back office follows every change,
        # however old the case; otherwise the spec's 90-day window applies.
        window=params.window(request.GET) if has_dates or updated_after is None else None,
        updated_after=updated_after,
        updated_before=params.moment(request.GET, "updated_before"),
        page=params.page(request.GET),
    )
    tickets = selectors.requests_list(client=client, province=province, filters=filters)
    return render(presenters.requests_out(request, tickets), fmt=fmt, root="service_requests")


def _attributes(form: Any) -> dict[str, list[str]]:
    """``attribute[code]=v``, repeated or as ``attribute[code][]=v`` for several."""
    answers: dict[str, list[str]] = {}
    for key, values in form.lists():
        if key.startswith("attribute[") and key.endswith("]"):
            code = key[len("attribute[") :].removesuffix("[]").removesuffix("]")
            answers.setdefault(code, []).extend(values)
    return answers


def _submit(request: HttpRequest, *, fmt: str) -> HttpResponse:
    form = params.form_of(request)
    # Some clients put api_key and jurisdiction_id in the query string. In
    # both places with different values, neither is guessed (params.text).
    for name in ("api_key", "jurisdiction_id"):
        if (sent := params.text(request.GET, name)) is not None:
            form.appendlist(name, sent)
    client = client_for_key(params.text(form, "api_key"), required=True)
    assert client is not None
    province = selectors.jurisdiction_get(params.text(form, "jurisdiction_id"))
    service_code = params.text(form, "service_code")
    if service_code is None:
        raise MissingParameter("service_code")
    uploads = uploads_of(request, "media", request.FILES.getlist("media"))
    if len(uploads) > MAX_PHOTOS:
        raise TooManyPhotos()
    filed = request_submit(
        client=client,
        province=province,
        form=RequestIn(
            service_code=service_code,
            lat=params.number(form, "lat", low=-90, high=90),
            lon=params.number(form, "long", low=-180, high=180),
            address_string=params.text(form, "address_string") or "",
            description=params.text(form, "description") or "",
            email=params.text(form, "email") or "",
            phone=params.text(form, "phone") or "",
            first_name=params.text(form, "first_name") or "",
            last_name=params.text(form, "last_name") or "",
            device_id=params.text(form, "device_id") or "",
            account_id=params.text(form, "account_id") or "",
            media_url=params.text(form, "media_url") or "",
            attributes=_attributes(form),
            photos=tuple(upload.read() for upload in uploads),
        ),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    # The id at once and no token: the spec returns one or the other, and the
    # token is for servers that file later. Tokens given before stay readable
    # at tokens/<token>.
    body = [
        {
            "service_request_id": filed.ticket.public_id,
            "service_notice": filed.notice,
            "account_id": "",
        }
    ]
    return render(body, fmt=fmt, root="service_requests", status=200 if filed.replayed else 201)


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    client, province = _reader(request)
    ticket = selectors.request_get(public_id=service_request_id, client=client, province=province)
    return render(presenters.requests_out(request, [ticket]), fmt=fmt, root="service_requests")


@endpoint("GET")
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    province = selectors.jurisdiction_get(params.text(request.GET, "jurisdiction_id"))
    filing = selectors.filing_for_token(token, province=province)
    body = [{"service_request_id": filing.ticket.public_id, "token": filing.token}]
    return render(body, fmt=fmt, root="service_requests")


@endpoint("GET")
def updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """FixMyStreet's GET Service Request Updates: what changed, oldest first."""
    client, province = _reader(request)
    events = selectors.updates_list(
        client=client,
        province=province,
        window=params.window(request.GET),
        page=params.page(request.GET),
    )
    return render(presenters.updates_out(request, events), fmt=fmt, root="service_request_updates")
