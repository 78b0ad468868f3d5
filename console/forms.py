"""Forms of the officer console: they parse input; the lifecycle decides."""

from __future__ import annotations

import html
from collections.abc import Callable, Collection
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phones import phone_display
from console.selectors import QueueChoices
from core.multiline import SENT_TEXT, Textarea, counted_length
from core.names import sort_key
from helpdesk.idempotency_field import IdempotencyKeyField
from helpdesk.lifecycle import MAX_MESSAGE
from helpdesk.models import CannedResponse, Department, Service, TicketStatus
from helpdesk.names import (
    department_name,
    departments_in_list,
    service_name,
    unit_name,
    unit_short_name,
)
from helpdesk.replies import reply_compose
from helpdesk.selectors import SEARCH_MAX_LENGTH, CaseSearch, QueueFilter, case_search_parse
from helpdesk.voice_field import VoiceNoteField
from knowledge.models import Article
from knowledge.selectors import article_title

BODY_MAX = MAX_MESSAGE  # the case core's rule (helpdesk/lifecycle.py)


class PhoneLoginForm(AuthenticationForm):
    """Log in with a phone number as people write it (0912…, +84 912…)."""

    # Django's own sentence says "Note that both fields may be case-sensitive",
    # which means nothing for a phone number (a helper's walk).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "This phone number and password do not match. Check the number, or ask "
            "your commune's administrator to set a new password."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Phone number")
        self.fields["username"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "username", "placeholder": "0912 345 678"}
        )


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python.

    Django renders each option through a template: a province admin's filter
    lists hundreds of departments and communes, and those templates were
    three quarters of the queue page's time (cProfile at 1,000,000 cases,
    bench/queue_scale.py). Same markup, labels and values escaped.
    """

    # Flat (value, label) pairs, kept as they are set (QuickChoiceField says why).
    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self._choices = list(value)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        # The standard library's escape, which Django's wraps: the wrapper's
        # check for lazy arguments was half of a province admin's ~900 options.
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            selected = " selected" if key in chosen else ""
            parts.append(
                f'<option value="{html.escape(key)}"{selected}>{html.escape(str(label))}</option>'
            )
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class QuickChoiceField(forms.ChoiceField):
    """A ChoiceField of flat (value, label) pairs, kept as they are set.

    Django normalizes choices on every set, once for the field and once for
    its widget, walking each option in case it is a group, an enum or a
    callable: for a province admin's 369 departments and 93 communes that was
    1.5 of the 4.3 ms the queue's filter form took to build (cProfile at
    1,000,000 cases). These lists are flat pairs of text, so they are stored
    as given and a value is checked against a set of them.
    """

    widget = QuickSelect
    _values: frozenset[str] = frozenset()

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        pairs: list[tuple[str, Any]] = list(value)
        if any(isinstance(label, list | tuple) for _key, label in pairs):
            raise TypeError("QuickChoiceField takes flat (value, label) pairs, not groups.")
        self._choices = pairs
        widget: Any = self.widget  # an instance by now; the class attribute types it as a class
        widget.choices = pairs
        self._values = frozenset(str(key) for key, _label in pairs)

    def valid_value(self, value: Any) -> bool:
        return str(value) in self._values


class QueueFilterForm(forms.Form):
    # The search box above the filters (console/queue.html renders it apart):
    # one GET form holds both, so a search keeps the filters and the reverse.
    q = forms.CharField(
        label=_("Search cases"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Case number, phone, name or words."),
        error_messages={
            "max_length": _(
                "A search can be at most %(limit_value)d characters long (this one has "
                "%(show_value)d). Type a case number, a phone number, a name or a few words."
            )
        },
        widget=forms.TextInput(
            {
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                "enterkeyhint": "search",
            }
        ),
    )
    status = QuickChoiceField(label=_("Status"), required=False)
    service = QuickChoiceField(label=_("Service"), required=False)
    department = QuickChoiceField(label=_("Department"), required=False)
    commune = QuickChoiceField(label=_("Commune"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    unrouted = forms.BooleanField(label=_("Unrouted"), required=False)

    def __init__(
        self,
        *args: Any,
        choices: QueueChoices,
        services: list[Service],
        with_communes: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        every = ("", _("All"))
        self._choices("status", [every, *TicketStatus.choices])
        named = sorted(((s.code, service_name(s)) for s in services), key=lambda c: sort_key(c[1]))
        self._choices("service", [every, *named])
        self._choices("department", [every, *((c.value, c.label) for c in choices.departments)])
        if with_communes:
            self._choices("commune", [every, *((c.value, c.label) for c in choices.communes)])
        else:
            del self.fields["commune"]

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def queue_filter(self) -> QueueFilter:
        """The filter from the valid fields; an invalid field is simply not applied,
        but for the search: one too long finds nothing (the page says why), rather
        than the whole queue under a box that still holds it."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        department = data.get("department")
        return QueueFilter(
            status=data.get("status") or None,
            service=data.get("service") or None,
            department_id=int(department) if department else None,
            commune_code=data.get("commune") or None,
            assigned_to_me=bool(data.get("mine")),
            overdue=bool(data.get("overdue")),
            unrouted=bool(data.get("unrouted")),
            search=self._search(data.get("q") or ""),
        )

    def _search(self, text: str) -> CaseSearch | None:
        if "q" in self.errors:
            return CaseSearch(text="")
        return case_search_parse(text) if text else None

    def filter_fields(self) -> list[forms.BoundField]:
        """The fields under "Filters": all but the search box."""
        return [field for field in self if field.name != "q"]

    def _filters_chosen(self) -> set[str]:
        """The filters (not the search, not the page) that are chosen."""
        return {name for name in self.fields if name != "q" and self.data.get(name)}

    def filters_on(self) -> int:
        """How many filters are chosen: the filters' summary says so
        (console/queue.html), read even when they are folded."""
        return len(self._filters_chosen())

    def filters_set(self) -> bool:
        """Whether a filter (not the search, not the page) is chosen."""
        return bool(self._filters_chosen())

    def filters_unfolded(self) -> bool:
        """Whether the filters open by themselves: when one is chosen that the
        page shows nowhere else. A status is the chosen chip above them: a tap
        on a chip opened the whole panel between the chips and the list, and
        on a phone pushed the first case off the screen (a helper's walk)."""
        return bool(self._filters_chosen() - {"status"})


