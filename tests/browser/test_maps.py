"""The two map pages with every map tile refused: the list and the form still
work, the map still draws its markers, and no script fails."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from geo.models import AdminUnit
from tests.browser.conftest import Problems, Server, file_case
from tests.conftest import COMMUNE_A, Personas
from tests.factories import point_inside

pytestmark = pytest.mark.browser


def tiles_refused(page: Page) -> list[str]:
    """Start recording the requests the page made outside the test server."""
    refused: list[str] = []
    page.on(
        "requestfailed",
        lambda r: refused.append(r.url) if not r.url.startswith("http://127.0.0.1:") else None,
    )
    return refused


def connection_is(page: Page, effective_type: str) -> None:
    """What navigator.connection says: the page opens the map by itself only on 4G."""
    connection = json.dumps({"effectiveType": effective_type, "saveData": False})
    page.add_init_script(
        f"Object.defineProperty(navigator, 'connection', {{value: {connection}}});"
    )


@pytest.mark.parametrize("effective_type", ["3g", "4g"])
def test_public_map_lists_reports_and_draws_markers_without_tiles(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    page: Page,
    problems: Problems,
    effective_type: str,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    refused = tiles_refused(page)
    connection_is(page, effective_type)
    page.goto("/reports/map/")

    row = page.locator("tr.report")
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text(ticket.number)  # the public see no case numbers
    expect(row.locator(f'a[href="/reports/{ticket.public_id}/"]')).to_have_count(1)
    expect(row).to_contain_text(commune_a.full_name)
    if effective_type != "4g":  # on a slow connection the map waits to be asked for
        page.wait_for_load_state("load")
        expect(page.locator("#map")).to_be_hidden()
        page.locator("#show-map").click()
    expect(page.locator("#map.leaflet-container")).to_be_visible()
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1)  # the marker
    expect(page.locator("#map-note")).to_be_visible()  # "the pictures could not load"
    assert any("tile.openstreetmap.org" in url for url in refused)
    expect(row).to_be_visible()
    problems.assert_none()


def test_commune_lookup_map_answers_without_tiles(
    commune_a: AdminUnit, server: Server, page: Page, problems: Problems
) -> None:
    refused = tiles_refused(page)
    page.goto("/map/")
    expect(page.locator("#map.leaflet-container")).to_be_visible()

    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    page.locator("#point-form button[type=submit]").click()

    found = page.locator("#result .found")
    expect(found).to_contain_text(COMMUNE_A)
    expect(found).to_contain_text(commune_a.full_name)
    # Answered in the page (the JSON API), not by posting the form.
    assert "lat=" not in page.url
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(1)
    assert any("tile.openstreetmap.org" in url for url in refused)
    problems.assert_none()
