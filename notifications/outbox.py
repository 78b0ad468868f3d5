"""The delivery worker's steps: claim due deliveries, send them, retry or give up.

Why an outbox table and not Django's tasks framework: Django 6 ships the task
API with only the immediate and dummy backends; a database-backed one means a
new dependency (django-tasks) whose queue rows would duplicate what the
Delivery table must hold anyway (one row per person, event and channel, the
unique constraint that makes a second send impossible, the status people see
in the admin). So the Delivery row *is* the job.

Claiming: in a short transaction a worker selects due rows ``FOR UPDATE SKIP
LOCKED`` and pushes their ``next_attempt_at`` forward by a lease
(NOTIFICATIONS_LEASE_SECONDS), then commits and sends outside any transaction.
A second worker skips the locked rows and, after the commit, no longer finds
them due; so several workers (or two ``--once`` runs) never send the same row
twice. The lease time the claim wrote is the worker's token: just before each
send it renews the row's lease only if the row still holds that token, so a
row whose lease ran out while it waited in a slow batch, and which another
worker has taken since, is skipped rather than sent twice.

A worker that is killed (SIGKILL, a lost machine) leaves its claimed rows
untouched until the lease ends, then any worker takes them again (tests/
notifications/test_delivery_worker.py kills the real command mid-send). The
message being sent at that moment may have reached the gateway already: at
the gateway boundary delivery is at-least-once, and the SMS adapter sends the
same ``Idempotency-Key`` on every try of a row (notifications/gateways.py) so
a gateway that dedupes makes it exactly once. A worker told to stop (SIGTERM)
finishes the send in progress and hands the rest of its batch back at once.

Retries back off exponentially (30 s, 1 min, 2 min … capped at 6 h); after
NOTIFICATIONS_MAX_ATTEMPTS the row is ``dead``. The in-app row is never
touched here, so a broken gateway never costs anyone their inbox message.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from notifications.gateways import DeliveryFailed, gateway_for
from notifications.models import Channel, Delivery, DeliveryStatus, NotificationPreference
from notifications.selectors import preference_for

logger = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
# Channels that must not buzz a phone at night.
QUIET_CHANNELS = (Channel.SMS,)


def lease() -> timedelta:
    """How long a claim keeps other workers off a row: longer than one send may take."""
    return timedelta(seconds=int(getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 300)))


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed tries."""
    delay: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(delay, BACKOFF_CAP)


def quiet_until(preference: NotificationPreference, now: datetime) -> datetime | None:
    """Return when the person's quiet hours end, or None when ``now`` is not in them."""
    local = timezone.localtime(now)
    start, end, moment = preference.quiet_start, preference.quiet_end, local.time()
    if start == end:
        return None
    quiet = (moment >= start or moment < end) if start > end else start <= moment < end
    if not quiet:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until


@dataclass(frozen=True)
class Claim:
    """Rows one worker took, and the lease end it wrote on them (its token)."""

    ids: list[int]
    until: datetime


def deliveries_claim(*, now: datetime, limit: int = 100) -> Claim:
    """Take up to ``limit`` due deliveries for this worker."""
    until = now + lease()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(id__in=ids).update(
                next_attempt_at=until, attempts=F("attempts") + 1
            )
    return Claim(ids=ids, until=until)


def _held(*, delivery_id: int, claim: Claim) -> QuerySet[Delivery]:
    """The row, if it still carries this claim's token (nobody took it since)."""
    return Delivery.objects.filter(
        pk=delivery_id,
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
        next_attempt_at=claim.until,
    )


def delivery_renew(*, delivery_id: int, claim: Claim) -> bool:
    """Extend the claim on one row just before its send; False if it was lost.

    A batch behind a slow gateway can outlast the lease; by then another
    worker may have claimed the rows still waiting here.
    """
    fresh = max(claim.until, timezone.now() + lease())
    renewed = _held(delivery_id=delivery_id, claim=claim).update(next_attempt_at=fresh)
    if renewed:
        # Later sends of this batch still compare with claim.until: only this
        # row moved, and it is settled by delivery_send.
        return True
    logger.warning("Delivery %s: lease lost before its send; another worker has it", delivery_id)
    return False


