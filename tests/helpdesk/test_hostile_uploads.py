"""Hostile uploads: every upload endpoint refuses them with a 4xx that names the
problem, or stores them clean; never a 5xx, never a case or file left behind.

The files are made here, from a seeded random generator (no downloads):
truncated, bit-flipped and wrongly labelled JPEG/PNG/WebP/HEIC, polyglots
(ZIP or HTML after a JPEG, a script in a PNG text chunk), decompression bombs
(30,000 x 30,000 headers, zlib bombs), metadata bombs (EXIF, XMP, ICC, COM,
PNG text), SVG with a script, GIF and other refused formats, zero and random
bytes, and a 50 MB body. Each API endpoint gets every file; the web forms,
which call the same filing and photo code, get one file of each kind.

The memory-heavy ones are also run, in one fresh interpreter loaded like a
worker, through Django's multipart parser and the photo pipeline, and its
peak RSS (VmHWM) must stay under 300 MB. ``pytest -s`` prints the figures:
files tried, 4xx, accepted, 5xx (0) per endpoint, and the peak RSS.
"""

from __future__ import annotations

import html
import io
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from PIL import ExifTags, Image, ImageCms, PngImagePlugin
from pytest_django import Settings

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Attachment, Ticket, TicketEvent
from helpdesk.photos import allowed_formats
from tests.conftest import Personas

if TYPE_CHECKING:
    # The test client's answer: an Response with the request's context.
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
from tests.factories import case_file
from tests.helpdesk.test_photos import (
    REPO_ROOT,
    SECRET,
    XMP,
    assert_no_metadata,
    gps_exif,
    one_colour_png,
    png_chunk,
)

MIB = 1024 * 1024
MAX_PEAK = 300 * MIB
SEED = 11
# Stable codes of a refused photo or body (helpdesk/photo_errors.py, config/body_limits.py).
PHOTO_CODES = {
    "photo_not_an_image",
    "photo_format_not_allowed",
    "photo_too_many_pixels",
    "photo_too_large",
    "request_too_large",
}
# Bytes of the upload that must never reach a served image.
LEAKS = (SECRET, b"<script", b"PK\x03\x04", b"Exif", b"ICC_PROFILE", b"http://ns.adobe.com/xap")


@dataclass(frozen=True)
class Hostile:
    kind: str  # one word per family of files: the web forms get one of each
    name: str
    data: bytes
    heavy: bool = False  # also run in the memory test
    code: str | None = None  # the only acceptable answer, when one is certain


# --- The files ------------------------------------------------------------------


def _save(image: Image.Image, format_: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format_, **params)
    return buffer.getvalue()


