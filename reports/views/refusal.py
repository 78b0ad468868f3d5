"""Where a filing form shows a refusal: beside the field it is about.

A refusal of the case core names its field (``DomainError.field``, by the API's
name). A team member filing for a resident read "write how the resident gave
consent" at the top of a 6,000 px form, with nothing marked where the answer
goes; the page now puts the sentence at the field, and the line at the top
becomes a link to it. static/reports/intake.js does the same with the API's
``details.fields`` when the script sends the form.

Several refused at once (core.errors.Refusals) are all listed at the top, in
the order the page shows them (templates/_error_summary.html): a keyboard walk
read only the photo's sentence there, the place's unsaid above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import DomainError
from core.form_errors import ErrorItem, errors_described
from reports.forms import HelpForm, ReportForm

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
    """The top line, the element it links to, every refused part in the
    page's order, and sentences for parts no form field holds."""

    message: str
    at: dict[str, str] = field(default_factory=dict)  # "place", "photos", "voice"
    items: tuple[ErrorItem, ...] = ()  # (element id, sentence), as the page shows them

    @property
    def anchor(self) -> str:
        """Where the top line's sentence links: the first refused part."""
        return self.items[0][0] if self.items else ""


def refusal_place(form: ReportForm | HelpForm, exc: DomainError) -> Refusal:
    """Mark every input ``exc`` is about on ``form`` (or name the part for the
    template); the top line lists them in the page's order, each a link to
    it, the first being where the top line's sentence links
    (core.errors.Refusals: several inputs refused at once)."""
    order = form.page_order
    found: dict[str, ErrorItem] = {}  # by part, its first sentence
    for name, problem in exc.field_refusals():
        said = str(problem)
        if name in _PLACE_FIELDS:
            part, spot = PLACE, PLACE
        elif name in _UPLOADS:
            part, spot = name, name
        elif name in form.fields:
            form.add_error(name, said)
            part, spot = name, form[name].id_for_label or f"id_{name}"
        else:
            continue
        found.setdefault(part, (spot, said))
    errors_described(form)  # the resident's phone has a hint of its own
    parts = sorted(found, key=lambda p: order.index(p) if p in order else len(order))
    items = tuple(found[part] for part in parts)
    at = {part: found[part][1] for part in parts if part == PLACE or part in _UPLOADS}
    return Refusal(str(exc.message), at=at, items=items)
