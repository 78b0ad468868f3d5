"""Models of the case core, one module per concept."""

from helpdesk.models.attachments import Attachment, PhotoJob
from helpdesk.models.calendar import Holiday as Holiday
from helpdesk.models.catalogue import PublicLocation, RoutingRule, Service, ServiceKind
from helpdesk.models.departments import Department, DepartmentMembership, DepartmentType
from helpdesk.models.filing import CaseSupport, IdempotencyRecord, ProxyFiling
from helpdesk.models.search_text import SearchTextRefresh
from helpdesk.models.tally import TicketTally
from helpdesk.models.tickets import (
    OPEN_STATUSES,
    CannedResponse,
    LocationSource,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "Attachment",
    "CannedResponse",
    "CaseSupport",
    "Department",
    "DepartmentMembership",
    "DepartmentType",
    "IdempotencyRecord",
    "LocationSource",
    "PhotoJob",
    "ProxyFiling",
    "PublicLocation",
    "RoutingRule",
    "SearchTextRefresh",
    "Service",
    "ServiceKind",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "TicketStatus",
    "TicketTally",
]
