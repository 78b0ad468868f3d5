"""The moves an officer makes from the case page: each button's form and the
lifecycle service it calls.

Which moves a case allows is the lifecycle's rule (helpdesk.lifecycle); this
table only names, for each one, the words on the page and the form that
parses its input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from console import selectors
from console.forms import (
    AssignForm,
    DuplicateForm,
    EmptyForm,
    NoteForm,
    RejectForm,
    ReplyForm,
    ResolveForm,
    TransferForm,
)
from geo.selectors import communes_next_to
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketStatus
from helpdesk.permissions import Scope, department_officers
from helpdesk.selectors import ticket_get

S = TicketStatus


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    done: str | Promise
    form: type[forms.Form]
    # Given the case, the officer, their scope, the form's data and the client's address.
    run: Callable[[Ticket, User, Scope, dict[str, Any], str], object]
    # The status the action moves the case to; None for replies and notes.
    to: str | None = None
    # The statuses it is offered in, for an action that moves no status.
    offered_in: tuple[str, ...] = ()


def _duplicate(ticket: Ticket, by: User, scope: Scope, data: dict[str, Any], ip: str) -> object:
    original = ticket_get(scope=scope, number=data["original"])
    return lifecycle.ticket_mark_duplicate(ticket=ticket, by=by, original=original, ip=ip)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "accept",
            _("Accept"),
            _("Case accepted and assigned to you."),
            EmptyForm,
            lambda t, by, s, d, ip: lifecycle.ticket_accept(ticket=t, by=by, ip=ip),
            S.ACCEPTED,
        ),
        Action(
            "assign",
            _("Give to this officer"),
            _("Case given to the officer. They have been told."),
            AssignForm,
            lambda t, by, s, d, ip: lifecycle.ticket_assign(
                ticket=t, by=by, assignee=d["officer"], ip=ip
            ),
            offered_in=lifecycle.ASSIGNABLE,
        ),
        Action(
            "start",
            _("Start work"),
            _("Work on the case has started."),
            EmptyForm,
            lambda t, by, s, d, ip: lifecycle.ticket_start(ticket=t, by=by, ip=ip),
            S.IN_PROGRESS,
        ),
        Action(
            "reply",
            _("Send reply"),
            _("Reply sent to the resident."),
            ReplyForm,
            lambda t, by, s, d, ip: lifecycle.ticket_reply(
                ticket=t,
                by=by,
                body=d["body"],
                photos=[p.read() for p in d["photos"]],
                voice=d["voice"].read() if d.get("voice") else None,
                ip=ip,
                idempotency_key=d["idempotency_key"] or None,
            ),
        ),
        Action(
            "note",
            _("Add note"),
            _("Internal note added."),
            NoteForm,
            lambda t, by, s, d, ip: lifecycle.ticket_reply(
                ticket=t,
                by=by,
                body=d["body"],
                internal=True,
                photos=[p.read() for p in d["photos"]],
                ip=ip,
                idempotency_key=d["idempotency_key"] or None,
            ),
        ),
        Action(
            "transfer",
            _("Transfer"),
            _("Case transferred."),
            TransferForm,
            lambda t, by, s, d, ip: lifecycle.ticket_transfer(
                ticket=t, by=by, department=d["department"], reason=d["reason"], ip=ip
            ),
            S.TRANSFERRED,
        ),
        Action(
            "duplicate",
            _("Mark as duplicate"),
            _("Case marked as a duplicate."),
            DuplicateForm,
            _duplicate,
            S.DUPLICATE,
        ),
        Action(
            "reject",
            _("Reject"),
            _("Case rejected."),
            RejectForm,
            lambda t, by, s, d, ip: lifecycle.ticket_reject(
                ticket=t, by=by, reason=d["reason"], ip=ip
            ),
            S.REJECTED,
        ),
        Action(
            "resolve",
            _("Resolve"),
            _("Case resolved. The resident has been told."),
            ResolveForm,
            lambda t, by, s, d, ip: lifecycle.ticket_resolve(
                ticket=t,
                by=by,
                note=d["note"],
                photos=[photo.read() for photo in d["photos"]],
                ip=ip,
            ),
            S.RESOLVED,
        ),
    )
}


def action_available(action: Action, ticket: Ticket) -> bool:
    if action.offered_in:
        return ticket.status in action.offered_in
    if action.to is None:
        return ticket.status in lifecycle.CONVERSATION_OPEN
    return action.to in lifecycle.STAFF_MOVES[ticket.status]


def action_form(
    action: Action, ticket: Ticket, scope: Scope, data: Any = None, files: Any = None
) -> forms.Form:
    """The action's form, with the choices this case offers (transfer targets,
    the department's prepared answers, articles on the case's topic)."""
    if action.form is AssignForm:
        officers = department_officers(department_id=ticket.department_id)
        if ticket.assignee_id is not None:
            officers = officers.exclude(pk=ticket.assignee_id)
        return AssignForm(data, officers=officers, prefix=action.name)
    if action.form is TransferForm:
        return TransferForm(
            data,
            departments=lifecycle.transfer_targets(ticket=ticket),
            # Listed first: the communes the officer (or leader) works in;
            # then the case's commune and those that border it.
            own_communes=scope.officer_commune_ids | scope.leader_commune_ids,
            case_commune=ticket.commune_id,
            near_communes=lambda: communes_next_to(commune_id=ticket.commune_id),
            prefix=action.name,
        )
    if action.form is ReplyForm:
        return ReplyForm(
            data,
            files,
            prefix=action.name,
            canned=selectors.canned_responses_for(ticket=ticket),
            articles=selectors.articles_for(ticket=ticket),
            language=ticket.reporter.language,
        )
    if action.form is ResolveForm:
        return ResolveForm(
            data,
            files,
            prefix=action.name,
            photo_required=ticket.service.after_photo_required,
        )
    return action.form(data, files, prefix=action.name)
