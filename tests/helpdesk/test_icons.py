"""Service icons are symbols of one SVG sprite, never emoji (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from helpdesk.catalogue_seed import SERVICES
from helpdesk.icons import EMOJI, ServiceIcon
from helpdesk.models import Service

SPRITE = Path(__file__).resolve().parents[2] / "static" / "icons.svg"
# Pictographs and symbols that older phones draw as empty boxes.
EMOJI_CHARACTERS = re.compile("[\U0001f000-\U0001ffff\u2600-\u27bf\u2b00-\u2bff]")


def test_every_service_icon_is_a_symbol_of_the_sprite() -> None:
    symbols = set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text()))
    assert set(ServiceIcon.values) <= symbols
    assert {row[4] for row in SERVICES} <= set(ServiceIcon.values)


@pytest.mark.django_db
def test_api_keeps_the_emoji_for_old_clients_and_adds_the_icon_name(client: Client) -> None:
    services = client.get("/api/v1/helpdesk/services").json()
    road = next(s for s in services if s["code"] == "road_damage")
    assert road["icon_name"] == "road"
    assert road["icon"] == EMOJI[ServiceIcon.ROAD]


@pytest.mark.django_db
def test_resident_pages_draw_icons_as_svg_not_emoji(client: Client) -> None:
    for path in ("/", "/reports/map/", "/report/new/?service=road_damage"):
        client.cookies.clear()
        html = client.get(path, follow=True).content.decode()
        assert not EMOJI_CHARACTERS.search(html), path
    assert Service.objects.filter(icon="road").exists()


def test_the_sprite_url_follows_the_static_settings() -> None:
    """The sprite's URL is looked up once per process, and again when the static
    settings change (a CDN in front of the static files, say)."""
    from django.test import override_settings

    from core.templatetags.icons import icon

    before = icon("road")
    assert 'href="/static/icons.' in before
    with override_settings(STATIC_URL="https://cdn.example.vn/s/"):
        assert 'href="https://cdn.example.vn/s/icons.' in icon("road")
    assert icon("road") == before


def _field_report_icons(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    by_icon: dict[str, list[str]] = {}
    for code, icon_name in rows:
        by_icon.setdefault(icon_name, []).append(code)
    return by_icon


def test_no_two_field_report_services_of_the_seed_share_an_icon() -> None:
    """ "Mất trật tự công cộng" and "Phản ánh khác" were both the megaphone: two
    tiles alike on the report page, for people who go by the picture."""
    icons = _field_report_icons([(row[0], row[4]) for row in SERVICES if row[1] == "field_report"])
    shared = {name: codes for name, codes in icons.items() if len(codes) > 1}
    assert shared == {}
    by_code = {row[0]: row[4] for row in SERVICES}
    assert by_code["report_other"] != by_code["public_order"]
    assert by_code["report_other"] == ServiceIcon.SPEECH_ALERT


@pytest.mark.django_db
def test_no_two_field_report_services_of_a_migrated_database_share_an_icon() -> None:
    """An install seeded before keeps no megaphone twice (the migration moves it)."""
    rows = Service.objects.filter(kind="field_report").values_list("code", "icon")
    shared = {
        name: codes for name, codes in _field_report_icons(list(rows)).items() if len(codes) > 1
    }
    assert shared == {}
    assert Service.objects.get(code="report_other").icon == "speech-alert"


def test_the_other_problem_icon_is_drawn_like_the_others() -> None:
    """One symbol of the sprite, in Lucide's style: a 24 px box, 2 px round
    strokes in the text colour, no fill; and not the megaphone's drawing."""
    sprite = SPRITE.read_text()
    symbols = dict(re.findall(r'<symbol id="([^"]+)"([^>]*)>(?:.*?)</symbol>', sprite))
    assert symbols["speech-alert"] == symbols["megaphone"]  # the same attributes
    bodies = dict(re.findall(r'<symbol id="([^"]+)"[^>]*>(.*?)</symbol>', sprite))
    assert bodies["speech-alert"] != bodies["megaphone"]
    assert EMOJI[ServiceIcon.SPEECH_ALERT] != EMOJI[ServiceIcon.MEGAPHONE]
