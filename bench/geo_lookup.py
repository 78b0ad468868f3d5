"""Point → commune lookup throughput, on the same random points for every path.

Run after importing all provinces into the database the settings point at:

    DJANGO_DEBUG=true .venv/bin/python manage.py import_boundaries --commit
    .venv/bin/python bench/geo_lookup.py [--points 4000] [--url http://127.0.0.1:8000]

Half the points lie inside communes (ST_GeneratePoints), half anywhere in
Vietnam's bounding box (sea, Laos, Cambodia, China included).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from geo.index import commune_index_clear  # noqa: E402
from geo.selectors import COMMUNE_AT_POINT_SQL, commune_at_point, communes_at_points  # noqa: E402

Point = tuple[float, float]
BATCH = 1000
ROUNDS = 3

PLAIN_SQL = (
    "SELECT u.code FROM geo_boundarypiece p JOIN geo_adminunit u ON u.id = p.unit_id"
    " WHERE p.level = 'commune' AND ST_Covers(p.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
    " ORDER BY u.code LIMIT 1"
)
BATCH_SQL = (
    "SELECT hit.code FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS pt(lon, lat, n)"
    " LEFT JOIN LATERAL (SELECT u.code FROM geo_boundarypiece p"
    " JOIN geo_adminunit u ON u.id = p.unit_id WHERE p.level = 'commune'"
    " AND ST_Covers(p.geom, ST_SetSRID(ST_MakePoint(pt.lon, pt.lat), 4326))"
    " ORDER BY u.code LIMIT 1) hit ON true ORDER BY pt.n"
)


def sample_points(count: int, seed: int) -> list[Point]:
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 2**31])
        cursor.execute(
            "SELECT ST_Y(g), ST_X(g) FROM (SELECT (ST_Dump(ST_GeneratePoints(geom, 1, %s))).geom g"
            " FROM geo_boundary b JOIN geo_adminunit u ON u.id = b.unit_id"
            " WHERE b.valid_to_id IS NULL AND u.level = 'commune'"
            " ORDER BY random() LIMIT %s) s",
            [seed, count // 2],
        )
        inside = [(float(lat), float(lon)) for lat, lon in cursor.fetchall()]
    anywhere = [
        (rng.uniform(7.2, 23.4), rng.uniform(102.1, 109.6)) for _ in range(count - len(inside))
    ]
    points = inside + anywhere
    rng.shuffle(points)
    return points


def rate(run: Callable[[], object], points: int) -> float:
    """Median points/s over ROUNDS runs, after one untimed warm-up run."""
    run()
    reset_queries()
    figures = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        run()
        figures.append(points / (time.perf_counter() - started))
        reset_queries()  # DEBUG keeps every query otherwise
    return statistics.median(figures)


def batches(points: Sequence[Point]) -> list[Sequence[Point]]:
    return [points[i : i + BATCH] for i in range(0, len(points), BATCH)]


def bench_in_process(points: list[Point], single: int) -> list[tuple[str, float, str]]:
    few = points[:single]
    rows: list[tuple[str, float, str]] = []

    def selector_single() -> None:
        for lat, lon in few:
            commune_at_point(lat=lat, lon=lon)

    def raw_single(sql: str, params: Callable[[float, float], list[Any]]) -> Callable[[], None]:
        def run() -> None:
            with connection.cursor() as cursor:
                for lat, lon in few:
                    cursor.execute(sql, params(lat, lon))
                    cursor.fetchone()

        return run

    selector_single()  # warm connection and caches
    rows.append(("single: selector commune_at_point", rate(selector_single, len(few)), "pts/s"))
    same = raw_single(COMMUNE_AT_POINT_SQL, lambda lat, lon: ["commune", lon, lat])
    rows.append(("single: raw SQL, same statement", rate(same, len(few)), "pts/s"))
    plain = raw_single(PLAIN_SQL, lambda lat, lon: [lon, lat])
    rows.append(("single: raw SQL, pieces + code only", rate(plain, len(few)), "pts/s"))

    def selector_batch() -> None:
        for chunk in batches(points):
            communes_at_points(points=chunk)

    commune_index_clear()
    started = time.perf_counter()
    communes_at_points(points=points[:1])
    rows.append(("batch: index build (cold)", time.perf_counter() - started, "s"))
    rows.append(("batch: selector communes_at_points", rate(selector_batch, len(points)), "pts/s"))

    def sql_batch() -> None:
        with connection.cursor() as cursor:
            for chunk in batches(points):
                cursor.execute(BATCH_SQL, [[p[1] for p in chunk], [p[0] for p in chunk]])
                cursor.fetchall()

    rows.append(("batch: raw SQL unnest + LATERAL", rate(sql_batch, len(points)), "pts/s"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsBinary(geom) FROM geo_boundarypiece WHERE level = 'commune'")
        pieces: np.ndarray[Any, np.dtype[np.object_]] = np.asarray(
            shapely.from_wkb([bytes(row[0]) for row in cursor.fetchall()])
        )
    # Prepared as geo/index.py prepares them, and queried the same way (bounding
    # boxes, then covers on the prepared pieces): an unprepared reference would
    # make the production path look closer to the floor than it is.
    shapely.prepare(pieces)
    tree = shapely.STRtree(pieces)

    def strtree() -> None:
        for chunk in batches(points):
            coords = np.asarray(chunk)
            targets = shapely.points(coords[:, 1], coords[:, 0])
            point_idx, piece_idx = tree.query(targets)
            shapely.covers(pieces[piece_idx], np.asarray(targets)[point_idx])

    rows.append(("reference: prepared shapely STRtree", rate(strtree, len(points)), "pts/s"))
    return rows


def bench_http(
    url: str, points: list[Point], single: int, concurrency: int
) -> list[tuple[str, float, str]]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    few = points[:single]
    share = [few[i::concurrency] for i in range(concurrency)]
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(mine: list[Point]) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)  # keep-alive
        local = []
        for lat, lon in mine:
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/geo/lookup?lat={lat}&lon={lon}")
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 404), response.status
            local.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(mine,)) for mine in share]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    rows = [
        (f"http: GET single, concurrency {concurrency}", len(few) / elapsed, "req/s"),
        ("http: GET single p50", latencies[len(latencies) // 2] * 1000, "ms"),
        ("http: GET single p95", latencies[int(len(latencies) * 0.95)] * 1000, "ms"),
    ]

    conn = http.client.HTTPConnection(host, port, timeout=60)
    bodies = [
        json.dumps({"points": [{"lat": a, "lon": o} for a, o in chunk]})
        for chunk in batches(points)
    ]

    def post_all() -> None:
        for body in bodies:
            conn.request("POST", "/api/v1/geo/lookup", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status

    rows.append(("http: POST batch of 1,000, one client", rate(post_all, len(points)), "pts/s"))
    conn.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--points", type=int, default=4000, help="points for the batch paths")
    parser.add_argument("--single", type=int, default=2000, help="points for the one-by-one paths")
    parser.add_argument("--url", help="also measure HTTP against this server")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20250701)
    args = parser.parse_args()
    print(f"flags: {' '.join(sys.argv[1:]) or '(defaults)'} -> {vars(args)}; "
          f"load average {os.getloadavg()}")  # fmt: skip

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(ST_NPoints(geom)), 0) FROM geo_boundarypiece")
        pieces, vertices = cursor.fetchone()
    if not pieces:
        sys.exit("No boundary pieces: run `manage.py import_boundaries --commit` first.")
    points = sample_points(args.points, args.seed)
    agree = sum(
        1
        for (lat, lon), match in zip(
            points[: args.single], communes_at_points(points=points[:BATCH]), strict=False
        )
        if (commune_at_point(lat=lat, lon=lon) or None) == match
    )
    print(
        f"{connection.settings_dict['NAME']}: {pieces} pieces (max {vertices} vertices);"
        f" {len(points)} points, {args.single} for single lookups;"
        f" single and batch paths agree on {agree}/{min(BATCH, args.single)}"
    )
    checked = min(BATCH, args.single)
    if agree < checked:
        sys.exit(f"The single and batch paths disagree on {checked - agree} points: no figures.")
    rows = bench_in_process(points, args.single)
    if args.url:
        rows += bench_http(args.url, points, args.single, args.concurrency)
    width = max(len(name) for name, _, _ in rows)
    print(f"{'path'.ljust(width)}  {'median':>10}  unit")
    for name, value, unit in rows:
        figure = f"{value:,.3f}" if unit in ("s", "ms") else f"{value:,.0f}"
        print(f"{name.ljust(width)}  {figure:>10}  {unit}")
    for name, value, unit in rows:
        result = {"figure": name, "value": round(value, 3 if unit in ("s", "ms") else 0)}
        print("@result " + json.dumps(result | {"unit": unit}))


if __name__ == "__main__":
    main()
