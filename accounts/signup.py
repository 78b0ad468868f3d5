"""The account of a phone number, made on first use.

Three ways in make accounts for numbers that have none: a one-time code
(accounts/otp.py), a team member filing for a resident
(helpdesk/proxy_filing.py) and an SMS to the gateway (sms_intake/services.py).
Two of them can race for one number — the resident texts while a team member
files for them, or two messages arrive at once — and the loser must get the
winner's account, not an error.
"""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User


class Account(NamedTuple):
    user: User
    created: bool


def account_for_phone(phone: str, *, full_name: str = "") -> Account:
    """The account of ``phone`` (E.164), made with code login only when there is none."""
    existing = User.objects.filter(phone=phone).first()
    if existing is not None:
        return Account(existing, created=False)
    try:
        # A savepoint: the caller's transaction (the OTP row lock, a filing)
        # stays usable after the unique index refuses a racing insert.
        with transaction.atomic():
            return Account(User.objects.create_user(phone, full_name=full_name), created=True)
    except (IntegrityError, ValidationError):
        # IntegrityError: the racer committed while our insert waited on the
        # index. ValidationError: it committed before create_user's own
        # uniqueness check. Either way its row is there now.
        winner = User.objects.filter(phone=phone).first()
        if winner is None:  # refused for another reason (a bad number): not a race
            raise
        return Account(winner, created=False)
