"""Domain errors of the case core, each with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.rate_limits import RateLimited
from helpdesk.photo_errors import lazy_format


class CaseNotFound(NotFound):
    code = "case_not_found"
    default_message = _("We could not find this case.")


class OutOfScope(PermissionDenied):
    code = "out_of_scope"
    default_message = _("This case is handled by another department or commune.")


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = _("This step is not possible for the case in its current state.")


class ReopenWindowClosed(Conflict):
    code = "reopen_window_closed"
    default_message = _("A case can only be reopened within 7 days of being resolved.")


class ReasonRequired(InvalidInput):
    code = "reason_required"
    default_message = _("Please write the reason.")


class TextTooLong(InvalidInput):
    """A reply, note, reason or comment over its length (helpdesk/lifecycle.py)."""

    code = "text_too_long"

    def __init__(self, *, max_length: int) -> None:
        message = lazy_format(
            _("This text is too long. Please write at most %(count)d characters."),
            {"count": max_length},
        )
        super().__init__(message, details={"max_length": max_length})


class InvalidRating(InvalidInput):
    code = "invalid_rating"
    default_message = _("A rating is a whole number from 1 to 5.")


class UnknownService(InvalidInput):
    code = "unknown_service"
    default_message = _("This kind of report or question does not exist.")


class InvalidAssignee(InvalidInput):
    code = "invalid_assignee"
    default_message = _("This officer does not work in the department handling the case.")


class InvalidTransferTarget(InvalidInput):
    code = "invalid_transfer_target"
    default_message = _("Choose an active department of another team to transfer to.")


class AfterPhotoRequired(InvalidInput):
    code = "after_photo_required"
    default_message = _(
        "This kind of case needs a photo of the finished work before it is resolved."
    )


class PhotoFileMissing(Conflict):
    code = "photo_file_missing"
    default_message = _(
        "The file of this photo is missing from storage, so it cannot be shown to the public."
    )


class PhotoNotReady(Conflict):
    code = "photo_not_ready"
    default_message = _(
        "This photo is still being processed (or could not be), so it cannot be shown "
        "to the public yet."
    )


# Abuse limits (core/rate_limits.py, settings.RATE_LIMITS): the message adds the wait.


class FilingRateLimited(RateLimited):
    code = "filing_rate_limited"
    default_message = _("Many cases have been sent from here in a short while.")


class ReplyRateLimited(RateLimited):
    code = "reply_rate_limited"
    default_message = _("Many messages have been sent from here in a short while.")


class SupportRateLimited(RateLimited):
    code = "support_rate_limited"
    default_message = _(
        '"I have this problem too" has been pressed many times from here in a short while.'
    )


class PhotoRateLimited(RateLimited):
    code = "photo_rate_limited"
    default_message = _("Many photos have been sent from here in a short while.")
