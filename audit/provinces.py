"""Which province a record belongs to, so its administrators see the trail of it.

The trail knows no app's models (it sits below them, pyproject.toml's import
contracts): a record with a ``province_id`` (a case) answers by itself, and
apps register a rule for their other models when Django starts
(helpdesk/apps.py, accounts/apps.py). A record no rule knows (a service of the
catalogue, a nationwide holiday) belongs to no province: superusers see its trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

_rules: dict[type[Model], Callable[[Any], int | None]] = {}


def province_rule_register[M: Model](model: type[M], rule: Callable[[M], int | None]) -> None:
    _rules[model] = rule


def province_of(obj: Model) -> int | None:
    for cls in type(obj).__mro__:
        rule = _rules.get(cls)
        if rule is not None:
            return rule(obj)
    value = getattr(obj, "province_id", None)
    return value if isinstance(value, int) else None