class EmptyForm(forms.Form):
    """An action that needs nothing but the button press."""


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (Django's documented pattern for multiple files)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput({"accept": "image/*"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReplyForm(forms.Form):
    """A public reply, optionally started from a canned response and ending with
    a link to a help article the resident can read at their own pace."""

    body = forms.CharField(
        label=_("Reply to the resident"),
        max_length=BODY_MAX,
        required=False,
        widget=Textarea({"rows": 3, **SENT_TEXT}),
    )
    canned = forms.ModelChoiceField(
        label=_("Start from a prepared answer"),
        queryset=CannedResponse.objects.none(),
        required=False,
        # One deleted while the page was open: said as such, not as Django's
        # "select a valid choice" (a walk).
        error_messages={
            "invalid_choice": _(
                "This prepared answer was just changed or deleted. Choose one again."
            )
        },
    )
    article = forms.ModelChoiceField(
        label=_("Link a help article"), queryset=Article.objects.none(), required=False
    )
    photos = MultiplePhotoField(label=_("Pictures"), required=False)
    voice = VoiceNoteField(label=_("Voice answer (up to 2 minutes)"))
    idempotency_key = IdempotencyKeyField()

    def __init__(
        self,
        *args: Any,
        canned: QuerySet[CannedResponse] | None = None,
        articles: QuerySet[Article] | None = None,
        language: str = "vi",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        field_canned = self.fields["canned"]
        field_article = self.fields["article"]
        assert isinstance(field_canned, forms.ModelChoiceField)
        assert isinstance(field_article, forms.ModelChoiceField)
        field_canned.queryset = canned if canned is not None else CannedResponse.objects.none()
        field_article.queryset = articles if articles is not None else Article.objects.none()
        # A list with nothing to choose but "- Chọn -" is left out: an officer
        # opened it on a road case and found it empty (a helper's walk). Each
        # list is read once: its rows decide and are what is shown (asking
        # exists() first, then rendering, was two queries a list). A posted
        # choice is still checked against the queryset.
        for name, field in (("canned", field_canned), ("article", field_article)):
            rows = list(field.queryset) if field.queryset is not None else []
            if not rows:
                del self.fields[name]
                continue
            field.choices = [
                ("", field.empty_label),
                *((row.pk, self._label(row)) for row in rows),
            ]
            if name == "canned":
                # Chosen by title alone, their words unseen (a helper's walk):
                # the page that shows each whole (console/views/answers.py).
                # In a new tab: the reply being typed stays (the box keeps no
                # text over a visit, SENT_TEXT; a walk came Back to it empty).
                field.help_text = format_html(
                    '<a href="{}?department={}" target="_blank" rel="noopener">{}</a>',
                    reverse("console:answers"),
                    rows[0].department_id,
                    _("Read the prepared answers (opens in a new tab)"),
                )

    @staticmethod
    def _label(row: CannedResponse | Article) -> str:
        # An article in the officer's page language (its __str__ is the
        # Vietnamese title: English pages listed Vietnamese titles, a helper's
        # walk); the reply itself links it in the resident's (reply_compose).
        if isinstance(row, Article):
            return article_title(row, language=translation.get_language() or "vi")
        return str(row)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        own = data.get("body", "")
        data["body"] = reply_compose(
            text=own,
            canned=data.get("canned"),
            article=data.get("article"),
            language=self.language,
        )
        # The prepared answer and the article's line count towards the reply's
        # length: said here, at the box, with what to cut (the case core said
        # "at most 4000 characters" at the page's top, of words that were
        # 1,500; a walk).
        over = counted_length(data["body"]) - BODY_MAX
        if over > 0 and not self.has_error("body") and own.strip():
            self.add_error(
                "body",
                _(
                    "With the prepared answer or the article, the reply is too long: "
                    "shorten your words by %(over)s characters."
                )
                % {"over": over},
            )
        # A reply refused for its length is not also "empty" (a helper's walk
        # saw both sentences at once).
        refused = self.has_error("body")
        if not refused and not data["body"] and not data.get("photos") and not data.get("voice"):
            # At the reply box (the page's summary links to it); the prepared
            # answers named only when the form offers some.
            if "canned" in self.fields:
                self.add_error("body", _("Write a reply or choose a prepared answer."))
            else:
                self.add_error("body", _("Write a reply, or add a picture or a voice answer."))
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (officers only)"),
        max_length=BODY_MAX,
        widget=Textarea({"rows": 3, **SENT_TEXT}),
    )
    photos = MultiplePhotoField(label=_("Pictures"), required=False)
    idempotency_key = IdempotencyKeyField()


class TransferForm(forms.Form):
    # No department chosen until the officer chooses one: the list holds every
    # department of the province, and its first one (another commune's) was
    # preselected, so "Transfer" with a reason typed sent the case there (found
    # by a helper walking the console).
    department = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Department.objects.none(),
        error_messages={"required": _("Choose the department to send the case to.")},
    )
    # Shown on the resident's timeline, like the resolve note: an officer
    # wrote an officer-to-officer reason, not knowing (a helper's walk).
    reason = forms.CharField(
        label=_("Reason (the resident sees this)"),
        max_length=BODY_MAX,
        widget=Textarea({"rows": 2}),
        # Said in the page's summary too, away from the box: "This field is
        # required." named no field there (a helper's walk).
        error_messages={"required": _("Write why the case is transferred.")},
    )

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department],
        own_communes: Collection[int] = (),
        case_commune: int | None = None,
        near_communes: Callable[[], Collection[int]] = tuple,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        # What may be chosen is the queryset (lifecycle.transfer_targets): the
        # groups below only arrange it, and a posted choice is checked against it.
        field.queryset = departments

        def by_commune() -> list[tuple[str, list[tuple[int, str]]]]:
            # A province's ~450 departments in one flat list meant scrolling
            # through every commune on a phone (a helper's walk at 360 px): one
            # group per commune, the officer's own first, the others in the
            # order departments_in_list gives (the queue filter's order, in the
            # reader's language). Each option keeps its commune in its label: a
            # closed list shows only the option, and some screen readers do
            # not read the group. Made when the list is shown.
            listed = departments_in_list(
                (d, department_name(d), unit_short_name(d.commune)) for d in departments
            )
            # By the commune's id, in the order its first department comes:
            # two communes of one short name (a Xã and a Phường) stay apart.
            groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
            for department, label in listed:
                commune = department.commune
                if commune.pk not in groups:
                    groups[commune.pk] = (unit_name(commune), [])
                groups[commune.pk][1].append((department.pk, label))
            # After the officer's own: the communes where the case may belong
            # instead, its own and then those that border it (a point near a
            # border, a resident who named the wrong side), before the rest of
            # the province. Asked for here, when the list is shown: a post
            # does not need it.
            near = near_communes()

            def rank(pk: int) -> int:
                if pk in own_communes:
                    return 0
                return 1 if pk == case_commune else 2 if pk in near else 3

            return [group for pk, group in sorted(groups.items(), key=lambda g: rank(g[0]))]

        def with_nothing_chosen() -> list[tuple[int | str, Any]]:
            return [("", str(_("— Choose a department —"))), *by_commune()]

        field.choices = with_nothing_chosen


