"""accounts.signup.account_for_phone: one account per number, even when two ways in race."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.models import User
from accounts.signup import account_for_phone

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
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=racer)
    thread.start()
    assert inserted.wait(10)
    # Commit the racer's row only once our insert is waiting on the index.
    threading.Timer(0.5, release.set).start()
    try:
        with transaction.atomic():  # as the OTP check and the filing call it
            got = account_for_phone(PHONE)
            assert User.objects.filter(phone=PHONE).count() == 1  # the transaction is usable
    finally:
        release.set()
        thread.join(10)

    assert not got.created
    assert got.user.pk == winner[0]
    assert User.objects.filter(phone=PHONE).count() == 1
