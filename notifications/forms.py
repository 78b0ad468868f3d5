"""The preferences form: it parses what was typed; the rules are in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


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
    quiet_start = forms.TimeField(label=_("No SMS from"), widget=TIME_WIDGET)
    quiet_end = forms.TimeField(label=_("until"), widget=TIME_WIDGET)
    daily_digest = forms.BooleanField(
        label=_("One email a day instead of one per update"), required=False
    )

    def __init__(self, *args: Any, offer_digest: bool, offer_email: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not offer_digest:
            del self.fields["daily_digest"]
        if not offer_email:
            # No address to write to (residents log in with their phone): a
            # ticked "By email" promised what never came (a helper on a phone).
            del self.fields["email_enabled"]
