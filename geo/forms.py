"""The lat/lon form of the public map page (works without JavaScript or tiles)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from geo.typed_numbers import CoordinateField


class PointForm(forms.Form):
    # FloatField already refuses NaN and infinity.
    lat = CoordinateField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = CoordinateField(label=_("Longitude"), min_value=-180, max_value=180)
