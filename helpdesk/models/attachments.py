"""Photos attached to a case: the resident's report photos, officers' after-photos,
and pictures on messages. Only processed copies are stored: metadata stripped,
resized; originals only when configured."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.models.tickets import Ticket, TicketEvent


class Attachment(models.Model):
    class Role(models.TextChoices):
        REPORT = "report", _("Report photo")
        AFTER = "after", _("After photo")
        MESSAGE = "message", _("Message attachment")
        # A recording (helpdesk/voice.py), on the report (no event) or on a
        # reply; ``display`` names the Ogg/Opus file. Never public.
        VOICE = "voice", _("Voice note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    display = models.CharField(_("display image"), max_length=255)
    thumbnail = models.CharField(_("thumbnail"), max_length=255)
    original = models.CharField(_("original"), max_length=255, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    location = models.PointField(_("photo location"), srid=4326, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Residents' photos may show faces or number plates: officers approve each
    # one before the public map shows it.
    public_approved_at = models.DateTimeField(_("approved for public view"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Copies made on approval, under random names of their own (helpdesk/
    # photo_publishing.py): the only files anyone may fetch without logging in.
    # Empty while the photo is not public; withdrawal deletes the files.
    public_display = models.CharField(_("public display image"), max_length=255, blank=True)
    public_thumbnail = models.CharField(_("public thumbnail"), max_length=255, blank=True)
    # Length of a voice note; None for photos.
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ("ticket", "role", "position")

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.role}/{self.position}"
