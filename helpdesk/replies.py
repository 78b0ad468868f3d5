"""Composing an officer's public reply from prepared parts."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from helpdesk.links import article_link
from helpdesk.models import CannedResponse
from knowledge.models import Article
from knowledge.selectors import article_title


def reply_compose(
    *,
    text: str,
    canned: CannedResponse | None = None,
    article: Article | None = None,
    language: str = "vi",
) -> str:
    """Join the prepared answer, the officer's own words and an article link.

    The link is a plain relative URL on its own line, so it reads well in the
    resident's timeline, in an SMS and in an email alike.
    """
    parts = [part for part in (canned.body.strip() if canned else "", text.strip()) if part]
    if article is not None:
        title = article_title(article, language=language)
        link = article_link(slug=article.slug)
        with translation.override(language):
            parts.append(gettext("Read more: %(title)s %(link)s") % {"title": title, "link": link})
    return "\n\n".join(parts)
