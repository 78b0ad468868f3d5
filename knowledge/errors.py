"""Domain errors of the knowledge base, each with a stable ``code``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotFound


class ArticleNotFound(NotFound):
    code = "article_not_found"
    default_message = _("This help article does not exist or is no longer published.")


class QueryTooShort(InvalidInput):
    code = "query_too_short"
    default_message = _("Type at least two letters to search.")
