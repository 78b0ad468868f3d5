"""Publishing an alert, and a relay marking a household told.

``publish_alert`` answers at once whatever the area's size: it writes the
Alert and one FanOut row whose recipient ids the database gathers itself
(notifications.services.fanout_queue), in one transaction; the delivery
worker then writes each person's inbox row and deliveries in chunks
(notifications/fanout.py). So an alert to a whole province costs the
officer's request a few queries, not a row per person.

Disaster alerts are urgent (their SMS and Zalo copies go through quiet
hours) and essential (they still go once the province's monthly SMS cap is
reached); scam warnings and notices wait for the morning and stop at the cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from alerts.errors import AlertAreaOutOfScope, AlertNotFound, HouseholdNotFound, InvalidAlert
from alerts.models import Alert, Category, Relay, RelayHousehold, RelayTold
from alerts.selectors import alert_areas_q, alert_recipients, alerts_current_for, households_in
from core.saving import atomic_saving, saving_witness
from core.sms import SmsSize, sms_size
from core.visible_text import is_blank, text_without_controls
from geo.models import AdminUnit
from geo.units import units_current
from helpdesk import idempotency
from helpdesk.filing_errors import IdempotencyKeyReused
from helpdesk.permissions import Scope
from notifications.services import Message, fanout_queue

MAX_DAYS = 30
MAX_VILLAGES = 30


@dataclass(frozen=True)
class AlertDraft:
    category: str
    # The area: a commune (with optional villages) or, without one, the province.
    province_id: int | None
    commune_id: int | None
    short_text: str
    long_text: str
    expires_at: datetime
    villages: tuple[str, ...] = field(default_factory=tuple)


def _invalid(message: object, field_name: str) -> InvalidAlert:
    return InvalidAlert(message, field=field_name)  # type: ignore[arg-type]


def _area(scope: Scope, draft: AlertDraft) -> tuple[AdminUnit, AdminUnit | None]:
    """The province and commune of the draft, if the author may send there."""
    province_q, commune_q = alert_areas_q(scope=scope)
    commune = None
    if draft.commune_id is not None:
        commune = units_current(level=AdminUnit.Level.COMMUNE).filter(pk=draft.commune_id).first()
        if commune is None or commune.parent_id is None:
            raise _invalid(_("Choose a commune."), "commune")
        province_id = commune.parent_id
    elif draft.province_id is not None:
        province_id = draft.province_id
    else:
        raise _invalid(_("Choose the province or a commune."), "commune")
    province = units_current(level=AdminUnit.Level.PROVINCE).filter(pk=province_id).first()
    if province is None:
        raise _invalid(_("Choose the province or a commune."), "commune")
    # The same rule as the form's choices (alerts/selectors.py).
    if commune is not None:
        allowed = AdminUnit.objects.filter(commune_q, pk=commune.pk).exists()
    else:
        allowed = AdminUnit.objects.filter(province_q, pk=province.pk).exists()
    if not allowed:
        raise AlertAreaOutOfScope()
    return province, commune


def alert_sms_text(text: str) -> str:
    """The alert's SMS as it is sent: no direction controls, spaces collapsed."""
    return " ".join(text_without_controls(text).split())


def alert_sms_size(text: str) -> SmsSize:
    """How long the SMS of ``text`` is and how many SMS it takes, as sent
    (core.sms, the rule the SMS bill counts by)."""
    return sms_size(alert_sms_text(text))


def _clean(draft: AlertDraft, now: datetime) -> tuple[str, str, list[str]]:
    if draft.category not in Category.values:
        raise _invalid(_("Choose a category."), "category")
    short = alert_sms_text(draft.short_text)
    if is_blank(short):
        raise _invalid(_("Write the short text for SMS."), "short_text")
    size = sms_size(short)
    if size.segments > 1:
        # The count as the form's counter shows it (alert_sms_size): without
        # JavaScript this sentence is where the officer learns it.
        raise _invalid(
            ngettext(
                "The SMS text must fit one SMS: 160 characters without Vietnamese marks, "
                "or 70 with them. This one has %(characters)s character: %(parts)s SMS.",
                "The SMS text must fit one SMS: 160 characters without Vietnamese marks, "
                "or 70 with them. This one has %(characters)s characters: %(parts)s SMS.",
                size.length,
            )
            % {"characters": size.length, "parts": size.segments},
            "short_text",
        )
    long = draft.long_text.strip()
    if is_blank(long):
        raise _invalid(_("Write the text for the page."), "long_text")
    if not now < draft.expires_at <= now + timedelta(days=MAX_DAYS):
        raise _invalid(_("The alert must expire within the next 30 days."), "expires_at")
    villages = list(dict.fromkeys(v.strip() for v in draft.villages if v.strip()))
    if len(villages) > MAX_VILLAGES or any(len(v) > 120 for v in villages):
        raise _invalid(_("Name at most 30 villages, each up to 120 characters."), "villages")
    if villages and draft.commune_id is None:
        raise _invalid(_("Villages can only be chosen within one commune."), "villages")
    return short, long, villages


