"""The index of each word's beginnings that the queue's search reads
(helpdesk/search_prefixes.py): what the function gives, and what a search
finds through it."""

from __future__ import annotations

import pytest
from django.db import connection

from geo.models import AdminUnit
from helpdesk.models import Ticket
from helpdesk.search_prefixes import prefixes_q
from tests.conftest import Personas
from tests.console.pages import case_in


def _prefixes(text: str | None) -> list[str] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xadesk_search_prefixes(%s)", [text])
        row = cursor.fetchone()
    return None if row[0] is None else sorted(row[0])


@pytest.mark.django_db
def test_each_word_gives_its_beginnings_and_a_phone_token_itself() -> None:
    assert _prefixes(" den duong 5 +84912345678 ") == sorted(
        ["d", "de", "den", "d", "du", "duo", "duon", "duong", "5", "+84912345678"]
    )
    # Nothing written yet is found by nothing; a case without words has none.
    assert _prefixes(None) is None
    assert _prefixes("") == []


@pytest.mark.django_db
def test_a_search_finds_beginnings_of_words_not_their_middles(
    personas: Personas, commune_a: AdminUnit
) -> None:
    light = case_in(commune_a, personas.resident, description="Đèn đường tắt, gọi 0912 345 678")
    unwritten = case_in(commune_a, personas.resident, description="Đèn đường hỏng")
    Ticket.objects.filter(pk=unwritten.pk).update(search_text=None)

    def found(*words: str) -> list[int]:
        return list(Ticket.objects.filter(prefixes_q(words)).values_list("pk", flat=True))

    for words in (("den",), ("d", "duo"), ("duong", "den"), ("+84912345678",)):
        assert found(*words) == [light.pk], words
    # The middle or the end of a word; a word and one it is not; the start of
    # the phone's token, which no search writes.
    for words in (("uong",), ("en",), ("den", "cau"), ("+849",), ("+",), ("912345678",)):
        assert found(*words) == [], words
