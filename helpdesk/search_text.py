"""What the queue's search box looks for in a case: ``Ticket.search_text``.

The words of the description, the village or landmark, and the names of the
people a case names (the reporter, the resident a team member filed for, the
names an Open311 filer gave), folded (lowercase, without Vietnamese marks, đ as
d: knowledge.search.fold_vietnamese) and written one space apart between two
spaces: " ho sau truoc nha 12 nguyen van an ". A searched word then starts a
word of it where `` word`` occurs (LIKE '% word%'), which the trigram index on
the column (pg_trgm's gin_trgm_ops) serves: the queue finds a word in every
case of a province's 1,000,000, not only in the 2,000 due last that it read
before, where the regular expression on the raw text could use no index.

Each mobile number written in the text is added as one token, in E.164
(" +84912345678 "), however it was written ("0912 345 678", "+84 912.345.678"):
a phone search matches the token, through the same index, where the grouping's
spaces and dots defeated any index. It starts with "+", which no searched word
does: a word "te" ("y tế") must not find every case that gives a number, as a
token "tel…" made it (a second read).

Kept at filing (helpdesk/filing.py: nothing changes these texts afterwards)
and, for the reporter's name, when an account's name changes
(``reporter_renamed``, helpdesk/apps.py). NULL is "not written yet": the cases
that were there before the column (migration 0035), and any that a process of
the code before it files while a new version is deployed. The scheduler writes
those (``search_text_fill``, helpdesk/schedule.py); an empty text is a case
with no words at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from knowledge.search import fold_vietnamese

_WORD = re.compile(r"[a-z0-9]+")
# Between the digits of a phone number written in a text: spaces, dots, dashes
# and brackets, as people group them ("0912 345 678", "0912.345.678",
# "(0912) 345-678", "+84 (912) 345 678").
_GAP = r"[\s.()-]{0,3}"
# A Vietnamese mobile number written in text: 0, 84, +84 or 0084 (or nothing) before
# nine digits, not inside a longer number. A lookahead, so that numbers written
# close together are each found ("0912345678 0987654321").
# ASCII: \d is then [0-9], as the look-arounds are (full-width digits made
# tokens of junk).
_PHONE_WRITTEN = re.compile(
    rf"(?<![0-9])(?=(?:(?:\+|00)?84{_GAP}|0)?(\d(?:{_GAP}\d){{8}})(?![0-9]))", re.ASCII
)


def phones_written(*texts: str) -> list[str]:
    """The nine national digits of each mobile number written in ``texts``, in
    order, once each ("Nhà anh Tú, 0912 345 678" gives ["912345678"]). Each
    text apart: the end of one and the start of the next are no number."""
    found = (
        re.sub(r"[^0-9]", "", match[1]) for text in texts for match in _PHONE_WRITTEN.finditer(text)
    )
    return list(dict.fromkeys(found))


def search_words(text: str) -> list[str]:
    """The words of ``text`` as the search text holds them, and as the search
    box's words are looked for (helpdesk.selectors.case_search_parse): folded,
    runs of [a-z0-9]. One rule for both sides, or a word stops finding itself."""
    return _WORD.findall(fold_vietnamese(text))


def search_text_of(*, description: str, address_text: str, names: Iterable[str]) -> str:
    """The ``Ticket.search_text`` of a case with these texts and names."""
    texts = [description, address_text, *names]
    words = search_words(" ".join(text for text in texts if text))
    phones = phones_written(description, address_text)
    tokens = [*words, *(f"+84{digits}" for digits in phones)]
    return f" {' '.join(tokens)} " if tokens else ""


def word_pattern(word: str) -> str:
    """What ``search_text`` contains when a word of it starts with ``word``
    (folded, [a-z0-9]+): LIKE '% word%' through Django's ``contains``."""
    return f" {word}"


def phone_pattern(phone: str) -> str:
    """What ``search_text`` contains when the case's text writes ``phone``
    (E.164, +84…) in any usual way: its whole token."""
    return f" {phone} "


# The texts of cases, read for ``search_text_of``: the reporter's name and the
# name a team member gave for the resident are in other tables.
_TEXTS_SQL = """
    SELECT t.id, t.description, t.address_text, t.filer_names, u.full_name,
           coalesce(p.resident_name, '')
      FROM helpdesk_ticket t
      JOIN accounts_user u ON u.id = t.reporter_id
      LEFT JOIN helpdesk_proxyfiling p ON p.ticket_id = t.id
     WHERE {where}
     ORDER BY t.id
"""
_WRITE_SQL = """
    UPDATE helpdesk_ticket t SET search_text = new.text
      FROM unnest(%s::bigint[], %s::text[]) AS new(id, text)
     WHERE t.id = new.id AND t.search_text IS DISTINCT FROM new.text
"""


def search_text_refresh(
    *, reporter_id: int | None = None, unwritten: bool = False, batch: int = 5000
) -> int:
    """Write ``search_text`` again for the cases of ``reporter_id`` (their name
    changed), for the cases not written yet (``unwritten``: NULL, through
    their partial index), or for every case. Batches of ``batch`` cases by
    id, each read and written in two statements (outside a transaction, each
    batch commits on its own); returns how many rows changed."""
    changed = 0
    last = 0
    with connection.cursor() as cursor:
        while True:
            where, params = "t.id > %s", [last]
            if reporter_id is not None:
                where += " AND t.reporter_id = %s"
                params.append(reporter_id)
            if unwritten:
                where += " AND t.search_text IS NULL"
            cursor.execute(_TEXTS_SQL.format(where=where) + " LIMIT %s", [*params, batch])
            rows = cursor.fetchall()
            if not rows:
                return changed
            ids, texts = _texts(rows)
            cursor.execute(_WRITE_SQL, [ids, texts])
            changed += cursor.rowcount
            last = ids[-1]


def search_text_fill() -> int:
    """Write the search text of the cases that have none yet (the scheduler's
    job, helpdesk/schedule.py): after migration 0035, the cases an older
    process filed while this version was deployed. Usually none: one probe of
    the partial index."""
    return search_text_refresh(unwritten=True)


def _texts(rows: Sequence[tuple]) -> tuple[list[int], list[str]]:  # type: ignore[type-arg]
    ids: list[int] = []
    texts: list[str] = []
    for ticket_id, description, address_text, filer_names, reporter_name, resident in rows:
        ids.append(ticket_id)
        names = [reporter_name, resident, *(filer_names or [])]
        texts.append(
            search_text_of(description=description, address_text=address_text, names=names)
        )
    return ids, texts


_RENAMED = "_search_text_renamed"


def name_before_save(sender: object, instance: Any, update_fields: Any, **kwargs: object) -> None:
    """pre_save of an account: notes whether the save changes its name, so
    that ``reporter_renamed`` refreshes its cases only then. A full save (the
    admin's change form, a password change, a switch of is_active) rewrote
    every case of the account, a team member's or an Open311 client's
    thousands, in the admin's transaction (a second read). One query."""
    if instance.pk is None or (update_fields is not None and "full_name" not in update_fields):
        return
    before = type(instance).objects.filter(pk=instance.pk).values_list("full_name", flat=True)
    setattr(instance, _RENAMED, before.first() not in (None, instance.full_name))


def reporter_renamed(sender: object, instance: Any, created: bool, **kwargs: object) -> None:
    """post_save of an account whose name changed (``name_before_save``): its
    cases' search text names it by its name of now. An account's name changes
    in the admin only (accounts/admin.py)."""
    if not created and instance.__dict__.pop(_RENAMED, False):
        search_text_refresh(reporter_id=instance.pk)
