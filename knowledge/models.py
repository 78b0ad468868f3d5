"""Knowledge-base articles: short help texts per help topic, in Vietnamese and English."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    """A help article; ``search_*`` fields are written by knowledge.services, never by hand."""

    # The code of a help-request Service ("vneid_account", "scam_message"...).
    # A plain string, not a foreign key: the knowledge base sits below the case
    # core (helpdesk.Service), so callers pass the service's code in.
    topic_code = models.CharField(_("help topic"), max_length=64, db_index=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_vi = models.TextField(
        _("text (Vietnamese)"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    body_en = models.TextField(_("text (English)"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    # Lowercase, diacritics-free forms (knowledge.search.search_form) of both
    # titles, and of titles + bodies, so "dang ky khai sinh" finds "Đăng ký
    # khai sinh". Titles are kept apart to rank title matches above body matches.
    search_title = models.TextField(_("search title"), blank=True, editable=False)
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("help article")
        verbose_name_plural = _("help articles")
        ordering = ("topic_code", "slug")
        indexes = [
            # Trigram GIN index: serves the word-prefix regular expressions of
            # article_search on the folded text (pg_trgm handles ~ as well as LIKE).
            # Created as helpdesk_article_search_trgm; knowledge 0001 renamed it.
            GinIndex(
                fields=["search_text"],
                name="knowledge_article_search_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.title_vi
