"""Page weight: bytes over the wire for the first and a repeat load of the home
page and the report form, upload bytes for one phone photo, and time to
interactive on a slow 3G line, in Chromium, against a running server.

    .venv/bin/python bench/page_weight.py [--url http://127.0.0.1:8000]
    .venv/bin/python bench/page_weight.py --serve     # as `make bench` runs it

Run it against `make run` (nginx, gzip, hashed static files), with the same
environment (DATABASE_URL, and DJANGO_SECRET_KEY from .run/secret_key), since
it logs the demo resident in by making a session in the database. With
--serve it starts that same stack itself (scripts/serve.sh, in a folder of its
own, on --port, over its own database with the demo data, beside any `make
run`), measures it, and stops it. No request
is intercepted (Playwright's routing would turn the HTTP cache off); map
tiles fail or come from elsewhere and are not counted. Bytes are headers
plus encoded bodies of every request of the page and of its service worker
(its precache included), map tiles and photos left out. "Repeat" is the same page opened again
in the
same browser, the service worker installed. The upload is the photo form's
request body after the page's downscale; the server's answer to it is faked,
so nothing is filed. Time to interactive is DOMContentLoaded (the deferred
scripts have run) with the network emulated at 750 kbit/s and 300 ms RTT;
every load runs on that line, so the form behaves as on a 3G phone (it opens
its map by itself only on 4G). Chromium applies the emulation to the page,
not to its service worker's own requests: the repeat figures, whose page
comes through the worker, are faster than a real 3G phone would see.
A figure over its target is printed as a MISS.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from PIL import Image  # noqa: E402
from playwright._impl._api_structures import SetCookieParam  # noqa: E402
from playwright.sync_api import BrowserContext, Request, sync_playwright  # noqa: E402

from accounts.models import User  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FORM = "/report/new/?service=road_damage"
KB = 1024
TARGETS = {"first": 60 * KB, "repeat": 5 * KB, "upload": 400 * KB}
# 750 kbit/s both ways, 300 ms round trip (Chrome DevTools' "slow 3G" is 400 kbit/s, 2 s).
THREE_G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 750_000 / 8,
    "uploadThroughput": 750_000 / 8,
}


def session_for(phone: str) -> str:
    user = User.objects.get(phone=phone)
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def phone_photo(path: Path) -> Path:
    """A 12 MP (4000x3000) JPEG of about 4 MB: smooth shapes plus sensor-like noise."""
    size = (4000, 3000)
    base = Image.linear_gradient("L").resize(size)
    rings = Image.radial_gradient("L").resize(size)
    noise, grain = Image.effect_noise(size, 24), Image.effect_noise(size, 24)
    image = Image.merge("RGB", (base, rings, Image.blend(base, noise, 0.5)))
    image = Image.blend(image, Image.merge("RGB", (noise, grain, noise)), 0.35)
    image.save(path, "JPEG", quality=92)
    return path


class Meter:
    """Bytes of every finished request in the context (pages and service worker)."""

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.origin = origin
        self.total = 0
        self.urls: list[tuple[str, int, int]] = []
        context.on("requestfinished", self.finished)

    def counted(self, request: Request) -> bool:
        url = request.url
        return url.startswith(self.origin) and "/photos/" not in url and "/media/" not in url

    def finished(self, request: Request) -> None:
        if not self.counted(request):
            return
        response = request.response()
        if response is not None and response.from_service_worker:
            return  # answered from the phone's cache: nothing on the wire
        try:
            sizes = request.sizes()
        except Exception:  # noqa: BLE001 - a request the browser dropped has no sizes
            return
        if sizes["responseBodySize"] < 0:
            # The browser's own cache answered: Chromium reports no bytes received
            # (the body's size is then minus its headers'), and nothing was sent.
            # Counted before, the icons' sprite added 109 B to a repeat load.
            return
        headers = sizes["responseHeadersSize"] + sizes["requestHeadersSize"]
        size = headers + sizes["responseBodySize"] + sizes["requestBodySize"]
        self.total += size
        self.urls.append((request.url, size, headers))

    def take(self) -> tuple[int, list[tuple[str, int, int]]]:
        total, urls = self.total, self.urls
        self.total, self.urls = 0, []
        return total, urls


def settle(page: Any) -> None:
    page.wait_for_load_state("networkidle", timeout=60_000)
    page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => true) : true")
    page.wait_for_timeout(500)  # the worker's precache and the socket's first frames


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISS"


ROOT = Path(__file__).resolve().parents[1]
SERVE_DB = "xadesk_pageweight"


def _database(url: str) -> str:
    """``url`` with the page-weight database instead of its own, created if missing:
    serve.sh migrates it and loads the demo data."""
    # A script beside this one, imported as queue_spikes imports queue_scale.
    from run_all import database_ensure

    serving = f"{url.rsplit('/', 1)[0]}/{SERVE_DB}"
    database_ensure(serving)
    return serving


def serve_and_measure(port: int, verbose: bool) -> int:
    """`make run`'s stack (scripts/serve.sh) in a folder of its own, then this
    script against it in a process of its own (its Django reads that stack's
    database and secret key); the stack is stopped whatever happens."""
    run = Path(tempfile.mkdtemp(prefix="xadesk-pageweight-"))
    run.chmod(0o755)  # nginx's workers (nobody under root) read its static files
    key = secrets.token_urlsafe(50)
    (run / "secret_key").write_text(key)
    redis = os.environ.get(
        "REDIS_URL", f"redis://127.0.0.1:{os.environ.get('XADESK_REDIS_PORT', '56379')}/0"
    )
    env = dict(os.environ)
    env.update(
        XADESK_RUN_DIR=str(run),
        XADESK_PORT=str(port),
        DATABASE_URL=_database(settings.DATABASE_URL),
        DJANGO_SECRET_KEY=key,
        # Its own Redis database: a `make run` beside it keeps its sockets' groups.
        REDIS_URL=redis.rsplit("/", 1)[0] + "/5",
        DJANGO_DEBUG="false",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    log = (run / "serve.log").open("wb")
    server = subprocess.Popen(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log,
        start_new_session=True,
    )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # a first run migrates and loads the demo
        while True:
            if server.poll() is not None:
                print((run / "serve.log").read_text()[-3000:], file=sys.stderr)
                return 1
            try:
                with urllib.request.urlopen(origin + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                print("the stack did not answer /healthz in 600 s", file=sys.stderr)
                return 1
            time.sleep(1)
        command = [sys.executable, __file__, "--url", origin, *(["--verbose"] if verbose else [])]
        # This script's own Django only makes the session: DEBUG's defaults do.
        return subprocess.run(
            command, cwd=ROOT, env=env | {"DJANGO_DEBUG": "true"}, check=False
        ).returncode
    finally:
        os.killpg(server.pid, signal.SIGINT)  # serve.sh's trap stops what it started
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        log.close()
        shutil.rmtree(run, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--phone", default="+84900000001", help="the resident to log in as")
    parser.add_argument("--verbose", action="store_true", help="list every request")
    parser.add_argument("--serve", action="store_true", help="start make run's stack, then measure")
    parser.add_argument("--port", type=int, default=8652, help="with --serve")
    options = parser.parse_args()
    if options.serve:
        sys.exit(serve_and_measure(options.port, options.verbose))
    origin = options.url.rstrip("/")
    cookie: SetCookieParam = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session_for(options.phone),
        "url": origin,
        "httpOnly": True,
        "sameSite": "Lax",
    }
    rows: list[tuple[str, str, float, float | None]] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # Every load on the 3G line: the page then behaves as on the phones
        # it is for (the report form opens its map by itself only on 4G).
        for name, path in (("home", "/"), ("report form", FORM)):
            context = browser.new_context(locale="vi-VN")
            context.add_cookies([cookie])
            meter = Meter(context, origin)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", THREE_G)
            page.goto(origin + path, timeout=60_000)
            tti = page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            settle(page)
            first, urls = meter.take()
            page.goto(origin + path, timeout=60_000)
            tti_again = page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            settle(page)
            repeat, urls2 = meter.take()
            if options.verbose:
                print(f"  {'bytes':>8} {'headers':>8} {name}")
                for url, size, headers in [*urls, ("-- repeat --", 0, 0), *urls2]:
                    print(f"  {size:>8} {headers:>8} {url}")
            rows.append((f"{name}: first load", "first", first, TARGETS["first"]))
            rows.append((f"{name}: repeat load", "repeat", repeat, TARGETS["repeat"]))
            rows.append((f"{name}: time to interactive, 3G, first", "tti", tti, None))
            rows.append((f"{name}: time to interactive, 3G, repeat", "tti", tti_again, None))
            context.close()

        # Upload of one 12 MP photo after the page's downscale.
        context = browser.new_context(locale="vi-VN")
        context.add_cookies([cookie])
        sent: list[int] = []

        def fake_answer(route: Any) -> None:
            sent.append(len(route.request.post_data_buffer or b""))
            route.fulfill(
                status=201, content_type="application/json", body='{"case": {"number": "BENCH"}}'
            )

        context.route("**/api/v1/reports/cases", fake_answer)
        page = context.new_page()
        page.goto(origin + FORM)
        with tempfile.TemporaryDirectory() as folder:
            photo = phone_photo(Path(folder) / "photo.jpg")
            original = photo.stat().st_size
            page.locator("#id_lat").fill("21.592")
            page.locator("#id_lon").fill("105.848")
            page.locator("#id_description").fill("Ổ gà lớn trước cổng chợ")
            page.locator("#photos").set_input_files(photo)
            page.locator("#send").click()
            deadline = time.monotonic() + 60
            while not sent and time.monotonic() < deadline:
                page.wait_for_timeout(100)
        context.close()
        upload = float(sent[0]) if sent else float("nan")
        rows.append(
            (
                f"upload of one {original / KB / KB:.1f} MB 12 MP photo",
                "upload",
                upload,
                TARGETS["upload"],
            )
        )

        browser.close()

    print(f"\n{'measure':<44} {'figure':>12} {'target':>10}  verdict")
    for label, kind, value, target in rows:
        if kind == "tti":
            print(f"{label:<44} {value / 1000:>10.2f} s {'-':>10}  (no target)")
            print(
                "@result "
                + json.dumps({"figure": label, "value": round(value / 1000, 2), "unit": "s"})
            )
            continue
        assert target is not None
        print(f"{label:<44} {value / KB:>9.1f} KB {target / KB:>7.0f} KB  {verdict(value, target)}")
        # In bytes: a figure rounded to 0.1 KB could pass a target it missed.
        result = {"figure": label, "value": int(value), "unit": "B"}
        print("@result " + json.dumps(result | {"target": f"≤ {target:.0f}"}))
    if not sent:
        print("the upload was never sent: no upload figure", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
