"""Heartbeat files and `manage.py worker_health`, the health check of the workers."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from core.heartbeat import heartbeat_age, heartbeat_path, heartbeat_touch


def test_a_fresh_beat_is_healthy_and_an_old_one_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with override_settings(RUN_DIR=tmp_path):
        assert heartbeat_touch(name="delivery")
        call_command("worker_health", "delivery", "--max-age", "60")
        assert "delivery" in capsys.readouterr().out

        two_minutes_ago = time.time() - 120
        os.utime(heartbeat_path(name="delivery"), (two_minutes_ago, two_minutes_ago))
        age = heartbeat_age(name="delivery")
        assert age is not None
        assert 119 < age < 130
        with pytest.raises(CommandError, match="120"):
            call_command("worker_health", "delivery", "--max-age", "60")
        call_command("worker_health", "delivery", "--max-age", "600")


def test_a_worker_that_never_beat_here_is_unhealthy(tmp_path: Path) -> None:
    with override_settings(RUN_DIR=tmp_path), pytest.raises(CommandError):
        call_command("worker_health", "photo")


@pytest.mark.parametrize("name", ["../etc/passwd", "Delivery", "", "a/b"])
def test_a_name_that_is_not_a_worker_name_is_refused(tmp_path: Path, name: str) -> None:
    # Refused for its name, before any file is looked for (a missing file is
    # refused too, with "has not started": that must not be what passes here).
    with (
        override_settings(RUN_DIR=tmp_path),
        pytest.raises(CommandError, match="không phải tên một tiến trình nền"),
    ):
        call_command("worker_health", name)
    assert not any(tmp_path.rglob("*"))


def test_an_unwritable_folder_does_not_stop_the_worker(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with override_settings(RUN_DIR=blocker):
        assert heartbeat_touch(name="scheduler") is False
