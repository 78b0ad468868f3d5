"""The lat/lon form of the public map page (works without JavaScript or tiles)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PointForm(forms.Form):
    # FloatField already refuses NaN and infinity.
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
