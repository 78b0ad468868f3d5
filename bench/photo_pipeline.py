"""Time the photo pipeline on a realistic 12 MP JPEG, with and without draft decoding.

    .venv/bin/python bench/photo_pipeline.py [--runs N]

Each variant runs in its own process so that its peak RSS is its own. The
photo is generated (noise over gradients, so it compresses like a real one,
about 4 MB) and carries EXIF orientation 6 and GPS, as phone photos do.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZE = (4000, 3000)
VARIANTS = ("inspect", "process", "render-draft", "render-no-draft")


def make_photo() -> bytes:
    from PIL import ExifTags, Image, ImageFilter

    gradient = Image.linear_gradient("L").resize(SIZE)
    bands = [Image.blend(Image.effect_noise(SIZE, 35), gradient, 0.5) for _ in range(3)]
    # A slight blur, as a phone lens and its noise reduction give.
    photo = Image.merge("RGB", bands).filter(ImageFilter.GaussianBlur(0.6))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 35.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 50.0, 12.0)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def run_variant(variant: str, path: Path, runs: int) -> None:
    from django.conf import settings

    settings.configure()
    from django.core.files.storage import InMemoryStorage

    from helpdesk import photos

    raw = path.read_bytes()
    storage = InMemoryStorage()

    def once() -> None:
        if variant == "inspect":
            photos.photo_inspect(data=raw)
        elif variant == "process":
            photos.photo_process(data=raw, storage=storage, keep_original=False)
        else:
            display, thumbnail, _info = photos._render(
                raw, max_pixels=photos.MAX_PIXELS, use_draft=variant == "render-draft"
            )
            photos._jpeg_bytes(display)
            photos._jpeg_bytes(thumbnail)

    once()  # warm up: plugin imports, allocator
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        timings.append((time.perf_counter() - start) * 1000)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{variant:15} median {statistics.median(timings):6.1f} ms  "
        f"min {min(timings):6.1f} ms  peak RSS {peak_mib:6.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--photo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.make:
        args.make.write_bytes(make_photo())
        return
    if args.variant:
        run_variant(args.variant, args.photo, args.runs)
        return

    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "photo.jpg"
        # Children inherit the peak RSS of their parent: keep this one small.
        subprocess.run([sys.executable, __file__, "--make", str(path)], check=True)
        megabytes = path.stat().st_size / 1024 / 1024
        print(f"{SIZE[0]}x{SIZE[1]} JPEG, {megabytes:.1f} MB, {args.runs} runs each")
        print("(process: draft decode, resize, encode, write to InMemoryStorage;")
        print(" render: the same without storage and hashing, with or without draft)")
        for variant in VARIANTS:
            command = [sys.executable, __file__, "--variant", variant, "--photo", str(path)]
            subprocess.run([*command, "--runs", str(args.runs)], check=True)


if __name__ == "__main__":
    main()
