"""The audit trail's changes as a province administrator reads them.

The trail stores codes and ids (helpdesk/case_audit.py, audit/diffs.py), which
never change meaning; the page showed them as stored: "status: new →
accepted", "department: 12 → 57", "fields: {'is_active': [True, False]}" (a
helper's walk of the console). Here each becomes a line in the reader's
language: the field's name, a status's label, a person's, department's,
commune's or case's name, a timeline entry's case and kind, a photo's case
and place among its photos. The names for a page of 50 rows are read at
once, one query per kind of record that appears on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit_trail import role_label_parts
from accounts.models import Role, User
from audit.diffs import HIDDEN
from audit.models import AuditEntry
from geo.models import AdminUnit
from helpdesk.models import Attachment, Department, Ticket, TicketEvent
from helpdesk.names import department_with_commune, status_labels, unit_name
from helpdesk.selectors import PHOTOS_IN_ORDER

# The case fields and extras helpdesk/case_audit.py writes, by their trail name.
_CASE_FIELDS = {
    "status": _("Status"),
    "assignee": _("Assigned to"),
    "department": _("Department"),
    "commune": _("Commune"),
    "province": _("Province"),
    "duplicate_of": _("Duplicate of"),
    "event": _("Timeline entry"),
    "photos": _("Photos"),
    "voice": _("Voice note"),
    "photo": _("Photo"),
    "public": _("On the public map"),
}
# Which of them hold an id, and of what: read into names for the page.
_ID_KINDS = {
    "assignee": "users",
    "department": "departments",
    "commune": "units",
    "province": "units",
    "duplicate_of": "tickets",
    "event": "events",
    "photo": "photos",
}


@dataclass
class _Names:
    """Ids to names, for the records a page's case rows name."""

    users: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    tickets: dict[int, str] = field(default_factory=dict)
    events: dict[int, str] = field(default_factory=dict)
    photos: dict[int, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)


# What helpdesk.names.unit_name reads of a unit.
_UNIT_NAMES = ("full_name", "full_name_en")

# The trail's words for a role (accounts/audit_trail.role_labels stores
# "officer 05443", "superuser"), as the page says them.
_STAFF_WORDS = {"superuser": _("system administrator"), "staff": _("admin staff")}


def role_lines(entries: Sequence[AuditEntry]) -> dict[int, list[str]]:
    """Each entry's roles then, as people read them: "Commune officer, Phường
    Phan Đình Phùng" where the trail keeps "officer 05443" (a walk read the
    codes). The units are read once for the page; a role or code the code no
    longer knows is shown as stored."""
    labels = {
        entry.pk: [
            role_label_parts(label)
            for label in (entry.actor_roles if isinstance(entry.actor_roles, list) else [])
        ]
        for entry in entries
    }
    codes = {code for parts in labels.values() for _role, code in parts if code}
    units = (
        {
            unit.code: unit_name(unit)
            for unit in AdminUnit.objects.filter(code__in=codes).only("code", *_UNIT_NAMES)
        }
        if codes
        else {}
    )
    roles = dict(Role.choices)
    lines: dict[int, list[str]] = {}
    for entry in entries:
        said = []
        for role, code in labels[entry.pk]:
            if role in _STAFF_WORDS and not code:
                said.append(str(_STAFF_WORDS[role]))
            elif role in roles and code:
                said.append(f"{roles[role]}, {units.get(code, code)}")
            else:
                said.append(f"{role} {code}".strip())
        lines[entry.pk] = said
    return lines


def is_case_entry(entry: AuditEntry) -> bool:
    target = entry.target_type
    return target is not None and target.app_label == "helpdesk" and target.model == "ticket"


def change_lines(entries: Sequence[AuditEntry]) -> dict[int, list[str]]:
    """Each entry's changes as lines to show, by the entry's id: an admin
    form's fields and inlines (audit/admin_site.py) by the record's model,
    the rest (a case's fields, a prepared answer's department) by their
    names above. A value of a shape the trail's writers never store (a row
    mended by hand) is shown as it is, never an error."""
    names = _names_read(entries)
    lines: dict[int, list[str]] = {}
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        admin = (
            {}
            if is_case_entry(entry)
            else {key: changes[key] for key in ("fields", "inlines") if key in changes}
        )
        rest = {name: value for name, value in changes.items() if name not in admin}
        lines[entry.pk] = (_admin_lines(entry, admin) if admin else []) + _case_lines(rest, names)
    return lines


