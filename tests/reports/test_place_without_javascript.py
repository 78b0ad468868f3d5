"""The report form's place step as a browser without JavaScript shows it.

The map is the script's (static/reports/intake.js): without it the step said
nothing of the map it could not show, and a walk found people waiting for one.
It now says what to do instead, and still offers no map button.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.refused_page import Node, RefusedPage

pytestmark = pytest.mark.django_db

FORM = "/report/new/?service=road_damage"
SAID = {
    "vi": "Không có bản đồ: hãy chọn xã/phường ở dưới và ghi tên thôn, xóm.",
    "en": "No map here: choose the commune below and write the village.",
}


def _form(personas: Personas, language: str) -> RefusedPage:
    client = Client(headers={"accept-language": language})
    client.force_login(personas.resident)
    response = client.get(FORM)
    assert response.status_code == 200
    return RefusedPage.of(response.content)


def _shown_without_script(page: RefusedPage, element_id: str) -> bool:
    """Whether no element from the root down to it is hidden by its own
    attribute (what a browser without the script keeps hidden)."""

    def path(node: Node) -> list[Node] | None:
        if node.attrs.get("id") == element_id:
            return [node]
        for child in node.children:
            if isinstance(child, Node) and (found := path(child)) is not None:
                return [node, *found]
        return None

    nodes = path(page.root)
    assert nodes is not None, element_id
    return not any("hidden" in n.attrs for n in nodes)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_without_javascript_the_place_step_says_to_choose_the_commune_and_write_the_village(
    personas: Personas, language: str
) -> None:
    page = _form(personas, language)
    note = page.by_id("map-note")
    assert note.text() == SAID[language]
    assert _shown_without_script(page, "map-note")
    # Hidden by reports.css once the script runs (.js .nojs): the map is its to show.
    assert "nojs" in note.attrs["class"].split()


def test_without_javascript_no_map_button_is_offered(personas: Personas) -> None:
    page = _form(personas, "vi")
    assert not _shown_without_script(page, "show-map")
    assert not _shown_without_script(page, "map")
    # What the note points to is there: the commune list and the village box.
    assert page.by_id("id_commune").tag == "select"
    assert _shown_without_script(page, "id_address_text")
