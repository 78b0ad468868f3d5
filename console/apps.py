from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _case_page(number: str) -> str:
    return reverse("console:ticket-detail", args=[number])


class ConsoleConfig(AppConfig):
    name = "console"
    label = "console"
    verbose_name = _("Officer console")

    def ready(self) -> None:
        # Staff notifications and the admin link to the case page without knowing
        # this app (helpdesk/links.py): the console owns its addresses.
        from helpdesk.links import pages_register

        pages_register(staff_case=_case_page)
