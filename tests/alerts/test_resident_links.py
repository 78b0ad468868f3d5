"""The way from a resident's pages to their commune's alerts page: the case page,
the home page and "my cases" link to it, with what is in force there."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from geo.models import AdminUnit, BoundaryVersion
from helpdesk.models import Ticket
from tests import factories
from tests.alerts.helpers import publish, resident_of
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

# The link as the pages draw it (templates/reports/_alerts_link.html).
LINK = re.compile(r'<a class="tap" href="(/alerts/[^"]+/)">([^<]+)</a>')
IN_FORCE = re.compile(r'<span class="tag warn">([^<]+)</span>\s*<q>([^<]*)</q>')


def _client(user: User | None = None, language: str = "vi") -> Client:
    client = Client(headers={} if language == "vi" else {"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _case_of(person: User) -> Ticket:
    return Ticket.objects.filter(reporter=person).latest("created_at")


@pytest.mark.parametrize(
    ("language", "words"), [("vi", "Cảnh báo ở {}"), ("en", "Alerts in {}")], ids=["vi", "en"]
)
def test_case_page_links_to_its_communes_alerts_page(
    commune_a: AdminUnit, language: str, words: str
) -> None:
    person = resident_of(commune_a)
    page = _page(_client(person, language), f"/cases/{_case_of(person).number}/")
    name = commune_a.full_name if language == "vi" else commune_a.full_name_en
    assert LINK.findall(page) == [(f"/alerts/{commune_a.code}/", words.format(name))]
    # Nothing in force: a plain link, no count.
    assert not IN_FORCE.search(page)
    # And the link leads to the page.
    assert _client().get(f"/alerts/{commune_a.code}/").status_code == 200


def test_the_link_shows_what_is_in_force_in_the_commune_and_nothing_else(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    now = timezone.now()
    publish(personas.officer_a, now - timedelta(days=3), commune=commune_a, short_text="Da het han")
    publish(personas.officer_b, now, commune=commune_b, short_text="Chi xa B mat dien")
    publish(
        personas.province_admin,
        now - timedelta(hours=2),
        province=commune_a.parent,
        short_text="Ca tinh: bao so 3",
    )
    publish(personas.officer_a, now - timedelta(hours=1), commune=commune_a, short_text="Mat nuoc")
    person = resident_of(commune_a)
    ticket = _case_of(person)
    expected = [("2 cảnh báo đang có hiệu lực", "Mat nuoc")]  # the newest one's words

    for url in (f"/cases/{ticket.number}/", "/", "/cases/"):
        page = _page(_client(person), url)
        assert LINK.search(page) is not None, url
        # The commune's own and the province's, not the expired one nor commune B's.
        assert IN_FORCE.findall(page) == expected, url
        for other in ("Da het han", "Chi xa B", "Ca tinh"):
            assert other not in page, (url, other)

    english = _page(_client(person, "en"), f"/cases/{ticket.number}/")
    assert IN_FORCE.findall(english) == [("2 alerts in force", "Mat nuoc")]


def test_home_and_my_cases_link_to_the_commune_of_the_latest_case(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    person = resident_of(commune_b)
    factories.case_file(reporter=person, commune=commune_a)  # the latest
    for url in ("/", "/cases/"):
        assert [href for href, _words in LINK.findall(_page(_client(person), url))] == [
            f"/alerts/{commune_a.code}/"
        ], url
    # No case, or no one signed in: no commune to link to.
    for client in (_client(personas.resident), _client()):
        assert not LINK.search(_page(client, "/"))
    assert not LINK.search(_page(_client(personas.resident), "/cases/"))


def test_no_link_to_a_commune_since_merged_away(commune_a: AdminUnit) -> None:
    """A retired commune has no alerts page (alerts.selectors.public_unit_get):
    a link would be a 404 (its old cases keep pointing at it)."""
    person = resident_of(commune_a)
    version = BoundaryVersion.objects.create(label="after-a-merger")
    AdminUnit.objects.filter(pk=commune_a.pk).update(retired_in=version)
    assert _client().get(f"/alerts/{commune_a.code}/").status_code == 404
    for url in (f"/cases/{_case_of(person).number}/", "/", "/cases/"):
        assert not LINK.search(_page(_client(person), url)), url


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("url", ["/", "/cases/", "case"])
def test_the_link_costs_a_page_one_small_query_whatever_the_alerts_and_cases(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, url: str
) -> None:
    def sql(person: User) -> list[str]:
        path = f"/cases/{_case_of(person).number}/" if url == "case" else url
        client = _client(person)
        client.get(path)  # the session and anything cached per process, read once
        return _queries(client, path)

    # One case, nothing in force; then four cases in two communes and six alerts.
    few = sql(resident_of(commune_a))
    busy = resident_of(commune_b)
    for _ in range(3):
        factories.case_file(reporter=busy, commune=commune_a)
    now = timezone.now()
    for n in range(5):
        publish(
            personas.officer_a, now - timedelta(minutes=n), commune=commune_a, short_text=f"T{n}"
        )
    publish(personas.province_admin, now, province=commune_a.parent, short_text="Ca tinh")
    many = sql(busy)

    assert len(many) == len(few)  # no query per case or per alert
    alert_queries = [q for q in many if "alerts_alert" in q]
    assert len(alert_queries) == 1
    # The link's one query: one commune row (LIMIT 1), its alerts as subqueries.
    assert alert_queries[0].startswith('SELECT "geo_adminunit"."id"')
    assert alert_queries[0].rstrip().endswith("LIMIT 1")
    assert IN_FORCE.findall(_page(_client(busy), "/")) == [
        ("6 cảnh báo đang có hiệu lực", "Ca tinh")
    ]
