"""Reads of commune alerts: who is in an alert's area, which alerts a place or
an officer sees, and how far each one reached.

Who lives in a commune: XaDesk keeps no home address, so a resident of a
commune is a person who has filed a case there (Ticket.commune, which the
filing service sets from the commune boundary holding the case's point,
helpdesk/routing.py). A person with cases in two communes hears both. A
resident of a village is one whose case in that commune names the village:
the village a digital-team member recorded when filing for them
(ProxyFiling.village) or the "village or landmark" they wrote themselves
(Ticket.address_text), matched without regard to case. Relays with an
account in the area are recipients too, so they get the list to pass on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, Relay, RelayHousehold, RelayTold
from geo.models import AdminUnit
from geo.units import commune_get_current, units_current
from helpdesk.models import Ticket
from helpdesk.names import unit_name, units_in_list
from helpdesk.permissions import Scope
from notifications.models import Channel, Delivery, DeliveryStatus, Notification


def _named(villages: list[str], *fields: str) -> Q:
    """Rows whose ``fields`` (any of them) name one of the villages, case aside."""
    q = Q()
    for village in villages:
        for field in fields:
            q |= Q(**{f"{field}__iexact": village})
    return q


def alert_recipients(*, alert: Alert) -> QuerySet[User, int]:
    """The ids of everyone in the alert's area, as a query (never read into Python here)."""
    tickets = Ticket.objects.all()
    relays = Relay.objects.filter(person__isnull=False)
    if alert.commune_id is None:
        tickets = tickets.filter(province_id=alert.province_id)
        relays = relays.filter(commune__parent_id=alert.province_id)
    else:
        tickets = tickets.filter(commune_id=alert.commune_id)
        relays = relays.filter(commune_id=alert.commune_id)
    if alert.villages:
        tickets = tickets.filter(_named(alert.villages, "proxy__village", "address_text"))
        relays = relays.filter(_named(alert.villages, "village"))
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=tickets.values("reporter_id")) | Q(pk__in=relays.values("person_id")))
        .values_list("pk", flat=True)
    )


# A unit's id and its province's, given as values or as OuterRef: the same rule
# reads one known unit (alerts_current_for) or each row of an outer query
# (alerts_news_*), so what "current" means is written once.
type _Ref = int | OuterRef | None


def _current(*, commune: _Ref, province: _Ref, now: datetime) -> QuerySet[Alert]:
    """Unexpired alerts whose area holds the place: a commune's own and its
    province's (``commune`` given), or a province's own (``commune`` None)."""
    whole_province = Q(province_id=province, commune__isnull=True)
    area = whole_province if commune is None else Q(commune_id=commune) | whole_province
    return Alert.objects.filter(area, expires_at__gt=now)


def alerts_current_for(*, unit: AdminUnit, now: datetime | None = None) -> QuerySet[Alert]:
    """Unexpired alerts for a commune or province, newest first (the public page and feed)."""
    now = now or timezone.now()
    if unit.level == AdminUnit.Level.PROVINCE:
        return _current(commune=None, province=unit.pk, now=now)
    return _current(commune=unit.pk, province=unit.parent_id, now=now)


@dataclass(frozen=True)
class AlertsNews:
    """A commune's public alerts page as a resident page links to it: where, and
    what is in force there, so the link is worth a tap."""

    unit: AdminUnit
    live: int  # current alerts (alerts_current_for's rule)
    newest: str  # the newest one's short text, "" when none

    @property
    def name(self) -> str:
        # Read at render time, in the page's language.
        return unit_name(self.unit)


