from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsIntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sms_intake"
    verbose_name = _("Reports by SMS")