def alert_link(alert: Alert) -> str:
    unit = alert.commune or alert.province
    return reverse("alerts:public", kwargs={"code": unit.code}) + f"#alert-{alert.pk}"


def _published_with(*, author: User, key: str, request_hash: str) -> Alert | None:
    """The alert this author published with ``key``, or None; other content is a conflict."""
    alert = Alert.objects.filter(author=author, submission_key=key).first()
    if alert is None:
        return None
    if alert.submission_hash != request_hash:
        when = formats.date_format(timezone.localtime(alert.published_at), "H:i d/m/Y")
        raise IdempotencyKeyReused(
            _(
                "This alert was already published at %(time)s. "
                "To send another one, open a new alert form."
            )
            % {"time": when},
            details={"alert": alert.pk},
        )
    return alert


@dataclass(frozen=True)
class Published:
    alert: Alert
    # The people its fan-out was queued for (notifications.services.fanout_queue
    # counts them for nothing); None when this call sent nothing: the same form
    # sent again answers with the alert it published before.
    recipients: int | None


def publish_alert(
    *,
    author: User,
    scope: Scope,
    draft: AlertDraft,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Alert:
    """``alert_publish``, for a caller that needs only the alert."""
    return alert_publish(
        author=author, scope=scope, draft=draft, now=now, idempotency_key=idempotency_key
    ).alert


def alert_publish(
    *,
    author: User,
    scope: Scope,
    draft: AlertDraft,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Published:
    """Write the alert and queue it for everyone in its area; return at once,
    with how many people it was queued for.

    With ``idempotency_key`` (the form's), the same draft sent again returns
    the alert it published, which is sent to everyone once."""
    request_hash = ""
    if idempotency_key is not None:
        idempotency.key_check(idempotency_key)
        request_hash = idempotency.content_hash(draft)
        first = _published_with(author=author, key=idempotency_key, request_hash=request_hash)
        if first is not None:
            return Published(first, None)
    now = now or timezone.now()
    short, long, villages = _clean(draft, now)
    province, commune = _area(scope, draft)
    disaster = draft.category == Category.DISASTER
    try:
        # A lost answer to the COMMIT is asked about rather than called "not
        # saved" (core/saving.py): an officer told "nothing was saved" publishes again.
        with atomic_saving():
            alert = Alert.objects.create(
                category=draft.category,
                province=province,
                commune=commune,
                villages=villages,
                short_text=short,
                long_text=long,
                expires_at=draft.expires_at,
                author=author,
                published_at=now,
                submission_key=idempotency_key or "",
                submission_hash=request_hash,
            )
            saving_witness(alert)  # never updated: it tells a saved COMMIT from a reused id
            recipients = fanout_queue(
                recipients=alert_recipients(alert=alert),
                message=Message(
                    # The SMS copy is the title alone: the text the officer fitted to one SMS.
                    texts={"vi": (short, "")},
                    dedupe_key=alert.dedupe_key,
                    link=alert_link(alert),
                    essential=disaster,
                    urgent=disaster,
                    province_id=province.pk,
                ),
                now=now,
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        # A twin sent with the same key committed first.
        first = _published_with(author=author, key=idempotency_key, request_hash=request_hash)
        if first is None:
            raise
        return Published(first, None)
    return Published(alert, recipients)


def relay_mark_told(
    *, relay: Relay, alert_id: int, household_id: int, by: User, now: datetime | None = None
) -> bool:
    """Record that the relay told a household; False when it was marked before."""
    household = RelayHousehold.objects.filter(pk=household_id, relay=relay).first()
    if household is None:
        raise HouseholdNotFound()
    alert = alerts_current_for(unit=relay.commune, now=now).filter(pk=alert_id).first()
    if alert is None:
        raise AlertNotFound()
    if not RelayHousehold.objects.filter(households_in(alert), pk=household.pk).exists():
        raise HouseholdNotFound()  # not in the villages the alert is for
    try:
        with transaction.atomic():
            _told, created = RelayTold.objects.get_or_create(
                alert=alert,
                household=household,
                defaults={"marked_by": by, "told_at": now or timezone.now()},
            )
    except IntegrityError:  # the same tap twice at once: the other one counted it
        return False
    return created
