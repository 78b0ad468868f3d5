"""The inbox, the outbox and each person's delivery preferences.

A Notification is the in-app message itself: written once per person and
event (``dedupe_key``), in the person's language at the time it was made, so
the inbox never changes wording later. Each external copy of it (email, SMS,
Zalo) is a Delivery row in the outbox that the worker sends; one row per
channel, so a message reaches a person at most once per channel and event.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # The language title and body are written in (shown as the page's lang of
    # that part, so a screen reader reads it with the right voice).
    language = models.CharField(_("language"), max_length=8, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # What the message is about, e.g. "case-event:123"; one message per person each.
    dedupe_key = models.CharField(max_length=120)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_person"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # Who got one message (an alert's reach figures, alerts/selectors.py):
            # the unique constraint leads with the recipient, useless for that.
            models.Index(fields=["dedupe_key"], name="notification_dedupe_key"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")
    DIGEST = "digest", _("Waiting for the daily digest")


class Delivery(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker may (next) take the row. Claiming pushes it forward by a
    # lease, so a worker that dies mid-send leaves the row to be retried.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # For the SMS bill (SmsUsage): whose budget an SMS copy spends, and whether
    # it still goes out once that province's monthly cap is reached.
    essential = models.BooleanField(default=True)
    province = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sent through the person's quiet hours: a flood warning at 2 a.m. must not
    # wait for the morning (alerts/services.py sets it for disaster alerts only).
    urgent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.status}"


class NotificationPreference(models.Model):
    """How a person wants to be told; a person without a row gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("email"), default=True)
    sms_enabled = models.BooleanField(_("SMS"), default=True)
    zalo_enabled = models.BooleanField(_("Zalo"), default=False)
    zalo_user_id = models.CharField(
        _("Zalo follower id"),
        max_length=64,
        blank=True,
        help_text=_("The id the Official Account knows this person by."),
    )
    # Local time (settings.TIME_ZONE). No SMS in between; it waits until the end.
    quiet_start = models.TimeField(_("quiet hours from"), default=time(21, 0))
    quiet_end = models.TimeField(_("quiet hours until"), default=time(7, 0))
    daily_digest = models.BooleanField(
        _("daily email digest"),
        default=False,
        help_text=_("One email a day summarising updates instead of one per update."),
    )
    digest_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}"


class FanOut(models.Model):
    """A message for many people, written in the change's transaction, told by the worker.

    A reply on a case with thousands of "me too" supporters would otherwise
    write thousands of inbox rows and deliveries, and push as many sockets,
    while the officer waits for the page (bench/case_notify_fanout.py). This
    row commits with the change, so the message is never lost; the worker
    (notifications/fanout.py) then tells the people in chunks, each chunk in
    its own transaction. The inbox rows' unique (recipient, dedupe_key) makes
    a chunk done twice after a crash tell nobody twice.
    """

    recipient_ids = ArrayField(models.BigIntegerField())
    # {"vi": ["title", "body"], "en": [...]}: rendered when the change was made.
    texts = models.JSONField()
    link = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    # Claimed like a delivery: pushed forward by a lease while a worker has it.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    essential = models.BooleanField(default=True)
    province = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("message to many")
        verbose_name_plural = _("messages to many")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(done_at__isnull=True),
                name="fanout_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dedupe_key} to {len(self.recipient_ids)}"


class SmsUsage(models.Model):
    """The SMS bill: messages sent, and withheld by the cap, per province and month.

    Updated where each SMS leaves (notifications/sms_budget.py); the province
    is the one of the case the message is about (none for messages about no
    case, such as the answer to an unreadable SMS). A one-time login code goes
    on the province of the person's latest case, else the deployment's only
    province, else none (helpdesk/sms_bill.py).
    """

    province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The first day of the month, in Vietnam time.
    month = models.DateField(_("month"))
    messages = models.PositiveIntegerField(_("SMS sent"), default=0)
    segments = models.PositiveIntegerField(_("segments billed"), default=0)
    withheld = models.PositiveIntegerField(_("withheld by the monthly cap"), default=0)

    class Meta:
        verbose_name = _("SMS usage")
        verbose_name_plural = _("SMS usage")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "month"],
                name="sms_usage_once_per_province_month",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id or '-'} {self.month:%Y-%m}: {self.messages}"


class ZaloLinkCode(models.Model):
    """A one-time code a person sends to the Official Account to link their Zalo.

    Zalo never shows a person the follower id the OA knows them by, so they
    cannot type it. Instead their settings page shows this code; they send it
    to the OA in Zalo, Zalo calls our webhook with the message and the
    sender's follower id, and zalo_link.zalo_link_event_handle sets that id on
    the code's owner. The code is live until ``expires_at`` and used once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="zalo_link_codes",
    )
    code = models.CharField(max_length=6)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Who it linked: the follower id from the event (kept for support, and
    # so a replayed event can be recognised in the log).
    zalo_user_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            # A code sent to the OA must name one person. Expiry cannot be in
            # an index's condition (now() changes), so the issuing service
            # clears expired unused codes before it draws a new one.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(used_at__isnull=True),
                name="zalo_link_code_unused_unique",
            ),
        ]

    def __str__(self) -> str:
        # Never the code: the admin's titles, breadcrumbs and log show this,
        # and a live code links whoever sends it.
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"
