"""Domain errors of commune alerts, each with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotFound, PermissionDenied


class AlertAreaOutOfScope(PermissionDenied):
    code = "alert_area_out_of_scope"
    default_message = _("You can only send alerts to your own commune or province.")


class AlertNotFound(NotFound):
    code = "alert_not_found"
    default_message = _("We could not find this alert.")


class AreaNotFound(NotFound):
    code = "alert_area_not_found"
    default_message = _("We could not find this commune or province.")


class InvalidAlert(InvalidInput):
    code = "invalid_alert"
    default_message = _("Some of the alert's information is not valid.")


class HouseholdNotFound(NotFound):
    code = "relay_household_not_found"
    default_message = _("This household is not on your list.")
