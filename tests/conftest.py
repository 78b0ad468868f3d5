"""Shared fixtures: the real boundaries of two provinces, and the personas.

Personas (as in healthchecks): a resident, a village digital-tech team member,
an officer of commune A, an officer of commune B, a leader of commune A, a
province administrator, and anonymous.
"""

from __future__ import annotations

import contextlib
import io
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, TransactionTestCase, override_settings
from django.utils import translation
from pytest_django import DjangoDbBlocker

from accounts.models import Role, User
from geo.models import AdminUnit
from helpdesk.catalogue_seed import services_seed
from helpdesk.models import DepartmentType, Service
from tests import factories
from tests.faults.tcp_cut import Relayed

# The stand-in HTTP gateway fixture (`gateway`) for adapter tests.
pytest_plugins = ["tests.http_stub"]

# Thái Nguyên (92 communes) and Lạng Sơn (65): the two provinces the tests use.
TEST_PROVINCES = ("19", "20")
COMMUNE_A = "05443"  # Phường Phan Đình Phùng, Thái Nguyên
COMMUNE_B = "05830"  # Xã Đại Từ, Thái Nguyên


def _import_test_boundaries() -> None:
    args = [arg for code in TEST_PROVINCES for arg in ("--province", code)]
    call_command("import_boundaries", *args, "--commit", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Start every test in Vietnamese, the default, whatever an earlier test activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Start every test without an earlier test's cached reads (the queue's
    filter choices are kept a minute, console/selectors.py)."""
    cache.clear()


@pytest.fixture(autouse=True)
def rate_limit_prefix() -> Iterator[str]:
    """Count every test's abuse limits under its own Redis keys, deleted afterwards.

    Every test client comes from 127.0.0.1, so one shared count would make the
    suite's hundredth filing fail on the per-IP limit, and runs of the suite in
    parallel (other worktrees share this Redis) would eat each other's quota.
    The one-time codes' limits (accounts/otp.py) have a prefix of their own.
    """
    prefix = f"test-rl-{uuid.uuid4().hex}"
    with override_settings(RATE_LIMIT_PREFIX=prefix, OTP_RATE_LIMIT_PREFIX=f"{prefix}-otp"):
        yield prefix
    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


# SQLSTATEs of a statement Postgres aborted to break a lock cycle: worth another go.
_LOCK_CYCLE_STATES = {"40P01"}  # deadlock_detected
_FLUSH_ATTEMPTS = 5


def _aborted_by_lock_cycle(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if getattr(cause, "sqlstate", None) in _LOCK_CYCLE_STATES:
            return True
        cause = cause.__cause__
    return False


@pytest.fixture
def relayed(transactional_db: None) -> Iterator[Relayed]:
    """This process's database connection through a relay a test can cut
    (tests/faults/tcp_cut.py); direct again afterwards."""
    relayed = Relayed()
    try:
        yield relayed
    finally:
        relayed.direct()


@pytest.fixture(scope="session", autouse=True)
def _flush_retried_after_a_deadlock() -> Iterator[None]:
    """Empty the database after a committing test again if Postgres broke a deadlock with it.

    The emptying is one TRUNCATE of every table, which locks them one by one in
    the order of a Python set (so it changes from run to run). Where a test
    drives real server and worker processes (tests/browser, the live-socket and
    scale tests), one of them can still be finishing a transaction over two of
    those tables, taken in the opposite order: Postgres then aborts one side.
    When that side is the TRUNCATE, the test was fine and the next try (once the
    worker's transaction is gone) empties the tables; any other failure is raised
    at once.
    """
    original = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]  # private, not in the stubs

    def fixture_teardown(self: TransactionTestCase) -> None:
        for attempt in range(1, _FLUSH_ATTEMPTS + 1):
            try:
                original(self)
                return
            except CommandError as error:
                if attempt == _FLUSH_ATTEMPTS or not _aborted_by_lock_cycle(error):
                    raise
                time.sleep(0.2 * attempt)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """No persistent connections in tests.

    The threads that run the async tests' database code (database_sync_to_async)
    would keep theirs open for DATABASE_CONN_MAX_AGE after the last test, and
    the test database could not be dropped at the end of the run.
    """
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """Import the real boundaries once per test database; tests roll back on top."""
    with django_db_blocker.unblock():
        _import_test_boundaries()


@dataclass(frozen=True)
class Personas:
    resident: User
    digital_team: User
    officer_a: User
    officer_b: User
    leader_a: User
    province_admin: User


@pytest.fixture
def commune_a(db: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_A)


@pytest.fixture
def commune_b(db: None) -> AdminUnit:
    return factories.commune_get(code=COMMUNE_B)


@pytest.fixture
def personas(commune_a: AdminUnit, commune_b: AdminUnit) -> Personas:
    province = factories.province_get(code="19")
    resident = factories.user_create(full_name="Nguyễn Thị Lan")
    digital_team = factories.user_create(full_name="Hoàng Văn Tú")
    factories.role_grant(
        user=digital_team, role=Role.DIGITAL_TEAM, unit=commune_b, village="Xóm Đồng Khuôn"
    )
    officer_a = factories.user_create(full_name="Trần Minh Đức")
    factories.role_grant(
        user=officer_a,
        role=Role.OFFICER,
        unit=commune_a,
        departments=(factories.department_create(commune=commune_a),),
    )
    officer_b = factories.user_create(full_name="Lê Thu Hà")
    factories.role_grant(
        user=officer_b,
        role=Role.OFFICER,
        unit=commune_b,
        departments=(
            factories.department_create(
                commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
            ),
        ),
    )
    leader_a = factories.user_create(full_name="Phạm Quốc Huy")
    factories.role_grant(user=leader_a, role=Role.LEADER, unit=commune_a)
    province_admin = factories.user_create(full_name="Đỗ Thị Mai")
    factories.role_grant(user=province_admin, role=Role.PROVINCE_ADMIN, unit=province)
    return Personas(resident, digital_team, officer_a, officer_b, leader_a, province_admin)


@pytest.fixture
def superuser(db: None) -> User:
    return factories.user_create(full_name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_for(superuser: User) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def committed_reference_data(transactional_db: None) -> None:
    """Boundaries and catalogue for tests that commit for real.

    A transactional test empties every table when it ends, so each one puts the
    reference data back first (the import is idempotent when nothing changed).
    """
    _import_test_boundaries()
    services_seed(Service)


@pytest.fixture(scope="session", autouse=True)
def _report_photos_processed_in_the_request() -> Iterator[None]:
    """Most tests look at a filing's served images right after case_submit, as
    XADESK_PHOTO_PROCESSING=request makes them. The default, "worker" (images
    made by run_photo_worker), is tested in tests/helpdesk/test_photo_jobs.py,
    which sets it."""
    with override_settings(PHOTO_PROCESSING="request"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _media_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Photos filed by tests go to a folder of this run, not the developer's .run/media."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield
