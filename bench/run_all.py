"""Run the benchmark suite one bench after another; print one table, write bench/RESULTS.md.

    make bench                      # provisions like `make run`, then this
    .venv/bin/python bench/run_all.py [--cases 100000] [--only queue_scale geo_lookup]

Each bench is one line in BENCHES: a name and its command line (modest
defaults). Benches run in their own processes, one at a time, on the bench
database (DATABASE_URL, default `xadesk_bench` on the `make run` cluster),
which is prepared first when empty: boundaries of five provinces and
``generate_cases --cases N``. A bench reports figures by printing lines
``@result {"figure": …, "value": …, "unit": …, "target": …}``; a bench that
prints none is shown by its last output lines. A bench that exits non-zero
(a failed agreement check, lost deliveries) fails the suite, after the
others have run. The load average before and after each bench is recorded:
figures from a loaded machine are not comparable with those of an idle one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BENCH_DB = "postgis://xadesk:xadesk@127.0.0.1:55432/xadesk_bench"
PROVINCES = ("19", "20", "24", "66", "01")

# Modest: one concurrency, 10 s measured after 3 s of warm-up, per photo size and design.
INTAKE_LOAD = ["--concurrency", "8", "--duration", "10", "--warmup", "3"]

# Both live-push benches: two uvicorn processes, two client processes that
# poll their sockets (followers on other machines), one run of 5 pushes.
# --people all: every socket is a different resident's (the reporter and
# "me too" followers), as a province's followers are; one session for all the
# sockets would share its server-side entries (core/socket_ends.py).
WS_LOAD = ["--ws", "wsproto", "--workers", "2", "--clients", "2", "--repeat", "1",
           "--rounds", "5", "--client-poll-ms", "10", "--people", "all"]  # fmt: skip

# (name, command line): add a bench here, one line each.
BENCHES: list[tuple[str, list[str]]] = [
    # make run's own stack (scripts/serve.sh) started beside any other on its
    # own port and database, measured in Chromium on an emulated 3G line: the
    # report form's first load had grown past its target for three days
    # before anyone ran this by hand.
    ("page_weight", [PY, "bench/page_weight.py", "--serve"]),
    ("queue_scale", [PY, "bench/queue_scale.py", "--runs", "20", "--warmup", "2"]),
    ("geo_lookup", [PY, "bench/geo_lookup.py", "--points", "4000", "--single", "1000"]),
    ("photo_pipeline", [PY, "bench/photo_pipeline.py", "--runs", "5"]),
    # Its own gunicorn (+ photo worker) per design, in the request then off it.
    (
        "intake",
        [PY, "bench/intake.py", "--serve", "request", "worker", *INTAKE_LOAD],
    ),
    (
        "case_notify_fanout",
        [PY, "bench/case_notify_fanout.py", "--supporters", "5000", "--repeat", "3"],
    ),
    # As make run serves sockets (scripts/serve.sh: wsproto, one uvicorn per
    # core), with the default layer (CHANNEL_LAYER=redis: "core") and the
    # pubsub one (CHANNEL_LAYER=redis-pubsub); 10,000 is the target size.
    (
        "ws_fanout",
        [
            PY,
            "bench/ws_fanout.py",
            "--sockets",
            "1000",
            "10000",
            "--layer",
            "core",
            "pubsub",
            *WS_LOAD,
            # The collector's pauses while 10,000 sockets connect at once (a
            # reconnect storm's shape) and during the timed pushes.
            "--gc-probe",
        ],
    ),
    # The same push the way a phone's socket reaches it under `make run`:
    # through its nginx (scripts/nginx.conf.in) to uvicorn's Unix sockets.
    # nginx relays every frame and holds two connections a socket, so its CPU
    # and memory are counted with the server's.
    (
        "ws_fanout_nginx",
        [
            PY,
            "bench/ws_fanout.py",
            "--sockets",
            "10000",
            "--layer",
            "core",
            "--proxy",
            "nginx",
            *WS_LOAD,
        ],
    ),
]


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + (" (uncommitted changes)" if dirty else ""),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def database_ensure(url: str) -> None:
    """Create the database ``url`` names on its cluster if it is not there
    (bench/page_weight.py --serve makes its own this way too)."""
    url = url.replace("postgis://", "postgresql://", 1)  # psql's scheme
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", admin_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def prepare(env: dict[str, str], cases: int) -> str:
    """Migrate the bench database and fill it once; return what it holds."""
    database_ensure(env["DATABASE_URL"])
    url = env["DATABASE_URL"].replace("postgis://", "postgresql://", 1)  # psql's scheme
    name = url.rsplit("/", 1)[1]
    manage(env, "migrate", "-v0")
    count = subprocess.run(
        ["psql", url, "-tAc",
         "SELECT count(*) FROM helpdesk_ticket"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if count == "0":
        print(f"Preparing {name}: boundaries of {', '.join(PROVINCES)}, {cases:,} cases…")
        manage(
            env, "import_boundaries", "--commit", *(a for p in PROVINCES for a in ("--province", p))
        )
        started = time.perf_counter()
        print(manage(env, "generate_cases", "--cases", str(cases), "--commit"), end="")
        print(f"(generated in {time.perf_counter() - started:.0f} s)")
        count = str(cases)
    return f"{name}: {int(count):,} cases"


def run(name: str, command: list[str], env: dict[str, str]) -> dict[str, object]:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    print(f"\n=== {name}: {' '.join(Path(c).name if c == PY else c for c in command)}", flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line.rstrip("\n"))
    code = process.wait()
    results = [json.loads(line[len("@result ") :]) for line in lines if line.startswith("@result ")]
    return {
        "name": name,
        "command": " ".join(["python" if c == PY else c for c in command]),
        "exit": code,
        "seconds": time.perf_counter() - started,
        "load": (load_before, os.getloadavg()[0]),
        "results": results,
        "tail": [line for line in lines if not line.startswith("@result ")][-12:],
    }


def verdict(value: object, target: object) -> str:
    """'met' or 'MISSED' for a plain number against "≤ X" / ">= X"; '' otherwise.

    Figures whose value is not one number (intake's "41.2/s p95 230 ms") are
    judged by the reader against their target.
    """
    if not isinstance(value, int | float) or not isinstance(target, str):
        return ""
    for sign, holds in (("≤", float.__le__), ("<=", float.__le__), ("≥", float.__ge__),
                        (">=", float.__ge__)):  # fmt: skip
        if target.startswith(sign):
            try:
                bound = float(target[len(sign) :].strip().split()[0].rstrip("/s"))
            except ValueError:
                return ""
            return "met" if holds(float(value), bound) else "MISSED"
    if target.strip().lstrip("-").isdigit():
        return "met" if float(value) == float(target) else "MISSED"
    return ""


def report(facts: dict[str, str], data: str, runs: list[dict[str, object]]) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Written by `make bench` ({facts['date']}, commit {facts['commit']}).",
        "",
        f"- Machine: {facts['cpus']} CPUs ({facts['cpu']}), {facts['ram']} RAM, "
        f"Python {facts['python']}",
        f"- Bench database: {data}",
        "",
    ]
    for run_ in runs:
        load = run_["load"]
        assert isinstance(load, tuple)
        status = "ok" if run_["exit"] == 0 else f"FAILED (exit {run_['exit']})"
        out += [
            f"## {run_['name']} — {status}",
            "",
            f"`{run_['command']}` — {run_['seconds']:.0f} s, "
            f"load average {load[0]:.2f} before, {load[1]:.2f} after",
            "",
        ]
        results = run_["results"]
        assert isinstance(results, list)
        if results:
            out += ["| figure | value | unit | target | |", "|---|---:|---|---|---|"]
            out += [
                f"| {r['figure']} | {r['value']} | {r['unit']} | {r.get('target', '')} "
                f"| {verdict(r['value'], r.get('target'))} |"
                for r in results
            ]
        else:
            tail = run_["tail"]
            assert isinstance(tail, list)
            out += ["```", *tail, "```"]
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the bench database")
    parser.add_argument("--only", nargs="+", choices=[name for name, _ in BENCHES])
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", BENCH_DB)
    env.setdefault("DJANGO_DEBUG", "true")  # for the management commands; benches set their own
    facts = machine()
    data = prepare(env, args.cases)
    runs = [run(name, cmd, env) for name, cmd in BENCHES if not args.only or name in args.only]
    print("\n| bench | figure | value | unit | target | |\n|---|---|---:|---|---|---|")
    for run_ in runs:
        results = run_["results"]
        assert isinstance(results, list)
        for r in results:
            print(f"| {run_['name']} | {r['figure']} | {r['value']} | {r['unit']} | "
                  f"{r.get('target', '')} | {verdict(r['value'], r.get('target'))} |")  # fmt: skip
        if run_["exit"] != 0:
            print(f"| {run_['name']} | FAILED | exit {run_['exit']} | | |")
    args.output.write_text(report(facts, data, runs))
    print(f"\nwrote {args.output.relative_to(ROOT)}")
    if any(run_["exit"] != 0 for run_ in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
