"""What the line at the top of a refused form's page lists (GOV.UK's error
summary, templates/_error_summary.html).

Each refused input's sentence, as a link to the input, in the order the page
shows the inputs; the input itself is marked (aria-invalid) and described by
the same sentence beside it, which Django does for a field's errors. A keyboard
walk found the login, the console's reply and the resident's message saying
"please correct the form below" at the top, with the focus on the page's start
and nothing to go to: reports/views/refusal.py did it for the filing forms
only.
"""

from __future__ import annotations

from django import forms

from core.errors import DomainError

# The id of the element the sentence links to ("" for none), and the sentence.
type ErrorItem = tuple[str, str]


def error_items(form: forms.BaseForm) -> list[ErrorItem]:
    """The refusals of a bound form: its own first (about no one input: no
    link), then each field's, in the form's order, linked to its input."""
    items: list[ErrorItem] = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        # A hidden input cannot be gone to: its sentence is said unlinked.
        anchor = "" if field.is_hidden else field.id_for_label or field.auto_id or ""
        items.extend((anchor, str(error)) for error in field.errors)
    return items


def errors_described(form: forms.BaseForm) -> None:
    """Each refused input described by its sentence where Django leaves it
    out: an input with a description of its own (a hint, in its widget's
    aria-describedby), where a screen reader heard the hint alone, and each
    button of a list of choices (Django describes the fieldset it expects
    around them, which these forms do not draw)."""
    for name in form.errors:
        if name not in form.fields:
            continue
        field = form[name]
        widget = form.fields[name].widget  # the form's own copy
        own = str(widget.attrs.get("aria-describedby") or "").split()
        error_id = f"{field.auto_id}_error"
        if (own or field.use_fieldset) and error_id not in own:
            widget.attrs["aria-describedby"] = " ".join([*own, error_id])


def form_refused(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's refusal on ``form``: beside the input it names (its
    ``field``), or at the form's top when the form has no such input."""
    form.add_error(error.field if error.field in form.fields else None, str(error.message))
