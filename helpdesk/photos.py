"""Photo pipeline of field-report intake: check, read location and time, resize, strip.

An upload is refused before any pixel is decoded when the file is too big, is
not a picture of an allowed format, has too many pixels, or would take more
memory to decode than DECODE_BUDGET (Pillow reads only the header on
``Image.open``). Then it is decoded once, at reduced scale for JPEG (``draft``
lets libjpeg scale in the DCT, about twice as fast), and written as two JPEGs,
a display image and a thumbnail, with no metadata at all: served photos must
not leak the reporter's location, device or name.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import logging
import math
import struct
import uuid
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import IO, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils import timezone as django_timezone
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError
from PIL.JpegImagePlugin import JpegImageFile

from core.media_outage import media_open, media_outage
from helpdesk.photo_errors import (
    PhotoFormatNotAllowed,
    PhotoNotAnImage,
    PhotoTooLarge,
    PhotoTooManyPixels,
)

logger = logging.getLogger(__name__)

MAX_BYTES: Final = 15 * 1024 * 1024
MAX_PIXELS: Final = 50_000_000
DISPLAY_SIZE: Final = 1600
THUMBNAIL_SIZE: Final = 400
JPEG_QUALITY: Final = 82
# Peak memory one photo may take to be decoded and shrunk for display, as
# estimated from its header (_estimated_bytes) before any pixel is decoded.
# A worker idles at about 126 MB and must never pass about 300 MB, so a photo
# may add ~170 MB: this leaves ~35 MB for what the estimate leaves out (the
# upload's bytes, up to 15 MB; the JPEG encoder; the allocator's slack). A
# baseline JPEG is decoded at reduced scale (draft) and never comes near it; a
# PNG, WebP or HEIC is decoded whole, and a progressive JPEG keeps all its
# coefficients. Peak RSS growth, one fresh process a photo, without a budget:
# 7000x7000 PNG of 20-200 KB 265 MiB (RGB), 311 (palette), 467 (16-bit grey),
# 607 (RGBA); 12 MP WebP 185; 48 MP HEIC 340; 50 MP progressive JPEG 155.
# With it, those PNGs in RGB or RGBA, the WebP, the HEIC and the JPEG are
# refused; the others take 62 and 101 MiB; the biggest accepted of each kind
# (28 MP PNG, 8 MP WebP, 15 MP HEIC, 40 MP progressive JPEG) 121-128 MiB; a
# 12 MP JPEG 28, 12 MP HEIC 84-106, 12 MP PNG 60-64, 50 MP JPEG 27.
DECODE_BUDGET: Final = 128 * 1024 * 1024
# The thumbnail is box-reduced from the display image by the whole factor
# (1600 -> 400 px: 4) and resampled only for what is left: 1.5 ms against
# 6.7 ms with a reduce to twice the size first. 45-46 dB against Lanczos from
# the full-size decode (48-49 the other way), far below what the JPEG
# encoding loses (38 dB): bench/photo_pipeline.py --quality.
_THUMBNAIL_REDUCING_GAP: Final = 1.0

# Pillow format name -> name shown to people. MPO is how Pillow opens the
# JPEGs of many phones (a second, depth or preview picture appended).
_FORMAT_NAMES: Final = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
_HEIF: Final = "HEIF"
# Formats that are identified only to be refused with a helpful message.
# Anything else is "not an image": limiting the plugins Image.open tries keeps
# rarely used (and rarely audited) parsers away from untrusted bytes.
_REFUSED_FORMATS: Final = ("GIF", "BMP", "TIFF", "ICO", "PSD", "JPEG2000", "PPM")
_ORIGINAL_EXTENSIONS: Final = {"JPEG": "jpg", "PNG": "png", "WebP": "webp", "HEIC": "heic"}
# What Pillow's parsers and decoders raise on bytes that are not a valid picture.
_DECODE_ERRORS: Final = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    TypeError,
    KeyError,
    struct.error,
    zlib.error,
)
# Image.transpose methods that undo each EXIF orientation (as ImageOps.exif_transpose).
_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_OFFSET_TIME_ORIGINAL: Final = 0x9011
# Copies of the decoded picture alive at the peak of decoding, and once it is
# decoded, where not one. libwebp's animation decoder keeps two canvases as
# long as the image and hands Pillow a third as bytes (measured 16 bytes a
# pixel); pillow-heif's RGB buffer, libheif's planes and tile decoders sit next
# to Pillow's copy (measured 9 bytes a pixel, 2.25 copies of Pillow's 4).
_DECODE_COPIES: Final = {"WEBP": 4.0, "HEIF": 2.25}
_HELD_COPIES: Final = {"WEBP": 3.0}
# Modes _flatten leaves as they are.
_FLAT_MODES: Final = ("RGB", "L", "CMYK")
# _shrink flattens this many pixels at a time; at most 16 bytes each (an RGBA
# band: its crop, its RGBA copy, the white RGB under it and its alpha).
_BAND_PIXELS: Final = 500_000
_BAND_BYTES_PER_PIXEL: Final = 16


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float


@dataclass(frozen=True)
class PhotoInfo:
    """What an upload is; width and height are as displayed (EXIF orientation applied)."""

    format: str
    width: int
    height: int
    gps: GeoPoint | None
    taken_at: datetime | None


@dataclass(frozen=True)
class ProcessedPhoto:
    """Names in storage of the served images (and of the original, when kept)."""

    display_name: str
    thumbnail_name: str
    original_name: str | None
    width: int
    height: int
    info: PhotoInfo
    sha256: str
    # True when only the original is stored yet (photo_accept): the display
    # image and thumbnail are to be written under their names by photo_derive.
    pending: bool = False


@dataclass(frozen=True)
class _Decoded:
    """What is read besides the pixels: the decoded picture is returned apart, to be freed early."""

    info: PhotoInfo
    orientation: int
    icc_profile: bytes | None


def photo_inspect(
    *,
    data: bytes | IO[bytes],
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    decode_budget: int = DECODE_BUDGET,
) -> PhotoInfo:
    """Check that ``data`` is a usable photo and read its location and capture time.

    The picture is decoded (at 1/8 scale for JPEG) so that a truncated or
    corrupt file is refused here rather than later.
    """
    raw = _read_bounded(data, max_bytes=max_bytes)
    return _decode(raw, max_pixels=max_pixels, decode_budget=decode_budget, target=1)[1].info


def photo_process(
    *,
    data: bytes | IO[bytes],
    storage: Storage | None = None,
    keep_original: bool | None = None,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    decode_budget: int = DECODE_BUDGET,
) -> ProcessedPhoto:
    """Check an upload, write its display image and thumbnail, and the original if kept.

    Nothing is written unless the photo is accepted; if a write fails, the
    files already written are deleted before the error propagates.
    """
    if storage is None:
        storage = default_storage
    if keep_original is None:
        keep_original = bool(getattr(settings, "REPORTS_KEEP_ORIGINALS", False))
    raw = _read_bounded(data, max_bytes=max_bytes)
    display, thumbnail, info = _render(
        raw, max_pixels=max_pixels, decode_budget=decode_budget, use_draft=True
    )

    stem = f"{django_timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    written: list[str] = []
    try:
        original_name = None
        if keep_original:
            # Originals keep their EXIF (GPS, device): store them apart from
            # the served images, in a location that is never public.
            extension = _ORIGINAL_EXTENSIONS[info.format]
            original_name = storage.save(f"originals/{stem}.{extension}", ContentFile(raw))
            written.append(original_name)
        display_name = storage.save(f"photos/{stem}.jpg", ContentFile(_jpeg_bytes(display)))
        written.append(display_name)
        thumbnail_name = storage.save(
            f"photos/{stem}-thumb.jpg", ContentFile(_jpeg_bytes(thumbnail))
        )
        written.append(thumbnail_name)
    except BaseException:
        photos_delete(names=written, storage=storage)
        raise
    return ProcessedPhoto(
        display_name=display_name,
        thumbnail_name=thumbnail_name,
        original_name=original_name,
        width=display.width,
        height=display.height,
        info=info,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def photo_accept(
    *,
    data: bytes | IO[bytes],
    storage: Storage | None = None,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    decode_budget: int = DECODE_BUDGET,
) -> ProcessedPhoto:
    """Check an upload without decoding it and store the original privately.

    The checks of photo_process that need only the header (size, format,
    pixels, decode budget) and a cheap look for a cut-off file; location and
    capture time from EXIF. The served images are made later by photo_derive,
    under the names returned here. A file that only fails when decoded (its
    pixel data damaged) is accepted here and found by the worker.
    """
    if storage is None:
        storage = default_storage
    raw = _read_bounded(data, max_bytes=max_bytes)
    image, found, size = _open_checked(
        raw, max_pixels=max_pixels, decode_budget=decode_budget, target=DISPLAY_SIZE
    )
    with image:
        decoded = _described(image, found, size)
    if not _looks_complete(raw, found):
        raise PhotoNotAnImage()
    info = decoded.info
    stem = f"{django_timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    # Originals keep their EXIF (GPS, device): under originals/, which is
    # never served to anyone (helpdesk/photo_views.py serves display names).
    extension = _ORIGINAL_EXTENSIONS[info.format]
    original_name = storage.save(f"originals/{stem}.{extension}", ContentFile(raw))
    width, height = _fit((info.width, info.height), DISPLAY_SIZE)
    return ProcessedPhoto(
        display_name=f"photos/{stem}.jpg",
        thumbnail_name=f"photos/{stem}-thumb.jpg",
        original_name=original_name,
        width=width,
        height=height,
        info=info,
        sha256=hashlib.sha256(raw).hexdigest(),
        pending=True,
    )


def photo_derive(
    *, original_name: str, display_name: str, thumbnail_name: str, storage: Storage | None = None
) -> tuple[int, int]:
    """Write the display image and thumbnail of a stored original; return the display size.

    Idempotent: the files are written under the given names, replacing what a
    killed earlier attempt left there, so doing it twice leaves one of each.
    Raises the errors of photo_process when the original cannot be decoded.
    """
    if storage is None:
        storage = default_storage
    with media_open(storage, original_name) as stored:
        raw = _read_bounded(stored, max_bytes=MAX_BYTES)
    display, thumbnail, _info = _render(
        raw, max_pixels=MAX_PIXELS, decode_budget=DECODE_BUDGET, use_draft=True
    )
    _save_as(storage, display_name, _jpeg_bytes(display))
    _save_as(storage, thumbnail_name, _jpeg_bytes(thumbnail))
    return display.width, display.height


def _save_as(storage: Storage, name: str, content: bytes) -> None:
    """Write ``content`` under exactly ``name``, replacing a file already there."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    if saved != name:
        # Another worker wrote ``name`` in between (a lease that ran out while
        # the first was still busy): the same bytes, so the extra copy goes.
        storage.delete(saved)


