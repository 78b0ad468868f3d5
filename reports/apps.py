from django.apps import AppConfig
from django.urls import reverse


def _case_page(number: str) -> str:
    return reverse("reports:case-detail", args=[number])


def _public_page(public_id: str) -> str:
    return reverse("reports:public-case", args=[public_id])


def _article_page(slug: str) -> str:
    return reverse("reports:article-detail", args=[slug])


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The case core links to these pages without knowing this app
        # (helpdesk/links.py): the resident site owns its addresses.
        from helpdesk.links import pages_register

        pages_register(resident_case=_case_page, article=_article_page, public_case=_public_page)
