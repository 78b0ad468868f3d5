"""The photo pipeline: what is refused, what is read, and that nothing private is served.

The memory tests process a photo in a fresh interpreter, whose peak RSS is that photo's
alone, and check that it keeps a worker within its budget.
"""

from __future__ import annotations

import functools
import io
import json
import os
import struct
import subprocess
import sys
import warnings
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageFile, JpegImagePlugin, PngImagePlugin
from PIL.TiffImagePlugin import IFDRational

from helpdesk.photo_errors import (
    PhotoFormatNotAllowed,
    PhotoNotAnImage,
    PhotoTooLarge,
    PhotoTooManyPixels,
)
from helpdesk.photos import (
    DECODE_BUDGET,
    GeoPoint,
    allowed_formats,
    photo_accept,
    photo_derive,
    photo_inspect,
    photo_process,
    photos_delete,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)
GREEN = (0, 255, 0)
WHITE = (255, 255, 255)
SECRET = b"reporter-secret-comment"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
)
REPO_ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def jpeg(
    image: Image.Image | None = None, *, exif: Image.Exif | None = None, **params: Any
) -> bytes:
    if image is None:
        image = Image.new("RGB", (64, 48), BLUE)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif if exif is not None else Image.Exif(), **params)
    return buffer.getvalue()


def gps_exif(lat: tuple[Any, ...], lat_ref: str, lon: tuple[Any, ...], lon_ref: str) -> Image.Exif:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
    gps[ExifTags.GPS.GPSLatitude] = lat
    gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
    gps[ExifTags.GPS.GPSLongitude] = lon
    return exif


def noisy(size: tuple[int, int]) -> Image.Image:
    """A picture that does not compress to nothing, like a real photo."""
    grey = Image.effect_noise(size, 60)
    vertical = Image.linear_gradient("L")
    horizontal = vertical.transpose(Image.Transpose.ROTATE_90)
    return Image.merge("RGB", (grey, vertical.resize(size), horizontal.resize(size)))


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path)


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every pixel decode; a refusal before decoding leaves the list empty."""
    calls: list[str] = []
    original = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        calls.append(self.format or "?")
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def is_close(pixel: object, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    """Whether a decoded JPEG pixel is ``colour`` give or take compression noise."""
    assert isinstance(pixel, tuple)
    return all(abs(int(got) - want) <= tolerance for got, want in zip(pixel, colour, strict=True))


def is_near(point: GeoPoint | None, lat: float, lon: float) -> bool:
    return point is not None and abs(point.lat - lat) < 1e-6 and abs(point.lon - lon) < 1e-6


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# JPEG markers a served image may hold: SOI, JFIF's APP0, quantisation and
# Huffman tables, restart interval, frame (baseline, extended, progressive),
# scan, restarts, EOI. No other APPn (EXIF, XMP, ICC, Photoshop), no comment.
_SERVED_MARKERS = {0xD8, 0xE0, 0xDB, 0xC4, 0xDD, 0xC0, 0xC1, 0xC2, 0xDA, 0xD9}
_STANDALONE = {0xD8, 0xD9, *range(0xD0, 0xD8)}


def jpeg_segments(raw: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Return the marker segments of a JPEG (marker, payload) and what follows its EOI.

    Entropy-coded scan data is skipped: compressed pixels may hold any bytes
    (even "GPS"), so only the segments can carry metadata.
    """
    assert raw[:2] == b"\xff\xd8"
    segments: list[tuple[int, bytes]] = []
    position = 0
    while True:
        assert raw[position] == 0xFF, f"no marker at {position}"
        while raw[position + 1] == 0xFF:  # fill bytes
            position += 1
        marker = raw[position + 1]
        position += 2
        if marker in _STANDALONE:
            segments.append((marker, b""))
            if marker == 0xD9:
                return segments, raw[position:]
            continue
        (length,) = struct.unpack(">H", raw[position : position + 2])
        segments.append((marker, raw[position + 2 : position + length]))
        position += length
        if marker == 0xDA:
            # Scan data ends at the first 0xFF not followed by 0x00 (a stuffed
            # byte) or a restart marker.
            while not (raw[position] == 0xFF and raw[position + 1] not in (0, *range(0xD0, 0xD8))):
                position += 1


