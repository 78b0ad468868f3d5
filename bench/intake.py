"""Report intake throughput: photo reports/s through the JSON API of a running `make run`.

A separate load process (asyncio + httpx) files real-shaped reports, one photo
each by default, for a fixed duration at each concurrency in --concurrency,
after a warm-up that is not counted. Each report comes from one of --residents
bench residents (API tokens made here, as bench/retry_storm.py makes them), at
a random point inside a real commune of Thái Nguyên (ST_GeneratePoints), with a
photo made once in memory: a phone-downscaled 1600 px JPEG or a 12 MP original
(4000x3000), with camera-like noise (so the JPEG sizes are realistic) and EXIF
with GPS, capture time and a device name (so stripping is exercised).

Printed per level: reports/s (2xx answers that ended inside the measured
window / its seconds), p50/p95/p99 of those requests, errors by kind
(counted, never dropped), the flags and the load average. Afterwards, how long
until every photo of the run has its derived images (the backlog drained: at
once when they are made in the request), and that each case of the run has
its photos, each with its display image and thumbnail in storage and none
left "processing" or "failed"; the photos/s end to end (every report answered,
over the time from the first request to the last derived image). With --serve,
also the CPU time a report cost, by process (gunicorn, the photo workers, the
PostgreSQL backends of this database, this load generator): unlike the rates,
it hardly depends on what else the machine is running.

    XADESK_PORT=8600 XADESK_RATE_FILING_PERSON=off XADESK_RATE_FILING_IP=off \\
      XADESK_RATE_PHOTO_PERSON=off XADESK_RATE_PHOTO_IP=off make run   # another terminal
    DATABASE_URL=postgis://xadesk:xadesk@127.0.0.1:55832/xadesk \\
      .venv/bin/python bench/intake.py --url http://127.0.0.1:8600 --photo 1600

The bench reads the server's database (DATABASE_URL) and media storage to check
the cases, so both must be the server's. Exits 1 if a case lacks a photo, or a
photo its files, after the drain.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.storage import FileSystemStorage, Storage, default_storage  # noqa: E402
from django.db import connection  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from accounts.auth import api_token_create, api_token_revoke  # noqa: E402
from accounts.models import User  # noqa: E402
from helpdesk.models import Attachment, Ticket  # noqa: E402

BENCH_PHONES = "+849870"  # + 5 digits: this bench's residents
THAI_NGUYEN = "19"
SIZES = {"1600": (1600, 1200), "12mp": (4000, 3000)}


# --- photos -------------------------------------------------------------------------


def camera_photo(size: tuple[int, int], seed: int) -> bytes:
    """A JPEG like a phone's: shapes and sensor-like grain, EXIF with GPS.

    Grain is what makes a camera JPEG big; without it a 12 MP synthetic image
    compresses to a tenth of a real one and the upload costs nothing.
    """
    rng = random.Random(seed)
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse(
            (x, y, x + rng.randrange(50, width // 3), y + rng.randrange(50, height // 3)), colour
        )
    # Fine grain at full size (effect_noise is per pixel, as a sensor's is).
    grain = Image.merge("RGB", [Image.effect_noise(size, 24) for _ in range(3)])
    image = Image.blend(base, grain, 0.18)
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # Make
    exif[0x0110] = "Galaxy A15 of Nguyễn Văn Bench"  # Model: a name that must not leak
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 35.0, 39.0)
    gps[3], gps[4] = "E", (105.0, 50.0, 12.0)
    exif.get_ifd(0x8769)[0x9003] = "2026:12:04 09:15:00"  # DateTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def multipart(fields: dict[str, str], photos: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields.items()
    ]
    for n, data in enumerate(photos):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
            f'filename="IMG_{n:04d}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- the people and places ------------------------------------------------------------


def bench_residents(count: int) -> list[User]:
    people = []
    for n in range(count):
        user, _ = User.objects.get_or_create(
            phone=f"{BENCH_PHONES}{n:05d}", defaults={"full_name": f"Intake {n}"}
        )
        people.append(user)
    return people


def commune_points(count: int, seed: int) -> list[tuple[float, float]]:
    """Random points inside the current communes of Thái Nguyên (lat, lon)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(
            """
            SELECT ST_Y(p.geom), ST_X(p.geom) FROM (
              SELECT (ST_Dump(ST_GeneratePoints(b.geom, 25))).geom AS geom
              FROM geo_boundary b
              JOIN geo_adminunit u ON u.id = b.unit_id
              JOIN geo_adminunit prov ON prov.id = u.parent_id
              WHERE u.level = 'commune' AND prov.code = %s
              ORDER BY random() LIMIT %s) p
            """,
            [THAI_NGUYEN, count],
        )
        points = [(float(lat), float(lon)) for lat, lon in cursor.fetchall()]
    assert points, "load the demo data first (make run): no commune of Thái Nguyên"
    return points


