"""config/env.py fails loudly on malformed configuration, and settings use it so.

The helper tests set variables with monkeypatch; the start-up tests import the
production settings in a fresh interpreter with a scrubbed environment, because
this process already has settings loaded. No database is touched.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_ints, env_list, env_rate, env_str

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR = "XADESK_TEST_ENV_VALUE"


# ---- env_bool -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("1", True),
        ("false", False),
        ("FALSE", False),
        ("False", False),
        ("0", False),
        (" true ", True),
    ],
)
def test_env_bool_accepts_true_false_1_0_any_case(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("raw", ["yes", "no", "on", "maybe", "2", "tru"])
def test_env_bool_rejects_other_words(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}='{raw}' is not a boolean"):
        env_bool(VAR, False)


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_blank_gives_default(
    monkeypatch: pytest.MonkeyPatch, default: bool
) -> None:
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, default) is default
    monkeypatch.setenv(VAR, "  ")
    assert env_bool(VAR, default) is default


# ---- env_int --------------------------------------------------------------


def test_env_int_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "12")
    assert env_int(VAR, 5, minimum=0) == 12
    monkeypatch.setenv(VAR, "0")
    assert env_int(VAR, 5, minimum=0) == 0
    monkeypatch.delenv(VAR)
    assert env_int(VAR, 5, minimum=0) == 5


@pytest.mark.parametrize("raw", ["12a", "1.5", "twelve", "0x10"])
def test_env_int_rejects_non_integers(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}='{raw}' is not an integer"):
        env_int(VAR, 5)


def test_env_int_rejects_below_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "-1")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}=-1 must be at least 0"):
        env_int(VAR, 5, minimum=0)


# ---- env_choice -----------------------------------------------------------


def test_env_choice_accepts_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "memory")
    assert env_choice(VAR, "redis", ("redis", "memory")) == "memory"
    monkeypatch.delenv(VAR)
    assert env_choice(VAR, "redis", ("redis", "memory")) == "redis"


@pytest.mark.parametrize("raw", ["rediss", "Memory", "inmemory"])
def test_env_choice_rejects_unknown(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=r"must be one of: redis, memory"):
        env_choice(VAR, "redis", ("redis", "memory"))


# ---- env_str and env_list -------------------------------------------------


def test_env_str_required_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ImproperlyConfigured, match=rf"Environment variable {VAR} is required"):
        env_str(VAR)
    monkeypatch.setenv(VAR, "   ")
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_str(VAR)


def test_env_str_value_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "  value  ")
    assert env_str(VAR) == "value"
    monkeypatch.delenv(VAR)
    assert env_str(VAR, "fallback") == "fallback"


def test_env_list_splits_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, " a.example, ,b.example,")
    assert env_list(VAR, ["x"]) == ["a.example", "b.example"]
    monkeypatch.delenv(VAR)
    assert env_list(VAR, ["x"]) == ["x"]


def test_env_ints_reads_a_fixed_count_of_positive_integers_or_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert env_ints(VAR, (700, 10, 10)) == (700, 10, 10)
    monkeypatch.setenv(VAR, "10000, 10,20")
    assert env_ints(VAR, (700, 10, 10)) == (10000, 10, 20)
    monkeypatch.setenv(VAR, "OFF")
    assert env_ints(VAR, (700, 10, 10)) is None


@pytest.mark.parametrize(
    "raw", ["10000,10", "10000,10,10,10", "0,10,10", "-1,10,10", "a,b,c", "10²,10,10"]
)
def test_env_ints_rejects_anything_else(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}=.*3 positive integers"):
        env_ints(VAR, (700, 10, 10))


# ---- production settings at start-up ------------------------------------------

SETUP_DJANGO = (
    "import django; import os; "
    "os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"
)


def start_django(code: str = SETUP_DJANGO, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (by default: import config.settings) in a fresh interpreter
    with only `env` set.

    sys.executable is the project's .venv interpreter when pytest runs from it.
    """
    clean_env = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TZ") if key in os.environ
    }
    clean_env.update(env)
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("raw", "expected"), [(None, "(10000, 10, 10)"), ("off", "(700, 10, 10)")])
def test_the_websocket_processes_take_their_gc_thresholds_from_the_environment(
    raw: str | None, expected: str
) -> None:
    env = {"DJANGO_SECRET_KEY": "subprocess-test-secret"}
    if raw is not None:
        env["XADESK_WS_GC_THRESHOLDS"] = raw
    result = start_django("import gc, config.asgi; print(gc.get_threshold())", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_settings_start_with_secret_key() -> None:
    """Control for the failures below: the harness itself can start Django."""
    result = start_django(DJANGO_SECRET_KEY="subprocess-test-secret")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "url",
    [
        # What make run exports (scripts/serve.sh): no options of its own.
        "postgis://xadesk:xadesk@127.0.0.1:55433/xadesk",
        "postgis://xadesk:xadesk@127.0.0.1:55433/xadesk?sslmode=disable",
    ],
)
def test_settings_start_with_a_replica_url(url: str) -> None:
    result = start_django(DJANGO_SECRET_KEY="subprocess-test-secret", DATABASE_REPLICA_URL=url)
    assert result.returncode == 0, result.stderr


