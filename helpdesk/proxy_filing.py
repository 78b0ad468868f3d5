"""Filing on behalf of a resident without a smartphone: who may, and their consent."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Role, RoleAssignment, User
from accounts.phones import InvalidPhoneNumber, phone_normalize
from accounts.signup import account_for_phone
from core.errors import refusals_gathered
from core.visible_text import is_blank, text_without_controls
from helpdesk.filing_errors import (
    NotADigitalTeamMember,
    ResidentPhoneInvalid,
    proxy_consent_missing,
    proxy_name_missing,
)
from helpdesk.models import ProxyFiling, Ticket


@dataclass(frozen=True)
class ProxyDetails:
    resident_name: str
    consent: str
    resident_phone: str = ""
    village: str = ""


def proxy_details_given(
    *, resident_name: str, consent: str, resident_phone: str, village: str
) -> ProxyDetails | None:
    """The details of a resident filed for, as a channel received them, or
    None when none was given. Any one of them means filing for someone: a
    phone or a village typed without the name was dropped, and the case
    filed as the team member's own (then proxy_check says what is missing).
    The web form and the API both ask this."""
    if not any(value.strip() for value in (resident_name, consent, resident_phone, village)):
        return None
    return ProxyDetails(
        resident_name=resident_name,
        consent=consent,
        resident_phone=resident_phone,
        village=village,
    )


def proxy_check(*, filer: User, proxy: ProxyDetails) -> ProxyDetails:
    """The details cleaned, or an error: only team members file for others, with consent."""
    if not RoleAssignment.objects.filter(user=filer, role=Role.DIGITAL_TEAM).exists():
        raise NotADigitalTeamMember()
    # The name, the consent and the phone refused together (core.errors.Refusals).
    name: str
    phone: str
    name, _, phone = refusals_gathered(
        lambda: _name_check(proxy),
        lambda: _consent_check(proxy),
        lambda: _phone_check(proxy),
    )
    return ProxyDetails(
        resident_name=name,
        consent=proxy.consent,
        resident_phone=phone,
        village=text_without_controls(proxy.village).strip(),
    )


def _name_check(proxy: ProxyDetails) -> str:
    # Shown on officers' pages: no direction control may flip what follows it.
    name = text_without_controls(proxy.resident_name).strip()
    if is_blank(name):
        raise proxy_name_missing()
    return name


def _consent_check(proxy: ProxyDetails) -> None:
    if proxy.consent not in ProxyFiling.Consent.values:
        raise proxy_consent_missing()


def _phone_check(proxy: ProxyDetails) -> str:
    try:
        return phone_normalize(proxy.resident_phone) if proxy.resident_phone.strip() else ""
    except InvalidPhoneNumber:
        raise ResidentPhoneInvalid() from None


def _resident_account(proxy: ProxyDetails) -> User | None:
    """The account of the resident's phone, made (code login only) if new."""
    if not proxy.resident_phone:
        return None
    return account_for_phone(proxy.resident_phone, full_name=proxy.resident_name).user


def proxy_record(*, ticket: Ticket, filer: User, proxy: ProxyDetails) -> None:
    """Record the filing on behalf (inside the filing's transaction)."""
    ProxyFiling.objects.create(
        ticket=ticket,
        filed_by=filer,
        resident=_resident_account(proxy),
        resident_name=proxy.resident_name,
        resident_phone=proxy.resident_phone,
        village=proxy.village,
        consent=proxy.consent,
    )
