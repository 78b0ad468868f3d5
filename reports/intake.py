"""Submitting a field report or help request: never lost, never duplicated.

The order matters. Everything that can be refused is checked first; photos are
processed before the database transaction (they take ~200 ms each) and their
files deleted again if anything later fails; then one transaction creates the
ticket, its photos, the proxy record and the idempotency record. A retry with
the same Idempotency-Key and the same content returns the original case; two
identical retries racing each other collide on the key's unique constraint, and
the loser's transaction rolls back, so only one case exists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleAssignment, User
from accounts.phones import phone_normalize
from core.errors import Conflict, InvalidInput, PermissionDenied
from geo.models import AdminUnit
from geo.selectors import commune_at_point, point_check
from helpdesk.attachments import (
    MAX_PHOTOS,
    TooManyPhotos,
    attachments_create,
    photos_discard,
    photos_process_all,
)
from helpdesk.filing import LocationRequired, service_get_active, ticket_file
from helpdesk.models import Attachment, LocationSource, ProxyFiling, Ticket
from helpdesk.photos import ProcessedPhoto
from reports.models import IdempotencyRecord


class PhotoRequired(InvalidInput):
    code = "photo_required"
    default_message = _("Please add at least one photo of the problem.")


class OutsideCoverage(InvalidInput):
    code = "outside_coverage"
    default_message = _(
        "This place is not inside any commune of Vietnam. Move the pin, or choose your commune."
    )


class UnknownCommune(InvalidInput):
    code = "unknown_commune"
    default_message = _("We do not know this commune. Please choose it from the list.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _(
        "This submission key was already used for a different report. "
        "Start a new report to send something else."
    )


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    default_message = _("The submission key must be 8 to 128 letters, digits or dashes.")


class NotADigitalTeamMember(PermissionDenied):
    code = "not_digital_team"
    default_message = _("Only members of a community digital-technology team can file for others.")


class ProxyDetailsMissing(InvalidInput):
    code = "proxy_details_missing"
    default_message = _("Write the resident's name and how they gave their consent.")


@dataclass(frozen=True)
class ProxyDetails:
    resident_name: str
    consent: str
    resident_phone: str = ""
    village: str = ""


@dataclass(frozen=True)
class CaseDraft:
    service_code: str
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    location_source: str = ""
    accuracy_m: int | None = None
    address_text: str = ""
    commune_code: str | None = None
    photos: Sequence[bytes] = field(default_factory=tuple)
    proxy: ProxyDetails | None = None


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    replayed: bool
    explanation: str


def _content_hash(draft: CaseDraft) -> str:
    """Hash what the resident sent, photos by their bytes, in a stable form."""
    body = asdict(draft)
    body["photos"] = [hashlib.sha256(photo).hexdigest() for photo in draft.photos]
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> None:
    if not 8 <= len(key) <= 128 or not all(c.isalnum() or c in "-_" for c in key):
        raise InvalidIdempotencyKey()


def _replay(*, user: User, key: str, content_hash: str) -> Submission | None:
    record = IdempotencyRecord.objects.select_related("ticket").filter(user=user, key=key).first()
    if record is None:
        return None
    if record.request_hash != content_hash:
        # Nothing is lost: the first submission with this key is a case already.
        raise IdempotencyKeyReused(
            _(
                "This submission was already received as case %(number)s. "
                "To send something else, start a new report."
            )
            % {"number": record.ticket.number},
            details={"number": record.ticket.number},
        )
    return Submission(ticket=record.ticket, replayed=True, explanation="")


def _commune(code: str | None) -> AdminUnit | None:
    if not code:
        return None
    commune = (
        AdminUnit.objects.select_related("parent")
        .filter(level=AdminUnit.Level.COMMUNE, code=code, retired_in__isnull=True)
        .first()
    )
    if commune is None:
        raise UnknownCommune()
    return commune


def _check_proxy(*, filer: User, proxy: ProxyDetails) -> ProxyDetails:
    if not RoleAssignment.objects.filter(user=filer, role=Role.DIGITAL_TEAM).exists():
        raise NotADigitalTeamMember()
    if not proxy.resident_name.strip() or proxy.consent not in ProxyFiling.Consent.values:
        raise ProxyDetailsMissing()
    phone = phone_normalize(proxy.resident_phone) if proxy.resident_phone.strip() else ""
    return ProxyDetails(
        resident_name=proxy.resident_name.strip(),
        consent=proxy.consent,
        resident_phone=phone,
        village=proxy.village.strip(),
    )


def _resident_account(proxy: ProxyDetails) -> User | None:
    """The account of the resident's phone, made (code login only) if new."""
    if not proxy.resident_phone:
        return None
    existing = User.objects.filter(phone=proxy.resident_phone).first()
    if existing is not None:
        return existing
    return User.objects.create_user(proxy.resident_phone, full_name=proxy.resident_name)


