"""Ticket.search_text: what the queue's search box looks for (helpdesk/search_text.py)."""

from __future__ import annotations

import pytest

from geo.models import AdminUnit
from helpdesk.models import Ticket
from helpdesk.schedule import scheduled_jobs
from helpdesk.search_text import phones_written, search_text_of, search_text_refresh
from tests.conftest import Personas
from tests.console.pages import case_in
from tests.console.test_queue_search import PHONE_NOT_WRITTEN, PHONE_WRITTEN


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
    # Full-width digits are no number; nor the end of one text and the start
    # of the next (a second read).
    assert phones_written("０９１２３４５６７８") == []
    assert phones_written("Số nhà 0912", "345 678 ngõ 3") == []


def test_the_search_text_is_the_folded_words_and_the_numbers_written() -> None:
    text = search_text_of(
        description="Đèn đường tắt, gọi 0912.345.678!",
        address_text="Thôn Đồng Hỷ",
        names=["Nguyễn Thị Lan", "", "Trần Văn Ánh"],
    )
    assert text == (
        " den duong tat goi 0912 345 678 thon dong hy nguyen thi lan tran van anh +84912345678 "
    )
    assert search_text_of(description="", address_text="", names=[""]) == ""


@pytest.mark.django_db
def test_a_word_is_not_found_in_a_phone_token(personas: Personas, commune_a: AdminUnit) -> None:
    """The token was "tel912345678": "y tế" (folded "te") found every case
    that gave a number (a second read). A token starts with "+", no word does."""
    from tests.console.pages import client_as

    case_in(commune_a, personas.resident, description="Đèn tắt, gọi 0912 345 678")
    officer_a = client_as(personas, "officer_a")
    for q in ("y tế", "tel", "te"):
        response = officer_a.get("/console/", {"q": q})
        assert list(response.context["rows"]) == [], q


@pytest.mark.django_db
def test_filing_writes_it_and_a_refresh_writes_the_same(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident, address_text="Xóm Gò, nhà 0912-345-678")
    filed = Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk)
    assert filed is not None
    assert filed.startswith(" o ga lon truoc cong truong xom go nha 0912 345 678 nguyen thi lan ")
    assert filed.endswith(" +84912345678 ")
    # Cases from before the column (migration 0035), or filed by an older
    # process during a deploy: not written (NULL), until the scheduler's job.
    other = case_in(commune_a, personas.resident)
    Ticket.objects.filter(pk__in=[ticket.pk, other.pk]).update(search_text=None)
    Ticket.objects.filter(pk=other.pk).update(search_text="stale")
    (job,) = [job for job in scheduled_jobs() if job.name == "search_text_fill"]
    assert job.run() == "wrote 1; renamed accounts: 0 done, 0 waiting"
    assert Ticket.objects.values_list("search_text", flat=True).get(pk=ticket.pk) == filed
    assert Ticket.objects.values_list("search_text", flat=True).get(pk=other.pk) == "stale"
    assert job.run() == "wrote 0; renamed accounts: 0 done, 0 waiting"
    assert search_text_refresh() == 1  # every case: the stale one
    assert search_text_refresh() == 0  # nothing to change: nothing written
