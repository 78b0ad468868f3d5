from __future__ import annotations

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
    assert "<strong>Dong Kinh Ward</strong> (05977)," in page
    assert "Lang Son Province (20)" in page
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