def noisy(size: tuple[int, int], seed: int = SEED) -> Image.Image:
    """A picture that does not compress to nothing, the same on every run:
    seeded noise at a tenth of the size, enlarged."""
    rng = random.Random(seed)
    small = (max(1, size[0] // 10), max(1, size[1] // 10))
    coarse = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    return coarse.resize(size, Image.Resampling.BICUBIC)


def _valid_bases() -> dict[str, bytes]:
    allowed_formats()  # registers the HEIF plugin
    picture = noisy((160, 120))
    return {
        "jpeg": _save(picture, "JPEG", quality=80),
        "jpeg-progressive": _save(picture, "JPEG", progressive=True),
        "png": _save(picture, "PNG"),
        "png-rgba": _save(picture.convert("RGBA"), "PNG"),
        "webp": _save(picture, "WEBP", method=0),
        "heic": _save(Image.new("RGB", (64, 48), (0, 0, 255)), "HEIF", quality=30),
    }


def _with_metadata(bases: dict[str, bytes]) -> Iterator[Hostile]:
    """Good photos carrying every block a served image must not keep."""
    exif = gps_exif((21.0, 35.0, 24.0), "N", (105.0, 50.0, 12.0), "E")
    exif[ExifTags.Base.Make] = SECRET.decode()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    icc = icc[:24] + bytes(12) + icc[36:]  # no creation time: the same bytes every run
    picture = noisy((200, 150))
    yield Hostile(
        "metadata",
        "jpeg-exif-xmp-icc-com",
        _save(picture, "JPEG", exif=exif, icc_profile=icc, comment=SECRET, xmp=XMP),
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>alert(1)</script>" + SECRET.decode())
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    yield Hostile(
        "metadata", "png-text-script", _save(picture, "PNG", pnginfo=text, icc_profile=icc)
    )
    yield Hostile("metadata", "webp-exif-xmp", _save(picture, "WEBP", exif=exif, xmp=XMP))
    yield Hostile("metadata", "heic-exif", bases["heic"])
    yield Hostile("valid", "jpeg-3000x2000", _save(noisy((3000, 2000)), "JPEG", quality=85))
    for name, data in bases.items():
        yield Hostile("valid", name, data)


def _truncated(bases: dict[str, bytes], rng: random.Random) -> Iterator[Hostile]:
    for name, data in bases.items():
        cuts = {1, 2, 4, 8, 16, 32, len(data) // 2, len(data) - 2, len(data) - 1}
        cuts |= {rng.randrange(1, len(data)) for _ in range(8)}
        for cut in sorted(cuts):
            yield Hostile("truncated", f"{name}-cut-{cut}", data[:cut])


def _bit_flipped(bases: dict[str, bytes], rng: random.Random) -> Iterator[Hostile]:
    for name, data in bases.items():
        for round_ in range(12):
            mutated = bytearray(data)
            for _ in range(rng.choice((1, 4, 32))):
                # Mostly in the headers, where parsers make their decisions.
                limit = len(data) if rng.random() < 0.3 else min(len(data), 600)
                mutated[rng.randrange(limit)] = rng.randrange(256)
            yield Hostile("bit-flipped", f"{name}-flip-{round_}", bytes(mutated))


MAGICS = {
    "jpeg": b"\xff\xd8\xff\xe0",
    "png": b"\x89PNG\r\n\x1a\n",
    "webp": b"RIFF\x00\x00\x00\x00WEBP",
    "heic": b"\x00\x00\x00\x18ftypheic",
    "gif": b"GIF89a",
    "pdf": b"%PDF-1.7\n",
    "zip": b"PK\x03\x04",
    "elf": b"\x7fELF",
}


def _wrong_magic(bases: dict[str, bytes], rng: random.Random) -> Iterator[Hostile]:
    for name, data in bases.items():
        for magic_name, magic in MAGICS.items():
            if name.startswith(magic_name):
                continue
            yield Hostile("wrong-magic", f"{name}-as-{magic_name}", magic + data[len(magic) :])
        yield Hostile("wrong-magic", f"{name}-random-head", rng.randbytes(16) + data[16:])
    for magic_name, magic in MAGICS.items():
        for size in (0, 100, 5000):
            yield Hostile("magic-then-noise", f"{magic_name}-{size}", magic + rng.randbytes(size))


def _zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed date: the archive is the same bytes on every run.
        entry = zipfile.ZipInfo("evil.html", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(entry, "<script>alert(document.cookie)</script>")
    return buffer.getvalue()


def _polyglots(bases: dict[str, bytes]) -> Iterator[Hostile]:
    script = b"<html><script>alert(document.cookie)</script></html>"
    archive = _zip()
    for name in ("jpeg", "png", "webp"):
        yield Hostile("polyglot", f"{name}+zip", bases[name] + archive)
        yield Hostile("polyglot", f"{name}+html", bases[name] + script)
    yield Hostile(
        "polyglot", "html-in-jpeg-comment", _save(noisy((80, 60)), "JPEG", comment=script)
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Description", script.decode())
    yield Hostile("polyglot", "png-description-script", _save(noisy((80, 60)), "PNG", pnginfo=text))
    yield Hostile("polyglot", "html-with-jpeg-magic", MAGICS["jpeg"] + script)
    yield Hostile("polyglot", "zip+jpeg", archive + bases["jpeg"])


def _png_header(width: int, height: int, *, colour_type: int = 2, idat: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat or zlib.compress(b"\x00" * 1000))
        + png_chunk(b"IEND", b"")
    )


def _jpeg_resized_header(data: bytes, width: int, height: int) -> bytes:
    """A JPEG whose frame header (SOF) claims another size than its data holds."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at != -1:
            return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]
    raise AssertionError("no SOF marker")


def _webp_canvas(width: int, height: int) -> bytes:
    """An extended WebP header (VP8X) declaring a canvas of width x height, no image."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def _deflated(byte: bytes, size: int) -> bytes:
    """``size`` copies of ``byte``, deflated a megabyte at a time (never all in memory)."""
    compressor = zlib.compressobj(9)
    block = byte * MIB
    return b"".join(compressor.compress(block) for _ in range(size // MIB)) + compressor.flush()


def _bombs(bases: dict[str, bytes]) -> Iterator[Hostile]:
    yield Hostile(
        "bomb", "png-30000x30000-header", _png_header(30_000, 30_000), True, "photo_too_many_pixels"
    )
    yield Hostile(
        "bomb",
        "jpeg-30000x30000-header",
        _jpeg_resized_header(bases["jpeg"], 30_000, 30_000),
        True,
        "photo_too_many_pixels",
    )
    yield Hostile(
        "bomb",
        "jpeg-65535x65535-header",
        _jpeg_resized_header(bases["jpeg-progressive"], 65_535, 65_535),
        True,
        "photo_too_many_pixels",
    )
    yield Hostile("bomb", "webp-16384-canvas", _webp_canvas(16_384, 16_384), True)
    yield Hostile(
        "bomb", "png-1bit-10000x10000", _save(Image.new("1", (10_000, 10_000)), "PNG"), True
    )
    yield Hostile("bomb", "png-rgb-7000x7000", one_colour_png((7000, 7000), 2, 8), True)
    yield Hostile("bomb", "png-palette-7000x7000", one_colour_png((7000, 7000), 3, 8), True)
    # A small picture whose pixel data inflates to 200 MB: the decoder must
    # stop at what 100 x 100 needs.
    idat = _deflated(b"\x00", 200 * MIB)
    yield Hostile("bomb", "png-zlib-200mb-in-100x100", _png_header(100, 100, idat=idat), True)


def _jpeg_segments(data: bytes, segments: bytes) -> bytes:
    """Insert raw segments right after the SOI marker of a JPEG."""
    return data[:2] + segments + data[2:]


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _metadata_bombs(bases: dict[str, bytes]) -> Iterator[Hostile]:
    big = 65_000  # a JPEG segment holds at most 65,533 bytes
    com = _segment(0xFE, SECRET + b"\x00" * (big - len(SECRET)))
    yield Hostile(
        "metadata-bomb", "jpeg-200-com-segments", _jpeg_segments(bases["jpeg"], com * 200), True
    )
    exif = _segment(0xE1, b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + b"\xff" * (big - 14))
    yield Hostile(
        "metadata-bomb", "jpeg-broken-exif-x100", _jpeg_segments(bases["jpeg"], exif * 100), True
    )
    # An IFD pointing at itself: a parser that follows offsets must not loop.
    looping = (
        b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"  # big-endian TIFF, first IFD at 8
        b"\x00\x01\x87\x69\x00\x04\x00\x00\x00\x01\x00\x00\x00\x08"  # ExifIFD -> 8
    )
    yield Hostile(
        "metadata-bomb",
        "jpeg-exif-ifd-loop",
        _jpeg_segments(bases["jpeg"], _segment(0xE1, looping)),
    )
    xmp = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + b"<x>" * 20_000)
    yield Hostile("metadata-bomb", "jpeg-xmp-x60", _jpeg_segments(bases["jpeg"], xmp * 60), True)
    yield Hostile(
        "metadata-bomb",
        "jpeg-junk-icc-4mb",
        _save(noisy((80, 60)), "JPEG", icc_profile=b"\x00" * 128 + b"\xab" * (4 * MIB)),
        True,
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "A" * (4 * MIB))
    yield Hostile(
        "metadata-bomb", "png-text-4mb", _save(noisy((80, 60)), "PNG", pnginfo=text), True
    )
    ztxt = b"Comment\x00\x00" + _deflated(b"A", 300 * MIB)
    zbomb = bases["png"][:33] + png_chunk(b"zTXt", ztxt) + bases["png"][33:]
    yield Hostile("metadata-bomb", "png-ztxt-300mb", zbomb, True)
    iccp = b"icc\x00\x00" + _deflated(b"\x00", 100 * MIB)
    yield Hostile(
        "metadata-bomb",
        "png-iccp-100mb",
        bases["png"][:33] + png_chunk(b"iCCP", iccp) + bases["png"][33:],
        True,
    )
    many = b"".join(png_chunk(b"tEXt", b"k\x00" + b"v" * 100) for _ in range(20_000))
    yield Hostile(
        "metadata-bomb", "png-20000-text-chunks", bases["png"][:33] + many + bases["png"][33:], True
    )
    yield Hostile(
        "metadata-bomb",
        "webp-exif-4mb",
        _save(noisy((80, 60)), "WEBP", exif=b"Exif\x00\x00" + b"\x00" * (4 * MIB)),
        True,
    )


def _other_formats(rng: random.Random) -> Iterator[Hostile]:
    small = noisy((40, 30))
    refused = "photo_format_not_allowed"
    yield Hostile("gif", "gif", _save(small.convert("P"), "GIF"), code=refused)
    frames = [Image.new("P", (40, 30), index) for index in range(5)]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:])
    yield Hostile("gif", "gif-animated", animated.getvalue(), code=refused)
    for format_ in ("BMP", "TIFF", "ICO", "PPM"):
        yield Hostile("other-format", format_.lower(), _save(small, format_), code=refused)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )
    yield Hostile("svg", "svg-script", svg, code="photo_not_an_image")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>'
    )
    yield Hostile("svg", "svg-entity-bomb", laughs, code="photo_not_an_image")
    yield Hostile("empty", "zero-bytes", b"")
    for index, size in enumerate((1, 7, 64, 1000, 65_536, 1_000_000)):
        yield Hostile(
            "random", f"random-{index}-{size}", rng.randbytes(size), code="photo_not_an_image"
        )
    yield Hostile("random", "text", "Xin chào\n".encode() * 100, code="photo_not_an_image")
    yield Hostile(
        "body-50mb",
        "jpeg-magic-50mb",
        MAGICS["jpeg"] + bytes(50 * MIB),
        True,
        "request_too_large",
    )


def hostile_files() -> list[Hostile]:
    rng = random.Random(SEED)
    bases = _valid_bases()
    files = [
        *_with_metadata(bases),
        *_truncated(bases, rng),
        *_bit_flipped(bases, rng),
        *_wrong_magic(bases, rng),
        *_polyglots(bases),
        *_bombs(bases),
        *_metadata_bombs(bases),
        *_other_formats(rng),
    ]
    assert len({file.name for file in files}) == len(files), "names must be unique"
    return files


@pytest.fixture(scope="module")
def corpus() -> list[Hostile]:
    return hostile_files()


# --- Sending them ---------------------------------------------------------------


@dataclass
class Tally:
    endpoint: str
    tried: int = 0
    refused: int = 0
    accepted: int = 0
    server_errors: int = 0

    def line(self) -> str:
        return (
            f"{self.endpoint}: {self.tried} files tried, {self.refused} 4xx, "
            f"{self.accepted} accepted, {self.server_errors} 5xx"
        )


def _media_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def _upload(file: Hostile) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{file.name}.jpg", file.data, content_type="image/jpeg")


@dataclass(frozen=True)
class Endpoint:
    name: str
    api: bool
    send: Callable[[Client, Ticket, Hostile], Response]
    accepted_status: int
    officer: bool
    share: int | None = None  # which third of the files, when not all of them


def _api_reply(kind: str) -> Callable[[Client, Ticket, Hostile], Response]:
    def send(client: Client, ticket: Ticket, file: Hostile) -> Response:
        url = f"/api/v1/helpdesk/cases/{ticket.number}/{kind}"
        return client.post(url, {"body": "Ảnh hiện trường", "photos": [_upload(file)]})

    return send


def _console(kind: str, body_field: str) -> Callable[[Client, Ticket, Hostile], Response]:
    def send(client: Client, ticket: Ticket, file: Hostile) -> Response:
        url = f"/console/cases/{ticket.number}/{kind}/"
        fields = {f"{kind}-{body_field}": "Đã xử lý", f"{kind}-photos": [_upload(file)]}
        return client.post(url, fields)

    return send


def _api_create(client: Client, ticket: Ticket, file: Hostile) -> Response:
    lat, lon = ticket.location.y, ticket.location.x  # type: ignore[union-attr]
    fields = {"service": "road_damage", "lat": lat, "lon": lon, "photos": [_upload(file)]}
    return client.post("/api/v1/reports/cases", fields)


def _web_report(client: Client, ticket: Ticket, file: Hostile) -> Response:
    lat, lon = ticket.location.y, ticket.location.x  # type: ignore[union-attr]
    fields = {"service": "road_damage", "lat": lat, "lon": lon, "photos": _upload(file)}
    return client.post("/report/new/", fields)


def _web_help(client: Client, ticket: Ticket, file: Hostile) -> Response:
    fields = {
        "service": "scam_message",
        "description": "Tin nhắn lừa đảo, ảnh chụp màn hình",
        "province": "19",
        "commune": ticket.commune.code,  # type: ignore[union-attr]
        "photos": _upload(file),
    }
    return client.post("/help/new/", fields)


ENDPOINTS = [
    Endpoint("POST /api/v1/reports/cases", True, _api_create, 201, False),
    Endpoint("POST /api/v1/helpdesk/cases/{n}/reply", True, _api_reply("reply"), 201, True, 0),
    Endpoint("POST /api/v1/helpdesk/cases/{n}/note", True, _api_reply("note"), 201, True, 1),
    Endpoint("POST /api/v1/helpdesk/cases/{n}/resolve", True, _api_reply("resolve"), 200, True, 2),
    Endpoint("POST /report/new/", False, _web_report, 302, False),
    Endpoint("POST /help/new/", False, _web_help, 302, False),
    Endpoint("POST /console/cases/{n}/reply/", False, _console("reply", "body"), 302, True),
    Endpoint("POST /console/cases/{n}/note/", False, _console("note", "body"), 302, True),
    Endpoint("POST /console/cases/{n}/resolve/", False, _console("resolve", "note"), 302, True),
]


@pytest.fixture(autouse=True)
def _no_abuse_limits(settings: Settings) -> None:
    """Hundreds of uploads from one address in a minute is what the abuse
    limits stop (tests/helpdesk/test_abuse_limits.py); here every file must
    reach the photo code, so the limits are off for this module only."""
    settings.RATE_LIMITS = {action: None for action in settings.RATE_LIMITS}


@pytest.fixture
def accepted_case(personas: Personas, commune_a: AdminUnit) -> Ticket:
    ticket = case_file(reporter=personas.resident, commune=commune_a)
    return lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)


def _counts() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), Attachment.objects.count()


