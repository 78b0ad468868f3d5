"""What we answer by SMS, and the sending of it.

Every answer is one SMS segment: written in the person's language through the
catalogues, sent without marks (core.sms.sms_plain: 160 characters a segment
instead of 70, and how Vietnamese SMS are usually written), counted on the
province's SMS bill and withheld past its monthly cap unless essential
(notifications/sms_budget.py). No number gets more than
RATE_LIMITS["sms_answer.phone"] answers a window, whatever it sends us: a
gateway or an auto-responder answering our answers cannot start a storm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.rate_limits import Charge, RateLimited, rate_limits_take
from core.sms import SmsDeliveryFailed, phone_mask, sms_plain
from helpdesk.models import Ticket
from helpdesk.names import unit_name
from notifications.sms_budget import sms_send_counted

logger = logging.getLogger(__name__)


class AnswerRateLimited(RateLimited):
    code = "sms_answer_rate_limited"


@dataclass(frozen=True)
class Answer:
    text: str
    # Essential answers go out past the monthly cap: the case number, and the
    # question without which no case can be filed.
    essential: bool
    province_id: int | None = None


def answer_send(*, phone: str, answer: Answer) -> bool:
    """Send the answer unless the number had its share of answers; True if sent."""
    try:
        rate_limits_take(
            charges=(Charge(action="sms_answer", cost=1, error=AnswerRateLimited),),
            person_id=None,
            ip=None,
            phone=phone,
        )
    except AnswerRateLimited:
        logger.info("SMS answer to %s withheld: answer limit reached", phone_mask(phone))
        return False
    try:
        return sms_send_counted(
            to=phone, text=answer.text, province_id=answer.province_id, essential=answer.essential
        )
    except SmsDeliveryFailed:
        # The case stands; the resident sees it in any status SMS that follows.
        logger.warning("SMS answer to %s not delivered", phone_mask(phone))
        return False


def _plain(text: str) -> str:
    return sms_plain(" ".join(text.split()))


def answer_filed(*, ticket: Ticket, language: str) -> Answer:
    """The case number and what happens next."""
    with translation.override(language):
        if ticket.commune is not None and ticket.department_id is not None and ticket.due_at:
            due = date_format(timezone.localtime(ticket.due_at), "d/m")
            text = _(
                "XaDesk: received, case %(number)s. %(commune)s will handle it by %(due)s; "
                "we will text you. To add: #%(number)s <text>"
            ) % {"number": ticket.number, "commune": unit_name(ticket.commune), "due": due}
        else:
            text = _(
                "XaDesk: received, case %(number)s. The province will send it to the right "
                "office; we will text you. To add: #%(number)s <text>"
            ) % {"number": ticket.number}
    return Answer(_plain(text), essential=True, province_id=ticket.province_id)


def answer_ask_commune(*, language: str, again: bool = False) -> Answer:
    with translation.override(language):
        if again:
            text = _(
                "XaDesk: we could not find that commune. Reply with its 5-digit code "
                "(ask the commune office) or its name, e.g. Dai Tu."
            )
        else:
            text = _(
                "XaDesk: which commune is this about? Reply with its name (e.g. Dai Tu) "
                "or its 5-digit code."
            )
    return Answer(_plain(text), essential=True)


def answer_how_to(*, language: str, too_long: bool = False) -> Answer:
    with translation.override(language):
        if too_long:
            text = _(
                "XaDesk: message too long. Please write in a few words: "
                "PA <commune> <problem>, or HOI <question>."
            )
        else:
            text = _(
                "XaDesk: to report, write PA <commune> <problem>, e.g. PA Dai Tu road broken. "
                "To ask, write HOI <question>."
            )
    return Answer(_plain(text), essential=False)


def answer_replied(*, ticket: Ticket, language: str) -> Answer:
    with translation.override(language):
        text = _("XaDesk: your message was added to case %(number)s.") % {"number": ticket.number}
    return Answer(_plain(text), essential=False, province_id=ticket.province_id)


def answer_no_case(*, number: str, language: str) -> Answer:
    with translation.override(language):
        text = _(
            "XaDesk: no case %(number)s was filed from this number. Check the number in our SMS."
        ) % {"number": number}
    return Answer(_plain(text), essential=False)


def answer_refused(*, reason: str, language: str, province_id: int | None = None) -> Answer:
    with translation.override(language):
        text = _("XaDesk: not accepted. %(reason)s") % {"reason": reason}
    return Answer(_plain(text)[:160], essential=False, province_id=province_id)


def answer_scam_check(*, verdict: str, language: str, province_id: int | None) -> Answer:
    """The verdict of a "KT <message>" check and the one thing to do, in one SMS."""
    with translation.override(language):
        if verdict == "likely_scam":
            text = _(
                "XaDesk: LIKELY A SCAM. Do not pay, do not give any OTP code, do not open "
                "the link. Ask the commune or call 113."
            )
        elif verdict == "not_sure":
            text = _(
                "XaDesk: NOT SURE, some signs of a scam. Do not pay or give an OTP code "
                "before asking the commune or your bank's hotline."
            )
        else:
            text = _(
                "XaDesk: no known sign of a scam. Still, never give an OTP code and never pay "
                "to receive a prize."
            )
    return Answer(_plain(text)[:160], essential=False, province_id=province_id)
