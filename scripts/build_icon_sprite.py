"""Build static/icons.svg, the one sprite of every icon the pages draw.

The icons are Lucide's (ISC licence, https://lucide.dev), drawn in the text
colour with strokes, so they show on any phone that draws SVG: emoji, which
older phones draw as empty boxes, are not used. Usage, after
`npm pack lucide-static@1.62.0 && tar xzf lucide-static-1.62.0.tgz`:

    .venv/bin/python scripts/build_icon_sprite.py package/icons

Our names (helpdesk/icons.py and the templates) map to Lucide's below; a
service's icon is one of these names.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LUCIDE = {
    # Services (helpdesk.icons.SERVICE_ICONS)
    "road": "construction",
    "trash": "trash-2",
    "streetlight": "lightbulb-off",
    "tree": "tree-deciduous",
    "flood": "waves",
    "water": "droplet",
    "dumping": "ban",
    "megaphone": "megaphone",
    "id-card": "id-card",
    "computer": "monitor",
    "baby": "baby",
    "payment": "credit-card",
    "warning": "triangle-alert",
    "question": "circle-help",
    # "Other problem": not the megaphone, which is public order's.
    "speech-alert": "message-square-warning",
    # Pages
    "camera": "camera",
    "message": "message-circle",
    "folder": "folder-open",
    "map": "map",
    "pin": "map-pin",
    "bell": "bell",
    "menu": "menu",
    "language": "languages",
    "log-in": "log-in",
    "log-out": "log-out",
    "home": "house",
    "queue": "list-checks",
    "chart": "chart-column",
    "audit": "scroll-text",
    "check": "circle-check",
    "smile": "smile",
    "hand": "hand",
    "users": "users",
    # Voice notes (templates/_voice.html)
    "mic": "mic",
    # Case statuses (core/templatetags/status.py), one shape each so that
    # they are told apart without colour or words.
    "status-new": "inbox",
    "status-transferred": "arrow-right-left",
    "status-accepted": "clipboard-check",
    "status-in-progress": "hammer",
    "status-resolved": "circle-check",
    "status-closed": "lock",
    "status-rejected": "circle-x",
    "status-duplicate": "copy",
}
HEADER = (
    '<svg xmlns="http://www.w3.org/2000/svg">\n'
    "<!-- Icons: Lucide 1.62.0 (https://lucide.dev), ISC licence, (c) Lucide Icons and"
    " Contributors. Built by scripts/build_icon_sprite.py. -->\n"
)
SYMBOL = (
    '<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor"'
    ' stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{body}</symbol>\n'
)


def main(source: Path, target: Path) -> None:
    out = [HEADER]
    for name, lucide in LUCIDE.items():
        svg = (source / f"{lucide}.svg").read_text()
        body = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S)
        assert body is not None, lucide
        out.append(SYMBOL.format(name=name, body=" ".join(body.group(1).split())))
    out.append("</svg>\n")
    target.write_text("".join(out))
    print(f"{target}: {len(LUCIDE)} icons, {target.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parents[1] / "static" / "icons.svg")