# --- load -------------------------------------------------------------------------------


@dataclass
class Level:
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    numbers: list[str] = field(default_factory=list)
    # Answers outside the window (warm-up, or after it): checked, not counted.
    late: list[str] = field(default_factory=list)


async def one_report(
    client: httpx.AsyncClient,
    *,
    bearer: str,
    point: tuple[float, float],
    photo: bytes,
    photos: int,
    tag: str,
) -> tuple[int | None, float, str, str]:
    """POST one report; return (status, seconds, error, case number)."""
    body, content_type = multipart(
        {
            "service": "road_damage",
            "description": f"Ổ gà sâu giữa đường, xe máy tránh không kịp [{tag}]",
            "lat": f"{point[0]:.6f}",
            "lon": f"{point[1]:.6f}",
            "location_source": "gps",
            "accuracy_m": "8",
        },
        [photo] * photos,
    )
    started = time.perf_counter()
    try:
        response = await client.post(
            "/api/v1/reports/cases",
            content=body,
            headers={
                "Authorization": f"Bearer {bearer}",
                "Content-Type": content_type,
                "Idempotency-Key": uuid.uuid4().hex,
                "Accept-Language": "en",
            },
        )
    except httpx.HTTPError as exc:
        return None, time.perf_counter() - started, type(exc).__name__, ""
    seconds = time.perf_counter() - started
    if response.status_code not in (200, 201):
        try:
            code = str(response.json().get("code", ""))
        except ValueError:
            code = ""
        return response.status_code, seconds, f"{response.status_code} {code}".strip(), ""
    number = str(json.loads(response.content)["case"]["number"])
    return response.status_code, seconds, "", number


async def run_level(
    url: str,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    bearers: list[str],
    points: list[tuple[float, float]],
    photo: bytes,
    photos: int,
    run: str,
    request_seconds: float,
) -> Level:
    level = Level(concurrency=concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    counter = iter(range(1 << 40))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=request_seconds) as client:
        loop = asyncio.get_running_loop()
        start = loop.time()
        measure_from = start + warmup
        measure_to = measure_from + duration

        async def worker() -> None:
            while loop.time() < measure_to:
                n = next(counter)
                _status, seconds, error, number = await one_report(
                    client,
                    bearer=bearers[n % len(bearers)],
                    point=points[n % len(points)],
                    photo=photo,
                    photos=photos,
                    tag=f"intake-{run}-{concurrency}-{n}",
                )
                # Counted by when it ends: the reports the server got through
                # in the window. One started in the warm-up still made its
                # case (checked afterwards), but is not in the figures.
                if not measure_from <= loop.time() <= measure_to:
                    level.late.append(number)
                    continue
                if error:
                    level.errors[error] += 1
                else:
                    level.latencies.append(seconds)
                    level.numbers.append(number)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        level.seconds = duration
    return level


RATE_LIMITS_OFF = {
    f"XADESK_RATE_{action}_{who}": "off"
    for action in ("FILING", "PHOTO", "REPLY", "SUPPORT")
    for who in ("PERSON", "IP")
}


