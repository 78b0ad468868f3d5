"""The case most console tests work on: filed by the resident in commune A."""

from __future__ import annotations

import pytest

from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests.conftest import Personas
from tests.console.pages import case_in


@pytest.fixture
def ticket_a(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return case_in(commune_a, personas.resident)
