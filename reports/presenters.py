"""How a filed case is described to the person who filed it: the same sentences
for the API's answer and the pages."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext

from helpdesk.models import Ticket
from helpdesk.names import department_name as _department_name
from helpdesk.names import unit_name


def expected_response_text(ticket: Ticket) -> str:
    """Return "Expected answer before <when>." in the active language, or "" without an SLA."""
    if ticket.due_at is None:
        return ""
    when = date_format(localtime(ticket.due_at), "H:i, l d/m/Y")
    return gettext("Expected answer before %(when)s.") % {"when": when}


def commune_name(ticket: Ticket) -> str:
    """The commune's name as the API's ``case.commune.name`` gives it, or ""."""
    return unit_name(ticket.commune) if ticket.commune is not None else ""


def department_name(ticket: Ticket) -> str:
    """The department's name as the API's ``case.department`` gives it, or ""."""
    return _department_name(ticket.department) if ticket.department is not None else ""