def deliveries_release(*, ids: list[int], claim: Claim, now: datetime) -> int:
    """Hand unsent claimed rows back, due at once and with the attempt uncounted."""
    return Delivery.objects.filter(
        pk__in=ids,
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
        next_attempt_at=claim.until,
    ).update(next_attempt_at=now, attempts=F("attempts") - 1)


def delivery_send(*, delivery_id: int, now: datetime) -> str:
    """Send one claimed delivery; return its new status."""
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    if delivery.channel in QUIET_CHANNELS and not delivery.urgent:
        until = quiet_until(preference_for(user_id=delivery.notification.recipient_id), now)
        if until is not None:
            # Not an attempt: the message waits for the morning.
            Delivery.objects.filter(pk=delivery_id).update(
                next_attempt_at=until, attempts=F("attempts") - 1
            )
            return DeliveryStatus.PENDING
    try:
        gateway_for(delivery.channel).send(delivery)
    except DeliveryFailed as exc:
        dead = exc.permanent or delivery.attempts >= max_attempts()
        status = DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED
        Delivery.objects.filter(pk=delivery_id).update(
            status=status,
            last_error=str(exc)[:300],
            next_attempt_at=now + backoff(delivery.attempts),
        )
        logger.warning(
            "Delivery %s (%s) attempt %s failed%s: %s",
            delivery_id,
            delivery.channel,
            delivery.attempts,
            ", giving up" if dead else "",
            exc,
        )
        return status
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return DeliveryStatus.SENT


def deliveries_process(
    *,
    now: datetime | None = None,
    limit: int = 100,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Claim and send one batch; return a count per resulting status.

    ``should_stop`` is asked after each send: when it says so, the rows not
    yet sent are released for another worker (counted as "released").
    """
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    claim = deliveries_claim(now=now, limit=limit)
    for position, delivery_id in enumerate(claim.ids):
        if delivery_renew(delivery_id=delivery_id, claim=claim):
            counts[delivery_send(delivery_id=delivery_id, now=now)] += 1
        else:
            counts["lost"] += 1
        rest = claim.ids[position + 1 :]
        if rest and should_stop():
            counts["released"] += deliveries_release(ids=rest, claim=claim, now=now)
            break
    return dict(counts)


def digest_hour() -> int:
    return int(getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 7))


def digests_send(*, now: datetime | None = None) -> int:
    """Send each digest reader one email with what waited since their last one.

    Runs any number of times a day from any number of workers: a person's
    preference row is locked while their digest is built and sent, and
    ``digest_sent_on`` makes the second run that day a no-op.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < digest_hour():
        return 0
    today = local.date()
    waiting = (
        Delivery.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.DIGEST)
        .values_list("notification__recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in sorted(set(waiting)):
        with transaction.atomic():
            created, _new = NotificationPreference.objects.get_or_create(user_id=user_id)
            preference = (
                NotificationPreference.objects.select_for_update(skip_locked=True)
                .filter(pk=created.pk)
                .first()
            )
            if preference is None or preference.digest_sent_on == today:
                continue
            rows = list(
                Delivery.objects.select_for_update()
                .filter(
                    notification__recipient_id=user_id,
                    channel=Channel.EMAIL,
                    status=DeliveryStatus.DIGEST,
                )
                .select_related("notification__recipient")
                .order_by("notification_id")
            )
            if not rows:
                continue
            recipient = rows[0].notification.recipient
            if recipient.email:
                with override(recipient.language):
                    subject = ngettext(
                        "XaDesk: %(count)d update today",
                        "XaDesk: %(count)d updates today",
                        len(rows),
                    ) % {"count": len(rows)}
                    lines = [f"- {d.notification.title}: {d.notification.body}" for d in rows]
                    footer = _("Open XaDesk to see each case and reply.")
                # An error here rolls the claim back; the next run tries again.
                send_mail(subject, "\n".join([*lines, "", footer]), None, [recipient.email])
            Delivery.objects.filter(pk__in=[d.pk for d in rows]).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            preference.digest_sent_on = today
            preference.save(update_fields=["digest_sent_on"])
            sent += 1
    return sent
