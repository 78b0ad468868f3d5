"""A renamed account's cases: recorded at the rename, rewritten by the scheduler
(helpdesk/search_text.py, SearchTextRefresh)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.models import SearchTextRefresh, Ticket
from helpdesk.schedule import scheduled_jobs
from helpdesk.search_text import Filled, search_text_fill
from tests.console.pages import case_in
from tests.factories import user_create
from tests.races import race_while_held


def _texts(*tickets: Ticket) -> list[str]:
    by_id = dict(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("id", "search_text")
    )
    return [by_id[t.pk] or "" for t in tickets]


def _job_run() -> str:
    (job,) = [job for job in scheduled_jobs() if job.name == "search_text_fill"]
    return job.run()


def _rename(account: User, name: str) -> None:
    account.full_name = name
    account.save()  # as the admin's change form saves it: every field


@pytest.mark.django_db
def test_a_rename_records_a_refresh_and_leaves_the_cases_to_the_scheduler(
    commune_a: AdminUnit,
) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    tickets = [case_in(commune_a, reporter) for _ in range(3)]
    other = case_in(commune_a, user_create(full_name="Hà Thị Tú"))
    # The rename itself touches no case: one upsert of the account's row here.
    with CaptureQueriesContext(connection) as queries:
        _rename(reporter, "Vũ Văn Tuấn")
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if "helpdesk_ticket" in sql]
    assert len([sql for sql in statements if "helpdesk_searchtextrefresh" in sql]) == 1
    pending = SearchTextRefresh.objects.get()
    assert pending.reporter_id == reporter.pk
    assert (pending.asks, pending.done_through) == (1, 0)
    # Not rewritten in the rename's transaction: search finds the old name for now.
    assert all(" vu van tu " in text for text in _texts(*tickets))

    assert _job_run() == "wrote 3; renamed accounts: 1 done, 0 waiting"
    for text in _texts(*tickets):
        assert " vu van tuan " in text
        assert " tu " not in text
    assert " ha thi tu " in _texts(other)[0]  # another account's cases are left be
    assert not SearchTextRefresh.objects.exists()
    assert _job_run() == "wrote 0; renamed accounts: 0 done, 0 waiting"


@pytest.mark.django_db
def test_a_save_that_keeps_the_name_records_nothing(commune_a: AdminUnit) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    case_in(commune_a, reporter)
    reporter.save(update_fields=["last_login"])  # a log-in
    reporter.is_active = False
    reporter.save()  # a full save with the same name: a password change, is_active
    reporter.save(update_fields=["full_name"])  # the name saved, unchanged
    assert not SearchTextRefresh.objects.exists()
    user_create(full_name="Lò Văn Mới")  # a new account has no case to rewrite
    assert not SearchTextRefresh.objects.exists()


@pytest.mark.django_db
def test_a_second_rename_while_one_waits_counts_and_starts_over(commune_a: AdminUnit) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    tickets = [case_in(commune_a, reporter) for _ in range(3)]
    _rename(reporter, "Vũ Văn Tuấn")
    # A first run stopped after one batch of one case.
    calls = iter([False, True])
    filled = search_text_fill(batch=1, should_stop=lambda: next(calls))
    assert filled == Filled(written=1, renamed=0, waiting=1)
    assert SearchTextRefresh.objects.get().done_through == tickets[0].pk

    _rename(reporter, "Vũ Thanh Tùng")
    pending = SearchTextRefresh.objects.get()
    assert (pending.asks, pending.done_through) == (2, 0)  # from the first case again
    assert search_text_fill() == Filled(written=3, renamed=1, waiting=0)
    assert all(" vu thanh tung " in text for text in _texts(*tickets))
    assert not SearchTextRefresh.objects.exists()


@pytest.mark.django_db
def test_a_rename_during_a_run_is_written_by_that_run(commune_a: AdminUnit) -> None:
    """Between two batches, and between the last batch and the delete: the
    run's progress and its delete no longer match the row's asks."""
    for renamed_before in (2, 3):  # the second batch / the delete
        reporter = user_create(full_name="Vũ Văn Tú")
        tickets = [case_in(commune_a, reporter) for _ in range(2)]
        _rename(reporter, "Vũ Văn Tuấn")
        calls = 0

        def rename_midway(renamed_before: int = renamed_before, reporter: User = reporter) -> bool:
            nonlocal calls
            calls += 1
            if calls == renamed_before:
                _rename(reporter, "Vũ Thanh Tùng")
            return False

        search_text_fill(batch=1, should_stop=rename_midway)
        assert all(" vu thanh tung " in text for text in _texts(*tickets)), renamed_before
        assert not SearchTextRefresh.objects.exists()


@pytest.mark.django_db
def test_a_row_made_anew_while_a_run_writes_is_not_taken_for_the_one_it_read(
    commune_a: AdminUnit,
) -> None:
    """Another run finishes the account and deletes its row; a rename then
    makes the row anew, with ``asks`` 1 again, as the row this run read. By
    the count alone, this run moved the new row's progress on past the case
    it had written under the name before, and deleted it: that case kept the
    old name for good (a second read)."""
    reporter = user_create(full_name="Vũ Văn Tú")
    tickets = [case_in(commune_a, reporter) for _ in range(3)]
    _rename(reporter, "Vũ Văn Tuấn")
    calls = 0

    def done_elsewhere_then_renamed() -> bool:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first case is written under "Tuấn"
            SearchTextRefresh.objects.filter(reporter=reporter).delete()
            _rename(reporter, "Vũ Thanh Tùng")
            assert SearchTextRefresh.objects.get(reporter=reporter).asks == 1
        return False

    search_text_fill(batch=1, should_stop=done_elsewhere_then_renamed)
    assert [" vu thanh tung " in text for text in _texts(*tickets)] == [True, True, True]
    assert not SearchTextRefresh.objects.exists()


@pytest.mark.django_db
def test_a_run_that_dies_midway_leaves_the_row_for_the_next(commune_a: AdminUnit) -> None:
    reporter = user_create(full_name="Vũ Văn Tú")
    tickets = [case_in(commune_a, reporter) for _ in range(3)]
    _rename(reporter, "Vũ Văn Tuấn")
    calls = 0

    def dies_after_two_batches() -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise SystemExit("killed")
        return False

    with pytest.raises(SystemExit):
        search_text_fill(batch=1, should_stop=dies_after_two_batches)
    # Two batches committed (here: within the test's transaction) and counted.
    assert SearchTextRefresh.objects.get().done_through == tickets[1].pk
    assert " vu van tu " in _texts(tickets[2])[0]

    assert _job_run() == "wrote 1; renamed accounts: 1 done, 0 waiting"
    assert all(" vu van tuan " in text for text in _texts(*tickets))
    assert not SearchTextRefresh.objects.exists()


@pytest.mark.django_db
def test_a_run_that_meets_its_time_limit_leaves_the_rest_waiting(commune_a: AdminUnit) -> None:
    first, second = user_create(full_name="Vũ Văn Tú"), user_create(full_name="Lê Văn Nam")
    tickets = [case_in(commune_a, first), case_in(commune_a, second)]
    _rename(first, "Vũ Văn Tuấn")
    _rename(second, "Lê Hải Nam")
    # The unwritten cases wait too: the renames come first.
    Ticket.objects.filter(pk=tickets[0].pk).update(search_text=None)
    assert search_text_fill(should_stop=lambda: True) == Filled(written=0, renamed=0, waiting=2)
    assert Ticket.objects.filter(search_text=None).count() == 1
    assert search_text_fill() == Filled(written=2, renamed=2, waiting=0)
    assert [" vu van tuan " in _texts(tickets[0])[0], " le hai nam " in _texts(tickets[1])[0]] == [
        True,
        True,
    ]


@pytest.mark.usefixtures("committed_reference_data")
def test_a_rename_committed_during_a_run_is_not_lost(commune_a: AdminUnit) -> None:
    """For real, on two connections: the admin's second rename holds the row
    (uncommitted) while the run, which read the first, writes the cases."""
    reporter = user_create(full_name="Vũ Văn Tú")
    tickets = [case_in(commune_a, reporter) for _ in range(2)]
    _rename(reporter, "Vũ Văn Tuấn")
    filled: list[Filled] = []
    # The admin's transaction: the name, then the upsert (one statement here).
    second_rename = """
        WITH renamed AS (UPDATE accounts_user SET full_name = 'Vũ Thanh Tùng' WHERE id = %s)
        INSERT INTO helpdesk_searchtextrefresh AS r (reporter_id, asked_at, asks, done_through)
        VALUES (%s, now(), 1, 0)
        ON CONFLICT (reporter_id) DO UPDATE
           SET asked_at = excluded.asked_at, asks = r.asks + 1, done_through = 0
    """
    race_while_held(
        lambda: filled.append(search_text_fill()),
        hold=second_rename,
        params=[reporter.pk, reporter.pk],
        racers=1,
    )
    # The run wrote the cases under the name it could read, could not delete
    # the row the rename had counted again, and wrote them anew.
    (run,) = filled
    assert run.renamed == 1
    assert all(" vu thanh tung " in text for text in _texts(*tickets))
    assert not SearchTextRefresh.objects.exists()