def assert_no_metadata(raw: bytes) -> None:
    with Image.open(io.BytesIO(raw)) as image:
        assert image.format == "JPEG"
        assert image.mode == "RGB"
        assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "photoshop"}
        assert not image.getexif()
    segments, trailer = jpeg_segments(raw)
    assert trailer == b""
    for marker, payload in segments:
        assert marker in _SERVED_MARKERS, f"segment 0x{marker:02X}"
        if marker == 0xE0:
            assert payload.startswith(b"JFIF\x00")
            assert len(payload) == 14  # no thumbnail in it
        for secret in (b"Exif", b"http://ns.adobe.com/xap", b"ICC_PROFILE", SECRET, b"GPS"):
            assert secret not in payload


# --- What is read -------------------------------------------------------------


def test_exif_gps_is_read_with_hemisphere_refs() -> None:
    exif = gps_exif((21.0, 35.0, 24.0), "N", (105.0, 50.0, 12.0), "E")
    info = photo_inspect(data=jpeg(exif=exif))
    assert is_near(info.gps, 21.59, 105.836667)

    southwest = gps_exif((33.0, 52.0, 0.0), "S", (151.0, 12.0, 36.0), "W")
    info = photo_inspect(data=jpeg(exif=southwest))
    assert is_near(info.gps, -33.866667, -151.21)


def test_gps_zero_zero_means_no_location() -> None:
    exif = gps_exif((0.0, 0.0, 0.0), "N", (0.0, 0.0, 0.0), "E")
    assert photo_inspect(data=jpeg(exif=exif)).gps is None


@pytest.mark.parametrize(
    "exif",
    [
        pytest.param(
            gps_exif((IFDRational(21, 1), IFDRational(35, 0), 0.0), "N", (105.0, 0.0, 0.0), "E"),
            id="denominator-zero",
        ),
        pytest.param(gps_exif((200.0, 0.0, 0.0), "N", (105.0, 0.0, 0.0), "E"), id="lat-200"),
        pytest.param(gps_exif((21.0, 0.0, 0.0), "N", (190.0, 0.0, 0.0), "E"), id="lon-190"),
        pytest.param(gps_exif((21.0, 75.0, 0.0), "N", (105.0, 0.0, 0.0), "E"), id="minutes-75"),
        pytest.param(gps_exif((21.0, 0.0, 0.0), "X", (105.0, 0.0, 0.0), "E"), id="bad-ref"),
        pytest.param(gps_exif((21.0, 0.0), "N", (105.0, 0.0, 0.0), "E"), id="two-parts"),
    ],
)
def test_garbage_gps_means_no_location_not_an_error(exif: Image.Exif) -> None:
    assert photo_inspect(data=jpeg(exif=exif)).gps is None


def test_gps_without_longitude_means_no_location() -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 35.0, 24.0)
    assert photo_inspect(data=jpeg(exif=exif)).gps is None


def test_date_time_original_is_read_in_project_time_zone() -> None:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:02 08:15:30"
    info = photo_inspect(data=jpeg(exif=exif))
    # Asia/Ho_Chi_Minh is UTC+7.
    assert info.taken_at == datetime(2026, 11, 2, 1, 15, 30, tzinfo=UTC)


def test_date_time_original_uses_its_offset_when_present() -> None:
    exif = Image.Exif()
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2026:11:02 08:15:30"
    sub[0x9011] = "+09:00"  # OffsetTimeOriginal
    info = photo_inspect(data=jpeg(exif=exif))
    assert info.taken_at == datetime(2026, 11, 1, 23, 15, 30, tzinfo=UTC)


def test_blank_date_time_original_means_no_time() -> None:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "0000:00:00 00:00:00"
    assert photo_inspect(data=jpeg(exif=exif)).taken_at is None


def test_inspect_reports_displayed_size_and_format() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    info = photo_inspect(data=jpeg(Image.new("RGB", (64, 48)), exif=exif))
    assert (info.format, info.width, info.height) == ("JPEG", 48, 64)
    assert info.gps is None
    assert info.taken_at is None


def test_inspect_accepts_a_file_object() -> None:
    assert photo_inspect(data=io.BytesIO(jpeg())).format == "JPEG"


# --- What is served ---------------------------------------------------------


