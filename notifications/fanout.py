"""The worker's side of messages to many people: FanOut rows become inbox rows.

``notifications_send`` commits one FanOut row with the change when a message
has more than NOTIFICATIONS_INLINE_MAX recipients (notifications/services.py).
Here a worker claims due rows (FOR UPDATE SKIP LOCKED, then a lease, as for
deliveries in notifications/outbox.py) and writes each chunk of recipients'
inbox rows and deliveries in its own transaction, whose commit pushes them.

Exactly once: a worker that dies half-way leaves the row due again when the
lease ends; the next one writes every chunk again, and the inbox rows'
unique (recipient, dedupe_key) skips the people already told, with their
deliveries and pushes (only rows created now get either).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.leased_jobs import jobs_claim, jobs_hand_back
from notifications.models import FanOut
from notifications.outbox import lease
from notifications.services import Message, notifications_write

logger = logging.getLogger(__name__)

CHUNK = 1000


def fanouts_claim(*, now: datetime, limit: int) -> tuple[list[int], datetime]:
    """Take up to ``limit`` due fan-outs; return their ids and the lease end written."""
    return jobs_claim(FanOut, now=now, limit=limit, lease=lease())


def fanout_tell(*, fanout_id: int, until: datetime) -> int:
    """Write the inbox rows of one claimed fan-out, chunk by chunk; return how many."""
    fanout = FanOut.objects.get(pk=fanout_id)
    message = Message(
        texts={language: (text[0], text[1]) for language, text in fanout.texts.items()},
        dedupe_key=fanout.dedupe_key,
        link=fanout.link,
        essential=fanout.essential,
        province_id=fanout.province_id,
        urgent=fanout.urgent,
    )
    told = 0
    for start in range(0, len(fanout.recipient_ids), CHUNK):
        chunk = fanout.recipient_ids[start : start + CHUNK]
        with transaction.atomic():
            told += len(
                notifications_write(recipient_ids=chunk, message=message, now=fanout.created_at)
            )
    done = FanOut.objects.filter(pk=fanout_id, next_attempt_at=until, done_at__isnull=True)
    if not done.update(done_at=timezone.now()):
        # The lease ended mid-way and another worker took it: it finds every
        # person told here already and finishes the row.
        logger.warning("Fan-out %s: lease lost while telling its people", fanout_id)
    return told


def fanouts_process(
    *, now: datetime | None = None, limit: int = 5, should_stop: Callable[[], bool] = lambda: False
) -> int:
    """Claim and tell one batch of fan-outs; return the inbox rows written."""
    now = now or timezone.now()
    ids, until = fanouts_claim(now=now, limit=limit)
    told = 0
    for position, fanout_id in enumerate(ids):
        told += fanout_tell(fanout_id=fanout_id, until=until)
        rest = ids[position + 1 :]
        if rest and should_stop():
            jobs_hand_back(FanOut, ids=rest, until=until, now=now)
            break
    return told
