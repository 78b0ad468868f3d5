"""What the queue's search box looks for in a case: ``Ticket.search_text``.

The words of the description, the village or landmark, and the names of the
people a case names (the reporter, the resident a team member filed for, the
names an Open311 filer gave), folded (lowercase, without Vietnamese marks, đ as
d: knowledge.search.fold_vietnamese) and written one space apart between two
spaces: " ho sau truoc nha 12 nguyen van an ". A searched word then starts a
word of it where `` word`` occurs, which the trigram index on the column
(pg_trgm's gin_trgm_ops) serves (``word_q``): the queue finds a word in every
case of a province's 1,000,000, not only in the 2,000 due last that it read
before, where the regular expression on the raw text could use no index.

Each mobile number written in the text is added as one token, in E.164
(" +84912345678 "), however it was written ("0912 345 678", "+84 912.345.678"):
a phone search matches the token, through the same index, where the grouping's
spaces and dots defeated any index. It starts with "+", which no searched word
does: a word "te" ("y tế") must not find every case that gives a number, as a
token "tel…" made it (a second read).

Kept at filing (helpdesk/filing.py: nothing changes these texts afterwards)
and, for the reporter's name, after an account's name changes. The rename
does not rewrite the cases: ``reporter_renamed`` (helpdesk/apps.py) records
the account in ``SearchTextRefresh`` (one upsert, in the admin's transaction;
a team member's or an Open311 client's 400,000 cases took 267 s there, past
the request's timeout, holding their rows, all rolled back on any failure).
The scheduler's ``search_text_fill`` (helpdesk/schedule.py, every minute by
default) writes them: batches that each commit on their own, the row's
progress moved on after each, so a run stopped or killed midway is finished
by the next; the row deleted only if its count of renames and the time of
the latest are still the ones the run read, so a rename meanwhile starts the
account's cases over and is never lost. Until then, search finds the cases by
the old name.

NULL is "not written yet": the cases that were there before the column
(migration 0035), and any that a process of the code before it files while
a new version is deployed. The same job writes those, after the renames; an
empty text is a case with no words at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from helpdesk.models import SearchTextRefresh
from knowledge.search import fold_vietnamese

# Cases read and written per statement by the rewrites below.
BATCH = 5000

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


def word_q(word: str) -> Q:
    """The cases whose ``search_text`` has a word starting with ``word``.

    LIKE '% word%' asks the trigram index for the word's trigrams and also the
    two of its start, "  h" and " ho", which half the cases hold: their
    posting lists were most of a name's 65 ms over 1,000,000 cases. A word of
    three letters or more is looked up as LIKE '%word%' (its own trigrams
    only), and its start is checked on the rows that index finds, with a
    strpos that no index serves and costs a microsecond: the same cases,
    32 ms (bench/HISTORY.md). A shorter word has no trigram of its own and
    keeps the start's."""
    if len(word) < 3:
        return Q(search_text__contains=word_pattern(word))
    starts = GreaterThan(StrIndex("search_text", Value(word_pattern(word))), 0)
    return Q(search_text__contains=word) & Q(starts)


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


def _never() -> bool:
    return False


def search_text_refresh(
    *, unwritten: bool = False, batch: int = BATCH, should_stop: Callable[[], bool] = _never
) -> int:
    """Write ``search_text`` again for the cases not written yet (``unwritten``:
    NULL, through their partial index) or for every case. Batches of ``batch``
    cases by id, each read and written in two statements (outside a
    transaction, each batch commits on its own); ``should_stop`` is asked
    before each. Returns how many rows changed."""
    where = "t.search_text IS NULL" if unwritten else "TRUE"
    changed = 0
    last: int | None = 0
    with connection.cursor() as cursor:
        while last is not None and not should_stop():
            written, last = _batch_write(cursor, where=where, params=[], after=last, batch=batch)
            changed += written
    return changed


@dataclass(frozen=True)
class Filled:
    """What one run of ``search_text_fill`` did."""

    written: int  # cases whose search text changed
    renamed: int  # renamed accounts whose cases all name them by their name of now
    waiting: int  # renamed accounts left for the next run (``should_stop`` said so)


def search_text_fill(*, batch: int = BATCH, should_stop: Callable[[], bool] = _never) -> Filled:
    """The scheduler's job (helpdesk/schedule.py): the cases of the renamed
    accounts (``SearchTextRefresh``), oldest rename first, then the cases not
    written yet (NULL: after migration 0035, the cases an older process filed
    while this version was deployed). Usually nothing: a read of an empty
    table and one probe of the partial index. ``should_stop`` is asked before
    each batch; what is left waits for the next run, which goes on from there."""
    written = renamed = 0
    pending = list(
        SearchTextRefresh.objects.order_by("asked_at").values_list("reporter_id", flat=True)
    )
    for position, reporter_id in enumerate(pending):
        changed, done = search_text_renamed_write(
            reporter_id=reporter_id, batch=batch, should_stop=should_stop
        )
        written += changed
        renamed += done
        if not done:
            return Filled(written=written, renamed=renamed, waiting=len(pending) - position)
    written += search_text_refresh(unwritten=True, batch=batch, should_stop=should_stop)
    return Filled(written=written, renamed=renamed, waiting=0)


