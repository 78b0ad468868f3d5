"""Forms of the resident pages: they parse what was typed; every rule lives in the services.

Ranges, required fields and the commune's existence are checked by
the case core (helpdesk/filing.py), which answer with a sentence for the person;
these forms only turn text into numbers and keep what was typed for re-display.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.multiline import SENT_TEXT, Textarea
from core.templatetags.icons import icon
from geo.models import AdminUnit
from geo.typed_numbers import CoordinateField
from geo.units import units_current
from helpdesk.filing import CaseDraft
from helpdesk.idempotency_field import IdempotencyKeyField
from helpdesk.lifecycle import MAX_COMMENT, MAX_MESSAGE
from helpdesk.models import ProxyFiling, Service, ServiceKind
from helpdesk.names import service_name, units_in_list
from helpdesk.proxy_filing import ProxyDetails, proxy_details_given
from helpdesk.voice_field import VoiceNoteField


def _named_in_order(rows: QuerySet[AdminUnit]) -> list[tuple[str, str]]:
    units = rows.only("code", "name", "name_en", "full_name", "full_name_en")
    return [(unit.code, name) for unit, name in units_in_list(units)]


def provinces_choices() -> list[tuple[str, str]]:
    rows = units_current(level=AdminUnit.Level.PROVINCE)
    return [("", gettext("Choose the province")), *_named_in_order(rows)]


def communes_choices(*, province_code: str) -> list[tuple[str, str]]:
    if not province_code:
        return [("", gettext("Choose the province first"))]
    rows = units_current(level=AdminUnit.Level.COMMUNE, parent_code=province_code)
    return [("", gettext("Choose the commune")), *_named_in_order(rows)]


def place_initial(*, commune_ids: Collection[int]) -> dict[str, str]:
    """The province and commune a filing form starts with, for someone whose
    work is bounded by ``commune_ids`` (a digital-technology team member's
    commune, accounts.RoleAssignment.unit): the one current commune, or only
    the province when they are several in one province; nothing otherwise.
    A default the person can change; a point, when given, wins over it
    (helpdesk/routing.py)."""
    if not commune_ids:
        return {}
    rows = list(
        units_current(level=AdminUnit.Level.COMMUNE)
        .filter(pk__in=commune_ids)
        .values_list("code", "parent__code")
    )
    provinces = {province for _code, province in rows if province}
    if len(provinces) != 1:
        return {}
    province = provinces.pop()
    if len(rows) > 1:
        return {"province": province}
    return {"province": province, "commune": rows[0][0]}


def services_of_kind(kind: str) -> list[Service]:
    return list(Service.objects.filter(kind=kind, is_active=True).order_by("sort_order", "code"))


# The resident's details of a filing for someone (_proxy.html), in the page's order.
PROXY_FIELDS = ("on_behalf_name", "on_behalf_phone", "on_behalf_village", "consent")


class _CaseForm(forms.Form):
    """Fields shared by reports and help requests."""

    kind: ClassVar[str]  # the only kind of service the page files (CaseDraft.kind)

    description = forms.CharField(
        label=_("Describe the problem"),
        required=False,
        strip=False,
        widget=Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )
    lat = CoordinateField(
        label=_("Latitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    lon = CoordinateField(
        label=_("Longitude"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    location_source = forms.CharField(required=False, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    province = forms.ChoiceField(label=_("Province"), required=False)
    commune = forms.CharField(
        label=_("Commune"),
        required=False,
        widget=forms.Select(attrs={"data-empty-label": _("Choose the commune")}),
    )
    address_text = forms.CharField(
        label=_("Village or landmark"),
        required=False,
        max_length=255,
        # Short enough for a 360 px phone's box (the longer example was cut).
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Hamlet 3, near the school")}),
    )
    idempotency_key = IdempotencyKeyField()
    # Filing on behalf of a resident; the case core refuses it for anyone but
    # a digital-technology team member.
    on_behalf_name = forms.CharField(label=_("Resident's name"), required=False, max_length=150)
    on_behalf_phone = forms.CharField(
        label=_("Resident's mobile number (optional)"),
        # A landline was refused with no word of why (a helper filing for a
        # resident): the field says what it takes and what it is for.
        help_text=_(
            "A mobile number such as 0912 345 678: they are told the news by SMS. "
            "Leave it empty if they have no mobile phone."
        ),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "tel",
                "autocomplete": "off",
                "aria-describedby": "on-behalf-phone-hint",
            }
        ),
    )
    # Where the resident lives (ProxyFiling.village): officers read it, the
    # public never does. Not the case's "village or landmark" (address_text,
    # public on a report's page): the two are told apart on the form, each
    # with a line for the team member, so one village is typed once.
    on_behalf_village = forms.CharField(
        label=_("Resident's village"),
        help_text=_("Where they live. Commune officers see it; it is not shown to the public."),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"aria-describedby": "on-behalf-village-hint"}),
    )
    consent = forms.ChoiceField(
        label=_("How the resident gave consent"),
        required=False,
        choices=ProxyFiling.Consent.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, for_others: bool = False, **kwargs: Any) -> None:
        """``for_others``: the page offers the resident's part (a team member),
        whose line beside "village or landmark" (_location.html) says which
        village goes where."""
        super().__init__(*args, **kwargs)
        province = self["province"].value() or ""
        self.fields["province"].choices = provinces_choices()  # type: ignore[attr-defined]
        self.fields["commune"].widget.choices = communes_choices(province_code=str(province))
        if for_others:
            self.fields["address_text"].widget.attrs["aria-describedby"] = "address-hint"

    @property
    def key(self) -> str:
        return str(self["idempotency_key"].value() or "")

    def for_resident(self) -> bool:
        """Whether what was sent files for a resident, by the case core's one
        rule (proxy_details_given), read from what was typed, so a form
        shown again, refused or not, names the place the resident's."""
        if not self.is_bound:
            return False
        typed = {name: str(self[name].value() or "") for name in PROXY_FIELDS}
        return (
            proxy_details_given(
                resident_name=typed["on_behalf_name"],
                consent=typed["consent"],
                resident_phone=typed["on_behalf_phone"],
                village=typed["on_behalf_village"],
            )
            is not None
        )

    def proxy(self) -> ProxyDetails | None:
        data = self.cleaned_data
        return proxy_details_given(
            resident_name=data["on_behalf_name"],
            consent=data["consent"],
            resident_phone=data["on_behalf_phone"],
            village=data["on_behalf_village"],
        )

    def draft(
        self, *, service_code: str, photos: tuple[bytes, ...], voice: bytes | None = None
    ) -> CaseDraft:
        data = self.cleaned_data
        return CaseDraft(
            service_code=service_code,
            description=data["description"],
            lat=data["lat"],
            lon=data["lon"],
            location_source=data["location_source"],
            accuracy_m=data["accuracy_m"],
            address_text=data["address_text"],
            commune_code=data["commune"] or None,
            photos=photos,
            voice=voice,
            proxy=self.proxy(),
            kind=self.kind,
        )