def test_exif_orientation_6_comes_out_rotated(storage: FileSystemStorage) -> None:
    # Stored landscape with a red block at the top left; orientation 6 means
    # "turn 90 degrees clockwise to view", which puts the block at the top right.
    image = Image.new("RGB", (400, 200), BLUE)
    image.paste(RED, (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6

    result = photo_process(data=jpeg(image, exif=exif, quality=95), storage=storage)

    assert (result.width, result.height) == (200, 400)
    with storage.open(result.display_name) as served, Image.open(served) as display:
        assert display.size == (200, 400)
        assert is_close(display.getpixel((150, 50)), RED)
        assert is_close(display.getpixel((50, 50)), BLUE)


def test_display_and_thumbnail_fit_their_longest_side(storage: FileSystemStorage) -> None:
    result = photo_process(data=jpeg(noisy((3000, 2000))), storage=storage)

    assert (result.width, result.height) == (1600, 1067)
    assert result.info.width == 3000
    with storage.open(result.display_name) as served, Image.open(served) as display:
        assert display.size == (1600, 1067)
    with storage.open(result.thumbnail_name) as served, Image.open(served) as thumbnail:
        assert thumbnail.size == (400, 267)


def test_small_photo_is_not_enlarged(storage: FileSystemStorage) -> None:
    result = photo_process(data=jpeg(Image.new("RGB", (300, 200), BLUE)), storage=storage)
    assert (result.width, result.height) == (300, 200)


def test_served_images_carry_no_metadata(storage: FileSystemStorage) -> None:
    exif = gps_exif((21.0, 35.0, 24.0), "N", (105.0, 50.0, 12.0), "E")
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:02 08:15:30"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = jpeg(noisy((800, 600)), exif=exif, icc_profile=icc, comment=SECRET, xmp=XMP)
    for marker in (b"Exif", b"http://ns.adobe.com/xap", b"ICC_PROFILE", SECRET):
        assert marker in upload  # the test photo really has every block

    result = photo_process(data=upload, storage=storage, keep_original=False)

    assert result.info.gps is not None  # read, then dropped from what is served
    for name in (result.display_name, result.thumbnail_name):
        with storage.open(name) as served:
            assert_no_metadata(served.read())


@functools.cache
def phone_original(orientation: int) -> bytes:
    """A 12 MP JPEG as a phone stores it: sensor-sized, grain, every metadata block.

    A red block at the top left of the stored pixels and a green one at the
    bottom right, to see where the orientation puts them.
    """
    image = noisy((4000, 3000))
    image.paste(RED, (0, 0, 800, 800))
    image.paste(GREEN, (3200, 2200, 4000, 3000))
    exif = gps_exif((21.0, 35.0, 24.0), "N", (105.0, 50.0, 12.0), "E")
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Model] = "PhoneMaker X"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return jpeg(image, exif=exif, icc_profile=icc, comment=SECRET, xmp=XMP, quality=90)


@pytest.mark.parametrize(
    ("orientation", "size", "red", "green"),
    [
        # Fractions of the served image's width and height where each block lands.
        (1, (1600, 1200), (0.1, 0.1), (0.9, 0.9)),
        (3, (1600, 1200), (0.9, 0.9), (0.1, 0.1)),
        (6, (1200, 1600), (0.9, 0.1), (0.1, 0.9)),
        (8, (1200, 1600), (0.1, 0.9), (0.9, 0.1)),
    ],
)
def test_12_mp_jpeg_decoded_at_half_scale_is_turned_upright_and_stripped(
    orientation: int,
    size: tuple[int, int],
    red: tuple[float, float],
    green: tuple[float, float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload = phone_original(orientation)
    with pytest.raises(AssertionError):
        assert_no_metadata(upload)  # the check can fail: the upload has every block
    decoded_sizes: list[tuple[int, int]] = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, *args: Any, **kwargs: Any) -> Any:
        result = draft(self, *args, **kwargs)
        decoded_sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    storage = InMemoryStorage()

    # In the worker's way: the original stored by the request, derived later.
    accepted = photo_accept(data=upload, storage=storage)
    decoded_sizes.clear()
    width, height = photo_derive(
        original_name=accepted.original_name or "",
        display_name=accepted.display_name,
        thumbnail_name=accepted.thumbnail_name,
        storage=storage,
    )

    assert decoded_sizes == [(2000, 1500)]  # libjpeg scaled in the DCT: 1/4 of the pixels
    assert (width, height) == (accepted.width, accepted.height) == size
    assert is_near(accepted.info.gps, 21.59, 105.836667)
    thumbnail_size = (size[0] // 4, size[1] // 4)
    for name, expected in (
        (accepted.display_name, size),
        (accepted.thumbnail_name, thumbnail_size),
    ):
        with storage.open(name) as served:
            raw = served.read()
        assert_no_metadata(raw)
        with Image.open(io.BytesIO(raw)) as image:
            assert image.size == expected
            for colour, (x, y) in ((RED, red), (GREEN, green)):
                assert is_close(
                    image.getpixel((int(x * expected[0]), int(y * expected[1]))), colour
                )


@pytest.mark.parametrize(
    ("upload_size", "thumbnail_size"),
    [((1600, 1201), (400, 300)), ((1599, 1000), (400, 250)), ((1000, 999), (400, 400))],
)
def test_thumbnail_has_the_size_of_its_longest_side_whatever_the_box_reduce_leaves(
    upload_size: tuple[int, int], thumbnail_size: tuple[int, int], storage: FileSystemStorage
) -> None:
    result = photo_process(data=jpeg(noisy(upload_size)), storage=storage)

    assert (result.width, result.height) == upload_size
    with storage.open(result.thumbnail_name) as served, Image.open(served) as thumbnail:
        assert thumbnail.size == thumbnail_size


def test_png_with_alpha_and_text_becomes_jpeg_on_white(storage: FileSystemStorage) -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (100, 0, 200, 100))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SECRET.decode())
    text.add_itxt("Author", "Nguyễn Văn A")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=text)

    result = photo_process(data=buffer.getvalue(), storage=storage)

    assert result.info.format == "PNG"
    with storage.open(result.display_name) as served:
        raw = served.read()
    assert_no_metadata(raw)
    assert "Nguyễn".encode() not in raw
    with Image.open(io.BytesIO(raw)) as display:
        assert is_close(display.getpixel((50, 50)), WHITE)
        assert is_close(display.getpixel((150, 50)), RED)


