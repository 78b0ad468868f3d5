"""Writes to a person's own account: the language they read in.

``User.language`` is the one language of everything XaDesk writes to a
person: new inbox messages and their SMS, Zalo and email copies
(notifications/services.py picks each message's text by it when the message
is written), login codes (accounts/otp.py), and the site itself after they
log in (accounts/views.py). Messages already written keep their language.
"""

from __future__ import annotations

from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import InvalidInput


def account_language(code: str | None) -> str | None:
    """The account language ``code`` stands for, or None.

    Read as the site reads a language cookie (LocaleMiddleware): "en-us" is
    English. A language the site has no pages in, or an account no choice
    for, is None.
    """
    if not code:
        return None
    try:
        language = get_supported_language_variant(code)
    except LookupError:
        return None
    return language if language in User.Language.values else None


def user_language_set(*, user: User, language: str) -> bool:
    """Save the language the person reads in; return whether it changed.

    Raises InvalidInput (``field="language"``) for a language with no choice.
    """
    if language not in User.Language.values:
        raise InvalidInput(_("Choose Tiếng Việt or English."), field="language")
    if user.language == language:
        return False
    user.language = language
    # Only this column: a concurrent save of the person's other fields is not
    # undone, and a language-only save is one the socket watcher knows to
    # ignore (notifications/socket_ends.py), so no open page is disconnected.
    user.save(update_fields=["language"])
    return True


def login_language(*, user: User, chosen: str | None) -> str:
    """The language the site takes when ``user`` logs in; call before login().

    The account's, so the site opens in it on any phone (a new phone, a
    cleared browser) and matches the person's messages. Except at the
    account's first log-in: its language is then the default, which nobody
    chose (sign-up, a team member filing for them, an SMS), while ``chosen``,
    the language cookie of the site's button, was picked on this browser just
    before. That is kept, and saved, rather than the page flipping back to
    Vietnamese under someone who has just signed up in English.
    """
    chosen = account_language(chosen)
    if user.last_login is None and chosen is not None:
        user_language_set(user=user, language=chosen)
    return user.language
