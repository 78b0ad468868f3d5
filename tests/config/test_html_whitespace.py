"""Template indentation left out of the pages sent (config/html_whitespace.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from config.html_whitespace import trimmed
from tests.conftest import Personas


def test_runs_between_tags_become_one_line_break() -> None:
    html = "<ul>\n    <li>a</li>\n\n\n      <li>b</li>\n  </ul>"
    assert trimmed(html) == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"


def test_white_space_that_is_shown_is_kept() -> None:
    # Between words and tags the space is seen ("Thông báo 14"), and a run
    # with no line break is not the templates' indentation.
    html = '<span class="label">Thông báo</span> <span class="badge">14</span>\n  text  \n<b>x</b>'
    assert trimmed(html) == html


@pytest.mark.parametrize("tag", ["textarea", "pre", "script", "style", "TEXTAREA"])
def test_elements_whose_white_space_is_content_are_left_whole(tag: str) -> None:
    inside = "\n\n  <b>line one</b>\n\n    <i>indented</i>\n"
    html = f'<p>\n  <{tag} id="x">{inside}</{tag}>\n\n  </p>'
    assert trimmed(html) == f'<p>\n<{tag} id="x">{inside}</{tag}>\n</p>'


def test_a_residents_words_sent_back_to_the_form_are_kept_as_typed(
    client: Client, personas: Personas
) -> None:
    """A refused report form comes back with the resident's words in its
    textarea: their blank lines and indentation are theirs."""
    # Only white space: between the textarea's tags, where the middleware would
    # make it one line break if the element were not kept whole.
    words = "\n\n   \n  "
    client.force_login(personas.resident)
    page = client.post(
        "/report/new/",
        {"service": "road_damage", "description": words, "action": "submit"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    html = page.content.decode()
    assert page.status_code == 422  # refused: no place, no photo
    match = re.search(r'<textarea name="description"[^>]*>\n(.*?)</textarea>', html, re.S)
    assert match, html
    assert match.group(1) == words


@pytest.mark.django_db
def test_pages_come_without_their_templates_indentation(client: Client, personas: Personas) -> None:
    client.force_login(personas.resident)
    response = client.get("/report/new/?service=road_damage", HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert int(response["Content-Length"]) == len(response.content)
    outside = re.sub(r"<textarea\b.*?</textarea>", "", html, flags=re.S)
    assert not re.search(r">\s*\n\s*\n\s*<", outside)  # no blank line between tags
    assert not re.search(r">\n[ \t]+<", outside)  # no indentation before a tag


def test_what_is_not_a_page_is_left_as_it_came() -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from config.html_whitespace import HtmlWhitespaceMiddleware

    body = b'{"a": "<b>\n   <i>"}'
    answer = HtmlWhitespaceMiddleware(
        lambda request: HttpResponse(body, content_type="application/json")
    )(RequestFactory().get("/"))
    assert answer.content == body
    page = HtmlWhitespaceMiddleware(lambda request: HttpResponse(body.decode()))(
        RequestFactory().get("/")
    )
    assert page.content == b'{"a": "<b>\n<i>"}'