def _looks_complete(raw: bytes, found: str) -> bool:
    """Whether the file has the end its format needs; a cheap catch of cut-off uploads.

    In JPEG scan data a 0xFF byte is always followed by 0x00 or a restart
    marker, so an end-of-image marker after the last start-of-scan is the real
    end (phones may append trailers after it). PNG ends with IEND; RIFF (WebP)
    says its own length. Others are left to the decoder in the worker.
    """
    if found in ("JPEG", "MPO"):
        scan = raw.rfind(b"\xff\xda")
        return scan >= 0 and raw.find(b"\xff\xd9", scan) >= 0
    if found == "PNG":
        return raw.rfind(b"IEND") > 8
    if found == "WEBP":
        return int.from_bytes(raw[4:8], "little") + 8 <= len(raw)
    return True


def photos_delete(*, names: Iterable[str], storage: Storage | None = None) -> None:
    """Delete written photo files, going on past files that cannot be deleted.

    Used to undo photo_process when the caller's transaction rolls back.
    """
    if storage is None:
        storage = default_storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # A leftover file is an orphan to sweep later; it must not hide
            # the error that caused the rollback.
            logger.exception("Could not delete photo %s", name)
        except Exception as error:
            if not media_outage(error):
                raise
            # The bucket is away: asking it again for each file would keep
            # the person waiting a timeout per file. The rest are orphans
            # for the sweep too (helpdesk/photo_sweep.py).
            logger.warning("Could not delete photo %s: the bucket is away (%r)", name, error)
            return


