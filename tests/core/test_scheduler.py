"""`manage.py run_scheduler`: each periodic job once per interval, however many schedulers.

The two-process test starts two real schedulers on the test database at the
same moment; the others call the one guard (core/scheduler.py) directly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone

from core.models import PeriodicJob
from core.scheduler import LOCK_SPACE, Job, _lock_key, job_run_if_due
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketStatus
from tests import factories
from tests.conftest import COMMUNE_A, Personas

ROOT = Path(__file__).resolve().parents[2]


def _counting_job(runs: list[str], *, interval: float = 60, fail: bool = False) -> Job:
    def run() -> str:
        runs.append("ran")
        if fail:
            raise RuntimeError("the storage is away")
        return "done"

    return Job(name="test_job", interval=timedelta(seconds=interval), run=run)


def _clock(start: datetime) -> tuple[list[datetime], Callable[[], datetime]]:
    moment = [start]
    return moment, lambda: moment[0]


@pytest.mark.django_db
def test_a_job_runs_when_due_then_not_again_until_its_interval_has_passed() -> None:
    runs: list[str] = []
    job = _counting_job(runs, interval=3600)
    moment, now = _clock(timezone.now())
    assert job_run_if_due(job=job, now=now) == "done"
    moment[0] += timedelta(minutes=59)
    assert job_run_if_due(job=job, now=now) is None
    moment[0] += timedelta(minutes=1)
    assert job_run_if_due(job=job, now=now) == "done"
    assert runs == ["ran", "ran"]
    row = PeriodicJob.objects.get(name="test_job")
    assert (row.runs, row.last_summary) == (2, "done")
    assert row.next_due_at == moment[0] + timedelta(hours=1)


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_waits_for_its_next_interval() -> None:
    runs: list[str] = []
    job = _counting_job(runs, interval=600, fail=True)
    assert job_run_if_due(job=job) == "failed: RuntimeError: the storage is away"
    assert job_run_if_due(job=job) is None
    assert runs == ["ran"]
    assert PeriodicJob.objects.get(name="test_job").next_due_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_a_run_is_claimed_before_the_job_starts() -> None:
    """A statement timeout (an OperationalError) inside the job reaches the
    worker loop, but the run was claimed first: the next pass does not run
    it again, nor would a second scheduler whose lock was freed meanwhile."""
    runs: list[str] = []

    def times_out() -> str:
        runs.append("ran")
        due = PeriodicJob.objects.get(name="slow_job").next_due_at
        assert due > timezone.now()  # claimed while it runs
        raise OperationalError("canceling statement due to statement timeout")

    job = Job(name="slow_job", interval=timedelta(minutes=10), run=times_out)
    with pytest.raises(OperationalError):
        job_run_if_due(job=job)
    assert job_run_if_due(job=job) is None
    assert runs == ["ran"]


@pytest.mark.django_db
def test_a_job_another_scheduler_holds_is_skipped_not_waited_for() -> None:
    runs: list[str] = []
    db = connection.settings_dict
    # Another scheduler's session, in the middle of the job.
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_SPACE, _lock_key("test_job")))
        assert job_run_if_due(job=_counting_job(runs)) is None
        assert _advisory_locks_held() == 1
    # Its session ended (as a killed scheduler's does): the lock is free again
    # once the server process behind it has gone (a close does not wait for that).
    deadline = time.monotonic() + 10
    while _advisory_locks_held() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job_run_if_due(job=_counting_job(runs)) == "done"
    assert runs == ["ran"]


def _advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::oid",
            [LOCK_SPACE & 0xFFFFFFFF],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _scheduler_env(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "XADESK_RUN_DIR": str(tmp_path / "run"),
    }


def test_two_schedulers_started_together_run_each_due_job_once(
    committed_reference_data: None, personas: Personas, tmp_path: Path
) -> None:
    commune = factories.commune_get(code=COMMUNE_A)
    assert isinstance(commune, AdminUnit)
    ticket = factories.case_file(
        reporter=personas.resident, commune=commune, service_code="streetlight_out"
    )
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã sửa")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=8))

    env = _scheduler_env(tmp_path)
    logs = [tmp_path / f"scheduler-{n}.log" for n in (1, 2)]
    schedulers = []
    for log in logs:
        with log.open("wb") as out:
            schedulers.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "run_scheduler", "--interval", "0.2", "-v", "2"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        # Each prints one line a pass: wait until each has made several.
        deadline = time.monotonic() + 30
        while any(len(log.read_text().splitlines()) < 5 for log in logs):
            assert all(s.poll() is None for s in schedulers), [log.read_text() for log in logs]
            assert time.monotonic() < deadline, [log.read_text() for log in logs]
            time.sleep(0.1)
        health = subprocess.run(
            [sys.executable, "manage.py", "worker_health", "scheduler", "--max-age", "30"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert health.returncode == 0, health.stderr
    finally:
        for scheduler in schedulers:
            scheduler.send_signal(signal.SIGTERM)
        codes = [scheduler.wait(timeout=15) for scheduler in schedulers]
    assert codes == [0, 0]  # a stop signal ends the loop cleanly

    lines = [line for log in logs for line in log.read_text().splitlines()]
    # Whichever scheduler took each job, it ran once between them.
    assert sum(line.count("close_resolved_cases: closed 1") for line in lines) == 1
    assert sum(line.count("close_resolved_cases") for line in lines) == 1
    assert sum(line.count("sweep_orphan_files") for line in lines) == 1
    assert dict(PeriodicJob.objects.values_list("name", "runs")) == {
        "close_resolved_cases": 1,
        "sweep_orphan_files": 1,
        "search_text_fill": 1,
    }
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
