from __future__ import annotations

import pytest

from sms_intake.parsing import MAX_TEXT, Kind, Parsed, sms_parse


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("PA 05443 Đường hỏng", Parsed(Kind.REPORT, body="05443 Đường hỏng")),
        ("pa dai tu duong hong", Parsed(Kind.REPORT, body="dai tu duong hong")),
        ("  Pa:   dai   tu  ổ gà ", Parsed(Kind.REPORT, body="dai tu ổ gà")),
        ("PA.05443 den hong", Parsed(Kind.REPORT, body="05443 den hong")),
        ("PA05443 den hong", Parsed(Kind.REPORT, body="05443 den hong")),
        ("HOI cach kich hoat VNeID", Parsed(Kind.QUESTION, body="cach kich hoat VNeID")),
        ("Hỏi: làm giấy khai sinh", Parsed(Kind.QUESTION, body="làm giấy khai sinh")),
        ("hoi 2026 co gi moi", Parsed(Kind.QUESTION, body="2026 co gi moi")),
        ("#TN-2026-00123 van chua sua", Parsed(Kind.REPLY, "van chua sua", "TN-2026-00123")),
        ("# tn 2026 123: chua sua", Parsed(Kind.REPLY, "chua sua", "TN-2026-00123")),
        ("tn-2026-123 cam on", Parsed(Kind.REPLY, "cam on", "TN-2026-00123")),
        ("Dai Tu", Parsed(Kind.OTHER, body="Dai Tu")),
        ("", Parsed(Kind.EMPTY)),
        ("  \n\t ", Parsed(Kind.EMPTY)),
        ("x" * (MAX_TEXT + 1), Parsed(Kind.TOO_LONG)),
    ],
)
def test_poster_syntax_is_read_whatever_the_case_marks_and_spaces(
    text: str, parsed: Parsed
) -> None:
    assert sms_parse(text) == parsed
