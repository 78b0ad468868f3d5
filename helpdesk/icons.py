"""The icons a service can have: names of symbols in static/icons.svg.

Pages draw them as inline SVG (``{% icon %}``, core/templatetags/icons.py):
emoji, which the catalogue used before, are drawn as empty boxes by many
older phones. The API still sends the emoji as ``icon`` for clients written
before (deprecated) and the name as ``icon_name``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceIcon(models.TextChoices):
    ROAD = "road", _("Road works")
    TRASH = "trash", _("Rubbish bin")
    STREETLIGHT = "streetlight", _("Light bulb")
    TREE = "tree", _("Tree")
    FLOOD = "flood", _("Water waves")
    WATER = "water", _("Water drop")
    DUMPING = "dumping", _("Forbidden sign")
    MEGAPHONE = "megaphone", _("Megaphone")
    ID_CARD = "id-card", _("Identity card")
    COMPUTER = "computer", _("Computer")
    BABY = "baby", _("Baby")
    PAYMENT = "payment", _("Bank card")
    WARNING = "warning", _("Warning sign")
    QUESTION = "question", _("Question mark")
    # "Other problem" (report_other) shared the megaphone with "Public-order
    # concern": two tiles alike on the report page for people who go by the picture.
    SPEECH_ALERT = "speech-alert", _("Speech bubble with exclamation mark")


# The emoji each icon replaced, still sent as the API's deprecated ``icon``.
EMOJI: dict[str, str] = {
    ServiceIcon.ROAD: "🛣️",
    ServiceIcon.TRASH: "🗑️",
    ServiceIcon.STREETLIGHT: "💡",
    ServiceIcon.TREE: "🌳",
    ServiceIcon.FLOOD: "🌊",
    ServiceIcon.WATER: "🚰",
    ServiceIcon.DUMPING: "🚯",
    ServiceIcon.MEGAPHONE: "📢",
    ServiceIcon.ID_CARD: "🪪",
    ServiceIcon.COMPUTER: "🖥️",
    ServiceIcon.BABY: "👶",
    ServiceIcon.PAYMENT: "💳",
    ServiceIcon.WARNING: "⚠️",
    ServiceIcon.QUESTION: "❓",
    ServiceIcon.SPEECH_ALERT: "💬",
}
# A service without an icon is drawn with this one.
DEFAULT = ServiceIcon.QUESTION


def icon_emoji(name: str) -> str:
    """The emoji the API sent as ``icon`` before icons had names."""
    return EMOJI.get(name, "")
