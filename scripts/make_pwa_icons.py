"""Draw the app icons once (static/pwa/*.png); they are committed, so this runs
only when the design changes: `.venv/bin/python scripts/make_pwa_icons.py`."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "pwa"
GREEN = (21, 101, 72)  # the theme colour of the manifest
WHITE = (255, 255, 255)
YELLOW = (255, 205, 60)


def draw(size: int, *, maskable: bool) -> Image.Image:
    """A map pin over a speech bubble: "a place, and someone answers"."""
    image = Image.new("RGB", (size, size), GREEN)
    pen = ImageDraw.Draw(image)
    # Maskable icons may be cut to a circle of 80 % of the side: keep the
    # drawing inside that safe zone; plain icons use more of the square.
    box = size * (0.56 if maskable else 0.72)
    left, top = (size - box) / 2, (size - box) / 2
    bubble = (left, top, left + box, top + box * 0.78)
    pen.rounded_rectangle(bubble, radius=box * 0.16, fill=WHITE)
    pen.polygon(
        [
            (left + box * 0.22, top + box * 0.74),
            (left + box * 0.22, top + box),
            (left + box * 0.48, top + box * 0.74),
        ],
        fill=WHITE,
    )
    cx, cy, r = left + box / 2, top + box * 0.34, box * 0.2
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=YELLOW)
    pen.polygon(
        [(cx - r * 0.87, cy + r * 0.5), (cx + r * 0.87, cy + r * 0.5), (cx, cy + r * 2)],
        fill=YELLOW,
    )
    pen.ellipse((cx - r * 0.4, cy - r * 0.4, cx + r * 0.4, cy + r * 0.4), fill=GREEN)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
