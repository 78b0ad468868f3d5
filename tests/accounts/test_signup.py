"""accounts.signup.account_for_phone: one account per number, even when two ways in race."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from accounts.models import User
from accounts.signup import account_for_phone
from tests.races import backend_pid, waiting_on_locks

PHONE = "+84912000111"


@pytest.mark.django_db
def test_a_new_number_gets_an_account_and_a_known_one_gets_the_same_account() -> None:
    made = account_for_phone(PHONE, full_name="Cụ Nhàn")
    again = account_for_phone(PHONE, full_name="Someone else")

    assert made.created
    assert not again.created
    assert again.user.pk == made.user.pk
    assert User.objects.get(phone=PHONE).full_name == "Cụ Nhàn"
    assert not made.user.has_usable_password()


@pytest.mark.django_db
def test_a_refusal_that_is_no_race_is_not_swallowed() -> None:
    with pytest.raises(ValidationError):
        account_for_phone(PHONE, full_name="N" * 151)  # longer than the field
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_loser_of_a_race_gets_the_winners_account() -> None:
    """Another connection inserts the number and holds its transaction open,
    so our insert waits on the unique index until the winner commits; the
    race the SMS webhook and a team member's filing can run into."""
    inserted = threading.Event()
    release = threading.Event()
    winner: list[int] = []

    def racer() -> None:
        try:
            with transaction.atomic():
                winner.append(User.objects.create_user(PHONE).pk)
                inserted.set()
                release.wait(30)
        finally:
            connection.close()

    waited: list[bool] = []

    def release_once_we_wait() -> None:
        # Commit the racer's row only once our insert waits on the index: then
        # the lookup before our insert has missed it, which is the race.
        looker = connections.create_connection("default")
        try:
            with looker.cursor() as cursor:
                deadline = time.monotonic() + 30
                while not waited and not release.is_set() and time.monotonic() < deadline:
                    # Our connection only: another test's may wait on something else.
                    if waiting_on_locks(cursor, [our_pid]):
                        waited.append(True)
                    else:
                        time.sleep(0.02)
        finally:
            release.set()
            looker.close()

    our_pid = backend_pid()
    thread = threading.Thread(target=racer)
    thread.start()
    assert inserted.wait(10)
    watcher = threading.Thread(target=release_once_we_wait)
    watcher.start()
    try:
        with transaction.atomic():  # as the OTP check and the filing call it
            got = account_for_phone(PHONE)
            assert User.objects.filter(phone=PHONE).count() == 1  # the transaction is usable
    finally:
        release.set()
        thread.join(10)
        watcher.join(10)

    assert waited == [True]  # our insert did wait on the winner's row
    assert not got.created
    assert got.user.pk == winner[0]
    assert User.objects.filter(phone=PHONE).count() == 1
