"""Reads of the intake side: the open reports of a commune (reports/selectors.py)."""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from geo.models import AdminUnit
from helpdesk.models import PublicLocation, Service
from reports.selectors import IN_COMMUNE_LIMIT, reports_in_commune_open
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_communes_list_is_a_few_newest_public_reports_in_three_queries(
    commune_a: AdminUnit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    filed = [
        factories.case_filed_days_ago(commune=commune_a, days=10 - n)
        for n in range(IN_COMMUNE_LIMIT + 1)
    ]
    with django_assert_num_queries(3):  # reports, proxy filings' names, photos
        listed = reports_in_commune_open(service_code="streetlight_out", commune=commune_a)
    newest = sorted(filed, key=lambda t: t.created_at, reverse=True)[:IN_COMMUNE_LIMIT]
    assert [r.public_id for r in listed] == [t.public_id for t in newest]
    assert {r.distance_m for r in listed} == {None}


def test_a_service_the_public_may_not_see_is_not_listed_by_commune(commune_a: AdminUnit) -> None:
    factories.case_filed_days_ago(commune=commune_a, days=0)
    Service.objects.filter(code="streetlight_out").update(public_location=PublicLocation.HIDDEN)
    assert reports_in_commune_open(service_code="streetlight_out", commune=commune_a) == []
    # Shown by commune only, its place on the public page is the commune: listed.
    Service.objects.filter(code="streetlight_out").update(public_location=PublicLocation.COMMUNE)
    assert len(reports_in_commune_open(service_code="streetlight_out", commune=commune_a)) == 1
