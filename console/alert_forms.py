"""The form an officer publishes an alert with; alerts.services decides."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import Category
from alerts.selectors import AreaChoice
from alerts.services import AlertDraft
from core.multiline import Textarea
from helpdesk.idempotency_field import IdempotencyKeyField


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class AlertForm(forms.Form):
    # Chosen, never taken by default: the first one, a scam warning, went out
    # on a power-cut notice left untouched (a walk).
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("— Choose a category —")), *Category.choices],
        error_messages={"required": _("Choose what kind of alert this is.")},
    )
    area = forms.ChoiceField(label=_("Area"))
    villages = forms.CharField(
        label=_("Villages (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Only these villages of the commune, separated by commas."),
    )
    short_text = forms.CharField(
        label=_("Text for SMS"),
        max_length=160,
        # Described by its help and by the count under it (alert_new.html's
        # #sms-count), with or without the counter's script.
        widget=Textarea(attrs={"rows": 2, "aria-describedby": "id_short_text_helptext sms-count"}),
        help_text=_("One SMS: 160 characters without Vietnamese marks, 70 with them."),
    )
    long_text = forms.CharField(
        label=_("Text for the page"), max_length=4000, widget=Textarea(attrs={"rows": 6})
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"), widget=DateTimeInput(format="%Y-%m-%dT%H:%M")
    )
    # "Publish" pressed twice sends the alert to the area once.
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args: Any, areas: list[AreaChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [(a.value, a.label) for a in areas]

    @staticmethod
    def initial_from(query: Any) -> dict[str, object]:
        """Prefill from ?category=&text= (the scam check links here with a confirmed scam)."""
        initial: dict[str, object] = {
            "expires_at": timezone.localtime(timezone.now() + timedelta(days=1)).replace(
                second=0, microsecond=0
            )
        }
        if query.get("category") in Category.values:
            initial["category"] = query["category"]
        text = str(query.get("text", ""))[:4000]
        if text:
            initial["long_text"] = text
            initial["short_text"] = text[:160]
        return initial

    def draft(self) -> AlertDraft:
        data = self.cleaned_data
        kind, _sep, unit_id = str(data["area"]).partition(":")
        expires: datetime = data["expires_at"]
        return AlertDraft(
            category=data["category"],
            province_id=int(unit_id) if kind == "province" else None,
            commune_id=int(unit_id) if kind == "commune" else None,
            villages=tuple(data["villages"].split(",")),
            short_text=data["short_text"],
            long_text=data["long_text"],
            expires_at=expires,
        )
