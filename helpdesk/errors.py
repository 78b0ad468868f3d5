"""Domain errors of the case core, each with a stable code."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.rate_limits import RateLimited
from helpdesk.models import TicketStatus
from helpdesk.photo_errors import lazy_format


class CaseNotFound(NotFound):
    code = "case_not_found"
    default_message = _("We could not find this case.")


class OutOfScope(PermissionDenied):
    code = "out_of_scope"
    default_message = _("This case is handled by another department or commune.")


class IllegalTransition(Conflict):
    """A step the case's status does not allow: mostly a case that moved on
    while a page showed the step (another tab, a colleague, the commune
    closing it under the resident's reply).

    The sentence names the status the case is in, by its label, in the
    language active when it is shown: the console, the resident's pages, SMS
    and the API all say it. The console built that sentence itself while the
    others said "not possible in its current state", never which state.
    ``details`` keep the status and the allowed moves for programs.
    """

    code = "illegal_transition"

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        status: str | None = None,
        allowed: Iterable[str] = (),
    ) -> None:
        # Without a status it knows, the sentence names none (rather than
        # TicketStatus raising ValueError inside an error).
        if message is None and status in TicketStatus.values:
            message = lazy_format(
                _("This step cannot be done: the case is now “%(status)s”."),
                {"status": TicketStatus(status).label},
            )
        elif message is None:
            message = _("This step is not possible for the case in its current state.")
        super().__init__(message, details={"status": status, "allowed": list(allowed)})


class DuplicateOfItself(IllegalTransition):
    """A case marked a duplicate of itself, or of a case marked a duplicate of
    it. Its status allows the step; the original chosen does not, so "the case
    is now …" would send the officer looking for a change that never happened.
    The code stays illegal_transition, as published."""

    def __init__(self, message: str | Promise | None = None, *, status: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "A case cannot be a duplicate of itself, nor of a case marked as a duplicate of it."
            ),
            status=status,
        )


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
