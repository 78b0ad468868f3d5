"""Alerts a commune or province sends to everyone in an area, and the relays
who carry them to households without a phone.

Who received an alert is not stored a second time here: each person's copy
is their inbox row (notifications.Notification, dedupe key ``alert:<id>``,
unique per person) and its Delivery rows (unique per channel). Those two
unique constraints are what make delivery exactly once per person and
channel, also when the worker runs twice; the reach figures are read from
them (alerts/selectors.py).

Villages are not units in the boundary data (geo.AdminUnit has no village
rows; cases and digital-team roles name them as free text), so an alert's
villages are names within its one commune.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.models import AdminUnit


class Category(models.TextChoices):
    SCAM_WARNING = "scam_warning", _("Scam warning")
    DISASTER = "disaster", _("Weather or disaster")
    PUBLIC_NOTICE = "public_notice", _("Public notice")


class Alert(models.Model):
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # The area: a province, or a commune (then optionally some of its villages).
    province = models.ForeignKey(
        AdminUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    villages = ArrayField(
        models.CharField(max_length=120), verbose_name=_("villages"), default=list, blank=True
    )
    short_text = models.CharField(_("text for SMS"), max_length=160)
    long_text = models.TextField(_("text for the page"))
    expires_at = models.DateTimeField(_("expires at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    # The publishing form's key and a hash of what it held (helpdesk/idempotency.py):
    # "Publish" pressed twice, or the form sent again after a lost answer, sends
    # the alert to thousands once. Empty when published without a key.
    submission_key = models.CharField(max_length=128, blank=True, default="")
    submission_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ("-published_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(commune__isnull=False) | Q(villages=[]),
                name="alert_villages_need_a_commune",
            ),
            models.UniqueConstraint(
                fields=["author", "submission_key"],
                condition=~Q(submission_key=""),
                name="alert_published_once",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "-published_at"], name="alert_commune"),
            models.Index(fields=["province", "-published_at"], name="alert_province"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.short_text[:40]}"

    @property
    def dedupe_key(self) -> str:
        return f"alert:{self.pk}"


class Relay(models.Model):
    """Someone who passes alerts on to households without a phone."""

    name = models.CharField(_("name"), max_length=150)
    commune = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.CharField(_("village"), max_length=120)
    # A relay with an account gets the alerts in their inbox and marks households
    # told on their page; one without is kept by the officers on paper.
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alert_relay",
    )

    class Meta:
        verbose_name = _("relay")
        verbose_name_plural = _("relays")

    def __str__(self) -> str:
        return f"{self.name} ({self.village})"


class RelayHousehold(models.Model):
    relay = models.ForeignKey(Relay, on_delete=models.CASCADE, related_name="households")
    head_name = models.CharField(_("household head"), max_length=150)
    village = models.CharField(_("village"), max_length=120)
    people = models.PositiveSmallIntegerField(_("people"), default=1)

    class Meta:
        verbose_name = _("household without a phone")
        verbose_name_plural = _("households without a phone")
        ordering = ("head_name", "id")

    def __str__(self) -> str:
        return self.head_name


class RelayTold(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="told")
    household = models.ForeignKey(RelayHousehold, on_delete=models.CASCADE, related_name="told")
    told_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("household told")
        verbose_name_plural = _("households told")
        constraints = [
            models.UniqueConstraint(fields=["alert", "household"], name="relay_told_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}/{self.household_id}"
