"""The prepared answers page's forms (console/views/answers.py): which
department's answers to show, and one answer's title and text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.multiline import Textarea
from helpdesk.models import Department
from helpdesk.names import department_name, departments_in_list, unit_short_name
from helpdesk.prepared_answers import BODY_MAX, TITLE_MAX


class DepartmentChoice(forms.Form):
    """The department whose answers the page lists, named with its commune
    (helpdesk.names.departments_in_list: a province holds the same five
    departments in every commune)."""

    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    # In the list's order: the page opens on the first the person works in.
    department_ids: list[int]

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department] | None = None,
        listed: DepartmentChoice | None = None,
        **kwargs: Any,
    ) -> None:
        """The departments, or the list ``listed`` already made of them."""
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        if listed is not None:
            field.choices = listed.fields["department"].choices  # type: ignore[attr-defined]
            self.department_ids = listed.department_ids
            return
        assert departments is not None
        rows = departments.select_related("commune")
        listed_rows = departments_in_list(
            (d.pk, department_name(d), unit_short_name(d.commune)) for d in rows
        )
        field.choices = listed_rows
        self.department_ids = [pk for pk, _label in listed_rows]


class AnswerForm(forms.Form):
    title = forms.CharField(
        label=_("Title (what officers choose it by)"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the answer a short title.")},
    )
    body = forms.CharField(
        label=_("Text (sent to the resident as written)"),
        max_length=BODY_MAX,
        widget=Textarea({"rows": 6}),
        error_messages={"required": _("Write the answer's text.")},
    )
