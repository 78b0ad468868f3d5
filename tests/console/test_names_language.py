"""The console names places, departments and services in the reader's language,
as the API, the public pages and the console's own map already did: the queue,
its live rows, its filters, a case's page, the transfer form, the dashboard and
the scam lists. And no two dashboard rows read the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.choices import flatten_choices

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import Department, DepartmentType, Service, Ticket
from scams.models import ScamIndicator
from tests import factories
from tests.conftest import Personas
from tests.console.pages import case_in

# Commune 02116 of Thái Nguyên and 06391 of Lạng Sơn are both "Yên Bình".
YEN_BINH_THAI_NGUYEN = "02116"
YEN_BINH_LANG_SON = "06391"


def _client(user: User, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _named(commune_a: AdminUnit) -> tuple[Ticket, Department, Service]:
    ticket = case_in(commune_a, factories.user_create(full_name="Người báo"))
    assert ticket.department_id is not None
    Department.objects.filter(pk=ticket.department_id).update(
        name="Phòng Kinh tế thử", name_en="Test Economy Office"
    )
    ticket.refresh_from_db()
    assert ticket.department is not None
    return ticket, ticket.department, ticket.service


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_queue_case_page_and_dashboard_name_things_in_the_readers_language(
    personas: Personas, commune_a: AdminUnit, language: str
) -> None:
    ticket, department, service = _named(commune_a)
    factories.department_create(commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY)

    def pick(vietnamese: str, english: str) -> str:
        return english if language == "en" else vietnamese

    want = [
        pick(service.name, service.name_en),
        pick(commune_a.name, commune_a.name_en),
        pick(department.name, department.name_en),
    ]
    other = [
        pick(service.name_en, service.name),
        pick(department.name_en, department.name),
    ]
    admin = _client(personas.province_admin, language)
    pages = {
        "queue": admin.get(reverse("console:queue")),
        "rows": admin.get(reverse("console:queue-rows"), {"cases": ticket.number}),
        "dashboard": admin.get(reverse("console:dashboard"), {"commune": commune_a.code}),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        content = page.content.decode()
        for text in want[1:] if name == "dashboard" else want:
            assert text in content, (name, text)
        for text in other:
            assert text not in content, (name, text)

    # The filters offer the same names, in the reader's order: "Đường…" after
    # "Cây…" and before "Rác…", where code points put Đ after R.
    form = pages["queue"].context["form"]
    offered = [value for value, _label in form.fields["service"].choices]
    assert offered.index("fallen_tree") < offered.index("road_damage")
    assert offered.index("road_damage") < offered.index("trash_uncollected")
    assert (service.code, pick(service.name, service.name_en)) in form.fields["service"].choices
    # A department with its commune, as the transfer form names it.
    assert (
        str(department.pk),
        f"{pick(commune_a.name, commune_a.name_en)} — {pick(department.name, department.name_en)}",
    ) in form.fields["department"].choices
    assert (commune_a.code, pick(commune_a.name, commune_a.name_en)) in form.fields[
        "commune"
    ].choices

    # A case's page: its heading, the commune's full name and the department.
    detail = _client(personas.officer_a, language).get(
        reverse("console:ticket-detail", args=[ticket.number])
    )
    content = detail.content.decode()
    assert f"{ticket.number} · {pick(service.name, service.name_en)}" in content
    assert pick(commune_a.full_name, commune_a.full_name_en) in content
    assert pick(department.name, department.name_en) in content
    assert pick(department.name_en, department.name) not in content
    # The transfer form names the departments the case may go to the same way
    # (in groups by commune: flattened here).
    transfer = next(f for a, f in detail.context["actions"] if a.name == "transfer")
    choices: list[tuple[Any, Any]] = list(flatten_choices(transfer.fields["department"].choices))
    labels = [label for value, label in choices if value != ""]
    targets = list(transfer.fields["department"].queryset)
    # Among them one with no English name (factories.department_create):
    # shown in Vietnamese in English too, as everywhere.
    assert any(not target.name_en for target in targets)
    assert len(labels) == len(targets) > 0
    for target in targets:
        name = pick(target.name, target.name_en or target.name)
        commune = pick(target.commune.name, target.commune.name_en)
        assert f"{commune} — {name}" in labels


@pytest.mark.django_db
def test_queue_filters_are_cached_per_language(personas: Personas, commune_a: AdminUnit) -> None:
    """The filter choices are kept a while per scope: a reader of the other
    language must not get the names of whoever asked first."""
    case_in(commune_a, personas.resident)
    vietnamese = _client(personas.province_admin, "vi").get(reverse("console:queue"))
    english = _client(personas.province_admin, "en").get(reverse("console:queue"))
    assert (commune_a.code, commune_a.name) in vietnamese.context["form"].fields["commune"].choices
    assert (commune_a.code, commune_a.name_en) in english.context["form"].fields["commune"].choices


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "thai_nguyen", "lang_son"),
    [
        ("vi", "Yên Bình (Thái Nguyên)", "Yên Bình (Lạng Sơn)"),
        ("en", "Yen Binh (Thai Nguyen)", "Yen Binh (Lang Son)"),
    ],
)
def test_communes_of_one_name_are_told_apart_by_their_province(
    superuser: User, personas: Personas, language: str, thai_nguyen: str, lang_son: str
) -> None:
    for code in (YEN_BINH_THAI_NGUYEN, YEN_BINH_LANG_SON):
        case_in(factories.commune_get(code=code), personas.resident)
    page = _client(superuser, language).get(reverse("console:dashboard"))
    shown = {row["commune__code"]: row["commune_text"] for row in page.context["by_commune"]}
    assert shown == {YEN_BINH_THAI_NGUYEN: thai_nguyen, YEN_BINH_LANG_SON: lang_son}
    opened = _client(superuser, language).get(
        reverse("console:dashboard"), {"commune": YEN_BINH_LANG_SON}
    )
    assert opened.context["commune_name"] == lang_son
    # The queue's commune filter offers them the same way.
    queue = _client(superuser, language).get(reverse("console:queue"))
    offered = dict(queue.context["form"].fields["commune"].choices)
    assert (offered[YEN_BINH_THAI_NGUYEN], offered[YEN_BINH_LANG_SON]) == (thai_nguyen, lang_son)


@pytest.mark.django_db
def test_names_alike_only_in_english_are_told_apart_in_english(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    AdminUnit.objects.filter(pk=commune_b.pk).update(name_en=commune_a.name_en)
    case_in(commune_a, personas.resident)
    case_in(commune_b, personas.resident)
    vietnamese = _client(personas.province_admin, "vi").get(reverse("console:dashboard"))
    assert {row["commune_text"] for row in vietnamese.context["by_commune"]} == {
        commune_a.name,
        commune_b.name,
    }
    english = _client(personas.province_admin, "en").get(reverse("console:dashboard"))
    assert {row["commune_text"] for row in english.context["by_commune"]} == {
        f"{commune_a.name_en} ({commune_a.code})",
        f"{commune_a.name_en} ({commune_b.code})",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_communes_are_listed_in_the_order_a_reader_looks_for_them(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, language: str
) -> None:
    """ "Đại Từ" (commune B) before "Phan Đình Phùng" (commune A): by code
    points every Đ came after Z."""
    case_in(commune_a, personas.resident)
    case_in(commune_b, personas.resident)
    client = _client(personas.province_admin, language)
    dashboard = client.get(reverse("console:dashboard"))
    assert [row["commune__code"] for row in dashboard.context["by_commune"]] == [
        commune_b.code,
        commune_a.code,
    ]
    choices = client.get(reverse("console:queue")).context["form"].fields["commune"].choices
    assert [value for value, _label in choices] == ["", commune_b.code, commune_a.code]


@pytest.mark.django_db
def test_communes_of_one_name_in_one_province_are_told_apart_by_their_code(
    superuser: User, personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    """Not in the real boundaries, but a renamed commune could do it."""
    AdminUnit.objects.filter(pk=commune_b.pk).update(name=commune_a.name)
    case_in(commune_a, personas.resident)
    case_in(commune_b, personas.resident)
    page = _client(superuser, "vi").get(reverse("console:dashboard"))
    assert {row["commune_text"] for row in page.context["by_commune"]} == {
        f"{commune_a.name} ({commune_a.code})",
        f"{commune_a.name} ({commune_b.code})",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_scam_lists_name_the_province_in_the_readers_language(
    personas: Personas, language: str
) -> None:
    province = factories.province_get(code="19")
    ScamIndicator.objects.create(province=province, kind="phone", value="0399888777")
    page = _client(personas.province_admin, language).get("/console/scams/").content.decode()
    shown, hidden = (
        (province.name_en, province.name) if language == "en" else (province.name, province.name_en)
    )
    assert f"<td>{shown}</td>" in page
    assert f"<td>{hidden}</td>" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_transfer_form_lists_departments_in_the_readers_order(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, language: str
) -> None:
    """By commune, then department: "Đại Từ" (B) before "Phan Đình Phùng"
    (A), where the database's order put every Đ after P. Read by the province
    administrator, who works in no commune: an officer's own commune comes
    first, then the case's and those on its border
    (tests/console/test_phone_layout.py), so the case is in a commune far
    from both (Đức Xuân, in the north of the province)."""
    ticket = case_in(AdminUnit.objects.get(code="01840"), personas.resident)
    factories.department_create(commune=commune_b, department_type=DepartmentType.CULTURE_SOCIETY)
    factories.department_create(commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY)
    detail = _client(personas.province_admin, language).get(
        reverse("console:ticket-detail", args=[ticket.number])
    )
    transfer = next(f for a, f in detail.context["actions"] if a.name == "transfer")
    by_id = {d.pk: d for d in transfer.fields["department"].queryset}
    # In groups by commune: flattened, they keep the one order.
    choices: list[tuple[Any, Any]] = list(flatten_choices(transfer.fields["department"].choices))
    # Nothing chosen first: the list holds the whole province.
    assert choices[0][0] == ""
    communes = [by_id[int(value)].commune_id for value, _label in choices[1:]]
    assert communes.index(commune_b.pk) < communes.index(commune_a.pk)
    assert communes == sorted(communes, key=lambda pk: pk != commune_b.pk)


@pytest.mark.django_db
def test_the_department_filter_tells_the_communes_departments_apart(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    """Every commune has the same five departments: a province's filter listed
    the same five names over and over, with nothing to tell them apart."""
    for commune in (commune_a, commune_b):
        department = factories.department_create(
            commune=commune, department_type=DepartmentType.CULTURE_SOCIETY
        )
        Department.objects.filter(pk=department.pk).update(name="Phòng Văn hóa – Xã hội")
        ticket = case_in(commune_a, personas.resident)
        Ticket.objects.filter(pk=ticket.pk).update(department=department, commune=commune)
    page = _client(personas.province_admin, "vi").get(reverse("console:queue"))
    labels = [label for value, label in page.context["form"].fields["department"].choices if value]
    assert "Đại Từ — Phòng Văn hóa – Xã hội" in labels
    assert "Phan Đình Phùng — Phòng Văn hóa – Xã hội" in labels
    assert len(set(labels)) == len(labels)
    # By commune, then department, as in the transfer form.
    assert labels.index("Đại Từ — Phòng Văn hóa – Xã hội") < labels.index(
        "Phan Đình Phùng — Phòng Văn hóa – Xã hội"
    )


@pytest.mark.django_db
def test_the_transfer_lists_options_are_reached_by_typing_a_communes_name(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A list's options are reached from the keyboard by their first letters:
    with the department's name first, typing "Phan" on the transfer list
    selected nothing (a helper's walk). Each option now starts with its commune."""
    ticket = case_in(commune_a, personas.resident)
    page = _client(personas.leader_a, "vi").get(
        reverse("console:ticket-detail", args=[ticket.number])
    )
    (transfer,) = [
        form
        for _action, form in page.context["actions"]
        if "reason" in form.fields and "department" in form.fields
    ]
    groups = [
        choice for choice in transfer.fields["department"].choices if isinstance(choice[1], list)
    ]
    assert groups
    for group, options in groups:
        for _pk, label in options:
            commune = label.split(" — ")[0]
            assert group.endswith(commune), (group, label)
