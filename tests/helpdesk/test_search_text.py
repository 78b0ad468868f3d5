"""Ticket.search_text: what the queue's search box looks for (helpdesk/search_text.py)."""

from __future__ import annotations

import pytest

from geo.models import AdminUnit
from helpdesk.models import Ticket
from helpdesk.search_text import phones_written, search_text_of, search_text_refresh
from tests.conftest import Personas
from tests.console.pages import case_in
from tests.console.test_queue_search import PHONE_NOT_WRITTEN, PHONE_WRITTEN
from tests.factories import user_create


def test_a_mobile_number_is_read_however_it_is_written() -> None:
    for text in PHONE_WRITTEN:
        assert phones_written(text) == ["912345678"], text
    for text in PHONE_NOT_WRITTEN:
        assert "912345678" not in phones_written(text), text
    # Two numbers close together are both read, once each.
    assert phones_written("0912345678 0987654321, gọi 0912 345 678") == [
        "912345678",
        "987654321",
    ]


def test_the_search_text_is_the_folded_words_and_the_numbers_written() -> None:
    text = search_text_of(
        description="Đèn đường tắt, gọi 0912.345.678!",
        address_text="Thôn Đồng Hỷ",
        names=["Nguyễn Thị Lan", "", "Trần Văn Ánh"],
    )
    assert text == (
        " den duong tat goi 0912 345 678 thon dong hy nguyen thi lan tran van anh tel912345678 "
    )
    assert search_text_of(description="", address_text="", names=[""]) == ""


@pytest.mark.django_db
def test_filing_writes_it_and_a_refresh_writes_the_same(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident, address_text="Xóm Gò, nhà 0912-345-678")
    filed = Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk)
    assert filed.startswith(" o ga lon truoc cong truong xom go nha 0912 345 678 nguyen thi lan ")
    assert filed.endswith(" tel912345678 ")
    # The migration's pass over the cases filed before the column.
    Ticket.objects.filter(pk=ticket.pk).update(search_text="")
    assert search_text_refresh() == 1
    assert Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk) == filed
    assert search_text_refresh() == 0  # nothing to change: nothing written


@pytest.mark.django_db
def test_a_renamed_reporter_is_found_by_the_new_name(commune_a: AdminUnit) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    ticket = case_in(commune_a, reporter)
    reporter.full_name = "Vũ Văn Tuấn"
    reporter.save()  # as the admin's change form saves it: every field
    text = Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk)
    assert " vu van tuan " in text
    assert " tu " not in text
    # A save of other fields alone (a log-in) leaves the cases be.
    Ticket.objects.filter(pk=ticket.pk).update(search_text="stale")
    reporter.save(update_fields=["last_login"])
    assert Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk) == "stale"
