"""The scripts' texts (config/pwa.py): one script per language at a URL naming its
content, so pages no longer carry them and a repeat visit does not fetch them."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from config import pwa
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def texts_of(body: str) -> dict[str, dict[str, str]]:
    """The object the script assigns, read as JSON (escapejs output is valid JSON here)."""
    match = re.search(r"self\.XADESK_TEXTS = (\{.*\});", body, re.S)
    assert match, body
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_each_language_gets_its_texts_cached_for_good(client: Client) -> None:
    for lang, waiting in (("vi", "Đang chờ gửi (%s)"), ("en", "Waiting to send (%s)")):
        url = pwa.texts_url(lang)
        assert re.fullmatch(rf"/texts/{lang}/[0-9a-f]{{12}}\.js", url)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/javascript; charset=utf-8"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        texts = texts_of(response.content.decode())
        assert texts["outbox"]["waiting"] == waiting
        assert "%s" in texts["form"]["gpsDone"]
    assert pwa.texts_url("vi") != pwa.texts_url("en")


def test_an_old_or_unknown_version_gets_todays_texts_checked_again(client: Client) -> None:
    response = client.get("/texts/vi/000000000000.js")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert texts_of(response.content.decode())["outbox"]["waiting"] == "Đang chờ gửi (%s)"
    # A language the site does not have: the default one, not cached for good.
    odd = client.get(f"/texts/fr/{pwa.texts_body('vi')[1]}.js")
    assert odd["Cache-Control"] == "no-cache"
    assert texts_of(odd.content.decode())["outbox"]["waiting"] == "Đang chờ gửi (%s)"


def test_pages_name_the_texts_of_their_language_instead_of_carrying_them(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.resident)
    page = client.get("/report/new/?service=road_damage", HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert f'<script src="{pwa.texts_url("vi")}" defer></script>' in html
    assert "Đang chờ gửi" not in html
    # Sentences only a script shows: the note on a copy opened with no signal,
    # the form's "map pictures could not be loaded", the map's own words.
    texts = texts_of(client.get(pwa.texts_url("vi")).content.decode())
    for hidden in (
        texts["outbox"]["offlineCopy"],
        texts["form"]["mapNote"],
        texts["map"]["attribution"],
        texts["map"]["zoomIn"],
    ):
        assert hidden.split("%s")[0] not in html, hidden
    assert texts["outbox"]["offlineCopy"].startswith("Không có mạng: đây là bản lưu")
    assert texts["map"]["zoomIn"] == "Phóng to"
    assert 'id="texts"' not in html
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<script src="{pwa.texts_url("en")}" defer></script>' in english


def test_the_worker_keeps_both_languages_texts_and_changes_with_them(client: Client) -> None:
    response = client.get("/sw.js")
    first_line = response.content.decode().splitlines()[0]
    config = json.loads(first_line.removeprefix("self.XADESK = ").removesuffix(";"))
    assert pwa.texts_url("vi") in config["shell"]
    assert pwa.texts_url("en") in config["shell"]
    assert config["texts"] == "/texts/"
    etag = response["ETag"]
    assert client.get("/sw.js", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A new translation makes a new worker: its version (ETag, caches' names) names the texts.
    for lang in ("vi", "en"):
        assert pwa.texts_body(lang)[1][:6] in etag
        assert pwa.texts_body(lang)[1][:6] in config["version"]