@dataclass
class Server:
    url: str
    media: Path
    processes: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.media, ignore_errors=True)


def start_server(processing: str, port: int, workers: int) -> Server:
    """gunicorn as `make run` starts it (sync workers, DEBUG off), on a TCP port with
    no nginx in front, plus the photo worker when photos are processed by it; a
    fresh media folder, the abuse limits off (every request comes from here)."""
    media = Path(tempfile.mkdtemp(prefix="intake-media-"))
    env = {
        **os.environ,
        **RATE_LIMITS_OFF,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_MEDIA_ROOT": str(media),
        # The fresh folder above, even when this shell points at a bucket.
        "XADESK_MEDIA_STORAGE": "filesystem",
        "XADESK_PHOTO_PROCESSING": processing,
        "XADESK_ALLOW_DEMO_BACKENDS": "true",
        "SMS_BACKEND": "file",
        "EMAIL_MODE": "console",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "sync", "--log-level", "warning",
    ]  # fmt: skip
    processes = [subprocess.Popen(command, cwd=ROOT, env=env)]
    if processing == "worker":
        # As scripts/serve.sh: one photo worker per core, niced.
        processes += [
            subprocess.Popen([sys.executable, "manage.py", "run_photo_worker"], cwd=ROOT, env=env)
            for _ in range(os.cpu_count() or 1)
        ]
    for _ in range(1200):
        try:
            # /healthz answers once a worker is up (its boot-time warm-up done).
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return Server(url=f"http://127.0.0.1:{port}", media=media, processes=processes)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    Server(url="", media=media, processes=processes).stop()
    raise RuntimeError("gunicorn did not start")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# --- CPU time: what a report costs, whatever else the machine is doing -------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a living process has used; 0 once it is gone."""
    try:
        # After the command name in parentheses: field 3 onwards; utime and stime are 14, 15.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def process_tree(pid: int) -> list[int]:
    """``pid`` and its living descendants (gunicorn's workers)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        pending += [int(child) for child in children]
    return tree


def cpu_snapshot(server: Server) -> dict[str, dict[int, float]]:
    """CPU seconds by process of the HTTP server, the photo workers and the database.

    PostgreSQL's are the backends connected to this database (persistent
    connections, DATABASE_CONN_MAX_AGE), not other databases' on the cluster.
    """
    http, *workers = server.processes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return {
        "HTTP (gunicorn)": {pid: process_cpu(pid) for pid in process_tree(http.pid)},
        "photo workers": {pid: process_cpu(p.pid) for p in workers for pid in [p.pid]},
        "PostgreSQL": {pid: process_cpu(pid) for pid in backends},
    }


def cpu_used(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds by group between two snapshots (a process born in between: all of it)."""
    return {
        group: sum(cpu - before[group].get(pid, 0.0) for pid, cpu in after[group].items())
        for group in after
    }


# --- afterwards: the photos of every case ----------------------------------------------


def drain(run: str, timeout: float) -> tuple[float, int]:
    """Wait until no photo of the run is still processing; return (seconds, still pending)."""
    started = time.perf_counter()
    pending = 0
    while time.perf_counter() - started < timeout:
        pending = Attachment.objects.filter(
            ticket__description__contains=f"intake-{run}-", state="processing"
        ).count()
        if not pending:
            break
        time.sleep(0.2)
    return time.perf_counter() - started, pending


def check_cases(numbers: list[str], photos: int, storage: Storage) -> dict[str, int]:
    """Count the run's cases that lack a photo, or whose photos lack a file or failed."""
    tickets = Ticket.objects.filter(number__in=numbers).prefetch_related("attachments")
    found = 0
    short = 0
    unfinished = 0
    missing_files = 0
    for ticket in tickets.iterator(chunk_size=500):
        found += 1
        attachments = list(ticket.attachments.all())
        if len(attachments) != photos:
            short += 1
        for a in attachments:
            if getattr(a, "state", "ready") != "ready":
                unfinished += 1
            elif not (storage.exists(a.display) and storage.exists(a.thumbnail)):
                missing_files += 1
    return {
        "answered cases missing from the database": len(set(numbers)) - found,
        "cases without all their photos": short,
        "photos not processed (processing or failed)": unfinished,
        "photos without their display image or thumbnail": missing_files,
    }


