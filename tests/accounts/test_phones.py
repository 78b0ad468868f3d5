from __future__ import annotations

import pytest

from accounts.phones import InvalidPhoneNumber, phone_display, phone_normalize


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84912345678",
        "84912345678",
        " +84 912-345-678 ",
    ],
)
def test_every_way_of_writing_a_mobile_number_maps_to_one_e164_form(typed: str) -> None:
    assert phone_normalize(typed) == "+84912345678"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "hello",
        "12345",
        "0912",
        "+14155552671",  # a US number
        "02433821234",  # a Hà Nội landline cannot receive one-time codes
        "09123456789012",
    ],
)
def test_non_vietnamese_or_non_mobile_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        phone_normalize(typed)
    assert caught.value.code == "invalid_phone"


def test_display_form_is_the_national_one_people_recognise() -> None:
    assert phone_display("+84912345678") == "0912 345 678"
