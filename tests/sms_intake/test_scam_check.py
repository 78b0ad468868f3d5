"""KT <message> by SMS: the verdict comes back in one SMS, once, whatever the gateway resends."""

from __future__ import annotations

import pytest

from core.sms import sms_segments
from scams.models import ScamCheck
from sms_intake.models import InboundSms
from sms_intake.parsing import Kind, sms_parse
from tests import factories
from tests.sms_intake.conftest import Phone, Send

pytestmark = pytest.mark.django_db


def _national(e164: str) -> str:
    return "0" + e164[3:]


@pytest.mark.parametrize(
    "text", ["KT trung thuong", "kt: trung thuong", "Kiểm tra trung thuong", "KT.trung thuong"]
)
def test_the_keyword_is_read_however_it_is_typed(text: str) -> None:
    parsed = sms_parse(text)
    assert parsed.kind == Kind.SCAM_CHECK
    assert parsed.body == "trung thuong"


def test_a_scam_by_sms_gets_the_verdict_in_one_sms(send: Send, phone: Phone) -> None:
    number = factories.next_phone()
    answer = send(
        _national(number),
        "KT Chuc mung quy khach trung thuong xe SH, nop phi nhan thuong 2 trieu vao 0356111222",
    )
    assert answer["status"] == "checked"
    assert answer["case"] is None
    [text] = phone.texts(number)
    assert "LUA DAO" in text  # "CÓ THỂ LÀ LỪA ĐẢO", sent without marks
    assert sms_segments(text) == 1
    check = ScamCheck.objects.get()
    assert check.channel == "sms"
    assert check.verdict == "likely_scam"
    assert check.checker is not None
    assert check.checker.phone == number
    assert InboundSms.objects.get().kind == "scam_check"


def test_a_genuine_message_is_told_so(send: Send, phone: Phone) -> None:
    number = factories.next_phone()
    send(_national(number), "kt UBND xa thong bao hop dan thon 3 luc 8h chu nhat")
    [text] = phone.texts(number)
    assert "LUA DAO" not in text
    assert ScamCheck.objects.get().verdict == "no_known_problem"


def test_a_resend_is_not_checked_or_answered_twice(send: Send, phone: Phone) -> None:
    number = factories.next_phone()
    first = send(_national(number), "KT doc ma OTP cho em", message_id="gw-kt-1")
    again = send(_national(number), "KT doc ma OTP cho em", message_id="gw-kt-1")
    assert first["status"] == "checked"
    assert again["status"] == "duplicate"
    assert ScamCheck.objects.count() == 1
    assert len(phone.texts(number)) == 1


def test_kt_alone_explains_how_to_write(send: Send, phone: Phone) -> None:
    number = factories.next_phone()
    assert send(_national(number), "KT")["status"] == "helped"
    assert not ScamCheck.objects.exists()
    assert len(phone.texts(number)) == 1