def allowed_formats() -> tuple[str, ...]:
    """Return the names of the accepted formats, as shown to people."""
    names = ["JPEG", "PNG", "WebP"]
    if _heif_available():
        names.append("HEIC")
    return tuple(names)


# --- Decoding ---------------------------------------------------------------


def _render(
    raw: bytes, *, max_pixels: int, use_draft: bool, decode_budget: int = DECODE_BUDGET
) -> tuple[Image.Image, Image.Image, PhotoInfo]:
    """Decode ``raw`` and return the display image, the thumbnail and the info."""
    target = DISPLAY_SIZE if use_draft else None
    image, decoded = _decode(raw, max_pixels=max_pixels, decode_budget=decode_budget, target=target)
    # Rebinding drops the only reference to the decoded picture, the biggest
    # object here, before the display image is made (unless _shrink kept it).
    image = _shrink(image, DISPLAY_SIZE)
    image = _resize(image, DISPLAY_SIZE)
    image = _to_srgb(image, decoded.icc_profile)
    # Rotating the 1600 px image is far cheaper than rotating the original.
    if transpose := _TRANSPOSE.get(decoded.orientation):
        image = image.transpose(transpose)
    # From the display image, not from the upload: no second decode.
    thumbnail = _resize(image, THUMBNAIL_SIZE, reducing_gap=_THUMBNAIL_REDUCING_GAP)
    return image, thumbnail, decoded.info


