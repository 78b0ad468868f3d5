"""The real nginx of `make run` serves public photo copies and nothing else of the
media folder (issue 18, finding 3; issue 11, media in production); the compose
proxy serves no media at all (docker-compose.yml keeps uploads in MinIO).

scripts/nginx.conf.in is rendered the way scripts/serve.sh renders it, and
docker/nginx.conf inside the http block of the nginx image, and each is run by
the nginx that provisioning installs; a small HTTP server stands in for
gunicorn and answers the way helpdesk/photo_views.py does after its check.
"""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import socketserver
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.nginx_site import (
    NGINX,
    make_run_config,
    nginx_start,
    nginx_stop,
    run_folder,
    user_line,
)
from tests.notifications.live import free_port

ROOT = Path(__file__).resolve().parents[1]
PRIVATE = "photos/2026/12/0123456789abcdef.jpg"
PUBLIC = "public/fedcba9876543210.jpg"


# What the app answers that nginx should compress: a page, and the service
# worker and the scripts' texts, which Django sends as text/javascript.
COMPRESSIBLE = {
    "/report/new/": ("text/html; charset=utf-8", "<p>Gửi phản ánh</p>\n".encode() * 300),
    "/sw.js": ("text/javascript; charset=utf-8", b"self.XADESK = {};\n" * 300),
}

TRACE_ANSWER = {"code": "method_not_allowed", "message": "This address does not take this kind."}


class _App(http.server.BaseHTTPRequestHandler):
    """gunicorn's stand-in on its Unix socket: /photos/ok/ passed the check,
    anything else did not."""

    def do_GET(self) -> None:
        if self.path in COMPRESSIBLE:
            body = COMPRESSIBLE[self.path][1]
            self.send_response(200)
            self.send_header("Content-Type", COMPRESSIBLE[self.path][0])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/echo-host/":
            body = self.headers["Host"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/photos/ok/":
            self.send_response(200)
            self.send_header("X-Accel-Redirect", f"/_media/{PRIVATE}")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_TRACE(self) -> None:
        # What config/api_middleware.py answers for a method a path does not take.
        body = json.dumps(TRACE_ANSWER).encode()
        self.send_response(405)
        self.send_header("Allow", "GET")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def address_string(self) -> str:
        return "unix"  # a Unix socket's peer has no address


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@dataclass
class Site:
    url: str
    media: Path
    # make run's nginx sends files of the media folder; the compose proxy has none.
    serves_media: bool


def _media_served_here(site: Site) -> None:
    if not site.serves_media:
        pytest.skip("the compose proxy has no media folder: uploads live in MinIO")


def _compose_config(*, run: Path, media: Path, sockets: Path, port: int) -> str:
    """docker/nginx.conf (the compose proxy's server block) inside the http
    block the nginx image gives it, with the compose hosts and volumes
    pointed at this machine's stand-ins."""
    server = (ROOT / "docker" / "nginx.conf").read_text()
    for key, value in {
        "server web:8001;": f"server unix:{sockets}/http.sock;",
        "server ws:8002;": f"server unix:{sockets}/ws-0.sock;",
        "listen 8000;": f"listen 127.0.0.1:{port};",
        "/srv/static/": f"{run}/static/",
        "/etc/nginx/xadesk/": f"{ROOT}/scripts/",
    }.items():
        assert key in server, key
        server = server.replace(key, value)
    temp = run / "nginx"
    return (
        f"daemon off;\n@USER_LINE@\npid {temp}/nginx.pid;\nerror_log stderr warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n"
        f"client_body_temp_path {temp}/body;\nproxy_temp_path {temp}/proxy;\n"
        f"fastcgi_temp_path {temp}/fastcgi;\nuwsgi_temp_path {temp}/uwsgi;\n"
        f"scgi_temp_path {temp}/scgi;\n{server}\n}}\n"
    )


@pytest.fixture(params=["make-run", "docker-compose"])
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    """The real nginx with the config of `make run` or of the compose proxy."""
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx is missing: scripts/provision.sh installs it")
    run, sockets = run_folder()
    media = run / "media"
    for name, data in ((PRIVATE, b"private"), (PUBLIC, b"public"), ("originals/x.jpg", b"exif")):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    for folder in [media, *media.rglob("*")]:
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    umask = os.umask(0o007)
    try:
        app = _UnixHTTPServer(str(sockets / "http.sock"), _App)
    finally:
        os.umask(umask)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port = free_port()
    if request.param == "make-run":
        config = make_run_config(run=run, media=media, sockets=sockets, port=port)
    else:
        config = _compose_config(run=run, media=media, sockets=sockets, port=port)
        config = config.replace("@USER_LINE@", user_line())
    try:
        try:
            process = nginx_start(run, config, port)
        except RuntimeError as error:
            pytest.fail(str(error))
        try:
            yield Site(
                url=f"http://127.0.0.1:{port}",
                media=media,
                serves_media=request.param == "make-run",
            )
        finally:
            nginx_stop(process)
    finally:
        app.shutdown()
        shutil.rmtree(run, ignore_errors=True)


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", dict(error.headers)


@pytest.mark.parametrize("path", sorted(COMPRESSIBLE))
def test_nginx_compresses_pages_and_the_apps_scripts(site: Site, path: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        site.url + path, headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        assert response.headers["Content-Encoding"] == "gzip"
        body = response.read()
    assert gzip.decompress(body) == COMPRESSIBLE[path][1]
    assert len(body) < len(COMPRESSIBLE[path][1]) / 10


def test_nginx_serves_public_copies_that_caches_must_check_again(site: Site) -> None:
    """A withdrawn copy must not live on in a shared cache: every use is
    revalidated (a 304 costs a phone no picture bytes)."""
    _media_served_here(site)
    status, body, headers = _get(f"{site.url}/media/{PUBLIC}")
    assert (status, body) == (200, b"public")
    assert headers["Cache-Control"] == "public, no-cache"
    assert headers["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        f"/media/{PRIVATE}",  # a processed photo, approved or not
        f"/media/{PRIVATE.replace('.jpg', '-thumb.jpg')}",
        "/media/originals/x.jpg",
        f"/_media/{PRIVATE}",  # the internal location, asked for directly
        f"/media/public/../{PRIVATE}",
    ],
)
def test_nginx_serves_no_private_photo_to_anyone(site: Site, path: str) -> None:
    status, body, _headers = _get(f"{site.url}{path}")
    assert status == 404
    assert body != b"private"


def test_the_compose_proxy_sends_no_file_of_a_media_folder(site: Site) -> None:
    """Even a public copy: with uploads in MinIO a file on the proxy's disk is
    a leftover, and an X-Accel-Redirect to /_media/ ends in a 404, not a file."""
    if site.serves_media:
        pytest.skip("make run's nginx serves public copies from its media folder")
    assert _get(f"{site.url}/media/{PUBLIC}")[:2] == (404, b"")
    assert _get(f"{site.url}/photos/ok/")[0] == 404
    assert _get(f"{site.url}/photos/refused/")[0] == 404


def test_a_withdrawn_copy_is_gone_at_once(site: Site) -> None:
    _media_served_here(site)
    (site.media / PUBLIC).unlink()
    assert _get(f"{site.url}/media/{PUBLIC}")[0] == 404


def test_nginx_sends_a_private_photo_only_after_the_apps_check(site: Site) -> None:
    _media_served_here(site)
    assert _get(f"{site.url}/photos/ok/")[:2] == (200, b"private")
    assert _get(f"{site.url}/photos/refused/")[:2] == (404, b"")


def _post_headers_only(url: str, path: str, length: int, language: str) -> tuple[int, str, bytes]:
    """Announce a body of ``length`` bytes and send none: nginx answers on the
    headers alone, and the test never has to send 80 MB."""
    host, port = url.removeprefix("http://").split(":")
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {length}\r\nAccept-Language: {language}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(request.encode())
        answer = b""
        # Read up to the end of the answer, not of the connection: nginx keeps
        # it open a while for the body it is owed (lingering close).
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), _header(head, "content-type"), body


