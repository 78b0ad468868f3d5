"""What filing a case can refuse, each with a stable code and a sentence for the filer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.phones import InvalidPhoneNumber
from core.errors import Conflict, InvalidInput, PermissionDenied


class LocationRequired(InvalidInput):
    code = "location_required"
    field = "lat"
    default_message = _("Please mark the place on the map or choose your commune.")


class DescriptionRequired(InvalidInput):
    code = "description_required"
    field = "description"
    default_message = _("Please describe the problem in a few words.")


class DescriptionTooLong(InvalidInput):
    code = "description_too_long"
    field = "description"
    default_message = _("The description is too long: please keep it under 4,000 characters.")


class PhotoRequired(InvalidInput):
    code = "photo_required"
    field = "photos"
    default_message = _("Please add at least one photo of the problem.")


class UnknownCommune(InvalidInput):
    code = "unknown_commune"
    field = "commune_code"
    default_message = _("We do not know this commune. Please choose it from the list.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _(
        "This submission key was already used for a different report. "
        "Start a new report to send something else."
    )


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    default_message = _("The submission key must be 8 to 128 letters, digits or dashes.")


class NotADigitalTeamMember(PermissionDenied):
    code = "not_digital_team"
    default_message = _("Only members of a community digital-technology team can file for others.")


class ProxyDetailsMissing(InvalidInput):
    code = "proxy_details_missing"
    default_message = _("Write the resident's name and how they gave their consent.")


def proxy_name_missing() -> ProxyDetailsMissing:
    return ProxyDetailsMissing(
        _("Write the name of the resident you file for."), field="on_behalf_name"
    )


def proxy_consent_missing() -> ProxyDetailsMissing:
    return ProxyDetailsMissing(
        _("Choose how the resident gave their consent to this report."), field="consent"
    )


class ResidentPhoneInvalid(InvalidPhoneNumber):
    """The phone number of the resident filed for: the same code as any number
    that is not a Vietnamese mobile, and a sentence that says which number it
    is (a team member read the bare refusal at the top of the form and did not
    know which field it was about)."""

    field = "on_behalf_phone"
    default_message = _(
        "The resident's phone number is not a Vietnamese mobile number. Enter it like "
        "0912 345 678, or leave it empty if they have no mobile phone."
    )