def _read_bounded(data: bytes | IO[bytes], *, max_bytes: int) -> bytes:
    """Return the bytes of ``data``, refusing more than ``max_bytes`` without reading them."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        if data.seekable():
            start = data.tell()
            size = data.seek(0, io.SEEK_END) - start
            data.seek(start)
            if size > max_bytes:
                raise PhotoTooLarge(max_bytes=max_bytes, size=size)
        raw = data.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise PhotoTooLarge(max_bytes=max_bytes, size=len(raw))
    if not raw:
        raise PhotoNotAnImage()
    return raw


def _decode(
    raw: bytes, *, max_pixels: int, decode_budget: int, target: int | None
) -> tuple[Image.Image, _Decoded]:
    """Open, check and decode ``raw``; JPEGs at the smallest scale still >= ``target``.

    The memory budget is checked on this decode and a shrink for display after
    it. photo_inspect drafts JPEGs to 1/8 scale, so a progressive JPEG just
    over the budget for photo_process can come in under it there.
    """
    image, found, size = _open_checked(
        raw, max_pixels=max_pixels, decode_budget=decode_budget, target=target
    )
    with image:
        try:
            # Decodes everything, so a truncated file fails here.
            image.load()
        except _DECODE_ERRORS as error:
            raise PhotoNotAnImage() from error
        decoded = _described(image, found, size)
    return image, decoded


def _open_checked(
    raw: bytes, *, max_pixels: int, decode_budget: int, target: int | None
) -> tuple[Image.Image, str, tuple[int, int]]:
    """Open ``raw`` (its header only) and refuse it unless it may be decoded.

    Returns the opened, undecoded image (drafted for JPEG), the Pillow format
    name and the stored size before draft.
    """
    allowed = tuple(_FORMAT_NAMES) + ((_HEIF,) if _heif_available() else ())
    # Pillow only warns between 89 and 179 MP: in this scope the warning is an
    # error. catch_warnings swaps the process-wide filters (not thread-safe
    # before Python 3.14), but the pixel cap below is checked first and is the
    # real defence; the filter only catches a cap raised above Pillow's.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # No "MPO" here: Pillow's JPEG opener returns MPO files itself.
            formats = ("JPEG", "PNG", "WEBP", *allowed[len(_FORMAT_NAMES) :], *_REFUSED_FORMATS)
            image = Image.open(io.BytesIO(raw), formats=formats)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoTooManyPixels(max_pixels=max_pixels) from error
        except UnidentifiedImageError as error:
            raise PhotoNotAnImage() from error
        except _DECODE_ERRORS as error:
            raise PhotoNotAnImage() from error

    try:
        found = image.format or "unknown"
        if found not in allowed:
            raise PhotoFormatNotAllowed(found=found, allowed=allowed_formats())
        width, height = image.size
        if width * height > max_pixels:
            raise PhotoTooManyPixels(max_pixels=max_pixels, width=width, height=height)
        # Counted before draft, which shrinks the size but not these.
        coefficients = _jpeg_coefficient_bytes(image)
        if target is not None and found in ("JPEG", "MPO"):
            image.draft("RGB", _fit((width, height), target))
        if _estimated_bytes(image, found, coefficients=coefficients) > decode_budget:
            raise PhotoTooManyPixels(
                max_pixels=max_pixels, width=width, height=height, format=_format_name(found)
            )
    except BaseException:
        image.close()
        raise
    return image, found, (width, height)


def _described(image: Image.Image, found: str, size: tuple[int, int]) -> _Decoded:
    """Read location, capture time, orientation and colour profile (no pixels needed)."""
    exif = _exif(image)
    width, height = size
    orientation = exif.get(ExifTags.Base.Orientation)
    if orientation not in _TRANSPOSE:
        orientation = 1
    if orientation >= 5:
        width, height = height, width
    info = PhotoInfo(
        format=_format_name(found),
        width=width,
        height=height,
        gps=_gps(exif),
        taken_at=_taken_at(exif),
    )
    icc = image.info.get("icc_profile")
    return _Decoded(
        info=info,
        orientation=orientation,
        icc_profile=icc if isinstance(icc, bytes) and icc else None,
    )


def _format_name(found: str) -> str:
    """Return the name shown to people of a Pillow format name."""
    return "HEIC" if found == _HEIF else _FORMAT_NAMES[found]


# --- Memory -------------------------------------------------------------------


def _estimated_bytes(image: Image.Image, found: str, *, coefficients: int) -> int:
    """Estimate the peak memory of decoding ``image`` and shrinking it for display.

    Only the header is read: size and mode (as draft left them), and the
    format. The peak is the biggest of three moments: decoding; _shrink making
    the flattened, reduced copy while the decoded picture is still held; and
    _resize making the display image, the decoded picture by then freed unless
    _shrink kept it as it was.
    """
    width, height = image.size
    decoded = width * height * _bytes_per_pixel(image.mode)
    decoding = int(decoded * _DECODE_COPIES.get(found, 1)) + coefficients
    held = int(decoded * _HELD_COPIES.get(found, 1))
    factor = _reduce_factor(image.size, DISPLAY_SIZE)
    flat = _bytes_per_pixel(_flat_mode(image.mode))
    reduced_height = -(-height // factor)
    display_width, display_height = _fit(image.size, DISPLAY_SIZE)
    # Resample makes the new width first: display width by the source height.
    resize = (display_width * reduced_height + display_width * display_height) * flat
    if factor == 1 and image.mode in _FLAT_MODES:
        return max(decoding, held + resize)
    shrunk = -(-width // factor) * reduced_height * flat
    band = _band_rows(width, factor) * width * _BAND_BYTES_PER_PIXEL
    return max(decoding, held + shrunk + band, shrunk + resize)


def _bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow stores a pixel of ``mode`` in (three bands are padded to four bytes)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _jpeg_coefficient_bytes(image: Image.Image) -> int:
    """Bytes libjpeg holds to decode ``image`` if it is a progressive JPEG, else 0.

    A baseline JPEG is decoded a row of blocks at a time, and draft shrinks
    what comes out. A progressive one is refined scan after scan, so libjpeg
    keeps every DCT coefficient of the full-size picture (2 bytes each, 64 a
    block of 8x8 pixels of each component) until the last scan.
    """
    if not isinstance(image, JpegImageFile) or not image.info.get("progressive"):
        return 0
    if not image.layer:
        return 0
    width, height = image.size
    h_max = max(h for _id, h, _v, _table in image.layer)
    v_max = max(v for _id, _h, v, _table in image.layer)
    return sum(
        math.ceil(width * h / h_max / 8) * math.ceil(height * v / v_max / 8) * 128
        for _id, h, v, _table in image.layer
    )


@functools.cache
def _heif_available() -> bool:
    """Register the HEIF plugin if pillow-heif is installed (optional dependency)."""
    try:
        pillow_heif = importlib.import_module("pillow_heif")
    except ImportError:
        return False
    # No embedded thumbnails, depth maps or auxiliary images: only the main
    # picture is ever used, and less parsing is less attack surface.
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    return True


# --- Metadata -----------------------------------------------------------------


def _exif(image: Image.Image) -> Image.Exif:
    """Return the EXIF of ``image``; broken EXIF counts as none rather than refusing the photo."""
    try:
        exif = image.getexif()
        # Read the sub-IFDs now, so that broken ones fail inside this try.
        exif.get_ifd(ExifTags.IFD.GPSInfo)
        exif.get_ifd(ExifTags.IFD.Exif)
    except _DECODE_ERRORS:
        return Image.Exif()
    return exif


def _gps(exif: Image.Exif) -> GeoPoint | None:
    """Return the EXIF location, or None when it is missing, malformed or (0, 0)."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat = _coordinate(
        gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90
    )
    lon = _coordinate(
        gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180
    )
    if lat is None or lon is None:
        return None
    # Phones without a fix write zeros; nobody reports from the Gulf of Guinea.
    if lat == 0 and lon == 0:
        return None
    return GeoPoint(lat=lat, lon=lon)


