"""Filing a case: the one way in to the case core, for every channel.

The web form, the REST API, the benches and the channels still to come (SMS,
Open311) all call ``case_submit``; nothing else creates a ticket (a test in
tests/helpdesk/test_filing.py holds every channel to it). The order matters.
Everything that can be refused is checked first; photos are processed before
the database transaction (they take ~200 ms each) and their files deleted
again if anything later fails; then one transaction creates the ticket, its
first event, its photos, the proxy record and the idempotency record. A retry
with the same Idempotency-Key and the same content returns the original case;
two identical retries racing each other collide on the key's unique
constraint, and the loser's transaction rolls back, so only one case exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import User
from core.errors import refusals_gathered
from core.multiline import lf_text
from core.rate_limits import Charge, rate_limits_charged
from core.saving import Saving, atomic_saving
from core.visible_text import is_blank
from geo.models import AdminUnit
from geo.selectors import point_check
from geo.units import commune_get_current
from helpdesk import errors, idempotency
from helpdesk.attachments import (
    MAX_PHOTOS,
    TooManyPhotos,
    attachments_create,
    media_undo,
    photos_accept_all,
    photos_deferred,
    photos_process_all,
    voice_attachment_create,
)
from helpdesk.events import ticket_event_record
from helpdesk.filing_errors import (
    DescriptionRequired,
    DescriptionTooLong,
    LocationRequired,
    PhotoRequired,
    UnknownCommune,
)
from helpdesk.models import Attachment, LocationSource, Service, Ticket, TicketEvent
from helpdesk.numbering import case_number_next
from helpdesk.photos import ProcessedPhoto
from helpdesk.proxy_filing import ProxyDetails, proxy_check, proxy_record
from helpdesk.routing import RoutingDecision, route_case
from helpdesk.search_text import search_text_of
from helpdesk.sla import WorkingCalendar, working_deadline
from helpdesk.voice import ProcessedVoice, voice_process
from helpdesk.voice import max_bytes as voice_max_bytes
from helpdesk.voice_errors import AudioTooLarge

MAX_DESCRIPTION = 4000
# A position known to within 100 km says little; past it a phone's figure is
# noise, and past 2^31 the column cannot hold it (a form's value was a 500).
# The case core keeps no accuracy past it, whatever the channel: the page's
# hidden field is the phone's figure, which the person can neither see nor
# correct. The API's schema refuses it instead, as its clients can fix it.
MAX_ACCURACY_M = 100_000


def _accuracy_kept(accuracy_m: int | None) -> int | None:
    # Only the cap: below zero is no figure a phone gives, refused by the
    # forms and the API, and the column's CHECK holds it.
    if accuracy_m is not None and accuracy_m > MAX_ACCURACY_M:
        return None
    return accuracy_m


@dataclass(frozen=True)
class CaseDraft:
    """What a filer sends, whatever the channel."""

    service_code: str
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    location_source: str = ""
    accuracy_m: int | None = None
    address_text: str = ""
    commune_code: str | None = None
    photos: Sequence[bytes] = field(default_factory=tuple)
    # One recording (helpdesk/voice.py), in any format a phone records.
    voice: bytes | None = None
    proxy: ProxyDetails | None = None
    # The kind the channel files, when it offers only one (the report page,
    # the help page): a service of another kind is unknown there. A street
    # light's code sent to the help form had filed a report with no place.
    kind: str | None = None


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    replayed: bool
    # Why the case did not go straight to a department, for the filer ("" if it did).
    explanation: str


def service_get_active(*, code: str) -> Service:
    service = Service.objects.filter(code=code, is_active=True).first()
    if service is None:
        raise errors.UnknownService()
    return service


def _commune(code: str | None) -> AdminUnit | None:
    if not code:
        return None
    commune = commune_get_current(code=code)
    if commune is None:
        raise UnknownCommune()
    return commune


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


def _draft_check(draft: CaseDraft, service: Service) -> str:
    """Refuse what can be refused before any work; return the cleaned description.

    The photos, the words, the voice note and the point are checked apart
    and refused together (core.errors.refusals_gathered)."""
    _, description, _, _ = refusals_gathered(
        lambda: _photos_check(draft, service),
        lambda: _description_check(draft, service),
        lambda: _voice_check(draft),
        lambda: _point_check(draft),
    )
    return str(description)


def _photos_check(draft: CaseDraft, service: Service) -> None:
    if len(draft.photos) > MAX_PHOTOS:
        raise TooManyPhotos()
    if service.photo_required and not draft.photos:
        raise PhotoRequired()


def _description_check(draft: CaseDraft, service: Service) -> str:
    # LF line breaks, each counted once (core/multiline.py), whichever way in.
    description = lf_text(draft.description.strip())
    # A voice note says what the words would: for people who read or type
    # with difficulty, it stands in for the description.
    if service.description_required and is_blank(description) and not draft.voice:
        raise DescriptionRequired()
    if len(description) > MAX_DESCRIPTION:
        raise DescriptionTooLong()
    return description


def _voice_check(draft: CaseDraft) -> None:
    if draft.voice and len(draft.voice) > voice_max_bytes():
        raise AudioTooLarge(max_bytes=voice_max_bytes(), size=len(draft.voice))


def _point_check(draft: CaseDraft) -> None:
    if (draft.lat is None) != (draft.lon is None):
        raise LocationRequired()
    if draft.lat is not None and draft.lon is not None:
        point_check(lat=draft.lat, lon=draft.lon)


def _place_given_check(draft: CaseDraft, service: Service) -> None:
    """No point, no commune and no photo whose GPS could give one: refused
    with the rest (a photo's place is only known once it is read)."""
    # A half point is _point_check's refusal; not said twice.
    if (
        service.location_required
        and draft.lat is None
        and draft.lon is None
        and not draft.commune_code
        and not draft.photos
    ):
        raise LocationRequired()


def _ticket_create(
    *,
    reporter: User,
    service: Service,
    description: str,
    decision: RoutingDecision,
    lat: float | None,
    lon: float | None,
    location_source: str,
    accuracy_m: int | None,
    address_text: str,
    filer_names: Sequence[str],
    proxy: ProxyDetails | None = None,
) -> Ticket:
    """Number the routed case, start its SLA clock and record its first event
    (inside case_submit's transaction; never called from anywhere else)."""
    now = timezone.now()
    located = lat is not None and lon is not None
    filer_names = [name for name in filer_names if name.strip()]
    address_text = address_text.strip()
    names = [reporter.full_name, proxy.resident_name if proxy else "", *filer_names]
    calendar = WorkingCalendar.for_province(decision.province.pk if decision.province else None)
    ticket = Ticket.objects.create(
        number=case_number_next(province=decision.province, at=now),
        kind=service.kind,
        service=service,
        description=description,
        location=Point(lon, lat, srid=4326) if located else None,
        location_source=location_source
        or (LocationSource.MAP if located else LocationSource.COMMUNE),
        location_accuracy_m=accuracy_m,
        address_text=address_text,
        filer_names=filer_names,
        search_text=search_text_of(description=description, address_text=address_text, names=names),
        commune=decision.commune,
        province=decision.province,
        boundary_version_id=decision.boundary_version_id,
        department=decision.department,
        reporter=reporter,
        created_at=now,
        updated_at=now,
        due_at=working_deadline(start=now, working_hours=service.sla_hours, calendar=calendar),
    )
    # The resident a team member files for follows the case from its first
    # event: told it was received, with its number, as its filer is (recorded
    # after the event, they were told nothing until the officer's first step,
    # whose SMS quoted a number they had never been given: a helper's walk).
    if proxy is not None:
        proxy_record(ticket=ticket, filer=reporter, proxy=proxy)
    ticket_event_record(
        ticket,
        kind=TicketEvent.Kind.CREATED,
        actor=reporter,
        to_status=ticket.status,
        body=str(decision.explanation),
    )
    return ticket


def case_submit(
    *,
    reporter: User,
    draft: CaseDraft,
    idempotency_key: str | None = None,
    ip: str | None = None,
    client_id: int | None = None,
    filer_names: Sequence[str] = (),
    storage: Storage | None = None,
    keep_beside: Callable[[Ticket], object] | None = None,
) -> Submission:
    """File a report or help request; return the new case, or the original on a retry.

    ``ip`` is the client's address for the per-IP abuse limits (None: channels
    without one, such as the benches, meet the per-person limits only).
    ``client_id`` names a client application that files for many people under
    one account (an Open311 API key): its per-client limits replace the
    account's per-person ones, which are sized for one person's hand.
    ``keep_beside`` writes what a channel keeps of the new case (Open311's
    client record) in the case's own transaction, so that the two are saved
    or undone together, files and count included; it is not called on a replay.
    ``filer_names``: the names the person gave to such a client (Ticket.filer_names).
    """
    storage = storage or default_storage
    request_hash = idempotency.content_hash(draft)
    if idempotency_key is not None:
        idempotency.key_check(idempotency_key)
        first = idempotency.ticket_for_key(
            user=reporter, key=idempotency_key, request_hash=request_hash
        )
        if first is not None:
            return Submission(ticket=first, replayed=True, explanation="")

    service = service_get_active(code=draft.service_code)
    if draft.kind is not None and service.kind != draft.kind:
        raise errors.UnknownService()
    # Every input checked, and refused together (core.errors.Refusals).
    description: str
    commune: AdminUnit | None
    proxy: ProxyDetails | None
    description, commune, proxy, _ = refusals_gathered(
        lambda: _draft_check(draft, service),
        lambda: _commune(draft.commune_code),
        lambda: proxy_check(filer=reporter, proxy=draft.proxy) if draft.proxy else None,
        lambda: _place_given_check(draft, service),
    )
    # Counted after the replay above (a retry never counts twice, and still
    # gets its case at the limit) and after the cheap checks (a refused form
    # costs nothing), before the photos are processed, the costly part.
    # A bucket or database outage below gives the charges back (core/rate_limits.py).
    with rate_limits_charged(
        charges=(
            Charge(action="filing", cost=1, error=errors.FilingRateLimited),
            # A voice note costs about as much to convert as a photo.
            Charge(
                action="photo",
                cost=len(draft.photos) + (1 if draft.voice else 0),
                error=errors.PhotoRateLimited,
            ),
        ),
        person_id=reporter.pk if client_id is None else None,
        ip=ip,
        client_id=client_id,
    ) as charge:
        # With PHOTO_PROCESSING=worker only the headers are checked here and the
        # originals stored; the case commits at once with a job per photo, and
        # the worker makes the served images (helpdesk/photo_jobs.py).
        if photos_deferred():
            processed = photos_accept_all(photos=draft.photos, storage=storage)
        else:
            processed = photos_process_all(photos=draft.photos, storage=storage)
        voice: ProcessedVoice | None = None
        saving = Saving()
        try:
            voice = voice_process(data=draft.voice, storage=storage) if draft.voice else None
            lat, lon, source = _location(draft, processed)
            if service.location_required and lat is None and commune is None:
                raise LocationRequired()
            # The one point lookup of the filing; refuses a point far from Vietnam.
            decision = route_case(service=service, lat=lat, lon=lon, commune=commune)
            with atomic_saving(saving):
                ticket = _ticket_create(
                    reporter=reporter,
                    service=service,
                    description=description,
                    decision=decision,
                    lat=lat,
                    lon=lon,
                    location_source=source,
                    accuracy_m=_accuracy_kept(draft.accuracy_m),
                    address_text=draft.address_text,
                    filer_names=filer_names,
                    proxy=proxy,
                )
                attachments_create(
                    ticket=ticket,
                    photos=processed,
                    role=Attachment.Role.REPORT,
                    uploaded_by=reporter,
                )
                voice_attachment_create(ticket=ticket, voice=voice, uploaded_by=reporter)
                if idempotency_key is not None:
                    idempotency.key_record(
                        user=reporter, key=idempotency_key, request_hash=request_hash, ticket=ticket
                    )
                if keep_beside is not None:
                    keep_beside(ticket)
        except IntegrityError:
            # A retry with the same key won the race and committed first.
            media_undo(saving, photos=processed, voice=voice, storage=storage)
            if idempotency_key is not None:
                first = idempotency.ticket_for_key(
                    user=reporter, key=idempotency_key, request_hash=request_hash
                )
                if first is not None:
                    # A replay, counted no more than one found at the start.
                    charge.give_back()
                    return Submission(ticket=first, replayed=True, explanation="")
            raise
        except BaseException:
            media_undo(saving, photos=processed, voice=voice, storage=storage)
            raise
        return Submission(ticket=ticket, replayed=False, explanation=str(decision.explanation))
