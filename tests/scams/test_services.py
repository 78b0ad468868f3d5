"""Confirming scams, the province list's scope, privacy, and the one-tap send."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from geo.models import AdminUnit
from helpdesk.models import Ticket
from helpdesk.permissions import scope_for
from scams.errors import (
    ScamCheckNotFound,
    ScamCheckNotSendable,
    ScamNothingToConfirm,
    ScamOutOfScope,
)
from scams.models import ScamCheck, ScamIndicator
from scams.selectors import indicators_for
from scams.services import check_message, check_send_to_commune, scam_confirm
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

SCAM = "Chao anh, em ben ngan hang, anh goi lai so 0356 111 222 de nhan ho tro nhe"


def _province(code: str = "19") -> AdminUnit:
    return factories.province_get(code=code)


def _check(text: str, checker: User | None = None, province: AdminUnit | None = None) -> str:
    return check_message(
        text=text, province=province or _province(), checker=checker, channel="web"
    ).verdict


def test_a_number_an_officer_confirmed_is_flagged_for_the_next_person(personas: Personas) -> None:
    neighbour = factories.user_create()
    assert _check(SCAM, personas.resident) == "no_known_problem"  # no sign in the words
    scam_confirm(
        scope=scope_for(user=personas.officer_a),
        officer=personas.officer_a,
        province=_province(),
        phones=["0356111222"],
    )
    result = check_message(text=SCAM, province=_province(), checker=neighbour, channel="web")
    assert result.verdict == "likely_scam"
    assert [r.code for r in result.reasons] == ["listed_phone"]
    # Typed another way, it is the same number.
    assert _check("goi +84-356-111-222 gap", neighbour) == "likely_scam"
    # The list is the province's: the next province is not told.
    assert _check(SCAM, neighbour, _province("20")) == "no_known_problem"


def test_confirming_again_counts_and_moves_last_seen(personas: Personas) -> None:
    scope = scope_for(user=personas.province_admin)
    [first] = scam_confirm(
        scope=scope, officer=personas.province_admin, province=_province(), phones=["0356111222"]
    )
    [again] = scam_confirm(
        scope=scope, officer=personas.leader_a, province=_province(), phones=["0356111222"]
    )
    assert again.pk == first.pk
    assert again.report_count == 2
    assert again.first_seen == first.first_seen
    assert again.last_seen > first.last_seen
    assert again.confirmed_by == personas.leader_a


def test_a_link_confirmed_lists_its_domain_and_warns_on_any_path(personas: Personas) -> None:
    scam_confirm(
        scope=scope_for(user=personas.officer_a),
        officer=personas.officer_a,
        province=_province(),
        links=["nhanqua2026.com/dang-ky", "vietcombank.com.vn/khuyen-mai"],
    )
    kinds = set(ScamIndicator.objects.values_list("kind", "value"))
    # The bank's own site is never listed, whatever a scam message quoted.
    assert kinds == {("domain", "nhanqua2026.com"), ("link", "nhanqua2026.com/dang-ky")}
    assert _check("Xem tai http://nhanqua2026.com/khac") == "likely_scam"


def test_officers_confirm_only_in_their_own_province(personas: Personas) -> None:
    other_admin = factories.user_create()
    factories.role_grant(user=other_admin, role=Role.PROVINCE_ADMIN, unit=_province("20"))
    with pytest.raises(ScamOutOfScope):
        scam_confirm(
            scope=scope_for(user=other_admin),
            officer=other_admin,
            province=_province("19"),
            phones=["0356111222"],
        )
    with pytest.raises(ScamOutOfScope):
        scam_confirm(
            scope=scope_for(user=personas.resident),
            officer=personas.resident,
            province=_province("19"),
            phones=["0356111222"],
        )
    with pytest.raises(ScamNothingToConfirm):
        scam_confirm(
            scope=scope_for(user=personas.officer_a),
            officer=personas.officer_a,
            province=_province(),
        )
    assert not ScamIndicator.objects.exists()


def test_each_officer_sees_only_their_provinces_list(personas: Personas) -> None:
    other_admin = factories.user_create()
    factories.role_grant(user=other_admin, role=Role.PROVINCE_ADMIN, unit=_province("20"))
    scam_confirm(
        scope=scope_for(user=personas.officer_b),
        officer=personas.officer_b,
        province=_province("19"),
        phones=["0356111222"],
    )
    scam_confirm(
        scope=scope_for(user=other_admin),
        officer=other_admin,
        province=_province("20"),
        phones=["0356999888"],
    )

    def values(user: User) -> set[str]:
        return set(indicators_for(scope_for(user=user)).values_list("value", flat=True))

    assert values(personas.officer_a) == {"0356111222"}  # commune A is in province 19
    assert values(personas.leader_a) == {"0356111222"}
    assert values(personas.province_admin) == {"0356111222"}
    assert values(other_admin) == {"0356999888"}
    assert values(personas.resident) == set()


def test_the_checkers_own_number_is_masked_in_what_is_kept(personas: Personas) -> None:
    own = personas.resident.phone  # +8498...
    national = "0" + own[3:]
    spaced = f"{national[:4]} {national[4:7]} {national[7:]}"
    text = f"Toi la chu so {spaced}, co nguoi bao toi doc ma OTP, ho goi tu 0356111222"
    result = check_message(
        text=text, province=_province(), checker=personas.resident, channel="web"
    )
    kept = ScamCheck.objects.get(pk=result.check.pk)
    assert national[4:7] not in kept.text.replace("0356111222", "")
    assert "0356111222" in kept.text  # the number being judged stays
    assert kept.phones == ["0356111222"]
    assert national not in kept.phones


def test_a_check_never_says_who_else_reported_the_number(personas: Personas) -> None:
    """The first resident's check and the officer's confirmation leave no trace of
    them in what the next person is told or in the list itself."""
    first = personas.resident
    check_message(
        text=f"{first.full_name} nhan duoc: doc ma OTP cho so 0356111222",
        province=_province(),
        checker=first,
        channel="web",
    )
    scam_confirm(
        scope=scope_for(user=personas.officer_a),
        officer=personas.officer_a,
        province=_province(),
        phones=["0356111222"],
    )
    result = check_message(text=SCAM, province=_province(), checker=None, channel="api")
    told = " ".join([*(r.message for r in result.reasons), *result.advice])
    assert "0356111222" in told  # the number judged is named ...
    # ... but not who checked it, nor how many people did.
    national = "0" + first.phone[3:]
    for secret in (first.full_name, first.phone, national, "lần", "times", "reported by"):
        assert secret not in told
    # The list has no field that could name who asked or checked.
    fields = {field.name for field in ScamIndicator._meta.get_fields()}
    assert not fields & {"checker", "checks", "reporter", "reporters"}


def _sendable(user: User) -> ScamCheck:
    return check_message(
        text="Chuc mung ban trung thuong, nop phi nhan thuong 500k vao 0356111222",
        province=_province(),
        checker=user,
        channel="web",
    ).check


def test_one_tap_files_exactly_one_help_request_even_when_retried(
    personas: Personas, commune_b: AdminUnit
) -> None:
    check = _sendable(personas.resident)
    ticket = check_send_to_commune(check=check, by=personas.resident, commune_code=commune_b.code)
    again = check_send_to_commune(
        check=ScamCheck.objects.get(pk=check.pk), by=personas.resident, commune_code=commune_b.code
    )
    # A retry that lost the stored link (a second tab) still finds the same case.
    ScamCheck.objects.filter(pk=check.pk).update(ticket=None)
    third = check_send_to_commune(
        check=ScamCheck.objects.get(pk=check.pk), by=personas.resident, commune_code=commune_b.code
    )
    assert again.pk == ticket.pk == third.pk
    assert Ticket.objects.count() == 1
    assert ticket.service.code == "scam_message"
    assert ticket.commune == commune_b
    assert ticket.description == check.text
    assert ticket.reporter == personas.resident


def test_only_the_checker_may_send_and_only_a_warning(personas: Personas) -> None:
    check = _sendable(personas.resident)
    with pytest.raises(ScamCheckNotFound):
        check_send_to_commune(check=check, by=personas.officer_a, commune_code="05443")
    clean = check_message(
        text="Hop dan thon 3 luc 8h", province=None, checker=personas.resident, channel="web"
    ).check
    with pytest.raises(ScamCheckNotSendable):
        check_send_to_commune(check=clean, by=personas.resident, commune_code="05443")
    assert not Ticket.objects.exists()