def test_palette_png_with_transparency_is_laid_on_white(storage: FileSystemStorage) -> None:
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)

    result = photo_process(data=buffer.getvalue(), storage=storage)

    with storage.open(result.display_name) as served, Image.open(served) as display:
        assert is_close(display.getpixel((20, 20)), WHITE)


def test_webp_is_accepted(storage: FileSystemStorage) -> None:
    buffer = io.BytesIO()
    noisy((500, 300)).save(buffer, "WEBP", exif=gps_exif((21.0, 0, 0), "N", (105.0, 0, 0), "E"))
    result = photo_process(data=buffer.getvalue(), storage=storage)
    assert result.info.format == "WebP"
    assert result.info.gps == GeoPoint(lat=21.0, lon=105.0)


def test_heic_is_accepted_with_its_location(storage: FileSystemStorage) -> None:
    assert "HEIC" in allowed_formats()  # also registers the plugin
    exif = gps_exif((21.0, 35.0, 24.0), "N", (105.0, 50.0, 12.0), "E")
    buffer = io.BytesIO()
    noisy((640, 480)).save(buffer, "HEIF", exif=exif.tobytes(), quality=70)

    result = photo_process(data=buffer.getvalue(), storage=storage, keep_original=True)

    assert result.info.format == "HEIC"
    assert is_near(result.info.gps, 21.59, 105.836667)
    assert result.original_name is not None
    assert result.original_name.endswith(".heic")
    with storage.open(result.display_name) as served:
        assert_no_metadata(served.read())


# --- Storage ------------------------------------------------------------------


def test_names_are_random_and_originals_kept_only_when_asked(
    storage: FileSystemStorage, tmp_path: Path, settings: Any
) -> None:
    upload = jpeg(exif=gps_exif((21.0, 0, 0), "N", (105.0, 0, 0), "E"))

    settings.REPORTS_KEEP_ORIGINALS = False
    first = photo_process(data=upload, storage=storage)
    settings.REPORTS_KEEP_ORIGINALS = True
    second = photo_process(data=upload, storage=storage)

    assert first.original_name is None
    assert second.original_name is not None
    assert second.original_name.startswith("originals/")
    with storage.open(second.original_name) as kept:
        assert kept.read() == upload  # the original is kept byte for byte
    assert first.display_name != second.display_name
    assert first.display_name.startswith("photos/")
    assert first.display_name.endswith(".jpg")
    assert first.sha256 == second.sha256
    assert len(stored_files(tmp_path)) == 5


