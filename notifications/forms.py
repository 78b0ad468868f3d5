"""The preferences form: it parses what was typed; the rules are in the service."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

# Whole hours, written 24-hour ("21:00") whatever the phone's settings: an
# <input type="time"> showed "09:00 PM" on a Vietnamese page (Chrome on a phone
# follows the phone, not the page), and a farmer picks an hour, not a minute.
HOURS: list[tuple[str, str]] = [(f"{hour:02d}:00", f"{hour:02d}:00") for hour in range(24)]


def _clock(value: object) -> str | None:
    """``value`` as "HH:MM" (with seconds only if it has some) if it is a time of
    day, a saved one or a posted one; else None."""
    if isinstance(value, str):
        # Read as the field reads it (its input formats, a fraction included):
        # what it refuses is said there, not shown here.
        try:
            value = forms.TimeField().to_python(value)
        except forms.ValidationError:
            return None
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return None


class HourSelect(forms.Select):
    """A <select> of the day's whole hours for a TimeField.

    The field still parses and stores a time as before (an off-hour time
    saved through the API, 06:30, is offered as one more option, so saving
    this page keeps it rather than moving it to an hour).
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=HOURS)

    def format_value(self, value: Any) -> list[str]:
        clock = _clock(value)
        return [clock] if clock is not None else []

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> Any:
        extra = [(v, v) for v in value if v not in dict(HOURS)]
        self.choices = sorted([*HOURS, *extra]) if extra else HOURS
        return super().optgroups(name, value, attrs)


# Each language named in itself, as the header's button names it: a person
# who cannot read the page's language still finds their own.
LANGUAGES: list[tuple[str, str]] = [
    (User.Language.VIETNAMESE, "Tiếng Việt"),
    (User.Language.ENGLISH, "English"),
]


class NotificationPreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("By email"), required=False)
    sms_enabled = forms.BooleanField(label=_("By SMS"), required=False)
    zalo_enabled = forms.BooleanField(label=_("On Zalo"), required=False)
    zalo_user_id = forms.CharField(
        label=_("Zalo follower id"),
        max_length=64,
        required=False,
        help_text=_("Needed for Zalo: the id our Official Account knows you by."),
    )
    quiet_start = forms.TimeField(label=_("No SMS from"), widget=HourSelect)
    quiet_end = forms.TimeField(label=_("until"), widget=HourSelect)
    daily_digest = forms.BooleanField(
        label=_("One email a day instead of one per update"), required=False
    )
    # Not required: a form posted without it (an older page, a script) keeps
    # the saved language, as a field not offered does (notifications/views.py).
    language = forms.ChoiceField(
        label=_("Language"),
        choices=LANGUAGES,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "New messages come in this language (here, by SMS, on Zalo), and so does this site."
        ),
    )

    def __init__(
        self,
        *args: Any,
        offer_digest: bool,
        offer_email: bool,
        offer_zalo: bool = True,
        offer_zalo_id: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not offer_zalo_id:
            # A resident cannot know their follower id (Zalo never shows it):
            # they link by sending the OA a code (notifications/zalo_link.py).
            del self.fields["zalo_user_id"]
        if not offer_zalo:
            # Not linked yet: a tick could not bring any message.
            del self.fields["zalo_enabled"]
        if not offer_digest:
            del self.fields["daily_digest"]
        if not offer_email:
            # No address to write to (residents log in with their phone): a
            # ticked "By email" promised what never came (a helper on a phone).
            del self.fields["email_enabled"]
