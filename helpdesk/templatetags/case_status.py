"""``{% case_status status %}``: a case's status as an icon, a colour and words.

For residents who read little: each status has its own shape (static/icons.svg)
and colour, so a case is followed at a glance; the words stay beside them for
screen readers and for those who read. Colour is never the only sign (the
shapes differ), as people who cannot tell red from green need.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.templatetags.icons import icon
from helpdesk.models import TicketStatus


class StatusLook(NamedTuple):
    icon: str
    # A class of static/css/xadesk.css: the colour family of the status.
    tone: str


S = TicketStatus
# Waiting (blue), being handled (amber), done (green), stopped (grey or red).
STATUS_LOOKS: Final[dict[str, StatusLook]] = {
    S.NEW: StatusLook("status-new", "tone-waiting"),
    S.TRANSFERRED: StatusLook("status-transferred", "tone-waiting"),
    S.ACCEPTED: StatusLook("status-accepted", "tone-working"),
    S.IN_PROGRESS: StatusLook("status-in-progress", "tone-working"),
    S.RESOLVED: StatusLook("status-resolved", "tone-done"),
    S.CLOSED: StatusLook("status-closed", "tone-closed"),
    S.REJECTED: StatusLook("status-rejected", "tone-refused"),
    S.DUPLICATE: StatusLook("status-duplicate", "tone-closed"),
}

register = template.Library()


@register.simple_tag
def case_status(status: str, css_class: str = "") -> SafeString:
    """The badge of ``status`` (a TicketStatus value); an unknown one shows as words."""
    look = STATUS_LOOKS.get(status, StatusLook("question", "tone-closed"))
    try:
        label = str(TicketStatus(status).label)
    except ValueError:
        label = status
    classes = f"status {look.tone} s-{status} {css_class}".strip()
    return format_html(
        '<span class="{}" data-status="{}">{}<span class="status-label">{}</span></span>',
        classes,
        status,
        icon(look.icon),
        label,
    )