class _OfficerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or phone_display(obj.phone))


class AssignForm(forms.Form):
    """Hand an accepted case to another officer of its department (the API's
    /cases/<n>/assign; the console had only "Accept", to oneself: a leader
    could not give a case to anyone, a helper's walk)."""

    officer = _OfficerChoiceField(
        label=_("Give the case to"),
        queryset=User.objects.none(),
        empty_label=_("— Choose an officer —"),
        error_messages={"required": _("Choose the officer to give the case to.")},
    )

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        # What may be chosen is the queryset; ticket_assign checks the choice
        # again. Read once: the rows are the list, and tell whether to offer it.
        field.queryset = officers
        rows = list(officers)
        labels = [(u.pk, field.label_from_instance(u)) for u in rows]
        field.choices = [("", field.empty_label), *labels]
        # No one else in the department: the case page leaves the action out.
        self.offered = bool(rows)


class DuplicateForm(forms.Form):
    original = forms.CharField(
        label=_("Number of the original case"),
        max_length=24,
        widget=forms.TextInput({"placeholder": "TN-2026-00123", "autocapitalize": "characters"}),
    )

    def clean_original(self) -> str:
        value: str = self.cleaned_data["original"]
        return value.strip().upper()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting (the resident sees this)"),
        max_length=BODY_MAX,
        widget=Textarea({"rows": 2}),
        error_messages={"required": _("Write why the case is rejected.")},
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done (the resident sees this)"),
        max_length=BODY_MAX,
        widget=Textarea({"rows": 3}),
        error_messages={"required": _("Write what was done.")},
    )
    photos = MultiplePhotoField(label=_("Photos of the finished work"), required=False)

    def __init__(self, *args: Any, photo_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Said for this case before Resolve is pressed: "some kinds of case
        # need one" left the officer to learn it from the refusal (a phone
        # walk). The rule itself stays the core's (lifecycle.ticket_resolve).
        if photo_required:
            field = self.fields["photos"]
            field.help_text = _("This kind of case needs at least one.")
            field.widget.attrs["required"] = True
