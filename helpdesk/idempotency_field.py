"""The hidden form field that carries a submission's idempotency key.

A page's form gets a fresh key each time it is shown, and sends it back with
every press of its button: a second press, or the browser sending the form
again after a dropped connection, gets the first reply back from the case
core (helpdesk/idempotency.py) instead of posting it twice. The filing forms
(reports/forms.py) and the reply forms of the resident's page and of the
officer console use it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms


def idempotency_key_new() -> str:
    """A fresh submission key, put in the form when it is first shown."""
    return uuid.uuid4().hex


class IdempotencyKeyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput)
        # A callable: each form shown gets its own key; a sent form keeps its own.
        kwargs.setdefault("initial", idempotency_key_new)
        super().__init__(**kwargs)
