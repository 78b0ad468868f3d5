"""What filing a case can refuse, each with a stable code and a sentence for the filer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, PermissionDenied


class LocationRequired(InvalidInput):
    code = "location_required"
    default_message = _("Please mark the place on the map or choose your commune.")


class DescriptionRequired(InvalidInput):
    code = "description_required"
    default_message = _("Please describe the problem in a few words.")


class DescriptionTooLong(InvalidInput):
    code = "description_too_long"
    default_message = _("The description is too long: please keep it under 4,000 characters.")


class PhotoRequired(InvalidInput):
    code = "photo_required"
    default_message = _("Please add at least one photo of the problem.")


class UnknownCommune(InvalidInput):
    code = "unknown_commune"
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
