"""The scam check's tables: the province's list, the editable rules, and the checks made.

The list (``ScamIndicator``) is kept by officers: a number or a link enters it
when an officer confirms a scam, never because a resident checked it, so one
person's worry cannot put a neighbour's number on a public blacklist. Nothing
here links an indicator to the people who reported it: a check reads the list
and learns "listed", never who else asked.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _public_id() -> str:
    return secrets.token_urlsafe(12)


class IndicatorKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    LINK = "link", _("Link")
    DOMAIN = "domain", _("Domain")


class ScamIndicator(models.Model):
    """A number, link or domain officers confirmed as a scam in one province."""

    province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province"},
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    # Phones as 0xxxxxxxxx, domains lowercase without "www.", links as host+path
    # (scams/extraction.py): the form a check compares.
    value = models.CharField(_("value"), max_length=255)
    report_count = models.PositiveIntegerField(_("times reported"), default=1)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scam number or link")
        verbose_name_plural = _("scam numbers and links")
        ordering = ("-last_seen",)
        constraints = [
            models.UniqueConstraint(
                fields=["province", "kind", "value"], name="scams_indicator_once_per_province"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class RuleKind(models.TextChoices):
    PRIZE = "prize", _("Prize")
    FEE = "fee", _("Fee before payout")
    OTP = "otp", _("OTP or password request")
    FAKE_AGENCY = "fake_agency", _("Fake agency")
    IDENTITY = "identity", _("Identity update by link")
    LOAN = "loan", _("Loan")
    URGENT_MONEY = "urgent_money", _("Urgent money for a relative")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")
    BILL = "bill", _("Bill or service cut")
    PARCEL = "parcel", _("Parcel fee")
    JOB = "job", _("Easy job, commission")
    APP_INSTALL = "app_install", _("Install an app")
    OTHER = "other", _("Other")


class ScamRule(models.Model):
    """A pattern officers can edit in the admin; each match adds its weight."""

    name = models.CharField(_("name"), max_length=120)
    # Stable, for clients and tests: the code of the reason a match gives.
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        help_text=_(
            "Phrases without marks, lowercase; any one of them matches "
            '(e.g. "trung thuong", "phi nhan thuong").'
        ),
    )
    regex = models.CharField(
        _("regular expression"),
        max_length=500,
        blank=True,
        help_text=_("Matched against the text in lowercase without marks; optional."),
    )
    exclude_keywords = models.JSONField(
        _("unless"),
        default=list,
        blank=True,
        help_text=_(
            'Phrases that cancel the match: a real bank notice says "khong cung cap ma OTP".'
        ),
    )
    requires_link = models.BooleanField(
        _("only with a link"),
        default=False,
        help_text=_("Counts only when the message also carries a link."),
    )
    weight = models.PositiveSmallIntegerField(_("weight"), default=3)
    reason_vi = models.CharField(_("reason (Vietnamese)"), max_length=300)
    reason_en = models.CharField(_("reason (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scam rule")
        verbose_name_plural = _("scam rules")
        ordering = ("kind", "code")

    def __str__(self) -> str:
        return self.name

    def reason(self) -> str:
        """The reason in the active language (English only when written)."""
        language = (get_language() or "vi").lower()
        if language.startswith("en") and self.reason_en:
            return self.reason_en
        return self.reason_vi


class Verdict(models.TextChoices):
    LIKELY_SCAM = "likely_scam", _("Likely a scam")
    NOT_SURE = "not_sure", _("Not sure")
    NO_KNOWN_PROBLEM = "no_known_problem", _("No known problem")


class ScamCheck(models.Model):
    """One message checked: kept to answer, to send on, and for officers to learn from.

    ``text`` has the checker's own number masked. ``phones`` and ``links`` are
    what was judged; nothing records who else checked the same number.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        SMS = "sms", _("SMS")

    public_id = models.CharField(max_length=24, unique=True, default=_public_id, editable=False)
    text = models.TextField(_("text"))
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list)
    phones = models.JSONField(_("phone numbers judged"), default=list)
    links = models.JSONField(_("links judged"), default=list)
    province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    # The help request it was sent to the commune as ("one tap"), if it was.
    ticket = models.ForeignKey(
        "helpdesk.Ticket",
        verbose_name=_("help request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("scam check")
        verbose_name_plural = _("scam checks")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.public_id}: {self.verdict}"
