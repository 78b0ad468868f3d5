"""Verdicts of the scam check on real-shaped messages, through the one check service.

The rules are the ones the data migration seeds (scams/rule_seed.py), read
from the real database, as a resident's check reads them.
"""

from __future__ import annotations

import pytest

from scams.domains import domain_signals, edit_distance
from scams.extraction import links_extract, phones_extract
from scams.models import ScamCheck, ScamRule
from scams.services import check_message
from tests.scams.messages import LIKELY, MESSAGES, NOT_SURE, OK

pytestmark = pytest.mark.django_db


def test_the_table_is_big_and_mixed_enough() -> None:
    verdicts = [verdict for _, _, verdict in MESSAGES]
    assert len(MESSAGES) >= 40
    assert verdicts.count(LIKELY) >= 15
    assert verdicts.count(OK) >= 10
    assert verdicts.count(NOT_SURE) >= 3
    assert len({name for name, _, _ in MESSAGES}) == len(MESSAGES)


@pytest.mark.parametrize(("name", "text", "expected"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_verdict(name: str, text: str, expected: str) -> None:
    result = check_message(text=text, province=None, checker=None, channel="api")
    reasons = [reason.code for reason in result.reasons]
    assert result.verdict == expected, (name, reasons)
    # A warning always says why; a clean message gives no reason.
    assert bool(reasons) == (expected != OK)
    assert result.advice


def test_a_rule_switched_off_in_the_admin_stops_counting() -> None:
    text = "Em vua gui nham ma, anh doc ma OTP giup em nhe"
    assert check_message(text=text, province=None, checker=None, channel="api").verdict == LIKELY
    ScamRule.objects.filter(code="otp_request").update(is_active=False)
    assert check_message(text=text, province=None, checker=None, channel="api").verdict == OK


def test_a_rule_added_in_the_admin_counts_at_once() -> None:
    text = "Nhan ngay goi cuu tro lu lut 5 trieu, dang ky tai day"
    assert check_message(text=text, province=None, checker=None, channel="api").verdict == OK
    ScamRule.objects.create(
        name="Flood relief",
        code="fake_relief",
        kind="prize",
        keywords=["goi cuu tro"],
        weight=5,
        reason_vi="Cứu trợ giả",
        reason_en="Fake relief",
    )
    result = check_message(text=text, province=None, checker=None, channel="api")
    assert result.verdict == LIKELY
    assert [r.code for r in result.reasons] == ["fake_relief"]
    assert result.reasons[0].message == "Cứu trợ giả"  # Vietnamese by default


def test_a_broken_pattern_typed_in_the_admin_matches_nothing_and_breaks_nothing() -> None:
    ScamRule.objects.create(
        name="Broken", code="broken", kind="other", regex="(unclosed", weight=9, reason_vi="x"
    )
    result = check_message(text="hop dan thon 3", province=None, checker=None, channel="api")
    assert result.verdict == OK


def test_every_check_is_stored_with_its_verdict_and_what_it_was_judged_on() -> None:
    result = check_message(
        text="Goi ngay 0912 345 678 hoac vao bit.ly/abc de nhan thuong",
        province=None,
        checker=None,
        channel="web",
    )
    check = ScamCheck.objects.get(pk=result.check.pk)
    assert check.verdict == result.verdict
    assert check.phones == ["0912345678"]
    assert check.links == ["bit.ly/abc"]
    assert check.channel == "web"


@pytest.mark.parametrize(
    ("text", "phones"),
    [
        ("goi +84 912 345 678 ngay", ["0912345678"]),
        ("LH 0912.345.678", ["0912345678"]),
        ("so 84912345678 nhe", ["0912345678"]),
        ("hotline 1900 1234", ["19001234"]),
        ("ngay 12/03/2025 luc 8h", []),
    ],
)
def test_phone_numbers_are_read_however_they_are_typed(text: str, phones: list[str]) -> None:
    assert phones_extract(text) == phones


def test_links_with_and_without_scheme_but_not_abbreviations() -> None:
    found = links_extract("Vao https://www.Evn-ThanhToan.xyz/pay, vneid-gov.com, Tp.HCM v.v.")
    assert [link.value for link in found] == ["evn-thanhtoan.xyz/pay", "vneid-gov.com"]


@pytest.mark.parametrize(
    ("host", "kinds"),
    [
        ("vietcombank.com.vn", []),
        ("ebank.vietcombank.com.vn", []),
        ("dichvucong.gov.vn", []),
        ("vietc0mbank.com.vn", ["lookalike"]),  # a digit for a letter
        ("vietcombamk.com", ["lookalike"]),  # a typo
        ("vietcombank.com.vn.login-secure.top", ["lookalike", "cheap_tld"]),  # wrong TLD
        ("dichvucong-gov.vn", ["lookalike"]),
        ("mbbank-khuyenmai.com", ["lookalike"]),
        ("bit.ly", ["shortener"]),
        ("baomoi.com", []),
        ("combination.vn", []),  # holds no bank's name ("acb" only as a whole word)
    ],
)
def test_domain_signals(host: str, kinds: list[str]) -> None:
    assert [signal.kind for signal in domain_signals(host)] == kinds


def test_edit_distance() -> None:
    assert edit_distance("vietcombank", "vietcombamk") == 1
    assert edit_distance("bidv", "bidv") == 0
