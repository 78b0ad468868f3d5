"""The resident a team member files for is told the case was received, with
its number. The first telling was made before the proxy record made them a
follower, so their first SMS came at the officer's first step and quoted a
number they had never been given (a helper's walk)."""

from __future__ import annotations

from collections import Counter

import pytest

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import TicketEvent
from notifications.models import Notification
from tests.conftest import Personas
from tests.factories import case_filed_for_a_resident

pytestmark = pytest.mark.django_db


def test_the_resident_filed_for_is_told_once_and_no_one_twice(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_filed_for_a_resident(
        team_member=personas.digital_team, commune=commune_a, phone="0971 234 568"
    )
    resident = User.objects.get(phone="+84971234568")
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    told = Notification.objects.filter(dedupe_key=f"case-event:{created.pk}")
    assert told.filter(recipient=resident).get().title == f"Đã nhận hồ sơ #{ticket.number}"
    # Everyone else told of the filing is told once; the filer not at all.
    counts = Counter(told.values_list("recipient_id", flat=True))
    assert set(counts.values()) == {1}
    assert personas.digital_team.pk not in counts
    assert personas.officer_a.pk in counts  # the department's officer


def test_without_a_phone_no_one_more_is_told(personas: Personas, commune_a: AdminUnit) -> None:
    ticket = case_filed_for_a_resident(team_member=personas.digital_team, commune=commune_a)
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    told = Notification.objects.filter(dedupe_key=f"case-event:{created.pk}")
    assert set(told.values_list("recipient_id", flat=True)) == {personas.officer_a.pk}
