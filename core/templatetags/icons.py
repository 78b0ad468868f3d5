"""``{% icon "name" %}``: a symbol of static/icons.svg as inline SVG.

Icons are decoration next to a text that says the same, so they are hidden
from screen readers; the text carries the meaning. The sprite is one cached
file, so a page with twenty icons costs no more requests than one with one.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "icons.svg"


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    classes = f"icon {css_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false" width="24" height="24">'
        '<use href="{}#{}"></use></svg>',
        classes,
        static(SPRITE),
        name or "question",
    )
