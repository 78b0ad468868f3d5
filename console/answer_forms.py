"""The prepared answers page's forms (console/views/answers.py): which
department's answers to show (its province, commune and department), and one
answer's title and text."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from console.answer_places import AnswerPlaces, AskedPlace
from core.multiline import Textarea
from helpdesk.prepared_answers import BODY_MAX, TITLE_MAX


class _Asked(forms.Form):
    province = forms.CharField(max_length=10, required=False)
    commune = forms.CharField(max_length=10, required=False)
    department = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


def place_asked(query: QueryDict) -> AskedPlace:
    """The place the answers page's address asks for; a malformed part is
    left out, as if not asked."""
    form = _Asked(query)
    form.is_valid()
    data = form.cleaned_data
    return AskedPlace(
        province=data.get("province") or None,
        commune=data.get("commune") or None,
        department=data.get("department"),
    )


class PlaceChoice(forms.Form):
    """The lists to choose another department's answers (answer_places.py),
    each set to the one shown; a province or commune list only where there
    is more than one to choose. Sent with the page's Show button: changing
    a list only changes the lists below it once shown."""

    province = forms.ChoiceField(label=_("Province"))
    commune = forms.ChoiceField(label=_("Commune"))
    department = forms.ChoiceField(label=_("Department"))

    def __init__(self, places: AnswerPlaces) -> None:
        super().__init__(
            initial={
                "province": places.province_code,
                "commune": places.commune_code,
                "department": places.department.pk,
            }
        )
        for name, choices in (
            ("province", places.provinces),
            ("commune", places.communes),
            ("department", places.departments),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            if choices:
                field.choices = choices
            else:
                del self.fields[name]


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
