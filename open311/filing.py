"""POST service request: an Open311 filing goes through the one filing service.

``request_submit`` checks what only Open311 has (the api_key's application,
the jurisdiction, the questions, the contact fields), then calls
helpdesk.filing.case_submit like every other channel: routing, the SLA clock,
photos through the photo pipeline, idempotency, the per-key abuse limit and
the notifications are the case core's. The case and its ClientFiling commit
together, in the case core's transaction.

Retries. Open311 has no idempotency header; XaDesk's ``Idempotency-Key`` is
honoured when a client sends it. Without it, a request that names its
``device_id`` gets a key made of the device and the whole content: the same
device sending the same service, text, place, answers and photos again is
taken as a retry of a request whose answer was lost, and gets the first case
back, not a duplicate. Without either, every POST is a new case.

Refusals the case core words for its own channels are told in Open311's
terms here: an unknown service_code is the spec's 404, and a reused key names
the first request by its service_request_id, never by its case number.

``media_url`` is kept as a link for officers and never fetched. Fetching would
make the server open any address a client names (the machine's own services,
the cloud metadata address, an internal network), wait on slow hosts while a
worker is held, and store bytes that did not come from the person; the photo
upload (multipart ``media``) is the way to send a photo through the pipeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from geo.models import AdminUnit
from geo.selectors import commune_at_point
from helpdesk import idempotency
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.filing_errors import IdempotencyKeyReused
from helpdesk.models import Ticket
from open311.attributes import answers_check
from open311.errors import (
    InvalidParameter,
    KeyReused,
    LocationMissing,
    OutsideJurisdiction,
)
from open311.models import ClientApplication, ClientFiling, names_given
from open311.selectors import service_get

MAX_LENGTHS = {
    "address_string": 255,
    "email": 254,
    "phone": 32,
    "first_name": 100,
    "last_name": 100,
    "device_id": 200,
    "account_id": 200,
    "media_url": 1000,
}


@dataclass(frozen=True)
class RequestIn:
    service_code: str
    lat: float | None = None
    lon: float | None = None
    address_string: str = ""
    description: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    photos: Sequence[bytes] = ()


@dataclass(frozen=True)
class Filed:
    ticket: Ticket
    replayed: bool
    notice: str


def _fields_check(form: RequestIn) -> None:
    for name, limit in MAX_LENGTHS.items():
        if len(getattr(form, name)) > limit:
            raise InvalidParameter(name)
    try:
        if form.email:
            validate_email(form.email)
    except ValidationError:
        raise InvalidParameter("email") from None
    try:
        if form.media_url:
            URLValidator(schemes=["http", "https"])(form.media_url)
    except ValidationError:
        raise InvalidParameter("media_url") from None
    if (form.lat is None) != (form.lon is None):
        raise InvalidParameter("long" if form.lon is None else "lat")
    if form.lat is None and not form.address_string:
        raise LocationMissing()


def _jurisdiction_check(form: RequestIn, province: AdminUnit | None) -> None:
    """A point in another province is refused before anything is filed."""
    if province is None or form.lat is None or form.lon is None:
        return
    match = commune_at_point(lat=form.lat, lon=form.lon)
    if match is not None and match.commune.parent_id != province.pk:
        raise OutsideJurisdiction()


def _idempotency_key(
    *, client: ClientApplication, header: str | None, device_id: str, draft: CaseDraft
) -> str | None:
    """The case core's key for this request, one key space per application.

    Keys are per account, and several applications may file under one
    operator's account: without the application in the key, one app's retry
    (or a guessed key) would get another's case back, and its client token.
    """
    if header:
        idempotency.key_check(header)  # refused as the case core refuses it
        seed = f"{client.pk}\nheader\n{header}"
    elif device_id:
        seed = f"{client.pk}\ndevice\n{device_id}\n{idempotency.content_hash(draft)}"
    else:
        return None
    return "o311-" + hashlib.sha256(seed.encode()).hexdigest()


def _key_reused(clash: IdempotencyKeyReused) -> KeyReused:
    """The case core's key conflict, the first request named by its
    service_request_id instead of its case number. The key is this
    application's own (_idempotency_key), so that request is one it filed."""
    first = Ticket.objects.values_list("public_id", flat=True).get(number=clash.details["number"])
    return KeyReused(service_request_id=first)


def request_submit(
    *,
    client: ClientApplication,
    province: AdminUnit | None,
    form: RequestIn,
    idempotency_key: str | None = None,
) -> Filed:
    """File the request as the application's account; the first case on a retry."""
    _fields_check(form)
    # The listed service (active, its questions read with it), or the spec's 404.
    service = service_get(form.service_code)
    answers = answers_check(
        attributes=list(service.open311_attributes.all()), given=form.attributes
    )
    _jurisdiction_check(form, province)
    description = "\n\n".join(
        part for part in (form.description.strip(), "\n".join(answers.lines)) if part
    )
    draft = CaseDraft(
        service_code=service.code,
        description=description,
        lat=form.lat,
        lon=form.lon,
        address_text=form.address_string,
        photos=tuple(form.photos),
    )
    key = _idempotency_key(
        client=client, header=idempotency_key, device_id=form.device_id, draft=draft
    )
    record = {
        "client": client,
        "email": form.email,
        "phone": form.phone,
        "first_name": form.first_name,
        "last_name": form.last_name,
        "device_id": form.device_id,
        "account_id": form.account_id,
        "media_url": form.media_url,
        "attributes": answers.values,
    }
    # The client's record of the case is written in the case's own transaction
    # (keep_beside): if that is not saved, its photos and count are undone
    # with it, as for any filing (core/saving.py).
    try:
        submission = case_submit(
            reporter=client.account,
            draft=draft,
            idempotency_key=key,
            client_id=client.pk,
            filer_names=names_given(form.first_name, form.last_name),
            keep_beside=lambda ticket: ClientFiling.objects.create(ticket=ticket, **record),
        )
    except IdempotencyKeyReused as clash:
        raise _key_reused(clash) from None
    return Filed(
        ticket=submission.ticket,
        replayed=submission.replayed,
        notice=submission.explanation,
    )
