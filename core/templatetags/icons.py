"""``{% icon "name" %}``: a symbol of static/icons.svg as inline SVG.

Icons are decoration next to a text that says the same, so they are hidden
from screen readers; the text carries the meaning. The sprite is one cached
file, so a page with twenty icons costs no more requests than one with one.
"""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "icons.svg"


@functools.cache
def sprite_url() -> str:
    """The sprite's URL, looked up once per process.

    static() asks the storage each time (the manifest's hashed name): ~35 us,
    and the public map page draws about a hundred icons (cProfile,
    bench/queue_scale.py). The name only changes with the settings below.
    """
    return static(SPRITE)


@receiver(setting_changed)
def _static_settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES"):
        sprite_url.cache_clear()


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    classes = f"icon {css_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false" width="24" height="24">'
        '<use href="{}#{}"></use></svg>',
        classes,
        sprite_url(),
        name or "question",
    )