def measure(
    args: argparse.Namespace,
    url: str,
    label: str,
    storage: Storage,
    bearers: list[str],
    points: list[tuple[float, float]],
    seed: int,
    run: str,
    rows: list[tuple[str, str, int, float, float, int]],
    ends: list[tuple[str, str, float]],
    server: Server | None,
) -> int:
    """Every photo size at every concurrency against one server; return the failed checks."""
    failures = 0
    for kind in args.photo:
        photo = camera_photo(SIZES[kind], seed)
        print(
            f"photo {kind}: {SIZES[kind][0]}x{SIZES[kind][1]} JPEG "
            f"{len(photo) / 1024:.0f} KiB with EXIF (GPS, device, time)",
            flush=True,
        )
        numbers: list[str] = []
        started = time.perf_counter()
        cpu_before = cpu_snapshot(server) if server else None
        client_before = time.process_time()
        for concurrency in args.concurrency:
            load_before = os.getloadavg()
            level = asyncio.run(
                run_level(
                    url,
                    concurrency=concurrency,
                    warmup=args.warmup,
                    duration=args.duration,
                    bearers=bearers,
                    points=points,
                    photo=photo,
                    photos=args.photos,
                    run=f"{run}-{label}-{kind}",
                    request_seconds=args.timeout,
                )
            )
            load = os.getloadavg()
            numbers += level.numbers + [n for n in level.late if n]
            rate = len(level.latencies) / level.seconds
            p50, p95, p99 = (percentile(level.latencies, q) for q in (0.5, 0.95, 0.99))
            errors = sum(level.errors.values())
            print(
                f"  c={concurrency:3d}: {rate:5.1f} reports/s  "
                f"p50 {p50 * 1000:5.0f} ms  p95 {p95 * 1000:5.0f} ms  "
                f"p99 {p99 * 1000:5.0f} ms  ok {len(level.latencies)}  errors {errors}"
                + (f" ({dict(level.errors)})" if errors else "")
                + f"  load {load_before[0]:.1f}->{load[0]:.1f} "
                f"(1/5/15 min {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f})",
                flush=True,
            )
            rows.append((label, kind, concurrency, rate, p95, errors))
        # In the request's design nothing is pending and this returns at once.
        seconds, pending = drain(f"{run}-{label}-{kind}", args.drain_timeout)
        print(
            f"  derived images of every {kind} photo exist {seconds:.1f} s after the last "
            f"answer (still processing after the wait: {pending}; load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        # End to end: every report answered (warm-ups included) over the time from
        # the first request to the last derived image, what the machine carries.
        elapsed = time.perf_counter() - started
        carried = len(numbers) * args.photos / elapsed
        print(
            f"  end to end: {len(numbers)} reports, {len(numbers) * args.photos} photos "
            f"served in {elapsed:.1f} s (load and drain): {carried:.1f} photos/s",
            flush=True,
        )
        ends.append((label, kind, carried))
        if cpu_before is not None and server is not None and numbers:
            # Load-independent: what each report cost the machine, by process,
            # and the rate that would make of the machine's cores if nothing else ran.
            used = cpu_used(cpu_before, cpu_snapshot(server))
            used["load generator (this process)"] = time.process_time() - client_before
            per_report = {group: seconds * 1000 / len(numbers) for group, seconds in used.items()}
            total = sum(per_report.values())
            print(
                "  CPU a report: "
                + ", ".join(f"{group} {ms:.1f} ms" for group, ms in per_report.items())
                + f"; total {total:.1f} ms, so {os.cpu_count()} idle cores would carry "
                f"{(os.cpu_count() or 1) * 1000 / total:.1f} reports/s end to end",
                flush=True,
            )
        checks = check_cases(numbers, args.photos, storage)
        for name, value in checks.items():
            print(f"  {'ok  ' if value == 0 else 'FAIL'} {name}: {value}")
        failures += sum(checks.values())
    return failures


def main() -> int:
    port = os.environ.get("XADESK_PORT", "8000")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{port}",
        help="a running `make run` (its DATABASE_URL and media folder are read)",
    )
    parser.add_argument(
        "--serve",
        nargs="+",
        choices=("request", "worker"),
        help="start gunicorn (and the photo workers) here instead, once per "
        "XADESK_PHOTO_PROCESSING given, on DATABASE_URL and a fresh media folder; no "
        "other server may use that database (its photo workers would take these jobs "
        "and not find their files)",
    )
    parser.add_argument("--port", type=int, default=8650, help="with --serve")
    parser.add_argument("--http-workers", type=int, default=3, help="with --serve")
    parser.add_argument(
        "--media-root",
        type=Path,
        default=None,
        help="the running server's media folder; default: its configured storage "
        "(DJANGO_MEDIA_ROOT, or the bucket of XADESK_MEDIA_STORAGE=s3)",
    )
    parser.add_argument("--photo", choices=sorted(SIZES), nargs="+", default=["1600", "12mp"])
    parser.add_argument("--photos", type=int, default=1, help="photos per report")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=5.0, help="uncounted seconds per level")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, s")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    # httpx logs every request at INFO: thousands of lines hiding the figures.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    run = uuid.uuid4().hex[:8]
    people = bench_residents(args.residents)
    bearers = [api_token_create(user=person) for person in people]
    points = commune_points(2000, seed)
    print(f"intake: {args.url}  run {run}  seed {seed}", flush=True)
    print(
        f"  flags: --photo {' '.join(args.photo)} --photos {args.photos} "
        f"--concurrency {' '.join(map(str, args.concurrency))} --duration {args.duration} "
        f"--warmup {args.warmup} --residents {args.residents}"
        + (
            f" --serve {' '.join(args.serve)} --http-workers {args.http_workers}"
            if args.serve
            else ""
        )
        + f"; {len(points)} points in Thái Nguyên's communes",
        flush=True,
    )
    failures = 0
    rows: list[tuple[str, str, int, float, float, int]] = []
    ends: list[tuple[str, str, float]] = []
    try:
        for processing in args.serve or [""]:
            server = start_server(processing, args.port, args.http_workers) if processing else None
            url = server.url if server else args.url
            storage: Storage = default_storage
            if server or args.media_root:
                storage = FileSystemStorage(location=server.media if server else args.media_root)
            label = processing or "make run"
            print(f"\n--- server: {label} ({url})", flush=True)
            try:
                failures += measure(
                    args, url, label, storage, bearers, points, seed, run, rows, ends, server
                )
            finally:
                if server:
                    server.stop()
    finally:
        for key in bearers:
            api_token_revoke(key=key)
    targets = {"1600": 20.0, "12mp": 8.0}
    for label, kind, concurrency, rate, p95, _errors in rows:
        print(
            "@result "
            + json.dumps(
                {
                    "figure": f"intake {kind} c={concurrency} ({label})",
                    "value": f"{rate:.1f}/s p95 {p95 * 1000:.0f} ms",
                    "unit": "reports/s",
                    "target": f">= {targets[kind]:.0f}/s, p95 <= 1500 ms",
                }
            )
        )
    for label, kind, carried in ends:
        print(
            "@result "
            + json.dumps(
                {
                    "figure": f"intake {kind} end to end, derived images included ({label})",
                    "value": f"{carried:.1f}",
                    "unit": "photos/s",
                    "target": f">= {targets[kind]:.0f}/s",
                }
            )
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