def test_settings_start_in_debug_without_secret_key() -> None:
    result = start_django(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_settings_refuse_to_start_without_secret_key() -> None:
    result = start_django()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Environment variable DJANGO_SECRET_KEY is required." in result.stderr


def test_settings_refuse_debug_yes() -> None:
    result = start_django(DJANGO_DEBUG="yes", DJANGO_SECRET_KEY="subprocess-test-secret")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG='yes' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    "demo", [{"SMS_BACKEND": "console"}, {"EMAIL_MODE": "console"}, {"ZALO_BACKEND": "memory"}]
)
def test_production_refuses_backends_that_only_print(demo: dict[str, str]) -> None:
    """Messages printed and marked sent would reach nobody (issue 11)."""
    refused = start_django(DJANGO_SECRET_KEY="subprocess-test-secret", **demo)
    assert refused.returncode != 0
    assert "would print messages instead of sending them" in refused.stderr
    allowed = start_django(
        DJANGO_SECRET_KEY="subprocess-test-secret", XADESK_ALLOW_DEMO_BACKENDS="true", **demo
    )
    assert allowed.returncode == 0, allowed.stderr


# ---- env_rate --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("60/h", (60, 3600)), ("300/15m", (300, 900)), ("5/10s", (5, 10)), ("2/d", (2, 86400))],
)
def test_env_rate_reads_count_per_period(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: tuple[int, int]
) -> None:
    monkeypatch.setenv(VAR, raw)
    assert env_rate(VAR, "1/s") == expected


def test_env_rate_off_means_no_limit_and_unset_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(VAR, "OFF")
    assert env_rate(VAR, "1/s") is None
    monkeypatch.delenv(VAR)
    assert env_rate(VAR, "3/m") == (3, 60)


@pytest.mark.parametrize("raw", ["60", "60/hour", "0/h", "60/0h", "-1/h", "x/h", "60/", "/h"])
def test_env_rate_rejects_anything_else(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}='{re.escape(raw)}'"):
        env_rate(VAR, "1/s")


# ---- .env.example keeps up with the code --------------------------------------

ENV_READERS = {
    "config/settings.py": re.compile(
        r"\benv_(?:str|bool|int|ints|list|choice|rate)\(\s*\"([A-Z0-9_]+)\""
    ),
    # _bounded: an env_int with an upper bound.
    "config/media_settings.py": re.compile(
        r"\b(?:env_(?:str|bool|int|list|choice|rate)|_bounded)\(\s*\"([A-Z0-9_]+)\""
    ),
    "scripts/provision.sh": re.compile(r"\$\{([A-Z][A-Z0-9_]*):[-?]"),
    "docker/entrypoint.sh": re.compile(r"\$\{([A-Z][A-Z0-9_]*):[-?]"),
}


def test_env_example_documents_every_variable() -> None:
    documented = set(
        re.findall(
            r"^#?\s*([A-Z][A-Z0-9_]*)=",
            (REPO_ROOT / ".env.example").read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    )
    read: dict[str, set[str]] = {}
    for relative, pattern in ENV_READERS.items():
        names = set(pattern.findall((REPO_ROOT / relative).read_text(encoding="utf-8")))
        assert names, f"found no variables in {relative}: has the pattern gone stale?"
        read[relative] = names
    missing = {relative: sorted(names - documented) for relative, names in read.items()}
    assert not any(missing.values()), f"not documented in .env.example: {missing}"
