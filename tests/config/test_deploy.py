"""Production settings pass Django's deployment checks and send the security
headers (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_finds_nothing_with_production_settings() -> None:
    """`manage.py check --deploy` on the base settings alone, as production runs
    them (debug off, TLS on, a real secret): zero warnings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL": "true",
        "DJANGO_SECRET_KEY": "deploy-check-" + "k3y" * 20,
        "DJANGO_ALLOWED_HOSTS": "xadesk.example.org",
        "EMAIL_MODE": "smtp",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_pages_are_sent_with_the_security_headers() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    # Read as a browser does: a directive left out takes default-src's sources.
    policy = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    for directive in ("script-src", "style-src", "connect-src", "font-src", "worker-src"):
        assert policy.get(directive, policy["default-src"]) == "'self'", directive
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "payment=()" in response["Permissions-Policy"]
