"""Open311 client applications, their services' extra questions, and where each
case they filed came from.

The case itself is an ordinary ticket filed through helpdesk/filing.py; what
only Open311 knows (which application, the contact details the person gave it,
the token, a link to a photo elsewhere) is kept beside it here, never shown to
the public (open311/presenters.py).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.models import Service, Ticket


class ClientApplication(models.Model):
    """An application that may file requests: a city or province app, a back office.

    Only a hash of its API key is stored (open311/keys.py); the key is shown
    once, when it is issued in the admin. Revoking takes effect on the next
    request: every request looks the key up again.
    """

    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("Who runs the application.")
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("files as"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_(
            "The account the application's requests are filed under (its operator): "
            "it sees them as its own cases."
        ),
    )
    key_prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client application")
        verbose_name_plural = _("Open311 client applications")
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


# The code of the notice a service that needs a photo lists among its
# attributes (open311/presenters.py); no question may take it.
PHOTO_NOTICE_CODE = "photo_required"


class ServiceAttribute(models.Model):
    """An extra question of a service (GeoReport v2's service definition)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLEVALUELIST = "singlevaluelist", _("One of a list")
        MULTIVALUELIST = "multivaluelist", _("Several of a list")

    LISTS = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)

    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.SlugField(_("code"), max_length=50)
    # False: a notice shown to the person, not a question.
    variable = models.BooleanField(_("asks for an answer"), default=True)
    datatype = models.CharField(_("answer type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=255)
    description_en = models.CharField(_("question (English)"), max_length=255, blank=True)
    datatype_description = models.CharField(_("answer hint"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    # For the list types: [{"key": "large", "name": "Lớn", "name_en": "Large"}, ...]
    values = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("service question")
        verbose_name_plural = _("service questions")
        ordering = ("service", "order", "code")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="open311_attribute_once"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code}/{self.code}"

    def clean(self) -> None:
        super().clean()
        if self.code == PHOTO_NOTICE_CODE:
            raise ValidationError(
                {"code": _("This code is reserved for the notice that a photo is required.")}
            )
        if self.datatype in self.LISTS:
            values = self.values if isinstance(self.values, list) else []
            if not values or not all(
                isinstance(v, dict) and str(v.get("key", "")).strip() and v.get("name")
                for v in values
            ):
                raise ValidationError(
                    {"values": _("A list question needs choices, each with a key and a name.")}
                )
        elif self.values:
            raise ValidationError({"values": _("Only list questions have choices.")})


def token_new() -> str:
    return secrets.token_urlsafe(18)


class ClientFiling(models.Model):
    """Where a case filed through Open311 came from. Officers and admins only."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311"
    )
    client = models.ForeignKey(
        ClientApplication,
        verbose_name=_("client application"),
        on_delete=models.PROTECT,
        related_name="filings",
    )
    token = models.CharField(max_length=32, unique=True, default=token_new, editable=False)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=200, blank=True)
    account_id = models.CharField(_("account id in the application"), max_length=200, blank=True)
    # A link the application sent, kept as a link and never fetched by the
    # server (open311/filing.py says why).
    media_url = models.URLField(_("photo link"), max_length=1000, blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case filed through Open311")
        verbose_name_plural = _("cases filed through Open311")

    def __str__(self) -> str:
        return f"{self.ticket_id} via {self.client_id}"

    @property
    def names(self) -> list[str]:
        return names_given(self.first_name, self.last_name)


def names_given(first_name: str, last_name: str) -> list[str]:
    """The full name a person gave an application, in both orders (Vietnamese
    puts the family name first), for the case to hide wherever the public reads
    it (Ticket.filer_names). Not the parts alone: a given name such as "An" is
    also a word ("an toàn")."""
    first, last = first_name.strip(), last_name.strip()
    if not (first and last):
        # One part holding the whole name ("Nguyễn Văn An") is masked as is.
        return [first or last] if " " in (first or last) else []
    return [f"{first} {last}", f"{last} {first}"]
