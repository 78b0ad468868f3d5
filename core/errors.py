"""Domain errors shared by every app.

Services raise these. Each family carries its HTTP status here, the one place
the mapping lives: config/api.py (JSON) and the pages both read
``http_status``, and show ``message`` to the person. ``code`` is stable: clients branch on it,
so it never changes once published. ``message`` is a lazy translation, rendered
in the language active when the error is shown, not when it is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the request."""

    code: str = "error"
    http_status: int = 400
    default_message: str | Promise = _("The request could not be completed.")
    # The input the refusal is about, by the API's name (``details.fields`` of
    # the answer): a form puts the sentence beside that field. A team member
    # read "write how the resident gave consent" at the top of a 6,000 px form,
    # beside the outbox's "Discard" button, with nothing marked below.
    field: str | None = None

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if field is not None:
            self.field = field
        self.details = details or {}
        super().__init__(str(self.code))

    def field_refusals(self) -> list[tuple[str, str | Promise]]:
        """(field, sentence) for every input this refusal is about."""
        return [] if self.field is None else [(self.field, self.message)]


class InvalidInput(DomainError):
    """The input is malformed or breaks a validation rule."""

    code = "invalid_input"
    http_status = 422
    default_message = _("Some of the information sent is not valid.")


class NotFound(DomainError):
    """The thing asked for does not exist, or is not visible to the caller."""

    code = "not_found"
    http_status = 404
    default_message = _("We could not find what you asked for.")


class PermissionDenied(DomainError):
    """The caller may not do this."""

    code = "forbidden"
    http_status = 403
    default_message = _("You do not have permission to do this.")


class CsrfFailed(PermissionDenied):
    """A page's script sent the session cookie without the page's CSRF token,
    or with a stale one: a page open since before a log-in, or a request not
    made by one of our pages (ninja's own answer was "CSRF check Failed", in
    English only, with no code; a probe of make run)."""

    code = "csrf_failed"
    default_message = _(
        "This page is out of date or was not opened from XaDesk. Please reload it and try again."
    )


class Conflict(DomainError):
    """The request clashes with the current state (illegal move, replayed key)."""

    code = "conflict"
    http_status = 409
    default_message = _("This conflicts with the current state. Reload and try again.")


class TooManyRequests(DomainError):
    """The caller must wait before trying again; ``details["retry_after"]`` in seconds."""

    code = "too_many_requests"
    http_status = 429
    default_message = _("Too many attempts. Please wait a little and try again.")


class Unavailable(DomainError):
    """A service outside our machine (SMS gateway, Zalo) failed; nothing was lost."""

    code = "unavailable"
    http_status = 503
    default_message = _("This is not possible just now. Please try again in a few minutes.")


class WaitThenRetry(Unavailable):
    """An outage that answers with how long to wait, in ``details`` and the
    Retry-After header (config/api.py, config/db_outage.py)."""

    retry_after_seconds: int

    def __init__(self) -> None:
        super().__init__(details={"retry_after": self.retry_after_seconds})


class DatabaseUnavailable(WaitThenRetry):
    """The database could not be reached, or gave the request up (a restart,
    a failover, a deadlock); its transaction was rolled back, so nothing of it
    was saved and sending it again is safe."""

    code = "database_unavailable"
    default_message = _(
        "The service is busy for a moment and nothing was saved. Please try again in a minute."
    )
    # Long enough for PostgreSQL to restart or a replica to be promoted;
    # clients (the offline outbox) wait this before sending again.
    retry_after_seconds = 15


class SaveUnconfirmed(WaitThenRetry):
    """The connection to the database broke while it was saving a change, and
    it could not yet be asked whether the change was saved (core/saving.py).
    Sending it again with the same Idempotency-Key is safe: a saved one is
    given back, not saved twice."""

    code = "save_unconfirmed"
    default_message = _(
        "The connection broke while saving, and we cannot yet tell whether it was saved. "
        "Please check your list in a minute before sending it again."
    )
    # As for DatabaseUnavailable: the outbox sends it again after this, with its key.
    retry_after_seconds = 15


class MediaUnavailable(WaitThenRetry):
    """The bucket photos and voice notes are kept in did not answer in time or
    refused (core/media_outage.py says which errors); the filing or reply that
    needed it saved nothing, so sending it again is safe."""

    code = "media_unavailable"
    default_message = _(
        "Photos and voice notes cannot be stored just now, and nothing was saved. "
        "Please try again in a minute."
    )
    # A bucket host restarting or a network blip; clients wait this long.
    retry_after_seconds = 30


class InvalidCharacters(InvalidInput):
    """Text holds a character that cannot be stored (a NUL, half of a UTF-16 pair)."""

    code = "invalid_characters"
    default_message = _(
        "The text contains a character that cannot be saved. Please remove it and try again."
    )


class MalformedRequest(DomainError):
    """The body could not be read at all (not JSON, a multipart without boundary)."""

    code = "malformed_request"
    http_status = 400
    default_message = _("The request could not be read. Please check it and try again.")


class RequestTooLarge(DomainError):
    """The body is over a size limit (its bytes, files or fields)."""

    code = "request_too_large"
    http_status = 413
    default_message = _("What was sent is too large. Send fewer or smaller photos.")


class Refusals(DomainError):
    """Several refusals of one request, each about its own input.

    A form sent with no photo and no place was refused for the photo; sent
    again, for the place (a phone walk): each mistake cost a round trip on a
    weak signal. The checks that do not depend on each other are all run
    (``refusals_gathered``) and their refusals answered together: as the
    first one (its code, sentence and status, so a client that reads one
    refusal reads the same), with every input in ``details.fields``.
    """

    def __init__(self, refusals: Sequence[DomainError]) -> None:
        first = refusals[0]
        super().__init__(first.message, code=first.code, details=dict(first.details))
        self.http_status = first.http_status
        self.refusals = list(refusals)

    def field_refusals(self) -> list[tuple[str, str | Promise]]:
        return [pair for refusal in self.refusals for pair in refusal.field_refusals()]


def refusals_gathered(*checks: Callable[[], Any]) -> list[Any]:
    """Run every check and return their results, or raise what they refused.

    Refusals about an input are gathered (one alone is raised as it is,
    several as ``Refusals``). A refusal about no input (not allowed, a point
    outside every map) ends the checks: raised if it came first, else the
    ones gathered before it are, so the answer's code is still the one the
    first failing check gave (a second read: "description_required" had
    become "not_digital_team").
    """
    results: list[Any] = []
    refused: list[DomainError] = []
    for check in checks:
        try:
            results.append(check())
        except Refusals as exc:
            refused.extend(exc.refusals)
            results.append(None)
        except DomainError as exc:
            if exc.field is None:
                if not refused:
                    raise
                break
            refused.append(exc)
            results.append(None)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        raise Refusals(refused)
    return results