def _ids_in(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _names_read(entries: Iterable[AuditEntry]) -> _Names:
    wanted: dict[str, set[int]] = {kind: set() for kind in set(_ID_KINDS.values())}
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, value in changes.items():
            kind = _ID_KINDS.get(name)
            if kind:
                wanted[kind].update(_ids_in(value))
    names = _Names(statuses=status_labels())
    if wanted["users"]:
        names.users = {
            pk: full_name or f"#{pk}"
            for pk, full_name in User.objects.filter(pk__in=wanted["users"]).values_list(
                "pk", "full_name"
            )
        }
    if wanted["departments"]:
        # As the lists name them (helpdesk.names.department_with_commune).
        rows = (
            Department.objects.filter(pk__in=wanted["departments"])
            .select_related("commune")
            .only("name", "name_en", "commune__name", "commune__name_en")
        )
        names.departments = {d.pk: department_with_commune(d) for d in rows}
    if wanted["units"]:
        units = AdminUnit.objects.filter(pk__in=wanted["units"]).only(*_UNIT_NAMES)
        names.units = {unit.pk: unit_name(unit) for unit in units}
    if wanted["tickets"]:
        names.tickets = dict(
            Ticket.objects.filter(pk__in=wanted["tickets"]).values_list("pk", "number")
        )
    if wanted["events"]:
        # The case and what the entry was: the page said "Timeline entry
        # #764", an id no page shows (a walk).
        kinds = dict(TicketEvent.Kind.choices)
        timeline = TicketEvent.objects.filter(pk__in=wanted["events"]).values_list(
            "pk", "kind", "ticket__number"
        )
        names.events = {
            pk: gettext("Case %(number)s — %(entry)s")
            % {"number": number, "entry": kinds.get(kind, kind)}
            for pk, kind, number in timeline
        }
    if wanted["photos"]:
        names.photos = _photo_names(wanted["photos"])
    return names


def _photo_names(ids: set[int]) -> dict[int, str]:
    """Each photo as its case and its place among the case's photos, "Case
    TN-2026-00012 — photo 2": the page said "Photo: #12", an id no page shows
    (a walk). Counted as the console's case page lists them to staff
    (ticket_photos in helpdesk/selectors.py: every photo but voice notes, in
    PHOTOS_IN_ORDER), so an officer finds it there by counting. One query:
    the photos of every case a wanted photo belongs to."""
    cases = Attachment.objects.filter(pk__in=ids).values("ticket_id")
    photos = (
        Attachment.objects.filter(ticket_id__in=cases)
        .exclude(role=Attachment.Role.VOICE)
        .order_by("ticket_id", *PHOTOS_IN_ORDER)
        .values_list("pk", "ticket_id", "ticket__number")
    )
    names: dict[int, str] = {}
    place, case = 0, None
    for pk, ticket_id, number in photos:
        place = place + 1 if ticket_id == case else 1
        case = ticket_id
        if pk in ids:
            names[pk] = gettext("Case %(number)s — photo %(place)s") % {
                "number": number,
                "place": place,
            }
    return names


def _case_lines(changes: dict[str, Any], names: _Names) -> list[str]:
    lines = []
    for name, value in changes.items():
        label = _CASE_FIELDS.get(name, name)
        say = _case_value(name, names)
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{label}: {say(value[0])} → {say(value[1])}")
        else:
            lines.append(f"{label}: {say(value)}")
    return lines


def _case_value(name: str, names: _Names) -> Callable[[Any], str]:
    """How one case field's stored value is read: a name for an id (the id
    itself when the record is gone), a label for a status, yes or no."""
    kind = _ID_KINDS.get(name)
    if kind is not None:
        known: dict[Any, str] = getattr(names, kind)
        return lambda value: _text(known.get(value, _gone(name, value)) if _key(value) else value)
    if name == "status":
        return lambda value: _text(names.statuses.get(value, value) if _key(value) else value)
    return _text


def _gone(name: str, value: Any) -> Any:
    """An id whose record is no longer there: a timeline entry's as "#764",
    the way the trail's other numbered records are shown; a photo's as gone,
    since its id alone finds it nowhere."""
    if name == "event":
        return f"#{value}"
    if name == "photo":
        return gettext("(photo deleted)")
    return value


def _key(value: Any) -> bool:
    """Whether ``value`` can be looked up by (a list or a dict cannot)."""
    return isinstance(value, int | str)


def _admin_lines(entry: AuditEntry, changes: dict[str, Any]) -> list[str]:
    """An admin change (audit/admin_site.py): each field by its name on the
    record's model, each inline row added, changed or deleted."""
    model = entry.target_type.model_class() if entry.target_type else None
    fields = changes.get("fields")
    lines = _field_lines(model, fields) if isinstance(fields, dict) else []
    inlines = changes.get("inlines")
    for row in inlines if isinstance(inlines, list) else ():
        if not isinstance(row, dict):
            lines.append(_text(row))
            continue
        row_model = _model(row.get("model"))
        kind = str(row_model._meta.verbose_name) if row_model else str(row.get("model"))
        if "deleted" in row:
            lines.append(gettext("Deleted %(kind)s #%(id)s") % {"kind": kind, "id": row["deleted"]})
        elif "added" in row:
            added_fields = row["added"] if isinstance(row["added"], dict) else {}
            fields = "; ".join(_field_lines(row_model, added_fields))
            added = gettext("Added %(kind)s") % {"kind": kind}
            lines.append(added + (f": {fields}" if fields else ""))
        else:
            changed = row.get("changed")
            fields = "; ".join(
                _field_lines(row_model, changed if isinstance(changed, dict) else {})
            )
            lines.append(
                gettext("Changed %(kind)s #%(id)s") % {"kind": kind, "id": row.get("id")}
                + (f": {fields}" if fields else "")
            )
    return lines


def _model(label: Any) -> type[models.Model] | None:
    try:
        return apps.get_model(str(label))
    except (LookupError, ValueError):
        return None


def _field_lines(model: type[models.Model] | None, fields: dict[str, Any]) -> list[str]:
    lines = []
    for name, value in fields.items():
        model_field: Any = None
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
        label = capfirst(str(getattr(model_field, "verbose_name", name)))
        choices = dict(getattr(model_field, "flatchoices", None) or ())
        old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
        lines.append(f"{label}: {_field_text(old, choices)} → {_field_text(new, choices)}")
    return lines


def _field_text(value: Any, choices: dict[Any, Any]) -> str:
    if value == HIDDEN:
        return gettext("(hidden)")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str | int) and value in choices:
        return str(choices[value])
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return "—" if value is None or value == "" else str(value)