def _check_refusal(endpoint: Endpoint, file: Hostile, response: Response) -> str | None:
    """Why the refusal does not name its problem, or None when it does."""
    if endpoint.api:
        body = json.loads(response.content)
        if not body.get("message"):
            return f"no message: {body}"
        if file.code is not None and body.get("code") != file.code:
            return f"code {body.get('code')!r}, expected {file.code!r}"
        if body.get("code") not in PHOTO_CODES | {"invalid_input"}:
            return f"code {body.get('code')!r}"
        return None
    context = response.context
    # A form page shows "error"; the page of a body over a limit, "message".
    error = context.get("error") or context.get("message") if context is not None else None
    if not error:
        return "the page shows no error"
    if html.escape(str(error)) not in response.content.decode():
        return "the error is not on the page"
    return None


def _check_stored(names: list[str]) -> str | None:
    for name in names:
        with default_storage.open(name) as stored:
            raw = stored.read()
        try:
            assert_no_metadata(raw)
        except AssertionError as error:
            return f"{name} keeps metadata: {error}"
        for leak in LEAKS:
            if leak in raw:
                return f"{name} holds {leak!r}"
    return None


def _send(
    endpoint: Endpoint, client: Client, ticket: Ticket, file: Hostile, media: Path, tally: Tally
) -> str | None:
    """Send one file in a transaction rolled back afterwards; return what went wrong."""
    with transaction.atomic():
        before_files, before_rows = _media_files(media), _counts()
        response = endpoint.send(client, ticket, file)
        after_files = _media_files(media)
        tally.tried += 1
        problem: str | None = None
        if response.status_code >= 500:
            tally.server_errors += 1
            problem = f"{response.status_code}"
        elif response.status_code == endpoint.accepted_status:
            tally.accepted += 1
            new = Attachment.objects.order_by("-pk").first()
            if new is None or _counts()[2] != before_rows[2] + 1:
                problem = "accepted without its photo"
            else:
                problem = _check_stored([new.display, new.thumbnail])
        elif 400 <= response.status_code < 500:
            tally.refused += 1
            problem = _check_refusal(endpoint, file, response)
            if after_files != before_files:
                problem = f"left {len(after_files - before_files)} files behind"
            elif _counts() != before_rows:
                problem = "left rows behind"
        else:
            problem = f"status {response.status_code}"
        if file.code is not None and response.status_code < 400:
            problem = f"accepted, expected {file.code}"
        transaction.set_rollback(True)
    for path in after_files - before_files:
        path.unlink()
    if problem:
        return f"{file.name}: {response.status_code} {problem}: {response.content[:200]!r}"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_hostile_files_are_refused_with_a_reason_or_stored_clean(
    endpoint: Endpoint,
    corpus: list[Hostile],
    personas: Personas,
    accepted_case: Ticket,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """Every file, through the whole Django stack: 4xx naming the problem, or a
    JPEG display and thumbnail without metadata; no 5xx; a refusal leaves no
    case, event, attachment or file."""
    settings.MEDIA_ROOT = tmp_path
    client = Client(raise_request_exception=False)
    client.force_login(personas.officer_a if endpoint.officer else personas.resident)
    # One file of each kind everywhere; the filing API gets every file, and the
    # three officer API endpoints a third each, so that all of them go through
    # the officers' code too. The forms call the same filing and photo code as
    # the API. (Every file to every endpoint would take a minute more.)
    files = list({file.kind: file for file in reversed(corpus)}.values())
    if endpoint.share is not None:
        files += [f for i, f in enumerate(corpus) if i % 3 == endpoint.share and f not in files]
    elif endpoint.api:
        files = corpus

    tally = Tally(endpoint.name)
    problems = [
        problem
        for file in files
        if (problem := _send(endpoint, client, accepted_case, file, tmp_path, tally))
    ]

    print(tally.line())
    assert tally.server_errors == 0, tally.line()
    assert not problems, f"{tally.line()}\n" + "\n".join(problems)
    assert tally.refused > len(files) // 2, tally.line()
    assert tally.accepted >= 4, tally.line()  # the good photos still go through


def test_the_corpus_has_a_few_hundred_files_of_every_kind(corpus: list[Hostile]) -> None:
    kinds = Counter(file.kind for file in corpus)
    assert len(corpus) >= 250, len(corpus)
    assert set(kinds) >= {
        "truncated",
        "wrong-magic",
        "polyglot",
        "bomb",
        "metadata-bomb",
        "svg",
        "gif",
        "empty",
        "random",
        "body-50mb",
    }
    # Seeded: the same pictures, hence the same files, every run.
    assert noisy((50, 40)).tobytes() == noisy((50, 40)).tobytes()


# --- Peak memory ------------------------------------------------------------------

# Runs in a fresh interpreter loaded like a worker (every app, the URLs, the
# API), so that its peak RSS is a worker's. Each file goes through Django's
# multipart parser with the project's upload handlers, then the photo code of
# the endpoints. VmHWM rather than ru_maxrss: see tests/helpdesk/test_photos.py.
PROCESS_HOSTILE_FILES = """
import json, pathlib, sys
import django
django.setup()
import config.urls  # noqa: F401 - what a worker has loaded
from django.core.exceptions import RequestDataTooBig
from django.core.files.storage import InMemoryStorage
from django.core.handlers.wsgi import WSGIRequest
from core.errors import DomainError
from helpdesk.attachments import photos_process_all

def peak():
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib * 1024

outcomes, peaks = {}, {}
for path in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    # The body is read from a file as gunicorn reads it from its socket: a
    # stream, never all of it in memory at once.
    with path.open("rb") as body:
        request = WSGIRequest({
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/reports/cases",
            "CONTENT_TYPE": "multipart/form-data; boundary=%s" % sys.argv[2],
            "CONTENT_LENGTH": str(path.stat().st_size),
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": body,
        })
        try:
            photos_process_all(
                photos=[f.read() for f in request.FILES.getlist("photos")],
                storage=InMemoryStorage(),
            )
            outcomes[path.name] = "processed"
        except RequestDataTooBig:
            outcomes[path.name] = "request_too_large"
        except DomainError as error:
            outcomes[path.name] = error.code
        del request
    peaks[path.name] = peak()
print(json.dumps({"outcomes": outcomes, "peaks": peaks, "peak": peak()}))
"""
BOUNDARY = "hostile-upload-boundary"


def _multipart(file: Hostile) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; '
        f'filename="{file.name}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    )
    return head.encode() + file.data + f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is read from /proc")
def test_a_worker_stays_under_300_mb_on_the_memory_heavy_files(corpus: list[Hostile]) -> None:
    """Bombs, huge headers, metadata bombs, large photos and the 50 MB body, one
    after the other in one worker-like process: its peak RSS stays under 300 MB."""
    heavy = [file for file in corpus if file.heavy or file.name == "jpeg-3000x2000"]
    with tempfile.TemporaryDirectory() as folder:
        for file in heavy:
            (Path(folder) / file.name).write_bytes(_multipart(file))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
        result = subprocess.run(  # noqa: S603 - fixed interpreter and code
            [sys.executable, "-c", PROCESS_HOSTILE_FILES, folder, BOUNDARY],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    measured = json.loads(result.stdout.splitlines()[-1])
    outcomes: dict[str, str] = measured["outcomes"]
    refused = sum(outcome != "processed" for outcome in outcomes.values())
    figure = (
        f"memory-heavy files: {len(outcomes)} tried, {refused} refused, "
        f"{len(outcomes) - refused} processed, peak RSS {measured['peak'] / MIB:.0f} MiB"
    )
    print(figure)
    assert len(outcomes) == len(heavy)
    for file in heavy:
        if file.code is not None:
            assert outcomes[file.name] == file.code, figure
    assert outcomes["jpeg-3000x2000"] == "processed", figure
    assert measured["peak"] < MAX_PEAK, figure
