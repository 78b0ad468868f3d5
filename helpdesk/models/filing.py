"""Who stands behind a case besides its reporter ("me too" supporters, and the
resident a digital-technology team member filed for), and the idempotency keys
that make a retried filing or reply return the first one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.models.tickets import Ticket, TicketEvent


class CaseSupport(models.Model):
    """A resident saying "me too" on an open report instead of filing a duplicate."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supported_cases"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="helpdesk_support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.ticket_id}"


class ProxyFiling(models.Model):
    """A case a team member filed on behalf of a resident without a smartphone.

    The member is the ticket's reporter (they follow it, relay the outcome and
    post the rating); the resident's details and consent are recorded here.
    """

    class Consent(models.TextChoices):
        SPOKEN = "spoken", _("Spoken consent")
        SIGNED_PAPER = "signed_paper", _("Signed paper")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="proxy")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxy_filings"
    )
    # When the resident has a phone, an account (code login only) is made for
    # that number so they follow the case by SMS and can look it up later.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident's account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_filed_for_me",
    )
    resident_name = models.CharField(_("resident's name"), max_length=150)
    resident_phone = models.CharField(_("resident's phone"), max_length=16, blank=True)
    village = models.CharField(_("village"), max_length=120, blank=True)
    consent = models.CharField(_("consent"), max_length=20, choices=Consent.choices)
    consent_at = models.DateTimeField(_("consent recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("filing on behalf")
        verbose_name_plural = _("filings on behalf")

    def __str__(self) -> str:
        return f"{self.ticket_id} for {self.resident_name}"


class IdempotencyRecord(models.Model):
    """The first filing or reply made with a client's Idempotency-Key
    (helpdesk/filing.py, helpdesk/lifecycle.py ``ticket_reply``).

    A phone that lost its signal after sending retries with the same key; the
    same content gets the original case (or message) back, different content a
    conflict. Every channel files and replies through the same services, so
    one key space per person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(_("idempotency key"), max_length=128)
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    # The reply or note made with the key; None for a filing (the case is the answer).
    # Its index is built concurrently (Meta.indexes, migration 0030): one row per
    # keyed filing, read by every keyed filing and reply.
    event = models.ForeignKey(
        TicketEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="helpdesk_idempotency_once"),
        ]
        indexes = [models.Index(fields=["event"], name="idempotency_event")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
