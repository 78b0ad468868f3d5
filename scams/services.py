"""Scam check writes: check a message, send it to the commune, confirm a scam.

``check_message`` is the one way a message is checked (page, API, SMS). It
keeps what was checked with the checker's own number masked, since residents
paste whole conversations with their number in them. A check reads the
province's list but never adds to it: only an officer's confirmation does
(``scam_confirm``), so the list names nobody who asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import User
from core.masking import MASK
from core.rate_limits import Charge, rate_limits_take
from core.visible_text import is_blank
from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Ticket
from helpdesk.permissions import Scope
from helpdesk.selectors import commune_last_used
from scams.domains import is_official
from scams.errors import (
    ScamCheckNotFound,
    ScamCheckNotSendable,
    ScamCheckRateLimited,
    ScamCommuneRequired,
    ScamNothingToConfirm,
    ScamOutOfScope,
    ScamTextRequired,
    ScamTextTooLong,
)
from scams.extraction import links_extract, phone_normal, phones_extract, phones_find
from scams.models import IndicatorKind, ScamCheck, ScamIndicator, Verdict
from scams.scoring import Reason, advice_for, score_message
from scams.selectors import (
    SCAM_SERVICE,
    province_list,
    rules_active,
    scam_articles,
    scam_province_ids,
)

MAX_TEXT = 2000


@dataclass(frozen=True)
class CheckResult:
    check: ScamCheck
    verdict: str
    reasons: list[Reason]
    advice: list[str]
    # (slug, title) of knowledge-base articles to read.
    articles: list[tuple[str, str]]

    @property
    def sendable(self) -> bool:
        return self.verdict != Verdict.NO_KNOWN_PROBLEM


def _clean(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in (text or "").strip().splitlines()).strip()


def own_numbers_masked(text: str, *, phone: str) -> str:
    """``text`` with every spelling of ``phone`` (E.164 or national) masked."""
    own = phone_normal(phone)
    if not own:
        return text
    for found in reversed(phones_find(text)):
        if found.number == own:
            span = text[found.start : found.end]
            text = text[: found.start] + re.sub(r"\d", MASK, span) + text[found.end :]
    return text


def check_message(
    *,
    text: str,
    province: AdminUnit | None,
    checker: User | None,
    channel: str,
    ip: str | None = None,
) -> CheckResult:
    """Judge a message; store it (own number masked) and say what to do.

    ``ip`` is the client's address for the per-address limit (None for SMS,
    which the intake's own per-number limit already rations).
    """
    cleaned = _clean(text)
    if is_blank(cleaned):
        raise ScamTextRequired()
    if len(cleaned) > MAX_TEXT:
        raise ScamTextTooLong()
    rate_limits_take(
        charges=(Charge(action="scam_check", cost=1, error=ScamCheckRateLimited),),
        person_id=checker.pk if checker is not None else None,
        ip=ip,
    )
    if checker is not None:
        cleaned = own_numbers_masked(cleaned, phone=checker.phone)
    scored = score_message(cleaned, rules=rules_active(), listed=province_list(province))
    check = ScamCheck.objects.create(
        text=cleaned,
        verdict=scored.verdict,
        score=min(scored.score, 32767),
        reasons=[{"code": r.code, "message": r.message} for r in scored.reasons],
        phones=scored.phones,
        links=[link.value for link in scored.links],
        province=province,
        checker=checker,
        channel=channel,
    )
    articles = (
        scam_articles(language=get_language() or "vi")
        if scored.verdict != Verdict.NO_KNOWN_PROBLEM
        else []
    )
    return CheckResult(
        check=check,
        verdict=scored.verdict,
        reasons=scored.reasons,
        advice=advice_for(scored),
        articles=articles,
    )


def check_send_to_commune(
    *, check: ScamCheck, by: User, commune_code: str = "", ip: str | None = None
) -> Ticket:
    """File the checked message as a help request, once: a retry returns the same case.

    Only the person who checked it may send it; the text sent is the stored
    one, with their own number already masked.
    """
    if check.checker_id != by.pk:
        raise ScamCheckNotFound()
    if check.verdict == Verdict.NO_KNOWN_PROBLEM:
        raise ScamCheckNotSendable()
    if check.ticket_id is not None and check.ticket is not None:
        return check.ticket
    commune = commune_code or (c.code if (c := commune_last_used(by)) is not None else "")
    if not commune:
        raise ScamCommuneRequired()
    submission = case_submit(
        reporter=by,
        draft=CaseDraft(service_code=SCAM_SERVICE, description=check.text, commune_code=commune),
        # The check is the idempotency key: a double tap or a retry files nothing new.
        idempotency_key=f"scam-check-{check.public_id}",
        ip=ip,
    )
    ScamCheck.objects.filter(pk=check.pk, ticket__isnull=True).update(ticket=submission.ticket)
    check.ticket = submission.ticket
    return submission.ticket


def _indicator_values(phones: Iterable[str], links: Iterable[str]) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = [(IndicatorKind.PHONE, p) for p in dict.fromkeys(phones)]
    for link in dict.fromkeys(links):
        host = link.split("/", 1)[0]
        if is_official(host):
            continue  # a bank's own site is never listed, whatever a message quoted
        values.append((IndicatorKind.DOMAIN, host))
        if "/" in link:
            values.append((IndicatorKind.LINK, link))
    return values


def scam_confirm(
    *,
    scope: Scope,
    officer: User,
    province: AdminUnit,
    phones: Iterable[str] = (),
    links: Iterable[str] = (),
) -> list[ScamIndicator]:
    """Put the numbers and links on the province's list, or count them once more."""
    provinces = scam_province_ids(scope)
    if provinces is not None and province.pk not in provinces:
        raise ScamOutOfScope()
    values = _indicator_values(phones, links)
    if not values:
        raise ScamNothingToConfirm()
    now = timezone.now()
    indicators: list[ScamIndicator] = []
    with transaction.atomic():
        for kind, value in values:
            indicator, created = ScamIndicator.objects.select_for_update().get_or_create(
                province=province,
                kind=kind,
                value=value,
                defaults={"confirmed_by": officer, "confirmed_at": now},
            )
            if not created:
                ScamIndicator.objects.filter(pk=indicator.pk).update(
                    report_count=F("report_count") + 1,
                    last_seen=now,
                    confirmed_by=officer,
                    confirmed_at=now,
                )
                indicator.refresh_from_db()
            indicators.append(indicator)
    return indicators


def scam_confirm_check(*, scope: Scope, officer: User, check: ScamCheck) -> list[ScamIndicator]:
    """Confirm a checked message: what it was judged on goes on its province's list."""
    if check.province is None:
        raise ScamOutOfScope()
    return scam_confirm(
        scope=scope,
        officer=officer,
        province=check.province,
        phones=[str(p) for p in check.phones],
        links=[str(link) for link in check.links],
    )


def scam_confirm_ticket(*, scope: Scope, officer: User, ticket: Ticket) -> list[ScamIndicator]:
    """Confirm a case as a scam: the numbers and links in its description go on the list.

    The caller has checked the officer manages the case. The reporter's own
    number was masked when a check was sent on; a case filed otherwise may hold
    it, so the reporter's number is left out here too.
    """
    if ticket.province is None:
        raise ScamOutOfScope()
    text = own_numbers_masked(ticket.description, phone=ticket.reporter.phone)
    return scam_confirm(
        scope=scope,
        officer=officer,
        province=ticket.province,
        phones=phones_extract(text),
        links=[link.value for link in links_extract(text)],
    )