def _location(
    draft: CaseDraft, photos: Sequence[ProcessedPhoto]
) -> tuple[float | None, float | None, str]:
    """Pick the place: a pin or the device's GPS, else the first photo's GPS."""
    if draft.lat is not None and draft.lon is not None:
        source = draft.location_source if draft.location_source in ("map", "gps") else "map"
        return draft.lat, draft.lon, source
    for photo in photos:
        if photo.info.gps is not None:
            return photo.info.gps.lat, photo.info.gps.lon, LocationSource.EXIF
    return None, None, ""


def case_submit(
    *,
    reporter: User,
    draft: CaseDraft,
    idempotency_key: str | None = None,
    storage: Storage | None = None,
) -> Submission:
    """File a report or help request; return the new case, or the original on a retry."""
    storage = storage or default_storage
    content_hash = _content_hash(draft)
    if idempotency_key is not None:
        _check_key(idempotency_key)
        replay = _replay(user=reporter, key=idempotency_key, content_hash=content_hash)
        if replay is not None:
            return replay

    service = service_get_active(code=draft.service_code)
    if len(draft.photos) > MAX_PHOTOS:
        raise TooManyPhotos()  # before anything is processed or checked further
    if service.photo_required and not draft.photos:
        raise PhotoRequired()
    if (draft.lat is None) != (draft.lon is None):
        raise LocationRequired()
    if draft.lat is not None and draft.lon is not None:
        point_check(lat=draft.lat, lon=draft.lon)
    commune = _commune(draft.commune_code)
    proxy = _check_proxy(filer=reporter, proxy=draft.proxy) if draft.proxy else None

    processed = photos_process_all(photos=draft.photos, storage=storage)
    try:
        lat, lon, source = _location(draft, processed)
        outside = (
            lat is not None
            and lon is not None
            and commune is None
            and commune_at_point(lat=lat, lon=lon) is None
        )
        if outside:
            raise OutsideCoverage()
        with transaction.atomic():
            filed = ticket_file(
                reporter=reporter,
                service=service,
                description=draft.description,
                lat=lat,
                lon=lon,
                location_source=source,
                accuracy_m=draft.accuracy_m,
                address_text=draft.address_text,
                commune=commune,
            )
            attachments_create(
                ticket=filed.ticket,
                photos=processed,
                role=Attachment.Role.REPORT,
                uploaded_by=reporter,
            )
            if proxy is not None:
                ProxyFiling.objects.create(
                    ticket=filed.ticket,
                    filed_by=reporter,
                    resident=_resident_account(proxy),
                    resident_name=proxy.resident_name,
                    resident_phone=proxy.resident_phone,
                    village=proxy.village,
                    consent=proxy.consent,
                )
            if idempotency_key is not None:
                IdempotencyRecord.objects.create(
                    user=reporter,
                    key=idempotency_key,
                    request_hash=content_hash,
                    ticket=filed.ticket,
                )
    except IntegrityError:
        # A retry with the same key won the race and committed first.
        photos_discard(photos=processed, storage=storage)
        if idempotency_key is not None:
            replay = _replay(user=reporter, key=idempotency_key, content_hash=content_hash)
            if replay is not None:
                return replay
        raise
    except BaseException:
        photos_discard(photos=processed, storage=storage)
        raise
    return Submission(ticket=filed.ticket, replayed=False, explanation=str(filed.explanation))
