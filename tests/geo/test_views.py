from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("boundaries")

ATTRIBUTION = {
    "en": "Administrative boundaries: sapnhap.bando.com.vn, by way of "
    "thanglequoc/vietnamese-provinces-database (MIT).",
    "vi": "Ranh giới hành chính: sapnhap.bando.com.vn, qua "
    "thanglequoc/vietnamese-provinces-database (MIT).",
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_map_page_shows_form_and_attribution_in_the_readers_language(
    client: Client, language: str
) -> None:
    """The attribution was one English sentence on the Vietnamese page too (found
    by a helper walking the site on a phone)."""
    response = client.get(reverse("geo:map"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert ATTRIBUTION[language] in page
    assert 'name="lat"' in page
    assert "leaflet.js" in page
    # Leaflet's marker images by their real addresses (static/geo/leaflet-icons.js).
    assert 'data-icon="/static/geo/vendor/leaflet-1.9.4/images/marker-icon' in page


def test_map_page_has_the_sites_header_and_language_switch(client: Client) -> None:
    """It stood alone: no brand link home, no log-in and no way to English."""
    page = client.get(reverse("geo:map"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<header class="site">' in page
    assert 'name="language" value="en"' in page
    assert reverse("accounts:login") in page


def test_map_form_without_javascript_shows_the_commune(client: Client) -> None:
    response = client.get(reverse("geo:map"), {"lat": "21.8537", "lon": "106.7615"})
    page = response.content.decode()
    assert "Phường Đông Kinh" in page
    assert "Tỉnh Lạng Sơn" in page


def test_map_form_names_the_commune_in_the_readers_language(client: Client) -> None:
    response = client.get(
        reverse("geo:map"), {"lat": "21.8537", "lon": "106.7615"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    # The codes ("(05977)", "(20)") were shown beside the names: a resident
    # reads the names; the codes stay as data for a machine (and in the API).
    assert "<strong>Dong Kinh Ward</strong>, Lang Son Province" in page
    assert 'data-commune="05977" data-province="20"' in page
    assert "Đông Kinh" not in page


def test_map_form_at_sea_says_outside_coverage(client: Client) -> None:
    response = client.get(
        reverse("geo:map"), {"lat": "20.0", "lon": "107.5"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "not inside any Vietnamese commune" in response.content.decode()


def test_map_form_rejects_nan_without_looking_up(client: Client) -> None:
    response = client.get(reverse("geo:map"), {"lat": "nan", "lon": "106.7"})
    assert response.status_code == 200
    assert 'class="found"' not in response.content.decode()


def _text(page: str) -> str:
    """What a person reads: the page without its tags, attributes and scripts."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_map_answer_shows_no_commune_or_province_code(client: Client) -> None:
    response = client.get(reverse("geo:map"), {"lat": "21.8537", "lon": "106.7615"})
    text = _text(response.content.decode())
    assert "Phường Đông Kinh" in text
    assert "05977" not in text
    assert "(20)" not in text


@pytest.mark.parametrize(
    ("language", "button", "attribution"),
    [
        ("vi", "Dùng vị trí của tôi", "© những người đóng góp OpenStreetMap"),
        ("en", "Use my location", "© OpenStreetMap contributors"),
    ],
)
def test_map_page_offers_the_phones_location_and_translated_map_words(
    client: Client, language: str, button: str, attribution: str
) -> None:
    """Only latitude and longitude were asked for; Leaflet's attribution was
    English on the Vietnamese page. The button is hidden until the script
    shows it: without JavaScript it could do nothing."""
    page = client.get(reverse("geo:map"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(
        r'<p class="js-only buttons" hidden>\s*<button type="button" id="use-gps">', page
    )
    assert button in page
    # The map's own words come with the scripts' texts of the page's language,
    # which the page names (config/pwa.py), not with every page.
    texts = re.search(r'<script src="(/texts/[a-z]+/[0-9a-f]+\.js)" defer>', page)
    assert texts
    assert f'"attribution": "{attribution}"' in client.get(texts.group(1)).content.decode()
    assert "data-map-attribution" not in page
    # The words the script says while it finds the place, the report form's own.
    words = {
        "vi": 'data-gps-wait="Đang tìm vị trí của bạn…"',
        "en": 'data-gps-wait="Finding your location…"',
    }
    assert words[language] in page
    assert "data-gps-done=" in page
    assert "data-gps-fail=" in page
