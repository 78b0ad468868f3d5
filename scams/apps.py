from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scams"
    verbose_name = _("Scam check")
