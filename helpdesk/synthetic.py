"""Synthetic case history for scale benchmarks: years of cases written with COPY.

The mix is taken from real data where there is some: the field-report topics,
the submission channels and the hour of filing follow the 9,999 MyLA311
requests summarised in data/civic-mix/ (mapped onto this catalogue); places
are random points inside the real communes of the imported boundaries. What has
no real source here is stated as an assumption next to its figure. Every
person made is marked ``is_demo``; the command refuses a database that has
cases already, because the timeline is append-only and cannot be cleaned up.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from geo.models import AdminUnit, BoundaryVersion
from geo.units import units_current
from helpdesk.demo import demo_departments_ensure
from helpdesk.models import (
    Department,
    DepartmentMembership,
    Service,
    ServiceKind,
    TicketTally,
)
from helpdesk.search_text import search_text_of
from helpdesk.synthetic_text import description_make, name_make, village_make

MIX_FILE = Path(settings.BASE_DIR) / "data" / "civic-mix" / "la311_2017_mix.json"

# MyLA311 request types → this catalogue's field-report services.
LA_TYPE_SERVICE = {
    "Bulky Items": "trash_uncollected",
    "Metal/Household Appliances": "trash_uncollected",
    "Electronic Waste": "trash_uncollected",
    "Graffiti Removal": "public_order",
    "Homeless Encampment": "public_order",
    "Illegal Dumping Pickup": "illegal_dumping",
    "Dead Animal Removal": "illegal_dumping",
    "Single Streetlight Issue": "streetlight_out",
    "Multiple Streetlight Issue": "streetlight_out",
    "Report Water Waste": "water_supply",
    "Other": "help_other",
    "Feedback": "help_other",
}
# Assumption (no real source): a quarter of cases are help requests, spread
# evenly over the help services; field-report services the LA sample lacks
# (late December has no potholes or floods there) get 1 % each.
HELP_SHARE = 0.25
FLOOR_SHARE = 0.01
# MyLA311 channels → how the point was given (help requests have none).
LA_SOURCE_LOCATION = {"Mobile App": "gps", "Driver Self Report": "gps"}
VN_UTC_OFFSET = dt.timedelta(hours=7)
# Assumption: the province under test (Thái Nguyên) gets this share of cases.
MAIN_PROVINCE_SHARE = 0.4
OFFICERS_PER_DEPARTMENT = 2
CASES_PER_RESIDENT = 20
PHONE_STAFF = "+8497"
PHONE_RESIDENT = "+8498"
POINTS_PER_COMMUNE = 40
# Made-up people never log in with a password (the bench logs them in directly).
UNUSABLE_PASSWORD = make_password(None)


@dataclass
class Plan:
    cases: int
    provinces: list[str]
    years: int = 10
    seed: int = 20260701
    main_province: str = "19"


@dataclass
class Built:
    departments: int = 0
    staff: int = 0
    residents: int = 0
    tickets: int = 0
    events: int = 0
    supports: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def service_weights(services: Sequence[Service]) -> dict[str, float]:
    """Share of cases per service code, from the LA sample and the assumptions above."""
    mix = json.loads(MIX_FILE.read_text())
    field_codes = {s.code for s in services if s.kind == ServiceKind.FIELD_REPORT}
    help_codes = sorted(s.code for s in services if s.kind == ServiceKind.HELP_REQUEST)
    counts: dict[str, float] = defaultdict(float)
    for la_type, n in mix["request_type"].items():
        code = LA_TYPE_SERVICE.get(la_type)
        if code in field_codes:
            counts[code] += n
    total = sum(counts.values())
    weights = {code: FLOOR_SHARE for code in field_codes if code not in counts}
    rest = 1 - HELP_SHARE - sum(weights.values())
    weights.update({code: rest * n / total for code, n in counts.items()})
    weights.update({code: HELP_SHARE / len(help_codes) for code in help_codes})
    return weights


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- the ticket lifecycle, by age -------------------------------------------------

# Assumption: how far cases of an age have got (recent ones are mostly open,
# a few old ones were never finished: the backlog an officer sees as overdue).
STATUS_BY_AGE: tuple[tuple[float, dict[str, float]], ...] = (
    (3.0, {"new": 50.0, "accepted": 25, "in_progress": 15, "resolved": 10}),
    (
        30.0,
        {"new": 8.0, "accepted": 10, "in_progress": 17, "resolved": 25, "closed": 30}
        | {"rejected": 5, "duplicate": 3, "transferred": 2},
    ),
    (
        math.inf,
        {"closed": 88.0, "rejected": 5, "duplicate": 3, "resolved": 1, "in_progress": 1.5}
        | {"accepted": 1, "new": 0.5},
    ),
)
REACHED = {  # the statuses a case passed through on its way to each status
    "new": (),
    "transferred": ("transferred",),
    "accepted": ("accepted",),
    "in_progress": ("accepted", "in_progress"),
    "resolved": ("accepted", "in_progress", "resolved"),
    "closed": ("accepted", "in_progress", "resolved", "closed"),
    "rejected": ("rejected",),
    "duplicate": ("duplicate",),
}


class _Tables:
    """Rows buffered per table and sent by COPY a chunk at a time: one connection
    runs one COPY at a time, so the tables take turns."""

    CHUNK = 20_000

    def __init__(self, cursor: Any, columns: dict[str, Sequence[str]]) -> None:
        self.cursor = cursor
        self.columns = columns
        self.buffers: dict[str, list[Sequence[Any]]] = {table: [] for table in columns}
        self.rows: dict[str, int] = dict.fromkeys(columns, 0)

    def row(self, table: str, values: Sequence[Any]) -> None:
        self.buffers[table].append(values)

    def flush(self) -> None:
        for table, rows in self.buffers.items():
            if not rows:
                continue
            sql = f"COPY {table} ({', '.join(self.columns[table])}) FROM STDIN"
            with self.cursor.copy(sql) as copy:
                for values in rows:
                    copy.write_row(values)
            self.rows[table] += len(rows)
            rows.clear()


TICKET_COLUMNS = (
    "id", "number", "public_id", "kind", "service_id", "status", "description", "location",
    "location_source", "location_accuracy_m", "address_text", "commune_id", "province_id",
    "boundary_version_id", "department_id", "assignee_id", "reporter_id", "duplicate_of_id",
    "rating", "rating_comment", "created_at", "updated_at", "due_at", "accepted_at",
    "started_at", "resolved_at", "closed_at", "rated_at", "search_text",
)  # fmt: skip
EVENT_COLUMNS = (
    "ticket_id", "kind", "actor_id", "from_status", "to_status", "body", "is_public", "data",
    "created_at",
)  # fmt: skip


@dataclass
class _Place:
    commune: AdminUnit
    province_code: str
    points: list[tuple[float, float]]
    departments: dict[str, int]  # department type → id
    officers: dict[int, list[int]]  # department id → user ids


@dataclass
class _People:
    departments: dict[int, dict[str, int]]  # commune id → department type → department id
    officers: dict[int, list[int]]  # department id → officer ids
    staff: int
    residents: list[int]
    names: dict[int, str]  # resident id → full name


def _people(plan: Plan, communes: list[AdminUnit]) -> _People:
    """Officers per department, a leader per commune, an admin per province, residents."""
    departments: dict[int, dict[str, int]] = defaultdict(dict)
    for dept in Department.objects.filter(commune__in=communes):
        departments[dept.commune_id][dept.department_type] = dept.id
    serial = User.objects.filter(phone__startswith=PHONE_STAFF).count()
    staff: list[tuple[User, Role, int, int | None]] = []
    for commune in communes:
        for dept_id in departments[commune.id].values():
            for _ in range(OFFICERS_PER_DEPARTMENT):
                serial += 1
                user = User(phone=f"{PHONE_STAFF}{serial:07d}", full_name=f"Cán bộ {serial}")
                staff.append((user, Role.OFFICER, commune.id, dept_id))
        serial += 1
        user = User(phone=f"{PHONE_STAFF}{serial:07d}", full_name=f"Lãnh đạo {serial}")
        staff.append((user, Role.LEADER, commune.id, None))
    for province in AdminUnit.objects.filter(level="province", code__in=plan.provinces):
        serial += 1
        user = User(phone=f"{PHONE_STAFF}{serial:07d}", full_name=f"Quản trị {serial}")
        staff.append((user, Role.PROVINCE_ADMIN, province.id, None))
    for user, *_ in staff:
        user.password = UNUSABLE_PASSWORD
        user.is_demo = True
    User.objects.bulk_create([s[0] for s in staff], batch_size=5000)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=role, unit_id=unit) for u, role, unit, _d in staff],
        batch_size=5000,
    )
    DepartmentMembership.objects.bulk_create(
        [DepartmentMembership(user=u, department_id=d) for u, _r, _u, d in staff if d],
        batch_size=5000,
    )
    officers: dict[int, list[int]] = defaultdict(list)
    for member, _role, _unit, member_dept in staff:
        if member_dept:
            officers[member_dept].append(member.id)
    first = User.objects.filter(phone__startswith=PHONE_RESIDENT).count()
    count = max(100, plan.cases // CASES_PER_RESIDENT)
    rng = random.Random(plan.seed + 1)
    residents = [
        User(
            phone=f"{PHONE_RESIDENT}{first + i + 1:07d}",
            full_name=name_make(rng),
            password=UNUSABLE_PASSWORD,
            is_demo=True,
        )
        for i in range(count)
    ]
    User.objects.bulk_create(residents, batch_size=5000)
    return _People(
        departments,
        officers,
        len(staff),
        [u.id for u in residents],
        {u.id: u.full_name for u in residents},
    )


def _commune_points(communes: list[AdminUnit], seed: int) -> dict[int, list[tuple[float, float]]]:
    """Random points inside each commune's current boundary, from PostGIS."""
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.unit_id, ST_X(g), ST_Y(g) FROM geo_boundary b,"
            " LATERAL (SELECT (ST_Dump(ST_GeneratePoints(b.geom, %s, %s))).geom g) p"
            " WHERE b.valid_to_id IS NULL AND b.unit_id = ANY(%s)",
            [POINTS_PER_COMMUNE, seed, [c.id for c in communes]],
        )
        for unit_id, lon, lat in cursor.fetchall():
            points[unit_id].append((lon, lat))
    return points