def test_failed_write_deletes_what_was_already_written(tmp_path: Path) -> None:
    class ThumbnailFails(FileSystemStorage):
        def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
            if name and name.endswith("-thumb.jpg"):
                raise OSError("disk full")
            return super().save(name, content, max_length)

    storage = ThumbnailFails(location=tmp_path)
    with pytest.raises(OSError, match="disk full"):
        photo_process(data=jpeg(), storage=storage, keep_original=True)
    assert stored_files(tmp_path) == []


def test_photos_delete_removes_files_of_a_rolled_back_report(
    storage: FileSystemStorage, tmp_path: Path
) -> None:
    results = [photo_process(data=jpeg(), storage=storage, keep_original=True) for _ in range(2)]
    names = [name for r in results for name in (r.display_name, r.thumbnail_name, r.original_name)]

    photos_delete(names=[name for name in names if name], storage=storage)

    assert stored_files(tmp_path) == []


# --- What is refused ----------------------------------------------------------


def test_file_over_15_mb_is_refused_before_opening(no_decoding: list[str]) -> None:
    upload = b"\xff\xd8\xff\xe0" + bytes(20 * 1024 * 1024)
    with pytest.raises(PhotoTooLarge) as refused:
        photo_inspect(data=upload)
    assert refused.value.code == "photo_too_large"
    assert "15 MB" in str(refused.value.message)
    with pytest.raises(PhotoTooLarge):
        photo_inspect(data=io.BytesIO(upload))
    assert no_decoding == []


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((8_000, 8_000), id="64MP-over-our-cap"),
        pytest.param((10_000, 10_000), id="100MP-over-pillow-warning"),
    ],
)
def test_pixel_bomb_is_refused_before_decoding(
    size: tuple[int, int], no_decoding: list[str]
) -> None:
    # Millions of zero pixels compress to a few kilobytes; decoding 100 MP
    # would take 100 MB (400 MB as RGB). The header alone must refuse it.
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000

    with pytest.raises(PhotoTooManyPixels) as refused:
        photo_inspect(data=buffer.getvalue())

    assert refused.value.code == "photo_too_many_pixels"
    with translation.override("en"):
        assert "50 million" in str(refused.value.message)
    assert "50 triệu" in str(refused.value.message)  # Vietnamese by default
    assert no_decoding == []
    # The spy does see a decode when there is one.
    small = io.BytesIO()
    Image.new("1", (100, 100)).save(small, "PNG")
    photo_inspect(data=small.getvalue())
    assert set(no_decoding) == {"PNG"}


def test_pillow_bomb_warning_is_an_error_even_with_a_higher_cap(
    no_decoding: list[str],
) -> None:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    filters_before = list(warnings.filters)

    with pytest.raises(PhotoTooManyPixels):
        photo_inspect(data=buffer.getvalue(), max_pixels=500_000_000)

    assert no_decoding == []
    assert warnings.filters == filters_before  # global warning state is untouched


def test_text_file_named_jpg_is_not_an_image() -> None:
    with pytest.raises(PhotoNotAnImage) as refused:
        photo_inspect(data=b"Xin chao, day khong phai la anh.\n" * 20)
    assert refused.value.code == "photo_not_an_image"


def test_empty_upload_is_not_an_image() -> None:
    with pytest.raises(PhotoNotAnImage):
        photo_inspect(data=b"")