class ReportForm(_CaseForm):
    kind = ServiceKind.FIELD_REPORT
    # The order the page shows its parts in (report_form.html; "place" is the
    # location step, reports/views/refusal.py): a refusal lists them so.
    page_order: ClassVar[tuple[str, ...]] = (
        "place",
        "description",
        "photos",
        "voice",
        *PROXY_FIELDS,
    )
    service = forms.CharField(widget=forms.HiddenInput)


class HelpForm(_CaseForm):
    kind = ServiceKind.HELP_REQUEST
    # As ReportForm's, for help_form.html: the topic first, the place later.
    page_order: ClassVar[tuple[str, ...]] = (
        "service",
        "description",
        "photos",
        "voice",
        "place",
        *PROXY_FIELDS,
    )
    service = forms.CharField(
        label=_("Topic"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the topic of your question.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topics = services_of_kind(ServiceKind.HELP_REQUEST)
        self.fields["service"].widget.choices = [
            (s.code, format_html("{} {}", icon(s.icon), service_name(s))) for s in self.topics
        ]
        self.fields["description"].label = _("Your question")
        # A question may come with no place (an online service's); the page
        # says what that costs beside the list (help_form.html).
        self.fields["commune"].widget.attrs["aria-describedby"] = "no-commune-hint"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=MAX_MESSAGE,
        # Not put back by the browser's Back after a send (core/multiline.py).
        widget=Textarea(attrs={"rows": 3, **SENT_TEXT}),
    )
    # For a resident who reads and writes little: say it instead.
    voice = VoiceNoteField(label=_("Or a voice note (up to 2 minutes)"))
    idempotency_key = IdempotencyKeyField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A message refused for its length is not also "empty".
        empty = not data.get("body", "").strip() and not data.get("voice")
        if empty and not self.has_error("body"):
            # At the message box, which the page's summary then links to.
            self.add_error("body", _("Write a message or record a voice note."))
        return data


class RateForm(forms.Form):
    # The range is ticket_rate's rule; the radio buttons only offer it.
    rating = forms.IntegerField(
        label=_("How well was it handled?"),
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Stars to see, words to hear: a screen reader would say "black star" five times.
        self.fields["rating"].widget.choices = [
            (
                n,
                format_html(
                    '<span aria-hidden="true">{}</span> <span class="visually-hidden">{}</span>',
                    "★" * n,
                    ngettext("%(count)d star", "%(count)d stars", n) % {"count": n},
                ),
            )
            for n in range(5, 0, -1)
        ]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        required=False,
        max_length=MAX_MESSAGE,
        widget=Textarea(attrs={"rows": 2}),
    )


class ScamCheckForm(forms.Form):
    """The message to check and, optionally, the commune (whose province's list is read)."""

    text = forms.CharField(
        label=_("Paste the message, phone number or link"),
        strip=True,
        widget=Textarea(attrs={"rows": 6, "maxlength": 2000}),
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    commune = forms.CharField(
        label=_("Commune"),
        required=False,
        widget=forms.Select(attrs={"data-empty-label": _("Choose the commune")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = self["province"].value() or ""
        self.fields["province"].choices = provinces_choices()  # type: ignore[attr-defined]
        self.fields["commune"].widget.choices = communes_choices(province_code=str(province))
