"""HTTP API of the geo app: point → commune lookups."""

from __future__ import annotations

from ninja import Router

router = Router()
