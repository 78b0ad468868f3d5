"""Domain errors of the scam check, each with a stable ``code``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound
from core.rate_limits import RateLimited


class ScamTextRequired(InvalidInput):
    code = "scam_text_required"
    default_message = _("Paste the message, the phone number or the link you want to check.")


class ScamTextTooLong(InvalidInput):
    code = "scam_text_too_long"
    default_message = _("The message is too long to check: paste at most 2,000 characters.")


class ScamCheckNotFound(NotFound):
    code = "scam_check_not_found"
    default_message = _("This check does not exist or is not yours.")


class ScamCheckNotSendable(Conflict):
    code = "scam_check_not_sendable"
    default_message = _(
        "No sign of a scam was found in this message, so there is nothing to send to the commune."
    )


class ScamCommuneRequired(InvalidInput):
    code = "scam_commune_required"
    default_message = _("Choose your commune so that the message reaches its officers.")


class ScamNothingToConfirm(InvalidInput):
    code = "scam_nothing_to_confirm"
    default_message = _("No phone number or link was found to add to the province's list.")


class ScamOutOfScope(NotFound):
    code = "scam_out_of_scope"
    default_message = _("This is outside the communes and provinces you work for.")


class ScamCheckRateLimited(RateLimited):
    code = "scam_check_rate_limited"
    default_message = _("Many messages have been checked from here in a short while.")