def _news(units: QuerySet[AdminUnit], now: datetime | None) -> AlertsNews | None:
    """The first current commune of ``units`` with its current alerts' count and
    newest text, in one query: subqueries on the one row, never a list of alerts."""
    live = _current(
        commune=OuterRef("pk"), province=OuterRef("parent_id"), now=now or timezone.now()
    )
    unit = (
        units.filter(level=AdminUnit.Level.COMMUNE, retired_in__isnull=True)
        .annotate(
            # COUNT as a plain function: Count() would group the subquery by
            # each alert's columns, one row per alert.
            live_alerts=Subquery(
                live.order_by()
                .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
                .values("n")
            ),
            # Alert.Meta.ordering: the newest first.
            newest_alert=Subquery(live.values("short_text")[:1]),
        )
        .only("code", "level", "parent", "full_name", "full_name_en")
        # Not AdminUnit's (level, code) order: with it the planner may walk the
        # communes by that index instead of fetching the one row by its id.
        .order_by("pk")
        .first()
    )
    if unit is None:
        return None
    return AlertsNews(unit=unit, live=unit.live_alerts, newest=unit.newest_alert or "")


def alerts_news_for(*, commune: AdminUnit, now: datetime | None = None) -> AlertsNews | None:
    """A case's commune's alerts (the case page); None for a retired commune,
    whose public page no longer exists (public_unit_get)."""
    return _news(AdminUnit.objects.filter(pk=commune.pk), now)


def alerts_news_where_filed(*, user_id: int, now: datetime | None = None) -> AlertsNews | None:
    """The alerts of the commune of the person's latest case, the way this module
    knows a resident (a case filed there), in one query; None without a case in
    a current commune. Older communes are left out: one link is what a
    resident looks for, and each further one would cost the page a query."""
    latest = (
        Ticket.objects.filter(
            reporter_id=user_id, commune__isnull=False, commune__retired_in__isnull=True
        )
        .order_by("-created_at", "-id")
        .values("commune_id")[:1]
    )
    return _news(AdminUnit.objects.filter(pk=Subquery(latest)), now)


def public_unit_get(*, code: str) -> AdminUnit | None:
    """A current commune or province by its official code."""
    return commune_get_current(code=code) or (
        units_current(level=AdminUnit.Level.PROVINCE).filter(code=code).first()
    )


def alerts_visible_to(*, scope: Scope) -> QuerySet[Alert]:
    """Alerts whose figures a staff member may see: those of their communes and provinces."""
    alerts = Alert.objects.select_related("commune", "province", "author")
    if scope.is_superuser:
        return alerts
    communes = scope.officer_commune_ids | scope.leader_commune_ids
    return alerts.filter(Q(commune_id__in=communes) | Q(province_id__in=scope.admin_province_ids))


@dataclass(frozen=True)
class Reach:
    recipients: int
    delivered: dict[str, int]  # channel -> sent
    households: int  # households without a phone on the relays' lists in the area
    households_told: int


def alerts_reach(*, alerts: list[Alert]) -> dict[int, Reach]:
    """Each alert's figures, in four queries whatever the length of the list."""
    keys = {alert.dedupe_key: alert.pk for alert in alerts}
    recipients = dict(
        Notification.objects.filter(dedupe_key__in=keys)
        .values_list("dedupe_key")
        .annotate(n=Count("id"))
        .values_list("dedupe_key", "n")
    )
    delivered: dict[str, dict[str, int]] = {}
    for key, channel, n in (
        Delivery.objects.filter(notification__dedupe_key__in=keys, status=DeliveryStatus.SENT)
        .values_list("notification__dedupe_key", "channel")
        .annotate(n=Count("id"))
        .values_list("notification__dedupe_key", "channel", "n")
    ):
        delivered.setdefault(key, {})[channel] = n
    # One pass over the households, each alert's area as a filtered count.
    households = (
        RelayHousehold.objects.aggregate(
            **{f"a{alert.pk}": Count("id", filter=households_in(alert)) for alert in alerts}
        )
        if alerts
        else {}
    )
    told = dict(
        RelayTold.objects.filter(alert__in=alerts)
        .values_list("alert_id")
        .annotate(n=Count("id"))
        .values_list("alert_id", "n")
    )
    return {
        alert.pk: Reach(
            recipients=recipients.get(alert.dedupe_key, 0),
            delivered={
                channel: delivered.get(alert.dedupe_key, {}).get(channel, 0)
                for channel in (Channel.IN_APP, Channel.SMS, Channel.ZALO, Channel.EMAIL)
            },
            households=households[f"a{alert.pk}"],
            households_told=told.get(alert.pk, 0),
        )
        for alert in alerts
    }


