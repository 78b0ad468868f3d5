"""What one change costs the officer who makes it when many people follow the case.

A reply on a case with N "me too" supporters tells N people. Above
NOTIFICATIONS_INLINE_MAX (50) recipients the reply commits one FanOut row and
the delivery worker writes the N inbox rows and deliveries and pushes them
(notifications/fanout.py); the reference, measured in the same run on the
same case, is the old way: everything inside the officer's request (the
setting raised past N). Prints, per N: the officer's wall time (write,
commit, after-commit pushes) both ways, the queries, and the worker's time to
tell everyone; and checks that each supporter got exactly one inbox row per
reply (the run fails otherwise).

    .venv/bin/python bench/case_notify_fanout.py [--supporters 100 1000 5000] [--repeat 3]

Uses the database in DATABASE_URL (default: the `make run` one, with its demo
data) and the channel layer of the settings (Redis); adds bench users and one
case per N there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, RoleAssignment, User  # noqa: E402
from helpdesk import lifecycle  # noqa: E402
from helpdesk.filing import CaseDraft, case_submit  # noqa: E402
from helpdesk.models import CaseSupport, Department, DepartmentMembership, Service  # noqa: E402
from notifications.fanout import fanouts_process  # noqa: E402
from notifications.models import Notification  # noqa: E402

BENCH_PHONES = "+84988"  # + 7 digits: the bench's own people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    department = Department.objects.filter(is_active=True).select_related("commune").first()
    assert department is not None, "load the demo data first (make run)"
    service = Service.objects.filter(is_active=True, photo_required=False).first()
    assert service is not None
    officer, _ = User.objects.get_or_create(phone="+84989999012", defaults={"full_name": "Bench O"})
    RoleAssignment.objects.get_or_create(user=officer, role=Role.OFFICER, unit=department.commune)
    DepartmentMembership.objects.get_or_create(user=officer, department=department)
    people = _bench_people(max(args.supporters) + 1)
    inline_max = settings.NOTIFICATIONS_INLINE_MAX
    print(
        f"flags: --supporters {' '.join(map(str, args.supporters))} --repeat {args.repeat}; "
        f"NOTIFICATIONS_INLINE_MAX={inline_max}; channel layer "
        f"{str(settings.CHANNEL_LAYERS['default']['BACKEND']).rsplit('.', 1)[-1]}"
    )
    print(
        "| supporters | officer ms, through the worker (median, min–max) | queries "
        "| officer ms, all in the request (reference) | queries | worker ms to tell all |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    failures = 0
    results: list[tuple[int, float, float]] = []
    officer_ms = 0.0
    for n in args.supporters:
        ticket = case_submit(
            reporter=people[0],
            draft=CaseDraft(
                service_code=service.code,
                description="bench",
                commune_code=department.commune.code,
            ),
        ).ticket
        if ticket.department_id != department.pk:
            ticket.department = department
            ticket.save(update_fields=["department"])
        CaseSupport.objects.bulk_create(
            [CaseSupport(ticket=ticket, user=person) for person in people[1 : n + 1]]
        )
        cells = []
        worker_ms: list[float] = []
        # A warm-up reply first, not counted; then the two ways in turn.
        lifecycle.ticket_reply(ticket=ticket, by=officer, body="bench warm-up")
        fanouts_process(limit=100)
        for way in ("worker", "request"):
            settings.NOTIFICATIONS_INLINE_MAX = inline_max if way == "worker" else n + 10
            times, queries = [], 0
            for r in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    event = lifecycle.ticket_reply(ticket=ticket, by=officer, body=f"{way} {r}")
                    times.append((time.perf_counter() - start) * 1000)
                queries = len(captured.captured_queries)
                if way == "worker":
                    start = time.perf_counter()
                    while fanouts_process(limit=100):
                        pass
                    worker_ms.append((time.perf_counter() - start) * 1000)
                told = Notification.objects.filter(dedupe_key=f"case-event:{event.pk}")
                supporters_told = told.filter(recipient__in=people[1 : n + 1])
                if supporters_told.count() != n or told.values("recipient").distinct().count() != (
                    told.count()
                ):
                    failures += 1
                    print(f"  FAIL: reply {way} {r}: {supporters_told.count()} of {n} told once")
            times.sort()
            cells.append(f"{times[len(times) // 2]:.0f} ({times[0]:.0f}–{times[-1]:.0f})")
            if way == "worker":
                officer_ms = times[len(times) // 2]
            cells.append(str(queries))
        settings.NOTIFICATIONS_INLINE_MAX = inline_max
        worker_ms.sort()
        print(f"| {n} | {' | '.join(cells)} | {worker_ms[len(worker_ms) // 2]:.0f} |")
        results.append((n, officer_ms, worker_ms[len(worker_ms) // 2]))
    for n, officer_median, worker in results:
        print("@result " + json.dumps({"figure": f"officer's reply, {n} supporters (median)",
              "value": round(officer_median, 1), "unit": "ms", "target": "≤ 100"}))  # fmt: skip
        print("@result " + json.dumps({"figure": f"worker tells {n} supporters",
              "value": round(worker), "unit": "ms", "target": ""}))  # fmt: skip
    if failures:
        raise SystemExit(f"{failures} replies did not tell each supporter exactly once")


def _bench_people(count: int) -> list[User]:
    have = list(User.objects.filter(phone__startswith=BENCH_PHONES).order_by("phone")[:count])
    phones = {user.phone for user in have}
    missing = [
        User(phone=phone, full_name="Bench")
        for phone in (f"{BENCH_PHONES}{i:07d}" for i in range(count))
        if phone not in phones
    ][: count - len(have)]
    User.objects.bulk_create(missing)
    return list(User.objects.filter(phone__startswith=BENCH_PHONES).order_by("phone")[:count])


if __name__ == "__main__":
    main()
