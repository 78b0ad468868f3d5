"""A form's own address, which takes posts: asked for with a GET, it sends the
person to the page the form is on.

A refused action is answered at the form's address (/cases/<n>/reply/): without
JavaScript the address bar keeps it, and opening it again, or a link to it,
gave "This page does not take this kind of request." with only a link home (a
helper's walk without JavaScript). The page the form lives on is where the
person was; its view decides, as for any visit, whether they may see it.

The page that answers such a post says where it belongs (``page_of_post``):
the language button (templates/base.html) and the address the error summary
puts back in the address bar (static/js/summary.js) lead there, not to the
form's address.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse


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

        checked.form_page = page  # type: ignore[attr-defined]  # read by page_of_post
        return checked

    return decorator


def page_of_post(request: HttpRequest) -> str:
    """The address of the page whose form posted to this request's view (a
    ``posts_from`` view, which only posts reach), or "" for any other view:
    a page shown at its own address, which the language button comes back
    to, query and all.

    One rule for every form's address: the console put its case page's
    address on any post's answer, the resident's page only on one that put a
    refused form back, and a refusal without its form came back with the
    action's address.
    """
    match = request.resolver_match
    if match is None:
        return ""
    page: str | None = getattr(match.func, "form_page", None)
    return reverse(page, kwargs={"number": match.kwargs["number"]}) if page else ""
