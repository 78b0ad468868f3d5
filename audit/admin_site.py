"""Every add, change and delete made in the Django admin goes into the audit trail.

Hooked once, on the default admin site (audit/apps.py, AuditedAdminConfig):
``register`` gives each ModelAdmin — ours, Django's own (groups), any future
app's — the mixin below, so no admin class can forget it. The mixin extends
the admin's own logging methods (``log_addition``, ``log_change``,
``log_deletions``): they run inside the admin's transaction for adds and
changes, receive the request (so the client's address), and are called for
inline changes, bulk deletions and password changes alike. Django's LogEntry
is still written (the admin's "history" page); it can be edited or deleted by
whoever may delete rows, which is why it is not the trail.

The field values come from ``construct_change_message``, the one hook that
sees the form with both the old values (its ``initial``) and the new ones;
they are kept for the request until the log call that follows.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase

from audit.diffs import form_changes, formset_changes
from audit.models import AuditAction
from audit.provinces import province_of
from audit.services import audit_record
from core.client_ip import client_ip

# Filled by construct_change_message, read by the log call of the same request.
_pending: weakref.WeakKeyDictionary[HttpRequest, dict[str, Any]] = weakref.WeakKeyDictionary()


def _admin_roles(request: HttpRequest) -> list[str]:
    user = request.user
    return ["superuser"] if getattr(user, "is_superuser", False) else ["staff"]


class AuditedAdminMixin:
    """Records the admin's adds, changes and deletions; see the module docstring."""

    def _audit(self, request: HttpRequest, obj: Model, action: str, changes: Any) -> None:
        audit_record(
            action=action,
            actor=request.user if request.user.is_authenticated else None,
            actor_roles=_admin_roles(request),
            ip=client_ip(request),
            target=obj,
            province_id=province_of(obj),
            changes=changes,
        )

    def construct_change_message(
        self, request: HttpRequest, form: BaseForm, formsets: Any, add: bool = False
    ) -> Any:
        message = super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]
        model = getattr(self, "model", None) or form._meta.model  # type: ignore[attr-defined]
        changes: dict[str, Any] = {"fields": form_changes(form=form, model=model)}
        inlines = formset_changes(formsets or ())
        if inlines:
            changes["inlines"] = inlines
        _pending[request] = changes
        return message

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        self._audit(request, obj, AuditAction.ADMIN_ADD, _pending.pop(request, {}))
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        self._audit(request, obj, AuditAction.ADMIN_CHANGE, _pending.pop(request, {}))
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Iterable[Model]) -> Any:
        # Called before the rows go, so each one's name and province are still there.
        objects = list(queryset)
        entries = super().log_deletions(request, objects)  # type: ignore[misc]
        for obj in objects:
            self._audit(request, obj, AuditAction.ADMIN_DELETE, {})
        return entries


class AuditedAdminSite(admin.AdminSite):
    """The default admin site, with every registered ModelAdmin audited.

    Its log-in page is not this class's: accounts/admin_login.py serves the
    address (mounted before the admin in config/urls.py) with AdminSite.login's
    context and the console's log-in step. A change to ``login``,
    ``login_form`` or the log-in's context here must be made there too."""

    def admin_view[V: Callable[..., HttpResponseBase]](self, view: V, cacheable: bool = False) -> V:
        # Each admin page in one transaction, so a change and its audit row
        # commit together also where Django does not open one itself: a
        # password set on a user, a bulk action such as "delete selected".
        return super().admin_view(transaction.atomic(view), cacheable)

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdminMixin):
            base = type(base.__name__, (AuditedAdminMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)
