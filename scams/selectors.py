"""Scam check reads: the rules, a province's list, who sees which list, and checks.

Officers keep their province's list: a commune officer or leader works on the
province their commune belongs to (scams travel across a province, not one
commune), a province administrator on theirs, a superuser on all.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from geo.models import AdminUnit
from geo.units import commune_get_current, deployment_province, units_current
from helpdesk.models import Ticket
from helpdesk.permissions import Scope
from helpdesk.selectors import commune_last_used
from knowledge.selectors import article_title, articles_published
from scams.errors import ScamCheckNotFound
from scams.models import IndicatorKind, ScamCheck, ScamIndicator, ScamRule
from scams.scoring import ProvinceList, RuleSpec

# The help topic of suspected scams (helpdesk/catalogue_seed.py) and of its articles.
SCAM_SERVICE = "scam_message"
MAX_ARTICLES = 3


def rules_active() -> list[RuleSpec]:
    return [
        RuleSpec(
            code=rule.code,
            kind=rule.kind,
            keywords=[str(k) for k in rule.keywords or []],
            regex=rule.regex,
            exclude_keywords=[str(k) for k in rule.exclude_keywords or []],
            requires_link=rule.requires_link,
            weight=rule.weight,
            reason=rule.reason(),
        )
        for rule in ScamRule.objects.filter(is_active=True)
    ]


def province_list(province: AdminUnit | None) -> ProvinceList:
    if province is None:
        return ProvinceList()
    rows = ScamIndicator.objects.filter(province=province).values_list("kind", "value")
    by_kind: dict[str, set[str]] = {kind: set() for kind in IndicatorKind.values}
    for kind, value in rows:
        by_kind[kind].add(value)
    return ProvinceList(
        phones=frozenset(by_kind[IndicatorKind.PHONE]),
        domains=frozenset(by_kind[IndicatorKind.DOMAIN]),
        links=frozenset(by_kind[IndicatorKind.LINK]),
    )


def province_for(
    *, user: User | None, commune_code: str = "", province_code: str = ""
) -> AdminUnit | None:
    """The province whose list a check reads: the one named, the commune's, the
    person's last case's, or the deployment's only province (else none)."""
    if commune_code:
        commune = commune_get_current(code=commune_code)
        if commune is not None:
            return commune.parent
    if province_code:
        found = units_current(level=AdminUnit.Level.PROVINCE).filter(code=province_code).first()
        if found is not None:
            return found
    commune = commune_last_used(user)
    if commune is not None:
        return commune.parent
    return deployment_province()


def scam_province_ids(scope: Scope) -> frozenset[int] | None:
    """The provinces whose list the staff member keeps; None for every province."""
    if scope.is_superuser:
        return None
    communes = scope.officer_commune_ids | scope.leader_commune_ids
    parents = frozenset(
        AdminUnit.objects.filter(pk__in=communes, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    return parents | scope.admin_province_ids


def _in_scam_provinces(scope: Scope) -> Q:
    """scam_province_ids as a filter on ``province``, inside the list's own query.

    The console's scam page shows two lists; as a subquery the provinces cost
    no round trip of their own for either.
    """
    if scope.is_superuser:
        return Q()
    communes = scope.officer_commune_ids | scope.leader_commune_ids
    parents = AdminUnit.objects.filter(pk__in=communes, parent__isnull=False).values("parent_id")
    return Q(province_id__in=parents) | Q(province_id__in=scope.admin_province_ids)


def indicators_for(scope: Scope) -> QuerySet[ScamIndicator]:
    rows = ScamIndicator.objects.select_related("province").order_by("-last_seen")
    return rows.filter(_in_scam_provinces(scope))


def checks_to_review(scope: Scope, *, limit: int = 30) -> list[ScamCheck]:
    """Recent checks in the staff member's provinces that found a sign of a scam."""
    rows = ScamCheck.objects.exclude(verdict="no_known_problem").select_related("province")
    rows = rows.filter(_in_scam_provinces(scope))
    return list(rows.order_by("-created_at")[:limit])


def check_get(*, public_id: str) -> ScamCheck:
    check = ScamCheck.objects.select_related("province", "ticket").filter(public_id=public_id)
    found = check.first()
    if found is None:
        raise ScamCheckNotFound()
    return found


def check_for_ticket(ticket: Ticket) -> ScamCheck | None:
    return ScamCheck.objects.filter(ticket=ticket).first()


def scam_articles(*, language: str) -> list[tuple[str, str]]:
    """(slug, title) of the published articles on scams, for "read more"."""
    rows = articles_published().filter(topic_code=SCAM_SERVICE).order_by("slug")[:MAX_ARTICLES]
    return [(a.slug, article_title(a, language=language)) for a in rows]
