"""The alert form's SMS counter in the browser: as the officer types, the line
under the SMS text says what the server's rule says (core/sms.py; the
server's own line is tested in tests/alerts/test_sms_count.py), in the
page's language, and warns past one SMS."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from alerts.services import alert_sms_size
from tests.browser.conftest import Problems, Server, _only_local, log_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser

# Each side of each limit, in both encodings, with the length and the SMS the
# server counts (checked against core.sms below); the box holds 160 (maxlength).
TEXTS = (
    ("", 0, 1),
    ("Hop dan luc 19h", 15, 1),
    ("a" * 160, 160, 1),  # GSM-7: one SMS
    ("{" * 80, 160, 1),  # the extension table: two septets each
    ("{" * 81, 162, 2),
    ("Đ" * 70, 70, 1),  # a Vietnamese letter: UCS-2
    ("Đ" * 71, 71, 2),
    ("Đ" * 135, 135, 3),  # 67 a part
    ("😀" * 35, 70, 1),  # an emoji is two UCS-2 units
    ("😀" * 36, 72, 2),
    ("Mưa   lớn,\n\nnước  dâng ", 18, 1),  # spaces collapse before sending
    # Invisible marks pasted from a chat are removed before sending: plain text.
    ("Hop dan\u200b luc 19h\u200e\ufeff", 15, 1),
)


def _walk(page: Page, *, one: str, many: str, over: str) -> None:
    page.goto("/console/alerts/new/")
    box = page.locator("textarea[name=short_text]")
    line = page.locator("#sms-count [data-sms-text]")
    warning = page.locator("#sms-count [data-sms-over]")
    # Read with the field: its help, then the count.
    expect(box).to_have_attribute("aria-describedby", "id_short_text_helptext sms-count")
    expect(page.locator("#id_short_text_helptext")).to_have_count(1)
    for text, length, parts in TEXTS:
        box.fill(text)
        expect(line).to_have_text((one if length == 1 else many) % (length, parts))
        if parts > 1:
            expect(warning).to_be_visible()
            expect(warning).to_have_text(over)
        else:
            expect(warning).to_be_hidden()


def test_the_counter_counts_as_the_server_does_while_typing(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    # The server's rule (the SMS bill's) says as many SMS of the text as sent.
    assert [alert_sms_size(text).segments for text, _l, _p in TEXTS] == [
        parts for _t, _l, parts in TEXTS
    ]
    assert [alert_sms_size(text).length for text, _l, _p in TEXTS] == [
        length for _t, length, _p in TEXTS
    ]
    log_in(context, server, personas.officer_a)
    _walk(
        page,
        one="%s ký tự · %s SMS",
        many="%s ký tự · %s SMS",
        over="Quá dài: cảnh báo phải vừa một tin SMS.",
    )
    problems.assert_none()


def test_the_counter_speaks_english_on_an_english_page(
    personas: Personas,
    server: Server,
    browser: Browser,
    browser_context_args: dict[str, Any],
) -> None:
    context = browser.new_context(**{**browser_context_args, "locale": "en-US"})
    try:
        context.route("**/*", _only_local)
        log_in(context, server, personas.officer_a)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        _walk(
            page,
            one="%s character · %s SMS",
            many="%s characters · %s SMS",
            over="Too long: an alert must fit in one SMS.",
        )
        assert errors == []
    finally:
        context.close()
