"""The console on a phone (a helper's walk at 360 px): the transfer form's ~450
departments in groups by commune, the officer's own first, offering exactly
what the case core accepts; a case's place as links that open it rather than
bare numbers; and the console's own stylesheet, which makes queue cards compact
(measured in tests/browser/test_console_phone.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils.choices import flatten_choices

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Department, DepartmentType, Ticket, TicketStatus
from helpdesk.names import unit_name
from tests import factories
from tests.conftest import Personas
from tests.console.pages import client_as


def _transfer_form(personas: Personas, name: str, ticket: Ticket) -> Any:
    page = client_as(personas, name).get(reverse("console:ticket-detail", args=[ticket.number]))
    assert page.status_code == 200
    return next(form for action, form in page.context["actions"] if action.name == "transfer")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["officer_a", "leader_a"])
def test_transfer_targets_come_in_groups_by_commune_the_officers_own_first(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, ticket_a: Ticket, name: str
) -> None:
    factories.department_create(commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY)
    factories.department_create(commune=commune_b, department_type=DepartmentType.CULTURE_SOCIETY)
    field = _transfer_form(personas, name, ticket_a).fields["department"]
    by_id = {d.pk: d for d in field.queryset}
    nothing, *groups = list(field.choices)
    assert nothing[0] == ""  # nothing chosen until the officer chooses
    # Every other entry is a group: (the commune's full name, its departments).
    assert groups
    assert all(isinstance(options, list) for _label, options in groups)
    communes = [{by_id[int(value)].commune for value, _label in options} for _l, options in groups]
    assert all(len(each) == 1 for each in communes)
    firsts = [next(iter(each)) for each in communes]
    assert len(set(firsts)) == len(firsts)  # one group per commune
    # Their own commune (A, "Phan Đình Phùng") first, though "Đại Từ" (B)
    # comes before it in the reader's order the others keep.
    assert firsts[0] == commune_a
    assert [label for label, _options in groups[:2]] == [unit_name(commune_a), unit_name(commune_b)]
    # The browser draws groups: <optgroup label="…">.
    html = str(_transfer_form(personas, name, ticket_a)["department"])
    assert html.index(f'<optgroup label="{unit_name(commune_a)}">') < html.index(
        f'<optgroup label="{unit_name(commune_b)}">'
    )


@pytest.mark.django_db
def test_transfer_groups_offer_exactly_what_the_case_core_accepts(
    personas: Personas, commune_b: AdminUnit, ticket_a: Ticket
) -> None:
    """One rule of which departments a case may go to (lifecycle.transfer_targets):
    the groups only arrange it, and a department outside it is refused."""
    inactive = factories.department_create(
        commune=commune_b, department_type=DepartmentType.CULTURE_SOCIETY
    )
    Department.objects.filter(pk=inactive.pk).update(is_active=False)
    lang_son = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, parent__code="20").first()
    assert lang_son is not None
    elsewhere = factories.department_create(commune=lang_son)

    field = _transfer_form(personas, "officer_a", ticket_a).fields["department"]
    choices: list[tuple[Any, Any]] = list(flatten_choices(field.choices))
    offered = [value for value, _label in choices if value != ""]
    targets = lifecycle.transfer_targets(ticket=ticket_a).values_list("pk", flat=True)
    assert sorted(int(value) for value in offered) == sorted(targets)
    assert len(offered) == len(set(offered))

    client = client_as(personas, "officer_a")
    url = reverse("console:ticket-action", args=[ticket_a.number, "transfer"])
    for outside in (elsewhere, inactive):
        answer = client.post(
            url, {"transfer-department": str(outside.pk), "transfer-reason": "Sai địa bàn"}
        )
        assert answer.status_code == 422
    ticket_a.refresh_from_db()
    assert ticket_a.status != TicketStatus.TRANSFERRED


@pytest.mark.django_db
def test_a_cases_place_opens_on_a_map_with_its_numbers_kept_small(
    personas: Personas, ticket_a: Ticket
) -> None:
    """The case page showed "21.594000, 105.848000" and nothing to do with it."""
    Ticket.objects.filter(pk=ticket_a.pk).update(address_text="Cổng trường Tiểu học")
    assert ticket_a.location is not None
    lat, lon = ticket_a.location.y, ticket_a.location.x
    client = client_as(personas, "officer_a")
    page = client.get(reverse("console:ticket-detail", args=[ticket_a.number])).content.decode()
    for agent, link in MAP_LINKS.items():
        for view in ("console:ticket-detail", "console:ticket-live"):
            # The live part a push puts in place says the same.
            response = client.get(
                reverse(view, args=[ticket_a.number]), headers={"User-Agent": agent}
            )
            content = response.content.decode()
            assert "Cổng trường Tiểu học" in content
            # The device's maps app, with a pin on the place, in words.
            href = link.format(lat=f"{lat:.6f}", lon=f"{lon:.6f}")
            assert f'<a href="{href}">Open the place on a map</a>' in content
            assert "User-Agent" in response["Vary"]
            # The numbers, small, for whoever types them elsewhere.
            assert (
                f'<small class="coordinates" translate="no">{lat:.5f}, {lon:.5f}</small>' in content
            )
    # The console's map around the place: it lists this case.
    found = re.search(r'href="(/console/map/\?bbox=[^"]+)">Show cases near this place', page)
    assert found is not None
    west, south, east, north = (float(v) for v in found.group(1).split("=")[1].split(","))
    assert west < lon < east
    assert south < lat < north
    nearby = client.get(found.group(1))
    assert nearby.status_code == 200
    assert nearby.context["bbox"] == (west, south, east, north)
    assert f'href="/console/cases/{ticket_a.number}/"' in nearby.content.decode()


# A geo: link opens Android's maps app and does nothing on an iPhone or a
# desktop browser (the phone walk): each gets a link its device opens.
MAP_LINKS = {
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36": "geo:{lat},{lon}?q={lat},{lon}",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": (
        "https://maps.apple.com/?ll={lat},{lon}&amp;q={lat},{lon}"
    ),
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36": (
        "https://www.openstreetmap.org/?mlat={lat}&amp;mlon={lon}#map=18/{lat}/{lon}"
    ),
}


@pytest.mark.django_db
def test_a_case_without_a_point_offers_no_map(personas: Personas, ticket_a: Ticket) -> None:
    Ticket.objects.filter(pk=ticket_a.pk).update(location=None)
    page = client_as(personas, "officer_a").get(
        reverse("console:ticket-detail", args=[ticket_a.number])
    )
    content = page.content.decode()
    assert "Open the place on a map" not in content
    assert '<dd class="place">—' in content


@pytest.mark.django_db
def test_the_queue_and_the_case_page_load_the_consoles_stylesheet(
    personas: Personas, ticket_a: Ticket
) -> None:
    client = client_as(personas, "officer_a")
    for url in (reverse("console:queue"), reverse("console:ticket-detail", args=[ticket_a.number])):
        content = client.get(url).content.decode()
        link = r'<link rel="stylesheet" href="/static/console/console[.\w]*css">'
        assert re.search(link, content)


@pytest.mark.django_db
def test_transfer_groups_put_the_cases_commune_and_its_neighbours_before_the_province(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, ticket_a: Ticket
) -> None:
    """A province administrator has no commune of their own: the list starts at
    the case's commune (Phan Đình Phùng), then the communes on its border, then
    the rest of the province in the reader's order, where "Đại Từ" (B, not on
    the border) came first."""
    from geo.models import Boundary

    factories.department_create(commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY)
    own = Boundary.objects.get(unit=commune_a, valid_to=None)
    # The border as GeoDjango reads it, apart from the console's query.
    bordering = list(
        AdminUnit.objects.filter(
            level=AdminUnit.Level.COMMUNE,
            boundaries__valid_to=None,
            boundaries__geom__dwithin=(own.geom, 0.0003),
        ).exclude(pk=commune_a.pk)
    )
    assert {u.code for u in bordering} >= {"05467", "05500"}  # Gia Sàng, Tích Lương
    assert commune_b not in bordering
    for unit in bordering:
        factories.department_create(commune=unit)

    field = _transfer_form(personas, "province_admin", ticket_a).fields["department"]
    labels = [label for label, _options in list(field.choices)[1:]]
    assert labels == [
        unit_name(commune_a),
        # Gia Sàng, Linh Sơn, …: the reader's order inside the part.
        *[unit_name(u) for u in sorted(bordering, key=lambda u: labels.index(unit_name(u)))],
        unit_name(commune_b),
    ]
    assert labels.index(unit_name(commune_b)) == len(bordering) + 1
    by_code = {u.code: unit_name(u) for u in bordering}
    assert labels.index(by_code["05467"]) < labels.index(by_code["05500"])  # G before T


@pytest.mark.django_db
def test_the_borders_are_read_once_not_on_every_case_page(
    personas: Personas, ticket_a: Ticket
) -> None:
    """Borders change only with a boundary import (geo.selectors.communes_next_to)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geo import selectors as geo_selectors

    geo_selectors._communes_next_to.cache_clear()
    client = client_as(personas, "province_admin")
    page = reverse("console:ticket-detail", args=[ticket_a.number])

    def border_reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        return sum("ST_DWithin" in q["sql"] for q in captured)

    assert border_reads() == 1
    assert border_reads() == 0
