"""The API's request parser: ninja's, refusing text PostgreSQL cannot store.

PostgreSQL text cannot hold a NUL character, and psycopg refuses to send one:
a NUL in any field of a report, a query or a commune code was a 500 (found by
the fuzzer, tests/config/test_api_errors.py). Django's form fields refuse
NULs; ninja's do not, so the parser does, once for every operation, before
any value is validated or stored: a 422 invalid_characters. The same check
(core.api_fields.unstorable_refuse) also refuses half of a UTF-16 pair, which
only a JSON body can carry.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.types import DictStrAny

from core.api_fields import unstorable_refuse


class StorableTextParser(Parser):
    """Query strings and form fields; JSON bodies are checked field by field
    once validated (core.api_fields.JsonBody), so a key the operation ignores
    does not matter."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        result = super().parse_querydict(data, list_fields, request)
        unstorable_refuse(result)
        return result
