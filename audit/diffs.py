"""What an admin form changed, as {"field": [old, new]}, keeping personal data out.

A value is written down only when it cannot hold a person's words or numbers:
flags, numbers, dates, choices and references to other records (by id). Free
text (names, phone numbers, descriptions), files, geometry and fields that are
not on the model (a new password typed twice) are named with their values
hidden: the trail says *that* someone's phone number changed, not what it is.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models

HIDDEN = "•••"
_KEPT_FIELDS = (
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
    models.DateField,
    models.TimeField,
    models.DurationField,
    models.ForeignKey,
    models.ManyToManyField,
)


def _keeps_value(field: models.Field[Any, Any] | Any) -> bool:
    if not isinstance(field, models.Field):
        return False
    return bool(field.choices) or isinstance(field, _KEPT_FIELDS)


def _plain(value: Any) -> Any:
    """A JSON value: records by id, sets of records as sorted ids."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((_plain(item) for item in value), key=str)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def form_changes(*, form: forms.BaseForm, model: type[models.Model]) -> dict[str, Any]:
    """The fields ``form`` changed on a record of ``model``, old and new values."""
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        try:
            field: Any = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if _keeps_value(field):
            old = _plain(form.initial.get(name))
            new = _plain(getattr(form, "cleaned_data", {}).get(name))
            changes[name] = [old, new]
        else:
            changes[name] = [HIDDEN, HIDDEN]
    return changes


def formset_changes(formsets: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows added, changed or deleted in the page's inlines (e.g. a user's roles)."""
    rows: list[dict[str, Any]] = []
    for formset in formsets or ():
        model = formset.model
        label = model._meta.label
        for form in formset.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            instance = form.instance
            # Called before the inlines are saved: a new row has no id yet.
            if formset.can_delete and form.cleaned_data.get("DELETE"):
                rows.append({"model": label, "deleted": _plain(instance.pk)})
            elif instance._state.adding:
                rows.append({"model": label, "added": form_changes(form=form, model=model)})
            else:
                rows.append(
                    {
                        "model": label,
                        "id": _plain(instance.pk),
                        "changed": form_changes(form=form, model=model),
                    }
                )
    return rows
