"""Admin for help articles; saving goes through the knowledge service."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from knowledge.models import Article
from knowledge.search import query_words, word_pattern
from knowledge.services import article_save


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ("title_vi", "topic_code", "slug", "is_published", "updated_at")
    list_filter = ("is_published", "topic_code")
    # The search box matches without marks, like the residents' search.
    search_fields = ("slug",)
    prepopulated_fields = {"slug": ("title_vi",)}
    readonly_fields = ("created_at", "updated_at")
    fields = (
        "topic_code",
        "slug",
        "is_published",
        "title_vi",
        "body_vi",
        "title_en",
        "body_en",
        "created_at",
        "updated_at",
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Article], search_term: str
    ) -> tuple[QuerySet[Article], bool]:
        for word in query_words(search_term):
            queryset = queryset.filter(search_text__regex=word_pattern(word))
        return queryset, False

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Article], change: bool
    ) -> None:
        article_save(article=obj)
