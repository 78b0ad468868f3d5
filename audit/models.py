"""The audit trail: who did what to which record, when, and from which address.

Rows are only ever inserted (audit/services.py). The database refuses UPDATE,
DELETE and TRUNCATE on the table (migration 0002_append_only), so neither the
admin, a shell, nor a cascade from a deleted row can rewrite history. That is
also why every foreign key here is PROTECT: a cascade or SET NULL would be an
UPDATE or DELETE of an audit row. A staff account that has acted is
deactivated, not deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Stable codes: stored in rows that are never rewritten, so never renamed."""

    CASE_ACCEPT = "case.accept", _("Accepted a case")
    CASE_ASSIGN = "case.assign", _("Assigned a case")
    CASE_START = "case.start", _("Started work on a case")
    CASE_RESOLVE = "case.resolve", _("Resolved a case")
    CASE_REJECT = "case.reject", _("Rejected a case")
    CASE_DUPLICATE = "case.duplicate", _("Marked a case as a duplicate")
    CASE_TRANSFER = "case.transfer", _("Transferred a case")
    CASE_REPLY = "case.reply", _("Replied to the resident")
    CASE_NOTE = "case.note", _("Added an internal note")
    PHOTO_APPROVE = "photo.approve", _("Showed a photo on the public map")
    PHOTO_WITHDRAW = "photo.withdraw", _("Hid a photo from the public map")
    ANSWER_ADD = "answer.add", _("Added a prepared answer")
    ANSWER_CHANGE = "answer.change", _("Changed a prepared answer")
    ANSWER_DELETE = "answer.delete", _("Deleted a prepared answer")
    ADMIN_ADD = "admin.add", _("Added a record in the admin")
    ADMIN_CHANGE = "admin.change", _("Changed a record in the admin")
    ADMIN_DELETE = "admin.delete", _("Deleted a record in the admin")
    LOGIN = "auth.login", _("Logged in")
    LOGIN_FAILED = "auth.login_failed", _("Failed to log in")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # Null for what the system does by itself, and for a failed login (whoever
    # typed the password is not known; the account is the target).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor's roles when they acted ("officer 05443", "superuser"): roles
    # change, and the trail must say with which authority the act was done.
    actor_roles = models.JSONField(_("roles then"), default=list, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A string: primary keys of other tables need not be integers, and the
    # record may be gone (an admin deletion) while its trail stays.
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    target_label = models.CharField(_("record"), max_length=200, blank=True)
    # What changed, {"field": [old, new]} plus references (the timeline event);
    # never the text of a note or a resident's personal data (audit/diffs.py).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The province the record belongs to, so its administrators see the row.
    province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["province", "-created_at"], name="audit_by_province"),
            models.Index(fields=["actor", "-created_at"], name="audit_by_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_by_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