def households_in(alert: Alert) -> Q:
    """Households (on any relay's list) in the alert's area: the one rule for the
    reach figures, a relay's list and the "told" mark."""
    if alert.commune_id is None:
        q = Q(relay__commune__parent_id=alert.province_id)
    else:
        q = Q(relay__commune_id=alert.commune_id)
    return q & _named(alert.villages, "village") if alert.villages else q


def alert_reaches_anyone(*, alert: Alert, recipients: int | None = None) -> bool:
    """Whether anyone is in the alert's area: a person (alert_recipients) or a
    household on a relay's list. A village no case, relay or household names
    (a typing slip) reaches no one.

    ``recipients``: how many people its fan-out was queued for, when the
    caller has the count (alerts.services.alert_publish): the people are then
    not asked for a second time, right after the fan-out's INSERT gathered them."""
    if recipients is None:
        if alert_recipients(alert=alert).exists():
            return True
    elif recipients:
        return True
    return RelayHousehold.objects.filter(households_in(alert)).exists()


def relay_of(*, user: User) -> Relay | None:
    return Relay.objects.filter(person=user).select_related("commune").first()


@dataclass(frozen=True)
class RelayAlert:
    alert: Alert
    households: list[tuple[RelayHousehold, bool]]  # (household, told)


def relay_alerts(*, relay: Relay, now: datetime | None = None) -> list[RelayAlert]:
    """The current alerts reaching the relay's households, each with who was told."""
    alerts = list(alerts_current_for(unit=relay.commune, now=now))
    # Which alert reaches which household, by the rule of the reach figures
    # (households_in), as one column per alert of one query.
    households = list(
        relay.households.annotate(
            **{
                f"a{alert.pk}": ExpressionWrapper(households_in(alert), output_field=BooleanField())
                for alert in alerts
            }
        )
    )
    told = set(
        RelayTold.objects.filter(alert__in=alerts, household__in=households).values_list(
            "alert_id", "household_id"
        )
    )
    result = []
    for alert in alerts:
        mine = [h for h in households if getattr(h, f"a{alert.pk}")]
        if mine:
            result.append(RelayAlert(alert, [(h, (alert.pk, h.pk) in told) for h in mine]))
    return result


@dataclass(frozen=True)
class AreaChoice:
    value: str  # "province:<id>" or "commune:<id>"
    label: str


def alert_areas_q(*, scope: Scope) -> tuple[Q, Q]:
    """The units a staff member may send to, as (provinces, communes) filters:
    their provinces whole or any commune of them, and their own communes; a
    superuser anywhere. The form's choices and the service's check both read it."""
    if scope.is_superuser:
        return Q(), Q()
    own = scope.officer_commune_ids | scope.leader_commune_ids
    return (
        Q(pk__in=scope.admin_province_ids),
        Q(pk__in=own) | Q(parent_id__in=scope.admin_province_ids),
    )


def alert_areas_for(*, scope: Scope) -> list[AreaChoice]:
    """Where the staff member may send (alert_areas_q). A superuser picks among the
    provinces: every commune of the country would make the list unusable."""
    province_q, commune_q = alert_areas_q(scope=scope)
    provinces = units_current(level=AdminUnit.Level.PROVINCE).filter(province_q)

    # In a Vietnamese reader's order, as the resident forms list them.
    choices = [AreaChoice(f"province:{u.pk}", name) for u, name in units_in_list(provinces)]
    if not scope.is_superuser:
        communes = units_current(level=AdminUnit.Level.COMMUNE).filter(commune_q)
        choices += [AreaChoice(f"commune:{u.pk}", name) for u, name in units_in_list(communes)]
    return choices


def can_send_alerts(*, scope: Scope) -> bool:
    return bool(
        scope.is_superuser
        or scope.officer_commune_ids
        or scope.leader_commune_ids
        or scope.admin_province_ids
    )
