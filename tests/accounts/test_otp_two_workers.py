"""The one-time code limits hold across worker processes (issue 11).

gunicorn runs several workers; a count kept in one process's memory would let
each of them send its own ten codes per address. Two real processes ask for
codes from one address at the same moment, against the test database and the
real Redis: exactly the address's limit (set to 10 an hour here) go out between them.
"""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings

from accounts.models import OneTimeCode
from tests.processes import run_together

LIMIT = 10  # codes an hour from one address, for both workers

WORKER = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.conf import settings
    from accounts.otp import RateLimited, otp_request

    settings.OTP_RATE_LIMIT_PREFIX = sys.argv[1]
    worker, attempts = sys.argv[2], int(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    sent = 0
    for n in range(attempts):
        # A new number each time: only the per-address limit can refuse.
        try:
            otp_request(phone_raw=f"09{worker}{n:07d}", ip="203.0.113.50")
        except RateLimited:
            continue
        sent += 1
    print(sent, flush=True)
    """
)


@pytest.fixture
def otp_prefix() -> Iterator[str]:
    prefix = f"test-otp-2w-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.mark.django_db(transaction=True)
def test_the_per_address_code_limit_holds_across_two_workers(otp_prefix: str) -> None:
    attempts = 15  # each: 30 in all, three times the limit
    database = settings.DATABASES["default"]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        # The workers write their codes into this test's database.
        "XADESK_RATE_OTP_IP": f"{LIMIT}/h",
        "DATABASE_URL": (
            f"postgis://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
    }
    argvs = [[otp_prefix, str(worker), str(attempts)] for worker in (1, 2)]
    sent = [int(line) for line in run_together(WORKER, argvs, env=env)]
    print(f"two processes, {2 * attempts} code requests from one address: sent {sent}")
    assert sum(sent) == LIMIT
    assert OneTimeCode.objects.filter(requested_ip="203.0.113.50").count() == LIMIT
