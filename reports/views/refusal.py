"""Where a filing form shows a refusal: beside the field it is about.

A refusal of the case core names its field (``DomainError.field``, by the API's
name). A team member filing for a resident read "write how the resident gave
consent" at the top of a 6,000 px form, with nothing marked where the answer
goes; the page now puts the sentence at the field, and the line at the top
becomes a link to it. static/reports/intake.js does the same with the API's
``details.fields`` when the script sends the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from core.errors import DomainError

# The location step as a whole: a point, or a commune chosen from the list.
# The API's names that mean it: the page hands them to the script too
# (templates/reports/_location.html, data-refusal-fields), one list for both.
PLACE = "place"
PLACE_FIELDS = ("lat", "lon", "commune_code", "location")
_PLACE_FIELDS = frozenset(PLACE_FIELDS)
# Inputs of the form that no Django field holds (files).
_UPLOADS = frozenset(("photos", "voice"))


@dataclass(frozen=True)
class Refusal:
    """The top line, the element it links to, and sentences for parts no form field holds."""

    message: str
    anchor: str = ""
    at: dict[str, str] = field(default_factory=dict)  # "place", "photos", "voice"


def refusal_place(form: forms.Form, exc: DomainError) -> Refusal:
    """Mark every input ``exc`` is about on ``form`` (or name the part for the
    template); the top line is the first's sentence and links to it
    (core.errors.Refusals: several inputs refused at once)."""
    message = str(exc.message)
    anchor = ""
    at: dict[str, str] = {}
    for name, problem in exc.field_refusals():
        said = str(problem)
        if name in _PLACE_FIELDS:
            at.setdefault(PLACE, said)
            spot = PLACE
        elif name in _UPLOADS:
            at.setdefault(name, said)
            spot = name
        elif name in form.fields:
            form.add_error(name, said)
            spot = form[name].id_for_label or f"id_{name}"
        else:
            continue
        anchor = anchor or spot
    return Refusal(message, anchor=anchor, at=at)
