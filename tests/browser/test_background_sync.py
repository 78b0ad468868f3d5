"""The outbox goes out through Background Sync alone: a report filed with no
signal registers a sync, the page is closed (so no page hears the "online"
event, and none is open to send it), and the service worker's "sync" handler
sends it, once, with its photo.

What starts the sync: in Chromium 156 headless under Playwright, with the
connection cut by context.set_offline (DevTools network emulation, applied to
the page and to the worker), the registration is made (getTags() lists it) and
is not fired while offline (the item's tries stay 0), but setting the context
online again did not fire it either within 20 s, with the page closed or left
on about:blank: Chromium's Background Sync follows the machine's network
state, which never changed. So the test dispatches the sync event through the
DevTools protocol (ServiceWorker.dispatchSyncEvent), which runs the browser's
own sync dispatch into the worker: everything after that (the worker reading
IndexedDB, sending with the kept key and CSRF token) is the real path.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from geo.models import AdminUnit
from helpdesk.models import Attachment, Ticket
from tests.browser.conftest import Server, log_in
from tests.browser.test_offline import controlled
from tests.browser.test_report_form import FORM, fill_report, wait_until_photo_kept
from tests.conftest import Personas
from tests.factories import jpeg

pytestmark = pytest.mark.browser

SEND = "/api/v1/reports/cases"


def test_background_sync_sends_the_outbox_with_no_page_open(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    tmp_path: Path,
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(color="gray"))
    sent: list[str] = []  # who sent it: "page" or "worker"

    def on_request(request: Request) -> None:
        if request.url.endswith(SEND) and request.method == "POST":
            sent.append("worker" if request.service_worker else "page")

    context.on("request", on_request)
    log_in(context, server, personas.resident)
    page.goto("/")
    controlled(page)
    page.goto(FORM)  # kept by the worker

    context.set_offline(True)
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=photo, description="Sạt lở ven suối")
    page.locator("#send").click()
    wait_until_photo_kept(page)
    # The page asked the browser for a sync, since it had no signal.
    tags = page.evaluate("navigator.serviceWorker.ready.then(r => r.sync.getTags())")
    assert tags == ["xadesk-outbox"]
    # A page of no site, for the DevTools session: no XaDesk script runs in it.
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.close()
    assert context.pages == [blank]

    # Back online with no page of the site open: nobody hears "online".
    # Headless Chromium did not fire the sync by itself here (see the module
    # docstring), so the browser is told to, as it would when the network
    # returns: the worker's own "sync" handler does the rest.
    context.set_offline(False)
    blank.wait_for_function("navigator.onLine")
    registration = next(
        r["registrationId"]
        for r in registrations
        if r["scopeURL"] == server.url + "/" and not r["isDeleted"]
    )
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": server.url,
            "registrationId": registration,
            "tag": "xadesk-outbox",
            "lastChance": False,
        },
    )
    deadline = time.monotonic() + 15
    while not Ticket.objects.filter(reporter=personas.resident).exists():
        assert time.monotonic() < deadline, f"not sent by the sync event: {sent}"
        blank.wait_for_timeout(100)  # polls the database; lets Playwright hear the requests
    ticket = Ticket.objects.get(reporter=personas.resident)
    assert ticket.description == "Sạt lở ven suối"
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert sent == ["worker"]

    # Opened again: the outbox is empty, and the case is there, once.
    blank.close()
    again = context.new_page()
    again.goto("/cases/")
    expect(again.locator("[data-outbox-count]")).to_have_attribute("data-waiting", "0")
    expect(again.locator("ul.cases")).to_contain_text(ticket.number)
    assert Ticket.objects.filter(reporter=personas.resident).count() == 1
