"""Answers to a service's extra questions (``attribute[code]=value`` on POST).

Checked against the service definition: required questions answered, numbers
numbers, dates ISO 8601 with a zone, list answers among the listed keys.
Answers to questions the service does not ask are ignored, as clients written
for another city may send their own. The answers are written into the case's
description, in the question's words, so officers read them where they read
the rest of the report (and the public reads them masked, like the rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from open311.errors import InvalidAttribute, InvalidDate
from open311.models import ServiceAttribute
from open311.params import DECIMAL, moment

MAX_ANSWER = 1000
Datatype = ServiceAttribute.Datatype


@dataclass(frozen=True)
class Answers:
    values: dict[str, list[str]]
    # "Question: answer" lines for the case's description.
    lines: list[str]


def _check_one(attribute: ServiceAttribute, given: Sequence[str]) -> list[str]:
    code = attribute.code
    if attribute.datatype != Datatype.MULTIVALUELIST and len(given) > 1:
        raise InvalidAttribute(code)
    keys = {str(v["key"]): v for v in attribute.values}
    for value in given:
        if len(value) > MAX_ANSWER:
            raise InvalidAttribute(code)
        if attribute.datatype == Datatype.NUMBER:
            if not DECIMAL.fullmatch(value):  # as lat and long: not 1_0 or nan
                raise InvalidAttribute(code)
        elif attribute.datatype == Datatype.DATETIME:
            try:
                moment({code: value}, code)
            except InvalidDate:
                raise InvalidAttribute(code) from None
        elif attribute.datatype in ServiceAttribute.LISTS and value not in keys:
            raise InvalidAttribute(code)
    return list(given)


def answers_check(
    *, attributes: Sequence[ServiceAttribute], given: Mapping[str, Sequence[str]]
) -> Answers:
    values: dict[str, list[str]] = {}
    lines: list[str] = []
    for attribute in attributes:
        if not attribute.variable:
            continue
        answer = [v.strip() for v in given.get(attribute.code, ()) if v.strip()]
        if not answer:
            if attribute.required:
                raise InvalidAttribute(attribute.code)
            continue
        values[attribute.code] = _check_one(attribute, answer)
        names = {str(v["key"]): str(v["name"]) for v in attribute.values}
        shown = ", ".join(names.get(value, value) for value in values[attribute.code])
        lines.append(f"{attribute.description}: {shown}")
    return Answers(values=values, lines=lines)