def search_text_renamed_write(
    *, reporter_id: int, batch: int = BATCH, should_stop: Callable[[], bool] = _never
) -> tuple[int, bool]:
    """Write the search text of the cases of a renamed account, from where its
    row's progress stands, and delete the row; returns how many cases changed
    and whether the row went (False: ``should_stop`` said so first).

    Each batch commits on its own, then moves the progress on (a process that
    dies loses one batch at most, rewritten the same). Both the progress and
    the delete hold only while the row's ``asks`` and ``asked_at`` are the
    ones read: a rename committed meanwhile reset the progress, and the
    account's cases are written again under the newest name. The count alone
    was not enough (a second read): a row another run deleted and a rename
    made anew has ``asks`` 1 again, and this run moved that row's progress on
    past cases it had written under the name before."""
    changed = 0
    seen: list[Any] | None = None  # the row's [asks, asked_at] as last read; None: read it
    after = 0
    with connection.cursor() as cursor:
        while True:
            if seen is None:  # at the start, and after a rename committed meanwhile
                cursor.execute(
                    "SELECT asks, asked_at, done_through FROM helpdesk_searchtextrefresh"
                    " WHERE reporter_id = %s",
                    [reporter_id],
                )
                row = cursor.fetchone()
                if row is None:  # done by another run, or the account was deleted
                    return changed, True
                *seen, after = row
            if should_stop():
                return changed, False
            written, last = _batch_write(
                cursor, where="t.reporter_id = %s", params=[reporter_id], after=after, batch=batch
            )
            changed += written
            if last is None:
                cursor.execute(_DONE_SQL, [reporter_id, *seen])
                if cursor.rowcount:
                    return changed, True
            else:
                cursor.execute(_PROGRESS_SQL, [last, reporter_id, *seen])
                after = last
            if not cursor.rowcount:
                seen = None


# The pending row of an account as a run read it: the same count of renames
# and the same time of the latest (search_text_renamed_write).
_DONE_SQL = """
    DELETE FROM helpdesk_searchtextrefresh
     WHERE reporter_id = %s AND asks = %s AND asked_at = %s
"""
_PROGRESS_SQL = """
    UPDATE helpdesk_searchtextrefresh SET done_through = %s
     WHERE reporter_id = %s AND asks = %s AND asked_at = %s
"""


def _batch_write(
    cursor: Any, *, where: str, params: list[Any], after: int, batch: int
) -> tuple[int, int | None]:
    """Write the next ``batch`` cases matching ``where`` past id ``after``;
    returns how many changed and the last id read (None: no case was left)."""
    sql = _TEXTS_SQL.format(where=f"t.id > %s AND {where}") + " LIMIT %s"
    cursor.execute(sql, [after, *params, batch])
    rows = cursor.fetchall()
    if not rows:
        return 0, None
    ids, texts = _texts(rows)
    cursor.execute(_WRITE_SQL, [ids, texts])
    return cursor.rowcount, ids[-1]


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
_RECORD_SQL = """
    INSERT INTO helpdesk_searchtextrefresh AS r (reporter_id, asked_at, asks, done_through)
    VALUES (%s, %s, 1, 0)
    ON CONFLICT (reporter_id) DO UPDATE
       SET asked_at = excluded.asked_at, asks = r.asks + 1, done_through = 0
"""


def search_text_rename_record(*, reporter_id: int) -> None:
    """Record that the cases of ``reporter_id`` must name it anew (its name
    changed): one upsert, in the caller's transaction, which commits or rolls
    back with the name. A second rename while one waits counts one more ask
    and starts the account's cases over."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_SQL, [reporter_id, timezone.now()])


def name_before_save(sender: object, instance: Any, update_fields: Any, **kwargs: object) -> None:
    """pre_save of an account: notes whether the save changes its name, so
    that ``reporter_renamed`` records a refresh only then. A full save (the
    admin's change form, a password change, a switch of is_active) would
    otherwise send every case of the account to be rewritten. One query."""
    if instance.pk is None or (update_fields is not None and "full_name" not in update_fields):
        return
    before = type(instance).objects.filter(pk=instance.pk).values_list("full_name", flat=True)
    setattr(instance, _RENAMED, before.first() not in (None, instance.full_name))


def reporter_renamed(sender: object, instance: Any, created: bool, **kwargs: object) -> None:
    """post_save of an account whose name changed (``name_before_save``):
    records that its cases' search text must name it by its name of now,
    which the scheduler writes. Not the rewrite itself: a team member's or an
    Open311 client's 400,000 cases took 267 s in the admin's transaction,
    past the request's timeout, holding their rows, all rolled back on any
    failure (a second read). An account's name changes in the admin only
    (accounts/admin.py)."""
    if not created and instance.__dict__.pop(_RENAMED, False):
        search_text_rename_record(reporter_id=instance.pk)
