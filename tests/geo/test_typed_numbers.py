"""A coordinate typed by a person is read the same way by the pages' forms and
the API (geo/typed_numbers.py): a probe's full-width latitude was taken by the
report form and refused by the API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test import Client
from pydantic import TypeAdapter, ValidationError
from pytest_django import Settings

from core.errors import DomainError
from geo.forms import PointForm
from geo.models import AdminUnit
from geo.schemas import Latitude
from geo.typed_numbers import coordinate_text
from helpdesk.models import Ticket
from reports.forms import ReportForm
from tests.conftest import Personas
from tests.factories import point_inside

READ = [
    ("21.594", 21.594),
    ("２１．５９４", 21.594),  # full-width digits and point
    ("２１.５９４", 21.594),
    ("21,594", 21.594),  # the decimal comma of a Vietnamese keypad
    ("\u221221.5", -21.5),  # the minus sign
    ("٢١.٥", 21.5),  # Arabic-Indic digits: Python's float read them, pydantic did not
    (" 21.5 ", 21.5),
]
REFUSED = ["21,594,1", "21.5,1", "abc", "２１ａ", "nan", "91", "\ufdfa" * 100_000]


def _api(value: str) -> float | None:
    try:
        return float(TypeAdapter(Latitude).validate_python(value))
    except (ValidationError, DomainError):
        return None


def _form(value: str) -> float | None:
    form = PointForm({"lat": value, "lon": "105.8"})
    return form.cleaned_data["lat"] if form.is_valid() else None


@pytest.mark.parametrize(("typed", "number"), READ)
def test_the_api_and_the_forms_read_a_typed_coordinate_alike(typed: str, number: float) -> None:
    assert _api(typed) == pytest.approx(number)
    assert _form(typed) == pytest.approx(number)


@pytest.mark.parametrize("typed", REFUSED)
def test_the_api_and_the_forms_refuse_the_same_text(typed: str) -> None:
    assert _api(typed) is None
    assert _form(typed) is None


def test_a_long_text_is_not_normalised_at_length() -> None:
    """2.5 MB of a character NFKC makes 18 of took 3.2 s before the cap."""
    started = time.process_time()
    assert coordinate_text("\ufdfa" * 800_000) == "\ufdfa" * 800_000
    assert time.process_time() - started < 0.2


def test_the_report_form_reads_its_coordinates_by_the_same_rule() -> None:
    field = ReportForm.base_fields["lat"]
    assert isinstance(field, forms.FloatField)
    assert field.clean("２１，５") == pytest.approx(21.5)


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _full_width(number: float) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c in "0123456789." else c for c in f"{number:.6f}")


@pytest.mark.django_db
def test_a_full_width_place_files_the_same_case_by_page_and_by_api(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    client = Client()
    client.force_login(personas.resident)
    fields: dict[str, Any] = {
        "service": "streetlight_out",
        "description": "Đèn đường tắt",
        "lat": _full_width(lat),
        "lon": _full_width(lon),
    }
    page = client.post("/report/new/", {**fields, "idempotency_key": "typed-page-01"})
    assert page.status_code == 302
    api = client.post("/api/v1/reports/cases", fields, headers={"Idempotency-Key": "typed-api-01"})
    assert api.status_code == 201, api.json()
    points = [(t.location.y, t.location.x) for t in Ticket.objects.order_by("pk") if t.location]
    assert points == [pytest.approx((lat, lon))] * 2
    assert {t.commune_id for t in Ticket.objects.all()} == {commune_a.pk}
