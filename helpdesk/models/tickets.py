"""The ticket: one case lifecycle for field reports and help requests alike.

Fields are written only by the services in helpdesk/lifecycle.py, which also
append a TicketEvent in the same transaction; the timeline is the record of
truth that live pushes and catch-up are built from.
"""

from __future__ import annotations

import secrets
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.models import AdminUnit, BoundaryVersion
from helpdesk.models.catalogue import Service, ServiceKind
from helpdesk.models.departments import Department


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    TRANSFERRED = "transferred", _("Transferred")


OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.TRANSFERRED,
    TicketStatus.ACCEPTED,
    TicketStatus.IN_PROGRESS,
)


class LocationSource(models.TextChoices):
    MAP = "map", _("Pin on the map")
    GPS = "gps", _("Device GPS")
    EXIF = "exif", _("Photo location")
    COMMUNE = "commune", _("Chosen commune")


def public_id_new() -> str:
    """A random public identifier: it reveals neither the sequence nor the volume."""
    return secrets.token_urlsafe(9)


class Ticket(models.Model):
    number = models.CharField(_("case number"), max_length=24, unique=True)
    # Public views (the map, "me too", nearby) name a case by this, not by its number.
    public_id = models.CharField(max_length=16, unique=True, default=public_id_new, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="tickets"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    description = models.TextField(_("description"), blank=True)

    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    location_source = models.CharField(
        _("location source"), max_length=10, choices=LocationSource.choices, blank=True
    )
    location_accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    address_text = models.CharField(_("village or landmark"), max_length=255, blank=True)
    # Names the person gave for themselves through a channel that files under
    # another account (an Open311 application's first and last name), in both
    # orders. Hidden wherever the public, "me too" followers or other residents
    # read the case, as the reporter's own name is (helpdesk/public_view.py);
    # Open311 alone hid them, and the public page, the nearby list and a
    # follower's inbox showed them (a probe of make run). Officers read them.
    # Empty in the database too: rows written by COPY (helpdesk/synthetic.py,
    # the benches' generators) need not name it.
    filer_names = ArrayField(
        models.CharField(max_length=201),
        verbose_name=_("names the filer gave"),
        default=list,
        db_default=Value([], output_field=ArrayField(models.CharField(max_length=201))),
        blank=True,
    )

    # Where routing sent the case. Kept even if boundaries change later.
    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    province = models.ForeignKey(
        AdminUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="province_tickets",
    )
    boundary_version = models.ForeignKey(
        BoundaryVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="reported_tickets",
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )

    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    # The words the queue's search box looks for, folded, and the mobile numbers
    # the text writes (helpdesk/search_text.py). Written at filing; NULL until
    # written (cases from before the column, or filed by an older process
    # during a deploy: the scheduler writes them), "" for a case without words.
    search_text = models.TextField(_("search text"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="ticket_queue"),
            # The search box's words and phone numbers written in text, in every
            # case (helpdesk/search_text.py word_q): each word through its trigrams.
            GinIndex(fields=["search_text"], name="ticket_search_trgm", opclasses=["gin_trgm_ops"]),
            # The cases whose search text is not written yet, for the scheduler's
            # fill (helpdesk/search_text.py): empty but for a deploy's minutes.
            models.Index(
                fields=["id"], condition=Q(search_text=None), name="ticket_search_unwritten"
            ),
            models.Index(fields=["reporter", "-created_at"], name="ticket_reporter"),
            # The queue's order (due_at, id) within each kind of scope, so that a
            # page of a big queue reads 25 index entries instead of sorting the
            # whole scope (bench/queue_scale.py).
            models.Index(fields=["department", "due_at", "id"], name="ticket_department_due"),
            models.Index(fields=["commune", "due_at", "id"], name="ticket_commune_due"),
            models.Index(fields=["province", "due_at", "id"], name="ticket_province_due"),
            models.Index(fields=["assignee", "due_at", "id"], name="ticket_assignee_due"),
            # A status filter of a commune's or province's queue in queue order, and
            # its capped count (index-only): the (unit, due_at, id) indexes made
            # "new" cases of a province read 13,000 buffers to find a page.
            models.Index(
                fields=["commune", "status", "due_at", "id"], name="ticket_commune_status_due"
            ),
            models.Index(
                fields=["province", "status", "due_at", "id"], name="ticket_province_status_due"
            ),
            # A service filter of a queue, in queue order and for its capped count:
            # a commune's "trash" count was a BitmapAnd of the commune's 50,000
            # cases with the service's 408,000 (16 ms, 1,092 buffers) at
            # 1,000,000 cases (bench/queue_scale.py).
            *(
                models.Index(
                    fields=[unit, "service", "due_at", "id"], name=f"ticket_{unit}_service_due"
                )
                for unit in ("department", "commune", "province")
            ),
            # A department filter of a commune's or province's queue, for its capped
            # count: no index held the department with the scope's unit, so the
            # count of a department's cases in a province was a sequential scan
            # (1,180 buffers, 7 ms) and in a commune a BitmapAnd of the two units'
            # indexes (727 buffers) at 1,000,000 cases (bench/queue_scale.py); here
            # an index-only scan of 1,001 entries (5 buffers, 0.2 ms). Few distinct
            # keys, so deduplication keeps it small (7 MB at 1,000,000 cases).
            models.Index(
                fields=["department", "commune", "province"], name="ticket_department_units"
            ),
            # The same for a commune filter of a province's queue: its count was a
            # bitmap of the commune's 50,379 cases checked against the province on
            # the heap (526 buffers, 5.5 ms at 1,000,000 cases).
            models.Index(fields=["commune", "province"], name="ticket_commune_units"),
            # Open cases in queue order ("overdue"): a few percent of the cases,
            # which the (unit, due_at, id) indexes find only after stepping over
            # years of closed ones with due dates just as old. They carry the
            # commune too: the map's overdue bubbles count a scope's overdue
            # cases per commune, and without it that count visited a heap page
            # per case (a province: 14,282 cases, 10,266 buffers, 34 ms in
            # EXPLAIN ANALYZE at 1,000,000 cases, bench/queue_scale.py).
            *(
                models.Index(
                    fields=[unit, "due_at", "id"],
                    name=f"ticket_open_{unit}",
                    condition=Q(status__in=OPEN_STATUSES),
                    include=[] if unit == "commune" else ["commune"],
                )
                for unit in ("department", "commune", "province")
            ),
            # Unrouted cases of a province in queue order (14,000 buffers without).
            models.Index(
                fields=["province", "due_at", "id"],
                name="ticket_unrouted_province",
                condition=Q(department__isnull=True),
            ),
            # The public map's list, newest located field reports first: without
            # it, a sort of every public report (1.3-1.6 s at 1,000,000 cases,
            # bench/queue_scale.py).
            models.Index(
                fields=["-created_at"],
                name="ticket_public_newest",
                condition=Q(kind="field_report", location__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="ticket_duplicate_has_original",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_unrouted(self) -> bool:
        return self.department_id is None


class EventLogAppendOnly(RuntimeError):
    """Raised when code tries to delete or rewrite a timeline event.

    The timeline is the record of what happened to a case (and what residents
    were told); an entry is corrected by appending another one, never by editing
    or removing it. The database refuses the same (migration 0010_event_append_only),
    this only makes the mistake obvious before the query is sent.
    """


class TicketEventQuerySet(models.QuerySet["TicketEvent"]):
    def delete(self) -> NoReturn:
        raise EventLogAppendOnly("Timeline events cannot be deleted.")

    def update(self, **kwargs: Any) -> NoReturn:
        raise EventLogAppendOnly("Timeline events cannot be changed.")


class TicketEvent(models.Model):
    """One entry of a case's timeline. Ids only grow, so ``after=<id>`` catch-up works:
    events of one ticket are written under its row lock, so their commit order is
    their id order."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Filed")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        RATED = "rated", _("Rated")
        SUPPORTED = "supported", _("Someone else reported the same problem")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    body = models.TextField(blank=True)
    # Internal notes and routing details are for officers only.
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ("id",)
        indexes = [models.Index(fields=["ticket", "id"], name="ticket_event_catchup")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.pk} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only the first save (the INSERT from helpdesk/events.py) is allowed.
        if not self._state.adding:
            raise EventLogAppendOnly("Timeline events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise EventLogAppendOnly("Timeline events cannot be deleted.")


class TicketCounter(models.Model):
    """Per-province, per-year sequence behind readable case numbers (TN-2026-00123)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="ticket_counter_unique"),
        ]


class CannedResponse(models.Model):
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))

    class Meta:
        # As the console names them (console/views/answers.py).
        verbose_name = _("prepared answer")
        verbose_name_plural = _("prepared answers")
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title
