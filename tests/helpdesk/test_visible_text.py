"""Direction controls and invisible text (core/visible_text.py).

A probe of make run filed for a resident whose name began with a right-to-left
override (U+202E): on the officer's page it flipped everything after it. And
text made only of direction marks or zero-width spaces passed every "not
empty" check.
"""

from __future__ import annotations

import pytest

from alerts.errors import InvalidAlert
from core.visible_text import is_blank, text_without_controls
from geo.models import AdminUnit
from helpdesk import errors, filing_errors, lifecycle
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import ProxyFiling, Ticket
from helpdesk.proxy_filing import ProxyDetails
from tests.alerts.helpers import publish
from tests.alerts.test_publish import NOON
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

INVISIBLE = "\u202e\u200b\u200f \u2066\ufeff"


def test_the_rule() -> None:
    assert text_without_controls("\u202eBà Sen\u202c") == "Bà Sen"
    # Emoji sequences keep their joiner.
    assert text_without_controls("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"
    assert is_blank(INVISIBLE)
    assert not is_blank(INVISIBLE + "a")


def test_a_filed_for_residents_name_loses_its_direction_controls(
    personas: Personas, commune_b: AdminUnit
) -> None:
    ticket = case_submit(
        reporter=personas.digital_team,
        draft=CaseDraft(
            service_code="vneid_account",
            description="Bà không nhớ mật khẩu VNeID",
            commune_code=commune_b.code,
            proxy=ProxyDetails(
                resident_name="\u202eneS ỊhT\u202c Bà", consent="spoken", village="Xóm \u2067A"
            ),
        ),
    ).ticket
    proxy = ProxyFiling.objects.get(ticket=ticket)
    assert (proxy.resident_name, proxy.village) == ("neS ỊhT Bà", "Xóm A")


def test_a_name_of_only_invisible_characters_is_missing(
    personas: Personas, commune_b: AdminUnit
) -> None:
    with pytest.raises(filing_errors.ProxyDetailsMissing):
        case_submit(
            reporter=personas.digital_team,
            draft=CaseDraft(
                service_code="help_other",
                description="Hỏi",
                commune_code=commune_b.code,
                proxy=ProxyDetails(resident_name=INVISIBLE, consent="spoken"),
            ),
        )
    assert not Ticket.objects.exists()


def test_invisible_text_is_no_description_reply_or_reason(
    personas: Personas, commune_b: AdminUnit
) -> None:
    with pytest.raises(filing_errors.DescriptionRequired):
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(
                service_code="help_other", description=INVISIBLE, commune_code=commune_b.code
            ),
        )
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="help_other", description="Hỏi", commune_code=commune_b.code),
    ).ticket
    with pytest.raises(errors.ReasonRequired):
        lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body=INVISIBLE)
    with pytest.raises(errors.ReasonRequired):
        lifecycle.ticket_reject(ticket=ticket, by=personas.officer_b, reason=INVISIBLE)


def test_an_alert_of_invisible_text_is_refused(personas: Personas, commune_a: AdminUnit) -> None:
    with pytest.raises(InvalidAlert) as refused:
        publish(personas.officer_a, NOON, commune=commune_a, short_text=INVISIBLE)
    assert refused.value.details == {"field": "short_text"}
