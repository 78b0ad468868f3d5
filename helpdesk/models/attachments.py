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

    class State(models.TextChoices):
        # Report photos are checked cheaply in the request and their display
        # image and thumbnail made by the photo worker (helpdesk/photo_jobs.py);
        # until then only the private original exists and nothing is served.
        PROCESSING = "processing", _("Being processed")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be processed")

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
    # display and thumbnail hold their names from the start (the worker writes
    # the files under exactly those names, so a redone job overwrites rather
    # than adds, and the orphan sweep never mistakes them for orphans); only
    # READY says the files exist and may be served or published.
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.READY)
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


class PhotoJob(models.Model):
    """Making the served images of one photo, committed with the case it belongs to.

    Claimed with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at moved
    forward), as notifications/fanout.py claims fan-outs: a worker killed
    mid-job leaves the row due again when the lease ends, and the next one
    redoes it; the derived files' names are fixed, so redoing overwrites them.
    """

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="job")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="photojob_due",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"photo job {self.pk} ({self.attachment_id})"
