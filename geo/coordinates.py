"""A point column's latitude and longitude as plain numbers, read by PostGIS.

Selecting the point itself makes Django build a GEOS geometry per row, and
reading ``.y`` and ``.x`` off it is two more calls into GEOS: for a list of
100-200 cases that was a tenth of the page's time (bench/queue_scale.py).
``ST_Y``/``ST_X`` hand over the same two doubles; a row without a point gets
None for both.
"""

from __future__ import annotations

from django.db.models import F, FloatField, Func


def latitude(field: str) -> Func:
    return Func(F(field), function="ST_Y", output_field=FloatField())


def longitude(field: str) -> Func:
    return Func(F(field), function="ST_X", output_field=FloatField())
