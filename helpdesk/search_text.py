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

Each mobile number written in the text is added as one token, "tel" and its
nine national digits (" tel912345678 "), however it was written ("0912 345
678", "+84 912.345.678"): a phone search matches the token, through the same
index, where the grouping's spaces and dots defeated any index.

Kept at filing (helpdesk/filing.py: nothing changes these texts afterwards)
and, for the reporter's name, when an account's name changes
(``search_text_refresh``, helpdesk/apps.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.db import connection

from knowledge.search import fold_vietnamese

_WORD = re.compile(r"[a-z0-9]+")
# Between the digits of a phone number written in a text: spaces, dots, dashes
# and brackets, as people group them ("0912 345 678", "0912.345.678",
# "(0912) 345-678", "+84 (912) 345 678").
_GAP = r"[\s.()-]{0,3}"
# A Vietnamese mobile number written in text: 0, 84 or +84 (or nothing) before
# nine digits, not inside a longer number. A lookahead, so that numbers written
# close together are each found ("0912345678 0987654321").
_PHONE_WRITTEN = re.compile(rf"(?<![0-9])(?=(?:\+?84{_GAP}|0)?(\d(?:{_GAP}\d){{8}})(?![0-9]))")
_PHONE_MARK = "tel"


def phones_written(text: str) -> list[str]:
    """The nine national digits of each mobile number written in ``text``, in
    order, once each ("Nhà anh Tú, 0912 345 678" gives ["912345678"])."""
    found = (re.sub(r"\D", "", match[1]) for match in _PHONE_WRITTEN.finditer(text))
    return list(dict.fromkeys(found))


def search_text_of(*, description: str, address_text: str, names: Iterable[str]) -> str:
    """The ``Ticket.search_text`` of a case with these texts and names."""
    texts = [description, address_text, *names]
    words = _WORD.findall(fold_vietnamese(" ".join(text for text in texts if text)))
    phones = phones_written(f"{description}\n{address_text}")
    tokens = [*words, *(_PHONE_MARK + digits for digits in phones)]
    return f" {' '.join(tokens)} " if tokens else ""


def word_pattern(word: str) -> str:
    """What ``search_text`` contains when a word of it starts with ``word``
    (folded, [a-z0-9]+): LIKE '% word%' through Django's ``contains``."""
    return f" {word}"


def phone_pattern(phone: str) -> str:
    """What ``search_text`` contains when the case's text writes ``phone``
    (E.164, +84…) in any usual way: its whole token."""
    return f" {_PHONE_MARK}{phone.removeprefix('+84')} "


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


def search_text_refresh(*, reporter_id: int | None = None, batch: int = 5000) -> int:
    """Write ``search_text`` again for the cases of ``reporter_id`` (their name
    changed), or for every case (None: the migration that added the column).
    Batches of ``batch`` cases by id, each read and written in two statements;
    returns how many rows changed."""
    changed = 0
    last = 0
    with connection.cursor() as cursor:
        while True:
            where, params = "t.id > %s", [last]
            if reporter_id is not None:
                where += " AND t.reporter_id = %s"
                params.append(reporter_id)
            cursor.execute(_TEXTS_SQL.format(where=where) + " LIMIT %s", [*params, batch])
            rows = cursor.fetchall()
            if not rows:
                return changed
            ids, texts = _texts(rows)
            cursor.execute(_WRITE_SQL, [ids, texts])
            changed += cursor.rowcount
            last = ids[-1]


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


def reporter_renamed(
    sender: object,
    instance: object,
    created: bool,
    update_fields: frozenset[str] | None,
    **kwargs: object,
) -> None:
    """post_save of an account: its cases' search text names it by its name of
    now. An account's name changes in the admin only (accounts/admin.py), a
    save of every field; saves of other fields alone (a log-in's last_login,
    the language) and a new account, which has no case, are let be."""
    if created or (update_fields is not None and "full_name" not in update_fields):
        return
    search_text_refresh(reporter_id=instance.pk)  # type: ignore[attr-defined]
