"""The hidden form field that carries a submission's idempotency key.

A page's form gets a fresh key each time it is shown, and sends it back with
every press of its button: a second press, or the browser sending the form
again after a dropped connection, gets the first reply back from the case
core (helpdesk/idempotency.py) instead of posting it twice. The filing forms
(reports/forms.py), the reply forms of the resident's page and of the officer
console, and the alert form use it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import QueryDict

from helpdesk.filing_errors import IdempotencyKeyReused


def idempotency_key_new() -> str:
    """A fresh submission key, put in the form when it is first shown."""
    return uuid.uuid4().hex


class IdempotencyKeyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        # autocomplete off: Firefox would otherwise restore a sent form's key
        # into a reloaded page. A page restored from the back-forward cache
        # still has it; key_renew mends the clash that then follows.
        kwargs.setdefault("widget", forms.HiddenInput({"autocomplete": "off"}))
        # A callable: each form shown gets its own key; a sent form keeps its own.
        kwargs.setdefault("initial", idempotency_key_new)
        super().__init__(**kwargs)


def key_renew_after(form: forms.Form, error: Exception) -> None:
    """After a key clash (``IdempotencyKeyReused``), give the form shown again a
    fresh key, so that its next press sends the new content instead of clashing
    again; what was typed stays. Any other error keeps the key: nothing was
    saved under it, and a retry must still find a save it may have made."""
    if not isinstance(error, IdempotencyKeyReused):
        return
    data = QueryDict(mutable=True)
    data.update(form.data)  # a QueryDict keeps every value of a multi-valued field
    data[form.add_prefix("idempotency_key")] = idempotency_key_new()
    form.data = data
