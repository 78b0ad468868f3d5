"""Who may see and change which case: the scope rules, written once.

The HTTP API, the officer pages and (later) the WebSocket consumers all ask
these functions; none of them filters tickets by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from accounts.models import Role, RoleAssignment, User
from accounts.request_roles import RoleRows, role_rows, roles_read
from audit.models import AuditEntry
from helpdesk.models import CaseSupport, DepartmentMembership, ProxyFiling, Ticket, TicketTally


@dataclass(frozen=True)
class Scope:
    """What a person's roles reach, loaded once per request."""

    user_id: int | None
    is_superuser: bool = False
    department_ids: frozenset[int] = field(default_factory=frozenset)
    leader_commune_ids: frozenset[int] = field(default_factory=frozenset)
    admin_province_ids: frozenset[int] = field(default_factory=frozenset)
    officer_commune_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff_member(self) -> bool:
        return bool(
            self.is_superuser
            or self.department_ids
            or self.leader_commune_ids
            or self.admin_province_ids
        )


# Most people have no roles (residents), and a WebSocket keeps its Scope as long
# as it is open: one shared empty set, not four new ones of 216 bytes per Scope.
_NO_IDS: frozenset[int] = frozenset()


def _ids(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values) or _NO_IDS


def scope_for(*, user: User | object) -> Scope:
    """Return the scope of a user (anonymous users get an empty scope)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Scope(user_id=None)
    return _scope_of_roles(user, roles_read(user_id=user.pk))


def request_scope(request: HttpRequest) -> Scope:
    """The scope of the person signed in to ``request`` (its session's user).

    The same rule as ``scope_for``, with the roles read once for the whole
    request (accounts/request_roles.py), so the header's links on the same
    page reuse them instead of reading them again. Not for bearer-key
    requests: their person is not ``request.user`` until authenticated.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return Scope(user_id=None)
    return _scope_of_roles(user, role_rows(request))


def _scope_of_roles(user: User, roles: RoleRows) -> Scope:
    officer_communes = _ids(u for r, u in roles if r == Role.OFFICER)
    # An officer works in the departments they sit in, within their communes.
    departments = _ids(
        DepartmentMembership.objects.filter(
            user=user, department__commune_id__in=officer_communes
        ).values_list("department_id", flat=True)
    )
    return Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        department_ids=departments,
        leader_commune_ids=_ids(u for r, u in roles if r == Role.LEADER),
        admin_province_ids=_ids(u for r, u in roles if r == Role.PROVINCE_ADMIN),
        officer_commune_ids=officer_communes,
    )


@dataclass(frozen=True)
class _Reach:
    """One way a role reaches tickets: the ids in the scope, the ticket field
    they match, and the noun of the queue group that carries those tickets."""

    ids: Callable[[Scope], frozenset[int]]
    ticket_field: str
    group: str


# The one definition of "what a scope manages": the querysets, can_manage and
# the live queue groups (helpdesk/live.py publishes, consumers.py follows) all
# read it, so a new kind of role reach is one line here.
_REACHES = (
    _Reach(lambda scope: scope.department_ids, "department_id", "dept"),
    _Reach(lambda scope: scope.leader_commune_ids, "commune_id", "commune"),
    _Reach(lambda scope: scope.admin_province_ids, "province_id", "province"),
)
QUEUE_ALL = "queue.all"


def _managed_q(scope: Scope) -> Q:
    query = Q(pk__in=[])
    for reach in _REACHES:
        query |= Q(**{f"{reach.ticket_field}__in": reach.ids(scope)})
    return query


def queue_groups_of_scope(*, scope: Scope) -> list[str]:
    """The live queue groups an officer follows: one per unit their roles reach."""
    if scope.is_superuser:
        return [QUEUE_ALL]
    return [f"queue.{reach.group}.{i}" for reach in _REACHES for i in sorted(reach.ids(scope))]


def queue_groups_of_ticket(*, place: Mapping[str, int | None]) -> set[str]:
    """The live queue groups that show a ticket at ``place`` (its department_id,
    commune_id and province_id), superusers' included."""
    groups = {QUEUE_ALL}
    for reach in _REACHES:
        unit_id = place.get(reach.ticket_field)
        if unit_id:
            groups.add(f"queue.{reach.group}.{unit_id}")
    return groups


def tickets_visible_to(*, scope: Scope) -> QuerySet[Ticket]:
    """Every ticket the person may see: their own (filed, supported "me too", or
    filed for them by a team member), plus those their roles manage."""
    if scope.user_id is None:
        return Ticket.objects.none()
    if scope.is_superuser:
        return Ticket.objects.all()
    supported = CaseSupport.objects.filter(ticket=OuterRef("pk"), user_id=scope.user_id)
    return Ticket.objects.filter(
        Q(reporter_id=scope.user_id)
        | Q(Exists(supported))
        | Q(proxy__resident_id=scope.user_id)
        | _managed_q(scope)
    )


