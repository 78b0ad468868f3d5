"""``form|error_items``: a bound form's refusals for templates/_error_summary.html
(core/form_errors.py), for a page whose view passes only the form."""

from __future__ import annotations

from django import forms, template

from core import form_errors

register = template.Library()


@register.filter
def error_items(form: forms.BaseForm) -> list[form_errors.ErrorItem]:
    return form_errors.error_items(form)
