"""Prepared answers (CannedResponse): who reads and who writes a department's,
and the use cases that change them.

Officers chose a prepared answer by its title alone on the reply form and
could neither read one beforehand nor fix one; only the Django admin, which
commune staff do not use, could (a helper's walk of the console). Now:

- everyone on the staff reads the answers of the departments they work in or
  manage (helpdesk.permissions' scope);
- a commune's leader writes those of their commune's departments, a province
  administrator those of their province's, as FixMyStreet lets a body's
  staff with the right permission edit its templates;
- every change is on the audit trail, as an admin change is.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.audit_trail import role_labels
from accounts.models import User
from audit.diffs import HIDDEN
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import InvalidInput, NotFound
from core.visible_text import is_blank
from helpdesk.models import CannedResponse, Department
from helpdesk.permissions import Scope

TITLE_MAX = 120  # the model's
# An answer is put before the officer's own words in a reply, which the case
# core caps at 4,000 characters (helpdesk/lifecycle.MAX_MESSAGE): one longer
# than this would leave the officer no room.
BODY_MAX = 3000


class AnswerNotFound(NotFound):
    code = "answer_not_found"
    default_message = _("We could not find this prepared answer.")


def _managed_q(scope: Scope) -> Q:
    if scope.is_superuser:
        return Q()
    return Q(commune_id__in=scope.leader_commune_ids) | Q(
        commune__parent_id__in=scope.admin_province_ids
    )


def answer_departments_managed(*, scope: Scope) -> QuerySet[Department]:
    """The departments whose prepared answers this person may write."""
    if not (scope.is_superuser or scope.leader_commune_ids or scope.admin_province_ids):
        return Department.objects.none()
    return Department.objects.filter(_managed_q(scope), is_active=True)


def answer_departments_read(*, scope: Scope) -> QuerySet[Department]:
    """The departments whose prepared answers this person may read: those
    they work in, and those they manage."""
    if not scope.is_staff_member:
        return Department.objects.none()
    if scope.is_superuser:
        # Not through _managed_q's Q(): OR-ed with an empty Q, a Q stays itself.
        return Department.objects.filter(is_active=True)
    readable = Q(pk__in=scope.department_ids)
    if scope.leader_commune_ids or scope.admin_province_ids:
        readable |= _managed_q(scope)
    return Department.objects.filter(readable, is_active=True)


def answer_get(*, scope: Scope, answer_id: int, lock: bool = False) -> CannedResponse:
    """An answer this person may write, or AnswerNotFound (not theirs and not
    existing alike). ``lock``: held to the end of the caller's transaction,
    so that an edit and a delete of one answer do not cross (the edit's save
    found no row: a 500)."""
    answers = CannedResponse.objects.select_related("department__commune")
    if lock:
        answers = answers.select_for_update(of=("self",))
    answer = answers.filter(
        pk=answer_id, department__in=answer_departments_managed(scope=scope)
    ).first()
    if answer is None:
        raise AnswerNotFound()
    return answer


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip().replace("\r\n", "\n")
    if is_blank(title):
        raise InvalidInput(_("Give the answer a short title."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            _("The title is too long: at most %(limit)s characters.") % {"limit": TITLE_MAX},
            field="title",
        )
    if is_blank(body):
        raise InvalidInput(_("Write the answer's text."), field="body")
    if len(body) > BODY_MAX:
        raise InvalidInput(
            _("The text is too long: at most %(limit)s characters.") % {"limit": BODY_MAX},
            field="body",
        )
    return title, body


def _title_free(department_id: int, title: str, *, other_than: int | None = None) -> None:
    """Officers choose an answer by its title: two of one title in a
    department could not be told apart (and a resent form would add the
    same answer twice)."""
    same = CannedResponse.objects.filter(department_id=department_id, title__iexact=title)
    if other_than is not None:
        same = same.exclude(pk=other_than)
    if same.exists():
        raise InvalidInput(
            _("This department already has an answer with this title."), field="title"
        )


def _audit(
    answer: CannedResponse, *, by: User, action: str, ip: str | None, changes: dict[str, Any]
) -> None:
    """One row of the trail; it names the answer's department (by id, shown
    by name on the audit page): once deleted, nothing else would say whose
    answer it was."""
    changes = {"department": answer.department_id, **changes}
    audit_record(
        action=action,
        actor=by,
        actor_roles=role_labels(user=by),
        ip=ip,
        target=answer,
        target_label=answer.title,
        province_id=answer.department.commune.parent_id,
        changes=changes,
    )


def answer_add(
    *, scope: Scope, by: User, department: Department, title: str, body: str, ip: str | None
) -> CannedResponse:
    """A new prepared answer for ``department``, which the person must manage."""
    if not answer_departments_managed(scope=scope).filter(pk=department.pk).exists():
        raise AnswerNotFound()
    title, body = _checked(title, body)
    with transaction.atomic():
        # Locked: two adds of one title (a double tap, a resend) do not both
        # pass. No key share: a case filed or moved into the department meanwhile
        # (its foreign key's lock) does not wait for this.
        Department.objects.select_for_update(no_key=True).filter(pk=department.pk).first()
        _title_free(department.pk, title)
        answer = CannedResponse.objects.create(department=department, title=title, body=body)
        _audit(answer, by=by, action=AuditAction.ANSWER_ADD, ip=ip, changes={})
    return answer


def answer_change(
    *, scope: Scope, by: User, answer_id: int, title: str, body: str, ip: str | None
) -> CannedResponse:
    """Save a prepared answer's new title and text. The trail says which of
    them changed, not the words (as audit/diffs.py keeps free text out)."""
    title, body = _checked(title, body)
    with transaction.atomic():
        Department.objects.select_for_update(no_key=True).filter(
            pk=CannedResponse.objects.filter(pk=answer_id).values("department_id")[:1]
        ).first()
        answer = answer_get(scope=scope, answer_id=answer_id, lock=True)
        _title_free(answer.department_id, title, other_than=answer.pk)
        changed = [
            name for name, new in (("title", title), ("body", body)) if getattr(answer, name) != new
        ]
        if not changed:
            return answer
        answer.title, answer.body = title, body
        answer.save(update_fields=changed)
        _audit(
            answer,
            by=by,
            action=AuditAction.ANSWER_CHANGE,
            ip=ip,
            changes={"fields": {name: [HIDDEN, HIDDEN] for name in changed}},
        )
    return answer


def answer_delete(*, scope: Scope, by: User, answer_id: int, ip: str | None) -> CannedResponse:
    """Delete a prepared answer; return it as it was (its title and
    department, for the page to say and go back to)."""
    with transaction.atomic():
        answer = answer_get(scope=scope, answer_id=answer_id, lock=True)
        _audit(answer, by=by, action=AuditAction.ANSWER_DELETE, ip=ip, changes={})
        answer.delete()
    return answer
