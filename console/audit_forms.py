"""The audit page's filters: who, which action, which days."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.selectors import AuditFilter


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From date"), required=False, widget=DateInput)
    until = forms.DateField(label=_("To date"), required=False, widget=DateInput)

    def __init__(self, *args: Any, actors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = ("", _("All"))
        actor = self.fields["actor"]
        assert isinstance(actor, forms.ChoiceField)
        actor.choices = [every, *actors]
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [every, *AuditAction.choices]

    def audit_filter(self) -> AuditFilter:
        """The filter from the valid fields; an invalid field is simply not applied."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AuditFilter(
            actor_id=data.get("actor") or None,
            action=data.get("action") or None,
            since=data.get("since"),
            until=data.get("until"),
        )
