"""Every SMS the gateway hands us, once, with what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundSms(models.Model):
    """One SMS received. Its unique constraints are the intake's idempotency.

    Gateways resend a message until they see our 200, sometimes with the same
    id, sometimes under a new one: the gateway's id is unique, and so is
    (number, text, minute received), so a resend finds its first row instead
    of making a second case. A row waiting for its commune (``ASKED_COMMUNE``)
    is the conversation state: the sender's next plain answer completes it.
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        QUESTION = "question", _("Question")
        SCAM_CHECK = "scam_check", _("Scam check")
        REPLY = "reply", _("Reply on a case")
        ANSWER = "answer", _("Answer to our question")
        UNREADABLE = "unreadable", _("Unreadable")

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Being handled")
        FILED = "filed", _("Case filed")
        ASKED_COMMUNE = "asked_commune", _("Waiting for the commune")
        REPLIED = "replied", _("Added to the case")
        HELPED = "helped", _("Answered with how to write")
        CHECKED = "checked", _("Answered a scam check")
        REFUSED = "refused", _("Refused")
        LIMITED = "limited", _("Dropped: too many from this number")

    gateway_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    phone = models.CharField(_("mobile number"), max_length=16)
    text = models.TextField(_("text"))
    text_hash = models.CharField(max_length=64)
    # The minute it arrived: with the number and the text, what a resend shares.
    minute = models.DateTimeField()
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # When its current handling began: the first at arrival, a later one when a
    # resend takes over a handling that broke off (sms_intake/services.py).
    # Set by the database when not given, so code that predates the column
    # (a rolling deploy) can still insert.
    handling_since = models.DateTimeField(_("handled since"), db_default=Now())
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RECEIVED
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What is filed once the commune is known (a report's or question's text).
    description = models.TextField(_("description"), blank=True)
    ticket = models.ForeignKey(
        "helpdesk.Ticket",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The earlier SMS whose question this one answered.
    answers = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["gateway_id"],
                condition=~Q(gateway_id=""),
                name="inbound_sms_once_per_gateway_id",
            ),
            models.UniqueConstraint(
                fields=["phone", "text_hash", "minute"], name="inbound_sms_once_per_minute"
            ),
        ]
        indexes = [
            models.Index(
                fields=["phone", "-received_at"],
                condition=Q(outcome="asked_commune"),
                name="inbound_sms_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} @ {self.received_at:%Y-%m-%d %H:%M}: {self.outcome}"