def test_truncated_jpeg_is_not_an_image(storage: FileSystemStorage, tmp_path: Path) -> None:
    whole = jpeg(noisy((800, 600)))
    with pytest.raises(PhotoNotAnImage):
        photo_inspect(data=whole[: len(whole) // 2])
    with pytest.raises(PhotoNotAnImage):
        photo_process(data=whole[: len(whole) // 2], storage=storage)
    assert stored_files(tmp_path) == []


def test_corrupt_jpeg_is_not_an_image() -> None:
    whole = jpeg(noisy((800, 600)))
    header_end = whole.index(b"\xff\xda")  # start of scan: keep the headers intact
    corrupt = whole[:header_end] + bytes(len(whole) - header_end)
    with pytest.raises(PhotoNotAnImage):
        photo_inspect(data=corrupt)


@pytest.mark.parametrize("format_", ["GIF", "BMP", "TIFF"])
def test_other_picture_formats_are_refused_by_name(format_: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), BLUE).save(buffer, format_)
    with pytest.raises(PhotoFormatNotAllowed) as refused:
        photo_inspect(data=buffer.getvalue())
    assert refused.value.code == "photo_format_not_allowed"
    assert refused.value.details["format"] == format_
    assert "JPEG" in str(refused.value.message)


# --- Memory -------------------------------------------------------------------

# PNG colour types and bit depths: (type, depth, Pillow's mode).
PNG_RGB = (2, 8, "RGB")
PNG_RGBA = (6, 8, "RGBA")
PNG_PALETTE = (3, 8, "P")
PNG_GREY_16 = (0, 16, "I;16")

# A worker idles at about 126 MB and must never pass about 300 MB. What one
# photo adds is DECODE_BUDGET (an estimate of the pixel buffers) and some
# slack for what it leaves out: the upload's bytes, the encoder, the allocator.
MAX_GROWTH = DECODE_BUDGET + 16 * MIB
MAX_PEAK = 300 * MIB

# Runs in a fresh interpreter, so that its peak RSS is this one photo's.
# VmHWM rather than ru_maxrss: Linux carries ru_maxrss over from the parent
# across fork and exec, so it would start at pytest's own peak.
PROCESS_ONE_PHOTO = """
import io, json, sys
import django
django.setup()
from django.core.files.storage import InMemoryStorage
from PIL import Image
from helpdesk.photo_errors import PhotoRejected
from helpdesk.photos import allowed_formats, photo_process

def peak():
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib * 1024

raw = sys.stdin.buffer.read()
# A small photo of the same format first: plugin imports are not the photo's cost.
allowed_formats()  # registers the HEIF plugin
small = io.BytesIO()
Image.new("RGB", (64, 48)).save(small, Image.open(io.BytesIO(raw)).format)
photo_process(data=small.getvalue(), storage=InMemoryStorage(), keep_original=False)
before = peak()
try:
    photo_process(data=raw, storage=InMemoryStorage(), keep_original=False)
    outcome = "processed"
except PhotoRejected as error:
    outcome = error.code
print(json.dumps({"outcome": outcome, "growth": peak() - before, "peak": peak()}))
"""


def one_colour_png(size: tuple[int, int], colour_type: int, bit_depth: int) -> bytes:
    """A PNG of one colour, written row by row: the picture itself is never in memory.

    Pillow would have to hold the whole picture to save it (196 MB for a
    7000x7000 RGB one), in this process. It compresses to a few hundred KB.
    """
    width, height = size
    channels = {0: 1, 2: 3, 3: 1, 6: 4}[colour_type]
    row = b"\x00" + b"\x80" * (width * channels * bit_depth // 8)  # filter type 0, then pixels
    compressor = zlib.compressobj()
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    greys = bytes(value for value in range(256) for _ in range(3))
    palette = png_chunk(b"PLTE", greys) if colour_type == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + palette
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def process_in_child(upload: bytes) -> dict[str, Any]:
    """Process ``upload`` in a fresh interpreter; return its outcome and peak RSS."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DJANGO_DEBUG": "true"}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", PROCESS_ONE_PHOTO],
        input=upload,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    measured: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return measured


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="peak RSS is read from /proc (Linux)"
)


def test_one_colour_png_is_what_it_claims() -> None:
    """Control for the tests below: the hand-written PNG opens as a 7000x7000 picture."""
    for colour_type, bit_depth, mode in (PNG_RGB, PNG_RGBA, PNG_PALETTE, PNG_GREY_16):
        upload = one_colour_png((7000, 7000), colour_type, bit_depth)
        assert len(upload) < 1_000_000
        with Image.open(io.BytesIO(upload)) as image:
            assert (image.format, image.mode, image.size) == ("PNG", mode, (7000, 7000))


@needs_proc
@pytest.mark.parametrize(
    ("png", "outcome"),
    [
        # 4 bytes a pixel in Pillow: 196 MB decoded, over the budget.
        pytest.param(PNG_RGB, "photo_too_many_pixels", id="rgb-refused"),
        pytest.param(PNG_RGBA, "photo_too_many_pixels", id="rgba-refused"),
        # 1 and 2 bytes a pixel: 49 and 98 MB decoded, flattened a band at a time.
        pytest.param(PNG_PALETTE, "processed", id="palette-processed"),
        pytest.param(PNG_GREY_16, "processed", id="grey-16-bit-processed"),
    ],
)
def test_7000_square_png_stays_within_the_memory_budget(
    png: tuple[int, int, str], outcome: str
) -> None:
    colour_type, bit_depth, _mode = png
    measured = process_in_child(one_colour_png((7000, 7000), colour_type, bit_depth))

    assert measured["outcome"] == outcome
    assert measured["growth"] <= MAX_GROWTH, f"{measured['growth'] / MIB:.0f} MiB"
    assert measured["peak"] <= MAX_PEAK, f"{measured['peak'] / MIB:.0f} MiB"


def phone_jpeg() -> bytes:
    return jpeg(noisy((4000, 3000)), quality=92)


def phone_heic() -> bytes:
    assert "HEIC" in allowed_formats()  # also registers the plugin
    buffer = io.BytesIO()
    # One colour at x265's fastest: encoding 12 MP of noise takes half a minute.
    image = Image.new("RGB", (4032, 3024), BLUE)
    image.save(buffer, "HEIF", quality=30, enc_params={"preset": "ultrafast"})
    return buffer.getvalue()


def phone_webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), BLUE).save(buffer, "WEBP", method=0)
    return buffer.getvalue()


@needs_proc
@pytest.mark.parametrize(
    ("photo", "outcome"),
    [
        # Decoded at 1/2 scale (draft).
        pytest.param(phone_jpeg, "processed", id="jpeg-processed"),
        # The default of iPhones: decoded whole, 9 bytes a pixel at the peak.
        pytest.param(
            phone_heic,
            "processed",
            id="heic-processed",
        ),
        # libwebp and Pillow hold 16 bytes a pixel: 192 MB, over the budget.
        pytest.param(phone_webp, "photo_too_many_pixels", id="webp-refused"),
    ],
)
def test_12_mp_phone_photo_stays_within_the_memory_budget(
    photo: Callable[[], bytes], outcome: str
) -> None:
    measured = process_in_child(photo())

    assert measured["outcome"] == outcome
    assert measured["growth"] <= MAX_GROWTH, f"{measured['growth'] / MIB:.0f} MiB"
    assert measured["peak"] <= MAX_PEAK, f"{measured['peak'] / MIB:.0f} MiB"


def test_png_over_the_memory_budget_is_refused_before_decoding(
    no_decoding: list[str], storage: FileSystemStorage, tmp_path: Path
) -> None:
    colour_type, bit_depth, _mode = PNG_RGB
    upload = one_colour_png((7000, 7000), colour_type, bit_depth)  # 49 MP: under the cap

    with pytest.raises(PhotoTooManyPixels) as refused:
        photo_process(data=upload, storage=storage)

    assert no_decoding == []
    assert stored_files(tmp_path) == []
    assert refused.value.code == "photo_too_many_pixels"
    assert refused.value.details == {
        "max_pixels": 50_000_000,
        "width": 7000,
        "height": 7000,
        "format": "PNG",
    }
    with translation.override("en"):
        assert "This PNG photo has too many pixels" in str(refused.value.message)
        assert "as a JPEG" in str(refused.value.message)
    assert "Ảnh PNG này có quá nhiều điểm ảnh" in str(refused.value.message)


def test_12_mp_png_goes_through_with_or_without_alpha(storage: FileSystemStorage) -> None:
    for colour_type, bit_depth, _mode in (PNG_RGB, PNG_RGBA):
        upload = one_colour_png((4000, 3000), colour_type, bit_depth)
        result = photo_process(data=upload, storage=storage)
        assert (result.width, result.height) == (1600, 1200)


def test_progressive_jpeg_counts_its_full_size_coefficients(storage: FileSystemStorage) -> None:
    # Draft shrinks what libjpeg outputs, not the coefficients a progressive
    # JPEG is refined in: 3200x2400 at 4:4:4 holds 46 MB of them. Decoded at
    # half scale, the baseline one needs about 23 MB.
    image = noisy((3200, 2400))
    baseline = jpeg(image, subsampling=0)
    progressive = jpeg(image, subsampling=0, progressive=True)
    # A smaller budget, as a caller may pass one, keeps the test images small.
    budget = 35_000_000

    assert photo_process(data=baseline, storage=storage, decode_budget=budget).width == 1600
    with pytest.raises(PhotoTooManyPixels) as refused:
        photo_process(data=progressive, storage=storage, decode_budget=budget)

    assert refused.value.details["format"] == "JPEG"
    with translation.override("en"):
        assert "as a JPEG" not in str(refused.value.message)
