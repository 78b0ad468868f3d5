"""Retry storm: flaky clients file reports with photos through nginx; one case each, no orphans.

Each logical submission (one report, one Idempotency-Key, one unique token in
its description) is sent by a simulated phone with a bad signal, over raw
sockets so that the connection really drops:

- before: connect, then close without sending a byte;
- mid-body: send the headers and part of the multipart body, then close
  (half of these with a reset, half with a FIN);
- after-upload: send everything, then close without reading the answer
  (the server may well have filed the case: the retry must get it back);

then retried with the same key, 1 to --max-retries times in all, with a short
random backoff, until an attempt reads its answer. Some submissions
(--twins) end with two identical attempts at once, a double tap racing itself;
some (--changed) reuse the key afterwards with a changed description or
photo, which must be answered 409 naming the original case; some (--abandon)
give up without ever reading an answer.

Afterwards, from the database (the same DATABASE_URL as the server) and the
media folder: cases per token (exactly one per answered submission, and the
one every answer named; at most one per abandoned one, none unless an upload
was complete), and every file under photos/, originals/ and public/ against
every name the Attachment rows hold (display, thumbnail, original, public
copies). Files are counted once the server has been quiet for a while and
before anything sweeps: the filing path itself must leave no orphan
(sweep_orphan_files, which make run runs hourly, leaves files younger than its
grace period, an hour at least, alone; only files new in this run count).

    XADESK_RATE_FILING_IP=off XADESK_RATE_PHOTO_IP=off make run   # another terminal
    .venv/bin/python bench/retry_storm.py --submissions 1000 --clients 24

Every request comes from 127.0.0.1, so the per-IP abuse limits (300 filings
an hour) must be raised for the server under test (XADESK_RATE_*=off); the
bench spreads the filings over --residents people so the per-person limits
are not what it measures, and prints the limits the server was started with
(read from its process environment when it can). Exits 1 when a correctness
figure fails.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import queue
import random
import socket
import statistics
import struct
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.db.models.functions import PointOnSurface  # noqa: E402
from django.core.files.storage import FileSystemStorage, Storage, default_storage  # noqa: E402
from django.db.models import Prefetch  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from accounts.auth import api_token_create, api_token_revoke  # noqa: E402
from accounts.models import User  # noqa: E402
from geo.models import Boundary  # noqa: E402
from helpdesk.demo import COMMUNE_A  # noqa: E402
from helpdesk.models import Attachment, Service, Ticket  # noqa: E402
from helpdesk.photo_sweep import storage_files  # noqa: E402

BENCH_PHONES = "+849860"  # + 5 digits: this bench's residents
PHOTO_FOLDERS = ("photos", "originals", "public")  # as printed; the sweep's PHOTO_PREFIXES
DROPS = ("before", "mid-body", "after-upload")


@dataclass
class Attempt:
    kind: str  # a drop kind, "answered", "twin" or "changed"
    status: int | None = None  # None: no answer read (dropped or connection error)
    body: dict[str, object] | None = None
    seconds: float = 0.0
    error: str = ""


@dataclass
class Submission:
    index: int
    token: str
    key: str
    bearer: str
    description: str
    photos: list[bytes]
    plan: list[str]
    attempts: list[Attempt] = field(default_factory=list)

    def numbers(self) -> set[str]:
        """Case numbers named by the 2xx answers."""
        return {
            str(a.body["case"]["number"])  # type: ignore[index]
            for a in self.attempts
            if a.status in (200, 201) and a.body
        }


# --- photos and requests ----------------------------------------------------------


def photo_pool(count: int, rng: random.Random) -> list[bytes]:
    """Distinct JPEGs, 1280x960, ~200 KB: a gradient, grain and a few blocks of colour."""
    pool = []
    for _ in range(count):
        base = Image.linear_gradient("L").resize((1280, 960)).convert("RGB")
        grain = Image.effect_noise((1280, 960), 30).convert("RGB")
        image = Image.blend(base, grain, 0.25)
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = rng.randrange(1200), rng.randrange(900)
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            draw.rectangle((x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 200)), colour)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        pool.append(buffer.getvalue())
    return pool


def multipart(fields: dict[str, str], photos: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for n, data in enumerate(photos):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
            f'filename="IMG_{n:04d}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str
    fields: dict[str, str]


def request_bytes(target: Target, sub: Submission, description: str, photos: list[bytes]) -> bytes:
    body, content_type = multipart({**target.fields, "description": description}, photos)
    head = (
        f"POST {target.path} HTTP/1.1\r\n"
        f"Host: {target.host}:{target.port}\r\n"
        f"Authorization: Bearer {sub.bearer}\r\n"
        f"Idempotency-Key: {sub.key}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Accept-Language: en\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def close(sock: socket.socket, *, reset: bool) -> None:
    if reset:  # RST instead of FIN: a phone that lost its radio mid-request
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def send(target: Target, data: bytes, kind: str, rng: random.Random, timeout: float) -> Attempt:
    """One attempt of ``kind``; the dropped kinds close the connection on purpose."""
    attempt = Attempt(kind=kind)
    start = time.perf_counter()
    try:
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        attempt.error = f"connect: {type(exc).__name__}"
        return attempt
    try:
        if kind == "before":
            close(sock, reset=rng.random() < 0.5)
            return attempt
        if kind == "mid-body":
            head_end = data.index(b"\r\n\r\n") + 4
            cut = head_end + int((len(data) - head_end) * rng.uniform(0.05, 0.95))
            sock.sendall(data[:cut])
            close(sock, reset=rng.random() < 0.5)
            return attempt
        sock.sendall(data)
        if kind == "after-upload":
            # Half right away, half once nginx has had the body a while (the
            # app may be part-way through the photos when the client goes).
            time.sleep(rng.choice((0.0, rng.uniform(0.02, 0.4))))
            close(sock, reset=False)
            return attempt
        response = http.client.HTTPResponse(sock)
        response.begin()
        raw = response.read()
        attempt.status = response.status
        attempt.seconds = time.perf_counter() - start
        try:
            attempt.body = json.loads(raw)
        except ValueError:
            attempt.body = {"raw": raw[:200].decode("latin-1")}
        sock.close()
    except OSError as exc:
        attempt.error = type(exc).__name__
        sock.close()
    except http.client.HTTPException as exc:
        attempt.error = type(exc).__name__
        sock.close()
    return attempt


def changed(sub: Submission, pool: list[bytes], rng: random.Random) -> tuple[str, list[bytes]]:
    """The same key with other content: another description or another photo."""
    if rng.random() < 0.5:
        return sub.description + " (sửa lại)", sub.photos
    others = [p for p in pool if p not in sub.photos]
    return sub.description, [*sub.photos[:-1], rng.choice(others)]


def run_submission(
    sub: Submission, target: Target, pool: list[bytes], rng: random.Random, timeout: float
) -> None:
    data = request_bytes(target, sub, sub.description, sub.photos)
    for step, kind in enumerate(sub.plan):
        if step:
            time.sleep(rng.uniform(0, 0.3))  # backoff before the retry
        if kind == "changed":
            if not sub.numbers():
                continue  # no original to conflict with: never sent
            description, photos = changed(sub, pool, rng)
            sub.attempts.append(
                send(target, request_bytes(target, sub, description, photos), kind, rng, timeout)
            )
        elif kind == "twin":
            # A double tap: the same request twice at once, racing itself.
            results: list[Attempt] = []
            twin = threading.Thread(
                target=lambda out=results: out.append(
                    send(target, data, "twin", random.Random(), timeout)
                )
            )
            twin.start()
            sub.attempts.append(send(target, data, kind, rng, timeout))
            twin.join()
            sub.attempts.extend(results)
        elif kind == "answered":
            # Retried (up to 3 more times) until an answer says something
            # other than "try again": a 5xx or a broken connection.
            for _ in range(4):
                attempt = send(target, data, kind, rng, timeout)
                sub.attempts.append(attempt)
                if attempt.status is not None and attempt.status < 500:
                    break
                time.sleep(0.5)
        else:
            sub.attempts.append(send(target, data, kind, rng, timeout))


def abandoned(sub: Submission) -> bool:
    """Whether the client gave up without a last attempt that reads its answer."""
    return sub.plan[-1] in DROPS


def plan_for(rng: random.Random, args: argparse.Namespace) -> list[str]:
    """1..max attempts; all but the last drop (or, now and then, read their answer)."""
    tries = rng.randint(1, args.max_retries)
    plan = [
        "answered" if rng.random() < args.early_answer else rng.choice(DROPS)
        for _ in range(tries - 1)
    ]
    if rng.random() < args.abandon:
        return [*plan, rng.choice(DROPS)]  # gives up: never reads an answer
    plan.append("twin" if rng.random() < args.twins else "answered")
    if rng.random() < args.changed:
        plan.append("changed")
    return plan


# --- the server side ------------------------------------------------------------


def media_files(storage: Storage) -> set[str]:
    """Every stored photo file, through the storage API (a folder or a bucket)."""
    return {
        name
        for folder in PHOTO_FOLDERS
        for name in storage_files(storage=storage, prefix=f"{folder}/")
    }


def referenced_names() -> set[str]:
    names: set[str] = set()
    for row in Attachment.objects.values_list(
        "display", "thumbnail", "original", "public_display", "public_thumbnail"
    ).iterator(chunk_size=5000):
        names.update(name for name in row if name)
    return names


def settle(storage: Storage, quiet_seconds: float) -> None:
    """Wait until the photo folders have not changed for ``quiet_seconds``
    (requests whose client left are still being served)."""
    last, still_since = media_files(storage), time.monotonic()
    deadline = time.monotonic() + 120
    while time.monotonic() - still_since < quiet_seconds and time.monotonic() < deadline:
        time.sleep(0.5)
        now = media_files(storage)
        if now != last:
            last, still_since = now, time.monotonic()


def server_rate_limits(pidfile: Path) -> str:
    """The XADESK_RATE_* settings of the running gunicorn, from its environment."""
    try:
        environ = Path(f"/proc/{int(pidfile.read_text())}/environ").read_bytes()
    except (OSError, ValueError):
        return "unknown (no readable gunicorn pid file; see --server-pidfile)"
    pairs = [p.decode() for p in environ.split(b"\0") if p.startswith(b"XADESK_RATE_")]
    return ", ".join(sorted(pairs)) or "the defaults (no XADESK_RATE_* set)"


def bench_residents(count: int) -> list[User]:
    people = []
    for n in range(count):
        user, _ = User.objects.get_or_create(
            phone=f"{BENCH_PHONES}{n:05d}", defaults={"full_name": f"Storm {n}"}
        )
        people.append(user)
    return people


def place() -> tuple[float, float]:
    """A point inside the demo commune A (routed to its department)."""
    boundary = (
        Boundary.objects.filter(unit__code=COMMUNE_A)
        .annotate(inside=PointOnSurface("geom"))
        .order_by("-pk")
        .first()
    )
    assert boundary is not None, "load the demo data first (make run)"
    return boundary.inside.y, boundary.inside.x


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> int:
    port = os.environ.get("XADESK_PORT", "8000")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{port}",
        help="the site behind nginx, as make run serves it",
    )
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=24, help="concurrent flaky clients")
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--max-retries", type=int, default=5, help="attempts per submission")
    parser.add_argument(
        "--early-answer",
        type=float,
        default=0.15,
        help="share of the retried attempts that do read their answer",
    )
    parser.add_argument(
        "--twins",
        type=float,
        default=0.15,
        help="share of submissions ending in two identical attempts at once",
    )
    parser.add_argument(
        "--changed",
        type=float,
        default=0.3,
        help="share reusing the key with changed content afterwards",
    )
    parser.add_argument(
        "--abandon", type=float, default=0.05, help="share giving up without ever reading an answer"
    )
    parser.add_argument("--photos", type=int, nargs=2, default=[1, 2], metavar=("MIN", "MAX"))
    parser.add_argument("--service", default="road_damage")
    parser.add_argument("--timeout", type=float, default=120.0, help="socket timeout, s")
    parser.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="seconds the photo folders must stay unchanged before counting",
    )
    parser.add_argument(
        "--media-root",
        type=Path,
        default=None,
        help="the server's media folder; default: its configured storage "
        "(DJANGO_MEDIA_ROOT, or the bucket of XADESK_MEDIA_STORAGE=s3)",
    )
    parser.add_argument("--server-pidfile", type=Path, default=ROOT / ".run" / "gunicorn.pid")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    url = urlsplit(args.url)
    service = Service.objects.get(code=args.service, is_active=True)
    lat, lon = place()
    target = Target(
        host=url.hostname or "127.0.0.1",
        port=url.port or 80,
        path="/api/v1/reports/cases",
        fields={
            "service": service.code,
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
            "location_source": "gps",
            "accuracy_m": "8",
        },
    )
    run = uuid.uuid4().hex[:8]
    people = bench_residents(args.residents)
    bearers = [api_token_create(user=person) for person in people]
    pool = photo_pool(24, rng)
    submissions = []
    for i in range(args.submissions):
        token = f"storm-{run}-{i:05d}"
        submissions.append(
            Submission(
                index=i,
                token=token,
                key=uuid.uuid4().hex,
                bearer=bearers[i % len(bearers)],
                description=f"Ổ gà sâu giữa đường, xe máy tránh không kịp [{token}]",
                photos=rng.sample(pool, rng.randint(*args.photos)),
                plan=plan_for(rng, args),
            )
        )

    print(f"retry storm: {args.url}  seed {seed}  run {run}", flush=True)
    print(
        f"  flags: --submissions {args.submissions} --clients {args.clients} "
        f"--residents {args.residents} --max-retries {args.max_retries} "
        f"--early-answer {args.early_answer} --twins {args.twins} --changed {args.changed} "
        f"--abandon {args.abandon} --photos {args.photos[0]} {args.photos[1]} "
        f"--service {args.service}"
    )
    print(f"  server abuse limits: {server_rate_limits(args.server_pidfile)}")
    storage: Storage = (
        FileSystemStorage(location=args.media_root) if args.media_root else default_storage
    )
    where = args.media_root or settings.STORAGES["default"]["BACKEND"]
    print(f"  media: {where}; load average {os.getloadavg()[0]:.1f}", flush=True)

    files_before = media_files(storage)
    orphans_before = files_before - referenced_names()
    tickets_before = Ticket.objects.count()

    work: queue.Queue[Submission] = queue.Queue()
    for sub in submissions:
        work.put(sub)
    done = Counter[str]()
    lock = threading.Lock()

    def client(n: int) -> None:
        client_rng = random.Random(seed * 1000 + n)
        while True:
            try:
                sub = work.get_nowait()
            except queue.Empty:
                return
            run_submission(sub, target, pool, client_rng, args.timeout)
            with lock:
                done["n"] += 1
                if done["n"] % 100 == 0:
                    print(f"  {done['n']} submissions done", flush=True)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    settle(storage, args.settle)
    for key in bearers:
        api_token_revoke(key=key)

    # --- what the clients saw ---
    attempts = [a for sub in submissions for a in sub.attempts]
    kinds = Counter(a.kind for a in attempts)
    statuses = Counter(
        str(a.status) if a.status else f"none ({a.error or 'dropped'})" for a in attempts
    )
    codes = Counter(
        str(a.body.get("code")) for a in attempts if a.status and a.status >= 400 and a.body
    )
    latencies = [a.seconds * 1000 for a in attempts if a.status in (200, 201)]

    # --- what the server kept ---
    # token -> (number, description, sha256 of the uploads in order) of each case
    by_token: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    tickets = Ticket.objects.filter(description__contains=f"storm-{run}-").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("position"))
    )
    for ticket in tickets:
        description = ticket.description
        token = description[description.index(f"storm-{run}-") :].split("]")[0]
        shas = tuple(a.sha256 for a in ticket.attachments.all())
        by_token.setdefault(token, []).append((ticket.number, description, shas))

    answered = [s for s in submissions if s.numbers()]
    unanswered = [s for s in submissions if abandoned(s) and not s.numbers()]
    duplicates = [s for s in submissions if len(by_token.get(s.token, [])) > 1]
    lost = [s for s in answered if not by_token.get(s.token)]
    split = [s for s in answered if len(s.numbers()) > 1]  # answers naming different cases
    wrong_case = [
        s
        for s in answered
        if by_token.get(s.token) and {c[0] for c in by_token[s.token]} != s.numbers()
    ]
    # A case must hold what the submission sent: a part of it (a cut-off
    # upload) or a reuse's changed content is another report under its key.
    changed_content = [
        s
        for s in submissions
        for _n, d, shas in by_token.get(s.token, [])
        if d != s.description or shas != tuple(sha256(p).hexdigest() for p in s.photos)
    ]
    same_409 = [
        s for s in submissions if any(a.status == 409 and a.kind != "changed" for a in s.attempts)
    ]
    reached = [s for s in unanswered if "after-upload" in {a.kind for a in s.attempts}]
    phantom = [s for s in unanswered if s not in reached and by_token.get(s.token)]
    created_unanswered = [s for s in reached if by_token.get(s.token)]
    unanswered_final = [s for s in submissions if not abandoned(s) and not s.numbers()]
    reuses = [(s, a) for s in submissions for a in s.attempts if a.kind == "changed"]
    reuse_ok = [
        (s, a)
        for s, a in reuses
        if a.status == 409
        and a.body
        and a.body.get("code") == "idempotency_key_reused"
        and isinstance(details := a.body.get("details"), dict)
        and details.get("number") in s.numbers()
    ]
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    refused = statuses.get("429", 0)

    files_after = media_files(storage)
    names = referenced_names()
    new_files = files_after - files_before
    new_orphans = new_files - names
    missing = {n for n in names if not storage.exists(n)}
    tickets_made = Ticket.objects.count() - tickets_before

    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (the machine's 2 cores are shared)")
    print(
        f"elapsed {elapsed:.1f} s; {len(submissions)} submissions, {len(attempts)} attempts "
        f"({len(attempts) / len(submissions):.2f} per submission)"
    )
    print("attempts by kind:  " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print("answers by status: " + ", ".join(f"{k} {n}" for k, n in sorted(statuses.items())))
    if codes:
        print("error codes:       " + ", ".join(f"{k} {n}" for k, n in sorted(codes.items())))
    print(
        f"successful attempts: {len(latencies)}; latency p50 {percentile(latencies, 0.5):.0f} ms "
        f"p95 {percentile(latencies, 0.95):.0f} ms "
        f"(mean {statistics.fmean(latencies) if latencies else float('nan'):.0f} ms)"
    )
    print(
        f"changed-content reuses: {len(reuses)}, answered 409 naming the original case: "
        f"{len(reuse_ok)}"
    )
    print(
        f"cases in the database: +{tickets_made} during the run, any traffic "
        f"(with this run's tokens: {len(by_token)}); "
        f"answered submissions {len(answered)}, abandoned {len(unanswered)} "
        f"({len(reached)} with a complete upload: {len(created_unanswered)} became a case, "
        f"their retry would get it back)"
    )
    print(
        f"photo files: {len(files_after)} under {', '.join(PHOTO_FOLDERS)} "
        f"({len(new_files)} new), referenced by attachments: {len(names)}; "
        f"orphans new {len(new_orphans)} (before the run {len(orphans_before)}), "
        f"referenced but missing {len(missing)}"
    )

    checks = {
        "duplicates (two cases from one submission)": len(duplicates),
        "lost (answered, no case)": len(lost),
        "answers naming different cases": len(split),
        "case differs from the one answered": len(wrong_case),
        "case content differs from the submission (photos, description)": len(changed_content),
        "identical retry answered 409": len(same_409),
        "case without a complete upload": len(phantom),
        "submissions without an answer after 4 tries": len(unanswered_final),
        "changed reuse not 409 naming the original": len(reuses) - len(reuse_ok),
        "server errors (5xx)": server_errors,
        "refused by an abuse limit (429: raise XADESK_RATE_*)": refused,
        "orphan photo files": len(new_orphans),
        "attachment files missing": len(missing),
    }
    print()
    for label, value in checks.items():
        print(f"  {'ok  ' if value == 0 else 'FAIL'} {label}: {value}")
    for s in (duplicates + lost + split + wrong_case + phantom + changed_content + same_409)[:5]:
        print(
            f"    e.g. {s.token}: plan {s.plan}, answers "
            f"{[(a.kind, a.status) for a in s.attempts]}, photos sent "
            f"{[sha256(p).hexdigest()[:8] for p in s.photos]}, cases "
            f"{[(c[0], [h[:8] for h in c[2]]) for c in by_token.get(s.token, [])]}"
        )
    for name in sorted(new_orphans)[:5]:
        print(f"    orphan: {name}")
    return 1 if any(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
