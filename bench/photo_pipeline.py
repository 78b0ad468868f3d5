"""CPU time a photo costs, in the request and in the photo worker, for 1600 px and 12 MP JPEGs.

    .venv/bin/python bench/photo_pipeline.py [--runs N] [--photo 1600 12mp]
        [--baseline DIR] [--quality]

Per photo size, each variant runs in its own process (so that its peak RSS
is its own) and prints the median CPU time (``time.process_time``: on a
shared machine far steadier than wall-clock, which is printed too) of
``--runs`` runs after one warm-up run:

- accept: what the request does (helpdesk.photos.photo_accept: header checks,
  EXIF, hash, the original written to an InMemoryStorage);
- derive: what the photo worker does per photo (photo_derive: read the
  original from storage, decode, resize, strip, write display image and
  thumbnail), without the database;
- process: both in the request (XADESK_PHOTO_PROCESSING=request);
- render-no-draft: derive's pixel work with full-size decoding, for scale.

``--baseline DIR`` measures the same variants in another copy of the project
too (``git archive <commit> | tar -x -C DIR``), alternating the two round by
round so that both see the same load; ``--quality`` prints how far the
served images are (PSNR) from a Lanczos resampling of the full-size decode,
and what the JPEG encoding alone loses. The photos are generated like
bench/intake.py's (shapes, sensor-like grain, so they compress like real
ones), with EXIF orientation 6 and GPS, as phone photos have.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1600": (1600, 1200), "12mp": (4000, 3000)}
VARIANTS = ("accept", "derive", "process", "render-no-draft")


def make_photo(size: tuple[int, int], seed: int = 1) -> bytes:
    from PIL import ExifTags, Image, ImageDraw

    rng = random.Random(seed)
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse(
            (x, y, x + rng.randrange(50, width // 3), y + rng.randrange(50, height // 3)), colour
        )
    grain = Image.merge("RGB", [Image.effect_noise(size, 24) for _ in range(3)])
    photo = Image.blend(base, grain, 0.18)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = "Galaxy A15 of Nguyễn Văn Bench"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 35.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 50.0, 12.0)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def run_variant(variant: str, path: Path, runs: int, root: Path) -> None:
    """Time ``variant`` on the photo at ``path`` with the project at ``root``; print one line."""
    sys.path.insert(0, str(root))
    from django.conf import settings

    settings.configure()
    from django.core.files.base import ContentFile
    from django.core.files.storage import InMemoryStorage

    from helpdesk import photos

    raw = path.read_bytes()
    storage = InMemoryStorage()
    original = storage.save("originals/bench.jpg", ContentFile(raw))

    def once() -> None:
        if variant == "accept":
            photos.photo_accept(data=raw, storage=storage)
        elif variant == "derive":
            photos.photo_derive(
                original_name=original,
                display_name="photos/bench.jpg",
                thumbnail_name="photos/bench-thumb.jpg",
                storage=storage,
            )
        elif variant == "process":
            photos.photo_process(data=raw, storage=storage, keep_original=False)
        else:
            display, thumbnail, _info = photos._render(
                raw, max_pixels=photos.MAX_PIXELS, use_draft=False
            )
            photos._jpeg_bytes(display)
            photos._jpeg_bytes(thumbnail)

    once()  # warm up: plugin imports, allocator
    cpu, wall = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        once()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"    {variant:15} CPU median {statistics.median(cpu):6.1f} ms  min {min(cpu):6.1f}  "
        f"wall median {statistics.median(wall):6.1f} ms  peak RSS {peak_mib:6.1f} MiB",
        flush=True,
    )


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two RGB images of one size, in dB."""
    from PIL import ImageChops, ImageStat

    squares = sum(ImageStat.Stat(ImageChops.difference(a, b)).sum2)
    mse = squares / (a.width * a.height * 3)
    return 10 * math.log10(255 * 255 / mse) if mse else math.inf


def print_quality(path: Path, root: Path) -> None:
    """Print the PSNR of the served images against Lanczos from the full-size decode."""
    sys.path.insert(0, str(root))
    from django.conf import settings

    settings.configure()
    from PIL import Image

    from helpdesk import photos

    raw = path.read_bytes()
    display, thumbnail, _info = photos._render(raw, max_pixels=photos.MAX_PIXELS, use_draft=True)
    with Image.open(io.BytesIO(raw)) as full:
        full.load()
        upright = full.transpose(Image.Transpose.ROTATE_270)
    reference = upright.resize(display.size, Image.Resampling.LANCZOS)
    reference_thumb = upright.resize(thumbnail.size, Image.Resampling.LANCZOS)
    served = Image.open(io.BytesIO(photos._jpeg_bytes(display.copy()))).convert("RGB")
    figures = [psnr(display, reference), psnr(thumbnail, reference_thumb), psnr(served, display)]
    shown = ["identical" if math.isinf(value) else f"{value:.1f} dB" for value in figures]
    print(
        f"    quality: display {shown[0]}, thumbnail {shown[1]} against Lanczos from the "
        f"full decode; the JPEG encoding of the display image alone {shown[2]}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--photo", choices=sorted(SIZES), nargs="+", default=["1600", "12mp"])
    parser.add_argument("--variants", choices=VARIANTS, nargs="+", default=list(VARIANTS))
    parser.add_argument("--rounds", type=int, default=1, help="with --baseline: alternations")
    parser.add_argument("--baseline", type=Path, help="another copy of the project to compare")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--variant", choices=(*VARIANTS, "quality"), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--make", choices=sorted(SIZES), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.make:
        args.path.write_bytes(make_photo(SIZES[args.make]))
        return
    if args.variant == "quality":
        print_quality(args.path, args.root)
        return
    if args.variant:
        run_variant(args.variant, args.path, args.runs, args.root)
        return

    trees = [("this tree", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    with tempfile.TemporaryDirectory() as directory:
        for kind in args.photo:
            path = Path(directory) / f"{kind}.jpg"
            # Children inherit the peak RSS of their parent: keep this one small.
            subprocess.run(
                [sys.executable, __file__, "--make", kind, "--path", str(path)], check=True
            )
            width, height = SIZES[kind]
            print(
                f"{kind}: {width}x{height} JPEG, {path.stat().st_size / 1024:.0f} KiB, "
                f"EXIF orientation 6 + GPS; {args.runs} runs after 1 warm-up, CPU = process_time",
                flush=True,
            )
            for round_ in range(args.rounds if args.baseline else 1):
                for label, root in trees if round_ % 2 == 0 else trees[::-1]:
                    print(f"  {label} ({root}), round {round_ + 1}", flush=True)
                    child = [sys.executable, __file__, "--path", str(path), "--root", str(root)]
                    for variant in args.variants:
                        subprocess.run(
                            [*child, "--variant", variant, "--runs", str(args.runs)], check=True
                        )
                    if args.quality:
                        subprocess.run([*child, "--variant", "quality"], check=True)


if __name__ == "__main__":
    main()