def cases_build(plan: Plan, *, log: Any = print) -> Built:
    """Make departments and people for the plan's provinces, then its cases by COPY."""
    rng = random.Random(plan.seed)
    built = Built()
    communes: list[AdminUnit] = []
    for code in plan.provinces:
        built.departments += demo_departments_ensure(province_code=code)
        communes += list(
            units_current(level=AdminUnit.Level.COMMUNE, parent_code=code).select_related("parent")
        )
    if not communes:
        raise ValueError("No communes: import the provinces' boundaries first.")
    people = _people(plan, communes)
    departments, officers, residents = people.departments, people.officers, people.residents
    built.staff, built.residents = people.staff, len(residents)
    log(f"  {len(communes)} communes, {built.staff} staff, {built.residents} residents")
    points = _commune_points(communes, plan.seed)
    services = list(Service.objects.all())
    by_code = {s.code: s for s in services}
    weights = service_weights(services)
    mix = json.loads(MIX_FILE.read_text())
    hour_weights = {h: n for h, n in enumerate(mix["created_hour"])}
    source_weights = {LA_SOURCE_LOCATION.get(name, "map"): 0.0 for name in mix["request_source"]}
    for name, n in mix["request_source"].items():
        source_weights[LA_SOURCE_LOCATION.get(name, "map")] += n
    # Busier communes: a Zipf-like weight on a random order, per province share.
    province_of = {c.id: c.parent.code for c in communes}  # type: ignore[union-attr]
    per_province: dict[str, list[AdminUnit]] = defaultdict(list)
    for commune in communes:
        per_province[province_of[commune.id]].append(commune)
    others = [p for p in per_province if p != plan.main_province]
    commune_weights: dict[AdminUnit, float] = {}
    for code, members in per_province.items():
        if code == plan.main_province:
            share = MAIN_PROVINCE_SHARE if others else 1.0
        else:
            share = (1 - (MAIN_PROVINCE_SHARE if plan.main_province in per_province else 0)) / len(
                others
            )
        order = rng.sample(members, len(members))
        zipf = [1 / (rank + 1) ** 0.8 for rank in range(len(order))]
        total = sum(zipf)
        commune_weights.update({c: share * z / total for c, z in zip(order, zipf, strict=True)})
    commune_list = list(commune_weights)
    commune_cum = list(_cumulative(commune_weights.values()))
    version_id = BoundaryVersion.objects.order_by("-id").values_list("id", flat=True).first()
    province_ids = dict(
        AdminUnit.objects.filter(level="province", code__in=plan.provinces).values_list(
            "code", "id"
        )
    )
    residents_by_province: dict[str, list[int]] = defaultdict(list)
    for i, user_id in enumerate(residents):
        residents_by_province[plan.provinces[i % len(plan.provinces)]].append(user_id)

    now = timezone.now()
    span = dt.timedelta(days=365 * plan.years)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SELECT coalesce(max(id), 0) FROM helpdesk_ticket")
        base = cursor.fetchone()[0]
        if base:
            raise ValueError("The database has cases already: use an empty (throwaway) one.")
        out = _Tables(
            cursor,
            {
                "helpdesk_ticket": TICKET_COLUMNS,
                "helpdesk_ticketevent": EVENT_COLUMNS,
                "helpdesk_casesupport": ("ticket_id", "user_id", "created_at"),
            },
        )
        numbers: dict[tuple[str, int], int] = defaultdict(int)
        by_status: dict[str, int] = defaultdict(int)
        # Cases in filing order, so ids and numbers grow with time as real ones do.
        ages = sorted(span * math.sqrt(rng.random()) for _ in range(plan.cases))
        for index, since_start in enumerate(ages):
            ticket_id = index + 1
            created = now - span + since_start
            created = created.replace(hour=_weighted(rng, hour_weights)) - VN_UTC_OFFSET
            created = min(created, now - dt.timedelta(minutes=1))
            commune = commune_list[_pick(rng, commune_cum)]
            province_code = province_of[commune.id]
            service = by_code[_weighted(rng, weights)]
            age_days = (now - created).total_seconds() / 86400
            status = _weighted(rng, next(m for limit, m in STATUS_BY_AGE if age_days < limit))
            department_id = departments[commune.id].get(service.department_type)
            if rng.random() < 0.005 or department_id is None:  # routing found no department
                department_id = None
                status = "new" if age_days < 30 else "rejected"
            if status == "duplicate" and ticket_id == 1:
                status = "closed"
            reporter = rng.choice(residents_by_province[province_code])
            assignee = (
                rng.choice(officers[department_id])
                if department_id and status not in ("new", "transferred")
                else None
            )
            if service.kind == ServiceKind.FIELD_REPORT:
                source = _weighted(rng, source_weights)
                lon, lat = rng.choice(points[commune.id]) if points[commune.id] else (None, None)
                location = f"SRID=4326;POINT({lon} {lat})" if lon is not None else None
            else:
                source, location = "commune", None
            sla = dt.timedelta(hours=float(service.sla_hours or 72))
            stamps = _stamps(rng, created, status, sla, now)
            year = created.year
            numbers[(province_code, year)] += 1
            number = f"S{province_code}-{year}-{numbers[(province_code, year)]:07d}"
            rated = stamps.get("closed") if status == "closed" and rng.random() < 0.3 else None
            description = description_make(rng, service.code)
            village = village_make(rng) if service.kind == ServiceKind.FIELD_REPORT else ""
            searched = search_text_of(
                description=description, address_text=village, names=[people.names[reporter]]
            )
            last = max(stamps.values(), default=created)
            out.row(
                "helpdesk_ticket",
                (
                    ticket_id, number, secrets.token_urlsafe(9), service.kind, service.id,
                    status, description, location, source, None, village, commune.id,
                    province_ids[province_code], version_id, department_id, assignee, reporter,
                    rng.randrange(1, ticket_id) if status == "duplicate" else None,
                    rng.randint(1, 5) if rated else None, "", created, last, created + sla,
                    stamps.get("accepted"), stamps.get("in_progress"), stamps.get("resolved"),
                    stamps.get("closed"), rated, searched,
                )
            )  # fmt: skip
            by_status[status] += 1
            out.row(
                "helpdesk_ticketevent",
                (ticket_id, "created", reporter, "", "new", "", True, "{}", created),
            )
            previous = "new"
            for step in REACHED[status]:
                actor = assignee if step != "transferred" else None
                out.row(
                    "helpdesk_ticketevent",
                    (ticket_id, "status", actor, previous, step, "", True, "{}", stamps[step]),
                )
                if step == "accepted" and assignee:
                    out.row(
                        "helpdesk_ticketevent",
                        (ticket_id, "assigned", actor, "", "", "", False, "{}", stamps[step]),
                    )
                if step == "resolved":
                    out.row(
                        "helpdesk_ticketevent",
                        (ticket_id, "reply", actor, "", "", "Đã xử lý.", True, "{}", stamps[step]),
                    )
                previous = step
            # Assumption: 3 % of field reports gather "me too" supporters (1–30).
            if service.kind == ServiceKind.FIELD_REPORT and rng.random() < 0.03:
                pool = residents_by_province[province_code]
                count = min(len(pool) - 1, int(rng.paretovariate(1.2)), 30)
                for user_id in rng.sample(pool, count):
                    if user_id != reporter:
                        out.row(
                            "helpdesk_casesupport",
                            (ticket_id, user_id, created + dt.timedelta(hours=1)),
                        )
            if ticket_id % out.CHUNK == 0:
                out.flush()
            if ticket_id % 100_000 == 0:
                log(f"  {ticket_id:,} cases written")
        out.flush()
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), %s)", [plan.cases]
        )
    built.tickets = out.rows["helpdesk_ticket"]
    built.events = out.rows["helpdesk_ticketevent"]
    built.supports = out.rows["helpdesk_casesupport"]
    built.by_status = dict(sorted(by_status.items()))
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
            # Rows just COPYed have no visibility map, so index-only scans read
            # the heap, and autovacuum starts on them minutes later, in the middle
            # of whatever is measured next (bench/run_all.py's queue bench missed
            # three p95s that way). Left as autovacuum would leave them.
            tables = ", ".join(connection.ops.quote_name(name) for name in sorted(out.rows))
            cursor.execute(f"VACUUM {tables}")
            # The tally trigger (migration 0022_ticket_tally) upserted its
            # ~30,000 rows once per case COPYed: a million row versions in
            # minutes left 103 MB of heap for 3 MB of rows, and the queue's
            # status counts read 3,771 pages for a province (7 ms, not 3).
            # A live province writes those million cases over years, with
            # autovacuum freeing the old versions for reuse every few
            # thousand writes, so it never holds them all at once. (Packed
            # full, the table is a little tighter than a live one; the benches
            # only read it.)
            tally = connection.ops.quote_name(TicketTally._meta.db_table)
            cursor.execute(f"VACUUM FULL {tally}")
        cursor.execute("ANALYZE")
    return built


def _cumulative(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _stamps(
    rng: random.Random, created: dt.datetime, status: str, sla: dt.timedelta, now: dt.datetime
) -> dict[str, dt.datetime]:
    """When the case reached each status on its way to ``status``, never after now."""
    stamps: dict[str, dt.datetime] = {}
    at = created
    room = max((now - created).total_seconds(), 60.0)
    # Each step takes a share of the time there was, so recent cases stay recent.
    shares = {
        "transferred": 0.05,
        "accepted": 0.1,
        "in_progress": 0.1,
        "resolved": 0.3 if room > sla.total_seconds() * 3 else 0.2,
        "closed": 0.2,
        "rejected": 0.1,
        "duplicate": 0.05,
    }
    for step in REACHED[status]:
        wait = min(room * shares[step] * rng.random(), sla.total_seconds() * 3 * rng.random())
        at = at + dt.timedelta(seconds=max(wait, 30.0))
        stamps[step] = min(at, now)
    return stamps
