"""What one change costs the officer who makes it when many people follow the case.

A reply on a case with N "me too" supporters writes N inbox rows and their
deliveries in the reply's transaction, then pushes N inbox messages after the
commit, all before the officer's request answers. Prints, per N, the wall time
of the reply (request side: write, commit, pushes) and the database queries.

    .venv/bin/python bench/case_notify_fanout.py [--supporters 100 1000 5000]

Uses the database in DATABASE_URL (default: the `make run` one, with its demo
data) and the channel layer of the settings (Redis); adds bench users and one
case per N there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, RoleAssignment, User  # noqa: E402
from helpdesk import lifecycle  # noqa: E402
from helpdesk.filing import CaseDraft, case_submit  # noqa: E402
from helpdesk.models import CaseSupport, Department, DepartmentMembership, Service  # noqa: E402

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
    print("| supporters | reply ms (median, min–max) | queries |")
    print("|---:|---:|---:|")
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
        times, queries = [], 0
        for r in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                lifecycle.ticket_reply(ticket=ticket, by=officer, body=f"bench {r}")
                times.append((time.perf_counter() - start) * 1000)
            queries = len(captured.captured_queries)
        times.sort()
        median = times[len(times) // 2]
        print(f"| {n} | {median:.0f} ({times[0]:.0f}–{times[-1]:.0f}) | {queries} |")


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