def tickets_managed_by(*, scope: Scope) -> QuerySet[Ticket]:
    """The tickets the person handles as staff (their officer queue)."""
    if scope.is_superuser:
        return Ticket.objects.all()
    if not scope.is_staff_member:
        return Ticket.objects.none()
    return Ticket.objects.filter(_managed_q(scope))


def tallies_managed_by(*, scope: Scope) -> QuerySet[TicketTally]:
    """The dashboard's running totals of the tickets the person handles: the same
    rule as ``tickets_managed_by``, on the same three columns of the tally."""
    if scope.is_superuser:
        return TicketTally.objects.all()
    if not scope.is_staff_member:
        return TicketTally.objects.none()
    return TicketTally.objects.filter(_managed_q(scope))


def can_manage(*, scope: Scope, ticket: Ticket) -> bool:
    """True when the person may act on the ticket as staff."""
    return scope.is_superuser or any(
        getattr(ticket, reach.ticket_field) in reach.ids(scope) for reach in _REACHES
    )


def works_in_department(*, user: User, department_id: int | None) -> bool:
    """True when ``user`` is an officer of the department now: a seat in it and an
    officer's role in its commune (_scope_of_roles), and an active account. A seat
    alone is not enough: it outlives a role taken away."""
    return (
        department_id is not None
        and user.is_active
        and department_id in scope_for(user=user).department_ids
    )


def _officer_of(department_id: int) -> Q:
    """works_in_department's rule as a query on users (the active flag apart):
    a seat in the department, and an officer's role in its commune."""
    seated = DepartmentMembership.objects.filter(
        user_id=OuterRef("pk"),
        department_id=department_id,
        department__commune__role_assignments__user_id=OuterRef("pk"),
        department__commune__role_assignments__role=Role.OFFICER,
    )
    return Q(Exists(seated))


def department_officers(*, department_id: int | None) -> QuerySet[User]:
    """The people a case of the department may be handed to (ticket_assign
    checks each with works_in_department), by name."""
    if department_id is None:
        return User.objects.none()
    return User.objects.filter(_officer_of(department_id), is_active=True).order_by("full_name")


def case_staff_ids(ticket: Ticket) -> set[int]:
    """Who is told about a case as its staff (internal notes too): the officers of
    its department (by works_in_department's rule) and its assignee while they
    may still manage it (can_manage's rule: a leader of its commune, an
    administrator of its province, a superuser). One query.

    Not the seats alone: a person whose officer's role was taken away keeps
    their seat until someone removes it too, and stays the assignee of what
    they had, and must read no more of it.
    """
    reach = Q(pk__in=[])
    if ticket.department_id is not None:
        reach |= _officer_of(ticket.department_id)
    if ticket.assignee_id is not None:
        manages = Q(is_superuser=True)
        for role, unit_id in (
            (Role.LEADER, ticket.commune_id),
            (Role.PROVINCE_ADMIN, ticket.province_id),
        ):
            if unit_id is not None:
                manages |= Q(
                    Exists(
                        RoleAssignment.objects.filter(
                            user_id=OuterRef("pk"), role=role, unit_id=unit_id
                        )
                    )
                )
        reach |= Q(pk=ticket.assignee_id) & manages
    return set(User.objects.filter(reach, is_active=True).values_list("pk", flat=True))


def is_reporter(*, scope: Scope, ticket: Ticket) -> bool:
    return scope.user_id is not None and ticket.reporter_id == scope.user_id


class CaseView(StrEnum):
    """How much of a visible case a person is shown.

    STAFF   officers in scope: everything, internal notes and the exact point.
    OWNER   the reporter and the resident a team member filed for: their own
            words and photos, public events, officers' names.
    PUBLIC  everyone else who may follow it (a "me too" supporter, the public
            page): masked text, no names, a rounded place, approved photos only
            (helpdesk.public_view).
    """

    STAFF = "staff"
    OWNER = "owner"
    PUBLIC = "public"


def case_view(*, scope: Scope, ticket: Ticket) -> CaseView:
    if can_manage(scope=scope, ticket=ticket):
        return CaseView.STAFF
    if is_reporter(scope=scope, ticket=ticket) or is_filed_for(scope=scope, ticket=ticket):
        return CaseView.OWNER
    return CaseView.PUBLIC


def is_filed_for(*, scope: Scope, ticket: Ticket) -> bool:
    """True for the resident a digital-team member filed the case for."""
    return (
        scope.user_id is not None
        and ProxyFiling.objects.filter(ticket=ticket, resident_id=scope.user_id).exists()
    )


def can_read_audit(*, scope: Scope) -> bool:
    """The audit trail is read by province administrators and superusers."""
    return scope.is_superuser or bool(scope.admin_province_ids)


def audit_entries_visible_to(*, scope: Scope) -> QuerySet[AuditEntry]:
    """The trail of the person's provinces; all of it for superusers.

    Rows of no province (a change to the catalogue in the admin, a superuser's
    log-in) are superusers' only.
    """
    if scope.is_superuser:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(province_id__in=scope.admin_province_ids)