def _header(head: bytes, name: str) -> str:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return ""


def _length(answer: bytes) -> int:
    return int(_header(answer.partition(b"\r\n\r\n")[0], "content-length") or 0)


@pytest.mark.parametrize(
    ("path", "language", "kind", "sentence"),
    [
        ("/api/v1/reports/cases", "vi", "application/json", "Dữ liệu gửi lên quá lớn"),
        ("/api/v1/reports/cases", "en-GB,en;q=0.8", "application/json", "What was sent is too"),
        ("/report/new/", "vi", "text/html", "Dữ liệu gửi lên quá lớn"),
        ("/console/cases/TN-2026-00001/resolve/", "en", "text/html", "What was sent is too"),
        ("/open311/v2/requests.json", "vi", "application/json", "Dữ liệu gửi lên quá lớn"),
        ("/open311/v2/requests.xml", "en", "text/xml", "What was sent is too"),
    ],
)
def test_a_body_over_80_mb_gets_nginx_413_with_a_sentence(
    site: Site, path: str, language: str, kind: str, sentence: str
) -> None:
    """Over client_max_body_size, nginx answers itself: the app's code and
    sentence, JSON for the API, a page elsewhere, in the client's language."""
    status, content_type, body = _post_headers_only(site.url, path, 81 * 1024 * 1024, language)

    assert status == 413
    assert content_type.startswith(kind)
    assert sentence in body.decode()
    if path.startswith("/api/"):
        assert json.loads(body)["code"] == "request_too_large"
    elif path.endswith(".json"):
        assert json.loads(body)[0]["code"] == 413  # GeoReport's error list
    elif path.endswith(".xml"):
        assert b"<errors><error><code>413</code>" in body


