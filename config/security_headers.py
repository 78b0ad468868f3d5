"""The Permissions-Policy header (Django sets the other security headers itself).

A page of this site may ask for the camera, the place and the microphone (the
report form: photos, GPS, voice notes); frames and other features get nothing.
The value is settings.PERMISSIONS_POLICY.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
