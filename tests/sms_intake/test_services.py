"""Reports, questions and replies by SMS, end to end through the webhook.

Answers go through the real HTTP adapter to the stand-in gateway; the cases
are filed by the one filing service into real PostGIS, limits counted in Redis.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from core.sms import sms_segments
from helpdesk.lifecycle import ticket_accept, ticket_reject, ticket_resolve
from helpdesk.models import Ticket, TicketEvent
from notifications.models import Channel, Delivery, DeliveryStatus, SmsUsage
from notifications.outbox import deliveries_process
from sms_intake.models import InboundSms
from sms_intake.services import sms_receive
from tests import factories
from tests.conftest import Personas
from tests.sms_intake.conftest import Phone, Send

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _national(e164: str) -> str:
    return "0" + e164[3:]


def test_a_report_with_a_commune_code_files_one_case_and_answers_its_number(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    answer = send(_national(number), "PA 05443 den duong truoc cho bi hong")
    ticket = Ticket.objects.get()
    assert answer == {"status": "filed", "case": ticket.number}
    assert ticket.commune is not None
    assert ticket.commune.code == "05443"
    assert ticket.department is not None
    assert ticket.description == "den duong truoc cho bi hong"
    assert ticket.kind == "field_report"
    assert ticket.reporter.phone == number  # the number is the account, made on first use
    [text] = phone.texts(number)
    assert ticket.number in text
    assert f"#{ticket.number}" in text  # how to add to it
    assert "Phan Dinh Phung" in text  # who handles it, without marks
    assert sms_segments(text) == 1


def test_a_report_naming_the_commune_without_marks_is_routed_there(
    personas: Personas, send: Send
) -> None:
    send(factories.next_phone(), "pa  phan dinh phung   o ga lon giua duong")
    ticket = Ticket.objects.get()
    assert ticket.commune is not None
    assert ticket.commune.code == "05443"
    assert ticket.description == "o ga lon giua duong"


def test_a_question_uses_the_commune_the_number_used_last(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    send(number, "PA dai tu cay do chan duong")
    answer = send(number, "HOI cach kich hoat VNeID muc 2")
    question = Ticket.objects.get(number=answer["case"])
    assert question.kind == "help_request"
    assert question.commune is not None
    assert question.commune.code == "05830"
    assert question.reporter.phone == number
    assert len(phone.texts(number)) == 2


def test_without_a_known_commune_a_question_asks_for_it_and_the_answer_files_that_case(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    asked = send(number, "HOI lam sao dang ky khai sinh cho con")
    assert asked == {"status": "asked_commune", "case": None}
    assert not Ticket.objects.exists()
    assert phone.texts(number)[-1].startswith("XaDesk: viec nay o xa, phuong nao?")
    wrong = send(number, "khong biet")
    assert wrong["status"] == "helped"
    assert not Ticket.objects.exists()
    done = send(number, "Xa Dai Tu")
    ticket = Ticket.objects.get()
    assert done == {"status": "filed", "case": ticket.number}
    assert ticket.description == "lam sao dang ky khai sinh cho con"
    assert ticket.commune is not None
    assert ticket.commune.code == "05830"
    first = InboundSms.objects.get(kind="question")
    assert (first.outcome, first.ticket) == ("filed", ticket)
    assert ticket.number in phone.texts(number)[-1]
    # The same answer again files nothing more.
    send(number, "05830")
    assert Ticket.objects.count() == 1


def test_a_reply_by_sms_lands_as_the_residents_message_on_the_case(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    case = send(number, "PA 05443 rac chua thu gom 3 ngay")["case"]
    answer = send(number, f"#{case} van chua ai den thu gom")
    assert answer == {"status": "replied", "case": case}
    ticket = Ticket.objects.get(number=case)
    reply = ticket.events.get(kind=TicketEvent.Kind.REPLY)
    assert (reply.actor, reply.body, reply.is_public) == (
        ticket.reporter,
        "van chua ai den thu gom",
        True,
    )
    assert case in phone.texts(number)[-1]


def test_a_reply_to_someone_elses_case_adds_nothing_and_says_so(
    personas: Personas, send: Send, phone: Phone
) -> None:
    case = send(factories.next_phone(), "PA 05443 rac chua thu gom")["case"]
    stranger = factories.next_phone()
    assert send(stranger, f"#{case} toi cung thay")["status"] == "refused"
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.REPLY).exists()
    assert case in phone.texts(stranger)[-1]


def test_a_resend_with_the_same_gateway_id_makes_no_second_case_nor_answer(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    first = send(number, "PA 05443 cot dien nghieng", message_id="gw-77")
    again = send(number, "PA 05443 cot dien nghieng", message_id="gw-77")
    assert again == {"status": "duplicate", "case": first["case"]}
    assert Ticket.objects.count() == 1
    assert len(phone.texts(number)) == 1


def test_the_same_text_from_the_same_number_in_the_same_minute_is_one_case(
    personas: Personas, sms_settings: object, phone: Phone
) -> None:
    number = factories.next_phone()
    at = datetime(2026, 11, 13, 9, 30, 5, tzinfo=HCM)
    later = datetime(2026, 11, 13, 9, 30, 50, tzinfo=HCM)
    sms_receive(gateway_id="a", phone_raw=number, text="PA 05443 cong bi tac", now=at)
    resent = sms_receive(gateway_id="b", phone_raw=number, text="PA  05443 cong bi tac ", now=later)
    assert resent.duplicate
    assert Ticket.objects.count() == 1
    assert len(phone.texts(number)) == 1


@pytest.mark.parametrize("text", ["", "   ", "asdkjh qwe", "x" * 700, "PA 05443", "HOI"])
def test_garbage_empty_and_over_long_get_one_helpful_answer_and_no_case(
    personas: Personas, send: Send, phone: Phone, text: str
) -> None:
    number = factories.next_phone()
    assert send(number, text)["status"] == "helped"
    assert not Ticket.objects.exists()
    [answer] = phone.texts(number)
    assert "PA" in answer
    assert "HOI" in answer
    assert sms_segments(answer) == 1


def test_a_flooding_number_is_cut_off_without_cases_or_answers(
    personas: Personas, send: Send, phone: Phone, settings: Settings
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_in.phone": (3, 3600)}
    number = factories.next_phone()
    statuses = [send(number, f"PA 05443 spam so {n}")["status"] for n in range(6)]
    assert statuses == ["filed"] * 3 + ["limited"] * 3
    assert Ticket.objects.count() == 3
    assert len(phone.texts(number)) == 3
    # Another number is not affected.
    assert send(factories.next_phone(), "PA 05443 that su hong")["status"] == "filed"


def test_answers_to_one_number_are_capped_so_no_storm_goes_back(
    personas: Personas, send: Send, phone: Phone, settings: Settings
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_answer.phone": (2, 3600)}
    number = factories.next_phone()
    for n in range(4):
        send(number, f"xin chao {n}")
    assert len(phone.texts(number)) == 2


def test_an_sms_residents_status_changes_reach_them_by_sms_after_quiet_hours(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    case = send(number, "PA 05443 nap cong bi mat")["case"]
    resident = User.objects.get(phone=number)
    assert resident.notification_preference.sms_enabled
    ticket = Ticket.objects.get(number=case)
    ticket_accept(ticket=ticket, by=personas.officer_a)
    ticket_resolve(ticket=ticket, by=personas.officer_a, note="Da lap nap cong moi.")
    sms_rows = Delivery.objects.filter(notification__recipient=resident, channel=Channel.SMS)
    assert sms_rows.count() == 2
    assert set(sms_rows.values_list("province__code", flat=True)) == {"19"}
    tomorrow = timezone.localtime() + timedelta(days=1)
    night = tomorrow.replace(hour=23, minute=0)
    deliveries_process(now=night)
    assert len(phone.texts(number)) == 1  # only the intake answer: it is night
    morning = (night + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    deliveries_process(now=morning)
    assert set(sms_rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    texts = phone.texts(number)
    assert len(texts) == 3
    assert any(case in text and "Da lap nap cong moi." in text for text in texts)


def test_past_the_monthly_cap_the_case_number_still_goes_but_help_answers_do_not(
    personas: Personas, send: Send, phone: Phone, settings: Settings
) -> None:
    settings.SMS_MONTHLY_CAP = 1
    number = factories.next_phone()
    case = send(number, "PA 05443 den hong")["case"]
    case_two = send(number, "PA 05443 den khac cung hong")["case"]
    send(number, "???")
    texts = phone.texts(number)
    assert len(texts) == 2  # both case numbers, essential; the help answer withheld
    assert case in texts[0]
    assert case_two in texts[1]
    usage = SmsUsage.objects.get(province__code="19")
    assert (usage.messages, usage.withheld) == (2, 1)


def test_an_unknown_commune_code_is_asked_about_not_filed_elsewhere(
    personas: Personas, send: Send, phone: Phone
) -> None:
    number = factories.next_phone()
    send(number, "PA dai tu cay do")  # the number's last commune: Đại Từ
    assert send(number, "PA 99999 cong vo")["status"] == "asked_commune"
    assert Ticket.objects.count() == 1
    done = send(number, "05443")
    ticket = Ticket.objects.get(number=done["case"])
    assert ticket.commune is not None
    assert (ticket.commune.code, ticket.description) == ("05443", "cong vo")


@pytest.mark.parametrize(("language", "said"), [("vi", '"Tu choi"'), ("en", '"Rejected"')])
def test_a_reply_to_a_case_that_moved_on_is_refused_in_one_plain_sms(
    personas: Personas, send: Send, phone: Phone, language: str, said: str
) -> None:
    """The refusal names the case's status in curly quotes, which GSM-7 lacks:
    the whole answer went as UCS-2, two SMS, and in the gateway's language
    rather than the resident's (a second read)."""
    number = factories.next_phone()
    case = send(number, "PA 05443 rac chua thu gom 3 ngay")["case"]
    assert User.objects.filter(phone=number).update(language=language) == 1
    ticket_reject(ticket=Ticket.objects.get(number=case), by=personas.leader_a, reason="Trùng")
    assert send(number, f"#{case} van chua ai den")["status"] == "refused"
    answer = phone.texts(number)[-1]
    assert said in answer, answer
    assert sms_segments(answer) == 1, answer
