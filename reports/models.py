"""Intake bookkeeping: idempotency keys, so a retried submission is never a duplicate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.models import Ticket


class IdempotencyRecord(models.Model):
    """The first submission made with a client's Idempotency-Key.

    A phone that lost its signal after sending retries with the same key; the
    same content gets the original case back, different content a conflict.
    Records are kept at least 7 days (purge_idempotency_keys removes older ones).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(_("idempotency key"), max_length=128)
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reports_idempotency_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