def _coordinate(
    value: object, ref: object, positive: str, negative: str, limit: float
) -> float | None:
    """Return signed decimal degrees from EXIF (degrees, minutes, seconds) and a ref letter."""
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if not isinstance(ref, str) or ref.strip("\x00 ").upper() not in (positive, negative):
        return None
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    parts = (degrees, minutes, seconds)
    if not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    if minutes >= 60 or seconds >= 60:
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if result > limit:
        return None
    return -result if ref.strip("\x00 ").upper() == negative else result


def _taken_at(exif: Image.Exif) -> datetime | None:
    """Return DateTimeOriginal as an aware datetime, or None when missing or malformed.

    Without OffsetTimeOriginal the camera's clock is taken to be in the
    project's time zone (settings.TIME_ZONE), where the reports come from.
    """
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    value = sub.get(ExifTags.Base.DateTimeOriginal)
    if not isinstance(value, str):
        return None
    try:
        taken = datetime.strptime(value.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _utc_offset(sub.get(_EXIF_OFFSET_TIME_ORIGINAL))
    if offset is not None:
        return taken.replace(tzinfo=offset)
    return django_timezone.make_aware(taken, django_timezone.get_default_timezone())


def _utc_offset(value: object) -> timezone | None:
    """Parse an EXIF offset such as "+07:00"."""
    if not isinstance(value, str):
        return None
    text = value.strip("\x00 ")
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


# --- Pixels -------------------------------------------------------------------


def _fit(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """Return ``size`` scaled down (never up) so that its longest side is ``longest``."""
    width, height = size
    scale = longest / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _reduce_factor(size: tuple[int, int], longest: int) -> int:
    """Return the biggest box-reduce factor that leaves ``longest`` or more to resample.

    As draft does for a JPEG in the DCT: the bicubic step after it then
    shrinks by less than 2. Leaving twice ``longest`` (Image.thumbnail's
    reducing_gap) would keep a flattened copy up to four times bigger.
    """
    return max(1, max(size) // longest)


def _band_rows(width: int, factor: int) -> int:
    """Return how many rows _shrink takes at a time: about _BAND_PIXELS, whole boxes."""
    return max(1, _BAND_PIXELS // (width * factor)) * factor


def _shrink(image: Image.Image, longest: int) -> Image.Image:
    """Return ``image`` flattened (see _flatten) and box-reduced by _reduce_factor.

    A band of rows at a time, so that _flatten's copies (for RGBA, 9 bytes a
    pixel) are made of one band, never of the whole decoded picture. Flattening
    before reducing averages the colours as laid on white, as the premultiplied
    alpha of Image.reduce would. An image already flat and small enough is
    returned as it is.
    """
    factor = _reduce_factor(image.size, longest)
    if factor == 1 and image.mode in _FLAT_MODES:
        return image
    width, height = image.size
    rows = _band_rows(width, factor)
    shrunk = Image.new(_flat_mode(image.mode), (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        band = _flatten(image.crop((0, top, width, min(top + rows, height))))
        shrunk.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return shrunk


def _flat_mode(mode: str) -> str:
    """Return the mode _flatten turns ``mode`` into."""
    if mode in _FLAT_MODES:
        return mode
    if mode == "1" or mode.startswith("I"):
        return "L"
    return "RGB"


def _flatten(image: Image.Image) -> Image.Image:
    """Return ``image`` in RGB, L or CMYK (_flat_mode), transparent parts laid on white."""
    if image.mode in _FLAT_MODES:
        return image
    if image.mode.startswith("I"):
        # 16/32-bit greyscale: scale to 8 bits rather than clip to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
        return image
    if image.mode == "1":
        return image.convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _resize(image: Image.Image, longest: int, *, reducing_gap: float = 2.0) -> Image.Image:
    """Return ``image`` scaled down to ``longest``: box-reduced, then resampled (bilinear).

    A box reduce down to ``reducing_gap`` times the size, then Pillow's
    bilinear filter (a tent widened by the scale, so it still averages away
    what it drops) for the rest, which is always less than ``reducing_gap``.
    For a 12 MP JPEG drafted to 2000 px, ``bench/photo_pipeline.py --quality``
    gives 46.3 dB against Lanczos from the full-size decode (47.7 bicubic),
    and the resize alone takes 24 ms of CPU here against 40 for bicubic; the
    JPEG encoding at JPEG_QUALITY then loses more (37.6 dB), so the
    difference cannot be seen in what is served.
    """
    size = _fit(image.size, longest)
    if size == image.size:
        return image.copy()
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=reducing_gap)


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to sRGB RGB; the embedded profile is used, then dropped with the rest."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
        except (ImageCms.PyCMSError, *_DECODE_ERRORS):
            # A broken or mismatched profile: keep the pixels as they are.
            logger.info("Ignoring an unusable ICC profile", exc_info=True)
        else:
            if converted is not None:
                image = converted
    return image if image.mode == "RGB" else image.convert("RGB")


def _jpeg_bytes(image: Image.Image) -> bytes:
    """Encode ``image`` as a baseline JPEG with no EXIF, XMP, ICC profile or comment.

    Baseline, not progressive: the same pixels (the quantisation is the
    same) at twice the speed, 9 ms against 20 for a 1600 px image here,
    about a fifth of the photo worker's time per photo, for 1 % more bytes.
    What is lost is the blurred preview a progressive JPEG shows while it
    loads. optimize (Huffman tables fitted to the picture) costs 4 ms and
    saves 12 %.
    """
    # Pillow falls back to image.info for some blocks (the comment): clear it
    # and pass every block empty, so nothing of the upload can slip through.
    image.info = {}
    buffer = io.BytesIO()
    image.save(
        buffer,
        "JPEG",
        quality=JPEG_QUALITY,
        progressive=False,
        optimize=True,
        exif=b"",
        comment=b"",
        icc_profile=None,
        xmp=b"",
    )
    return buffer.getvalue()
