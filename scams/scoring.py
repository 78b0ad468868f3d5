"""Scoring one message: rules, links and the province's list give points, points a verdict.

Pure Python: the service (scams/services.py) reads the rules and the list
from the database and passes them in. A number or link on the province's
list is a scam on its own; otherwise the points of every matching rule and
link signal add up. The thresholds are few and explainable: one strong sign
(an OTP request, a look-alike bank domain, a fee before a prize) is "likely
a scam"; one weak sign (a short link, "you won") is "not sure".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

from scams.domains import domain_signals
from scams.extraction import Link, links_extract, phones_extract, text_fold

LIKELY_SCAM_AT = 5
NOT_SURE_AT = 2
LISTED_WEIGHT = 10
SIGNAL_WEIGHTS = {"lookalike": 6, "ip_host": 4, "shortener": 3, "cheap_tld": 2}


@dataclass(frozen=True)
class RuleSpec:
    """A ScamRule as the scorer needs it."""

    code: str
    kind: str
    keywords: Sequence[str]
    regex: str
    exclude_keywords: Sequence[str]
    requires_link: bool
    weight: int
    reason: str


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class Scored:
    verdict: str
    score: int
    reasons: list[Reason]
    phones: list[str]
    links: list[Link]
    # The kinds of what matched ("otp", "prize", "lookalike", "listed"...): the advice.
    kinds: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ProvinceList:
    """The province's listed values, by kind (phones as 0xxxxxxxxx)."""

    phones: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def _phrase(phrase: str) -> re.Pattern[str]:
    # Whole words: "otp" in "otp", not in "hotpot"; phrases are folded like the text.
    return re.compile(rf"(?<![a-z0-9]){re.escape(text_fold(phrase))}(?![a-z0-9])")


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # an officer's broken pattern matches nothing rather than failing checks


def _any_phrase(phrases: Iterable[str], folded: str) -> bool:
    return any(p.strip() and _phrase(p).search(folded) for p in phrases)


def rule_matches(rule: RuleSpec, folded: str, *, has_link: bool) -> bool:
    if rule.requires_link and not has_link:
        return False
    if _any_phrase(rule.exclude_keywords, folded):
        return False
    if _any_phrase(rule.keywords, folded):
        return True
    compiled = _regex(rule.regex) if rule.regex else None
    return bool(compiled and compiled.search(folded))


def _signal_reason(kind: str, host: str, brand: str) -> Reason:
    if kind == "lookalike":
        message = _("The link %(host)s imitates the official site %(brand)s but is not it.") % {
            "host": host,
            "brand": brand,
        }
    elif kind == "shortener":
        message = _("The link %(host)s is shortened: it hides where it really leads.") % {
            "host": host
        }
    elif kind == "ip_host":
        message = _("The link leads to a bare numeric address, not a named site.")
    else:
        message = _("The link %(host)s uses a cheap domain ending often used by scams.") % {
            "host": host
        }
    return Reason(f"link_{kind}", message)


def _verdict(score: int) -> str:
    if score >= LIKELY_SCAM_AT:
        return "likely_scam"
    if score >= NOT_SURE_AT:
        return "not_sure"
    return "no_known_problem"


def score_message(text: str, *, rules: Sequence[RuleSpec], listed: ProvinceList) -> Scored:
    folded = text_fold(text)
    phones = phones_extract(text)
    links = links_extract(text)
    reasons: list[Reason] = []
    kinds: set[str] = set()
    score = 0

    listed_phones = [p for p in phones if p in listed.phones]
    listed_links = [
        link for link in links if link.host in listed.domains or link.value in listed.links
    ]
    if listed_phones:
        score += LISTED_WEIGHT
        kinds.add("listed")
        reasons.append(
            Reason(
                "listed_phone",
                _("The number %(number)s is on the province's list of scam numbers.")
                % {"number": ", ".join(listed_phones)},
            )
        )
    if listed_links:
        score += LISTED_WEIGHT
        kinds.add("listed")
        reasons.append(
            Reason(
                "listed_link",
                _("The link %(link)s is on the province's list of scam links.")
                % {"link": ", ".join(link.host for link in listed_links)},
            )
        )

    seen_signals: set[str] = set()
    for link in links:
        for signal in domain_signals(link.host):
            if signal.kind in seen_signals:
                continue  # one reason per kind: ten short links are one sign
            seen_signals.add(signal.kind)
            kinds.add(signal.kind)
            score += SIGNAL_WEIGHTS[signal.kind]
            reasons.append(_signal_reason(signal.kind, signal.host, signal.brand))

    for rule in rules:
        if rule_matches(rule, folded, has_link=bool(links)):
            score += rule.weight
            kinds.add(rule.kind)
            reasons.append(Reason(rule.code, rule.reason))

    return Scored(
        verdict=_verdict(score),
        score=score,
        reasons=reasons,
        phones=phones,
        links=links,
        kinds=frozenset(kinds),
    )


def advice_for(scored: Scored) -> list[str]:
    """What to do, in plain words, most important first."""
    if scored.verdict == "no_known_problem":
        return [
            _(
                "We found no known sign of a scam, but stay careful: never share an OTP code "
                "and never pay to receive a prize."
            )
        ]
    advice = [_("Do not pay or transfer any money, and do not reply to the sender.")]
    if scored.kinds & {"otp", "account_locked", "lookalike", "identity", "app_install"}:
        advice.append(_("Never give anyone your OTP code, password or card number."))
    if scored.links:
        advice.append(_("Do not open the link and do not install anything from it."))
    if scored.kinds & {"fake_agency"}:
        advice.append(
            _("The police never ask for money by phone: call 113 or go to the commune police.")
        )
    if scored.kinds & {"urgent_money"}:
        advice.append(
            _("Call your relative yourself on the number you know before doing anything.")
        )
    advice.append(
        _(
            "Call the official hotline yourself: your bank's number printed on your card, "
            "or the commune office."
        )
    )
    return advice
