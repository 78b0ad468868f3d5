""" "Me too": residents back an open report instead of filing the same problem again."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import Conflict
from core.rate_limits import Charge, rate_limits_charged
from core.saving import atomic_saving
from helpdesk.errors import SupportRateLimited
from helpdesk.events import ticket_event_record
from helpdesk.models import OPEN_STATUSES, CaseSupport, ServiceKind, Ticket, TicketEvent


class CannotSupport(Conflict):
    code = "cannot_support"
    default_message = _("You can only add your voice to an open report filed by someone else.")


def case_support_add(*, ticket: Ticket, user: User, ip: str | None = None) -> int:
    """Add the user's "me too" (once) and return the number of supporters.

    Supporters follow the case like its reporter: they see it and are notified.
    ``ip`` is the client's address for the per-IP abuse limits, None if unknown.
    """
    # Counted before the row lock, so a flood waits in Redis, not on the case;
    # a database outage gives it back (core/rate_limits.py).
    with (
        rate_limits_charged(
            charges=(Charge(action="support", cost=1, error=SupportRateLimited),),
            person_id=user.pk,
            ip=ip,
        ),
        atomic_saving(),
    ):
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if (
            locked.kind != ServiceKind.FIELD_REPORT
            or locked.status not in OPEN_STATUSES
            or locked.reporter_id == user.pk
        ):
            raise CannotSupport()
        try:
            with transaction.atomic():
                CaseSupport.objects.create(ticket=locked, user=user)
        except IntegrityError:
            pass  # Already supported: pressing the button twice changes nothing.
        else:
            ticket_event_record(locked, kind=TicketEvent.Kind.SUPPORTED, actor=None)
            locked.save(update_fields=["updated_at"])
        return CaseSupport.objects.filter(ticket=locked).count()
