"""Direction controls and invisible text (core/visible_text.py).

A probe of make run filed for a resident whose name began with a right-to-left
override (U+202E): on the officer's page it flipped everything after it. And
text made only of direction marks or zero-width spaces passed every "not
empty" check.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
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


def _question(reporter: User, commune: AdminUnit, **draft: Any) -> Ticket:
    """A help question filed in ``commune``; ``draft`` changes its fields."""
    fields: dict[str, Any] = {"service_code": "help_other", "description": "Hỏi"}
    draft = fields | draft
    return case_submit(
        reporter=reporter, draft=CaseDraft(commune_code=commune.code, **draft)
    ).ticket


def test_a_filed_for_residents_name_loses_its_direction_controls(
    personas: Personas, commune_b: AdminUnit
) -> None:
    name = ProxyDetails(
        resident_name="\u202eneS ỊhT\u202c Bà", consent="spoken", village="Xóm \u2067A"
    )
    ticket = _question(personas.digital_team, commune_b, proxy=name)
    proxy = ProxyFiling.objects.get(ticket=ticket)
    assert (proxy.resident_name, proxy.village) == ("neS ỊhT Bà", "Xóm A")


def test_a_name_of_only_invisible_characters_is_missing(
    personas: Personas, commune_b: AdminUnit
) -> None:
    with pytest.raises(filing_errors.ProxyDetailsMissing):
        _question(
            personas.digital_team,
            commune_b,
            proxy=ProxyDetails(resident_name=INVISIBLE, consent="spoken"),
        )
    assert not Ticket.objects.exists()


def test_invisible_text_is_no_description_reply_or_reason(
    personas: Personas, commune_b: AdminUnit
) -> None:
    with pytest.raises(filing_errors.DescriptionRequired):
        _question(personas.resident, commune_b, description=INVISIBLE)
    ticket = _question(personas.resident, commune_b)
    with pytest.raises(errors.ReasonRequired):
        lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body=INVISIBLE)
    with pytest.raises(errors.ReasonRequired):
        lifecycle.ticket_reject(ticket=ticket, by=personas.officer_b, reason=INVISIBLE)


def test_an_alert_of_invisible_text_is_refused(personas: Personas, commune_a: AdminUnit) -> None:
    with pytest.raises(InvalidAlert) as refused:
        publish(personas.officer_a, NOON, commune=commune_a, short_text=INVISIBLE)
    assert refused.value.field == "short_text"
