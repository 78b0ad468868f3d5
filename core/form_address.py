"""A form's own address, which takes posts: asked for with a GET, it sends the
person to the page the form is on.

A refused action is answered at the form's address (/cases/<n>/reply/): without
JavaScript the address bar keeps it, and opening it again, or a link to it,
gave "This page does not take this kind of request." with only a link home (a
helper's walk without JavaScript). The page the form lives on is where the
person was; its view decides, as for any visit, whether they may see it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect


def posts_from(page: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like require_POST, but a GET or HEAD goes to ``page`` (a URL name whose
    one argument is the view's ``number``)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                return redirect(page, number=kwargs["number"])
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return checked

    return decorator
