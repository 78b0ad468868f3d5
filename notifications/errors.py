"""The refusals of linking a person's Zalo (notifications/zalo_link.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import PermissionDenied
from core.rate_limits import RateLimited


class ZaloSignatureInvalid(PermissionDenied):
    """A webhook call without a valid X-ZEvent-Signature: not sent by Zalo for
    our Official Account (or the app id and OA secret key are not set)."""

    code = "zalo_signature_invalid"
    default_message = _("This event is not signed by our Zalo Official Account.")


class ZaloLinkCodesTooMany(RateLimited):
    """A person asked for many link codes in a short while."""

    code = "zalo_link_codes_too_many"
    default_message = _("You have asked for many Zalo codes in a short while.")


class ZaloLinkTriesTooMany(RateLimited):
    """One Zalo follower sent many codes in a short while. Never answered to
    Zalo as an error (it would resend the event): the webhook ignores it."""

    code = "zalo_link_tries_too_many"
    default_message = _("Many codes were sent from this Zalo account in a short while.")