@pytest.mark.parametrize("path", ["/api/v1/alerts/0", "/report/new/"])
def test_nginx_hands_trace_to_the_app_for_its_405_with_allow(site: Site, path: str) -> None:
    """nginx refuses TRACE itself, before any location, with an HTML page and no
    Allow header; the app's answer (the methods the path takes) goes out instead."""
    host, port = site.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("TRACE", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()

    assert response.status == 405
    assert response.getheader("Allow") == "GET"
    assert json.loads(body) == TRACE_ANSWER


def test_the_app_is_given_the_host_the_browser_sent_with_its_port(site: Site) -> None:
    """The absolute addresses the app writes (Open311's discovery, media_url)
    must name the port the site listens on; nginx's $host drops it."""
    status, body, _headers = _get(f"{site.url}/echo-host/")
    assert status == 200
    assert body.decode() == site.url.removeprefix("http://")


def _send(url: str, path: str, method: str = "GET") -> tuple[int, str, str]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        connection.close()


TOO_LONG_VI = "Địa chỉ gửi lên quá dài"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/kb/search?q=", "application/json"),
        ("/open311/v2/requests.xml?service_code=", "text/xml"),
        ("/open311/v2/requests.json?service_code=", "application/json"),
        ("/report/new/?service=", "text/html"),
    ],
)
def test_a_request_line_over_8_kb_gets_nginx_414_in_the_paths_shape(
    site: Site, path: str, kind: str
) -> None:
    """gunicorn answered a line over 4 KB with its own HTML page; now nginx
    refuses one over 8 KB (gunicorn takes up to that), with a sentence in the
    shape the path's clients read: it has not read the headers yet, so in
    Vietnamese."""
    status, content_type, body = _send(site.url, path + "a" * 9000)

    assert status == 414
    assert content_type.startswith(kind)
    assert TOO_LONG_VI in body
    if path.startswith("/api/"):
        assert json.loads(body)["code"] == "uri_too_long"
    elif path.endswith("=") and ".json" in path:
        assert json.loads(body)[0]["code"] == 414
    elif ".xml" in path:
        assert "<errors><error><code>414</code>" in body


@pytest.mark.parametrize(
    ("method", "path", "status", "allowed"),
    [
        ("GET", "/open311/v2/requests.json?service_code=" + "a" * 9000, 414, "*"),
        ("HEAD", "/open311/v2/requests.xml?service_code=" + "a" * 9000, 414, "*"),
        ("GET", "/open311/v2/requests/a%00b.xml", 400, "*"),
        # A filing's answer stays private (open311/views.py), nginx's refusal too.
        ("POST", "/open311/v2/requests.json?api_key=" + "a" * 9000, 414, None),
        ("GET", "/api/v1/kb/search?q=" + "a" * 9000, 414, None),
    ],
)
def test_nginx_refusing_an_open311_read_lets_other_sites_read_why(
    site: Site, method: str, path: str, status: int, allowed: str | None
) -> None:
    """Browser apps of other sites read GeoReport's answers to a GET, its
    errors included; without the header nginx's sentence reached them as a
    CORS failure."""
    host, port = site.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request(method, path, headers={"Origin": "https://app.example"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == status
    assert response.getheader("Access-Control-Allow-Origin") == allowed


def test_the_proxy_image_holds_every_file_its_config_includes() -> None:
    """docker/nginx.conf includes the shared refusal files from /etc/nginx/xadesk/,
    where the Dockerfile copies them; the tests above point that path at
    scripts/ themselves, so only this ties the image to the config."""
    config = (ROOT / "docker" / "nginx.conf").read_text()
    included = re.findall(r"^\s*include /etc/nginx/xadesk/([\w.-]+);", config, re.MULTILINE)
    assert included == ["nginx-refusal-maps.conf", "nginx-refusals.conf"]
    copies = re.findall(
        r"^COPY ((?:scripts/[\w.-]+ )+)/etc/nginx/xadesk/$",
        (ROOT / "Dockerfile").read_text(),
        re.MULTILINE,
    )
    copied = {name.removeprefix("scripts/") for line in copies for name in line.split()}
    assert set(included) <= copied
    assert all((ROOT / "scripts" / name).is_file() for name in included)


def test_a_request_line_under_8_kb_reaches_the_app(site: Site) -> None:
    status, _content_type, _body = _send(site.url, "/report/new/?service=" + "a" * 8000)
    assert status == 404  # the stand-in app's answer for a path it does not know


UNREADABLE_VI = "Không đọc được yêu cầu"


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/api/v1/kb/articles/a%00b", "application/json"),
        ("get", "/api/v1/kb/search?q=vneid", "application/json"),
        ("GET", "/open311/v2/requests/a%00b.xml", "text/xml"),
        ("get", "/report/new/", "text/html"),
    ],
)
def test_a_request_nginx_cannot_read_gets_a_400_in_the_paths_shape(
    site: Site, method: str, path: str, kind: str
) -> None:
    """A NUL in the path or a method in lower case: nginx refuses the request
    line itself; its bare "400 Bad Request" page had no sentence."""
    status, content_type, body = _send(site.url, path, method)

    assert status == 400
    assert content_type.startswith(kind)
    assert UNREADABLE_VI in body
    if path.startswith("/api/"):
        assert json.loads(body)["code"] == "malformed_request"
    elif ".xml" in path:
        assert "<errors><error><code>400</code>" in body
