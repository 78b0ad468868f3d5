"""Vietnamese mobile numbers: parse what people type, store E.164 (+84...)."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


class InvalidPhoneNumber(InvalidInput):
    code = "invalid_phone"
    default_message = _(
        "This is not a Vietnamese mobile number. Enter it like 0912 345 678 or +84 912 345 678."
    )


def phone_normalize(raw: str) -> str:
    """Return the E.164 form of a Vietnamese mobile number, or raise InvalidPhoneNumber.

    People write "0912 345 678", "0912.345.678", "84912345678" or "+84912345678";
    all are the same subscriber and must map to one account.
    """
    text = (raw or "").strip()
    if text.startswith("84") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber() from None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber()
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """Return the national form people recognise, e.g. 0912 345 678."""
    number = phonenumbers.parse(e164, "VN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
