"""A team member filing for a resident: where the form starts, how it names the
place, the two village boxes, and what a question without a commune costs.

Found by a reviewer filing for "Nguyễn Thị Hoa" as Hoàng Văn Tú (his team
works in Xã Đại Từ): the commune list started empty and was left so, two help
requests went to "an administrator will route your case"; the place was
headed "Your commune"; and the resident's village was typed twice, once in
"Village or landmark" and once in "Village".
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, User
from geo.models import AdminUnit
from geo.units import units_current
from helpdesk.models import ProxyFiling, Ticket
from tests import factories
from tests.conftest import Personas

FORMS = ["/help/new/", "/report/new/?service=road_damage"]
RESIDENT = {
    "on_behalf_name": "Nguyễn Thị Hoa",
    "on_behalf_phone": "",
    "on_behalf_village": "Xóm Đồng Khuôn",
    "consent": "spoken",
}
NO_COMMUNE_EN = (
    "Without a commune, an administrator first has to find who handles the question, "
    "so the answer may take longer."
)
NO_COMMUNE_VI = "Nếu không chọn xã/phường, quản trị viên phải tìm nơi xử lý câu hỏi trước"


def _client(user: User, language: str = "vi") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    return str(response.content.decode())


def _selected(page: str, name: str) -> list[str]:
    """The values chosen in the <select> named ``name`` ("" is the empty choice)."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert found is not None, name
    return re.findall(r'<option value="([^"]*)" selected>', found.group(1))


def _legend(page: str) -> str:
    found = re.search(r'id="place"[^>]*>\s*<legend>([^<]*)</legend>', page)
    assert found is not None
    return unescape(found.group(1))


def _summary(page: str) -> str:
    found = re.search(r'<details class="commune"[^>]*>\s*<summary>([^<]*)</summary>', page)
    assert found is not None
    return unescape(found.group(1))


def _help(**extra: str) -> dict[str, str]:
    return {
        "service": "vneid_account",
        "description": "Bà không đăng nhập được VNeID",
        "idempotency_key": "proxy-place-0001",
        **extra,
    }


# --- 1. The form starts in the team's commune ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", FORMS)
def test_team_member_form_starts_in_their_teams_commune(
    personas: Personas, commune_b: AdminUnit, url: str
) -> None:
    """From the member's role (RoleAssignment.unit, Xã Đại Từ): a default,
    and the list of communes folded open, as when they had chosen it. Not
    for a resident, nor from another role's commune (an officer's desk)."""
    assert commune_b.parent is not None
    page = _text(_client(personas.digital_team).get(url))
    assert _selected(page, "province") == [commune_b.parent.code]
    assert _selected(page, "commune") == [commune_b.code]
    assert '<details class="commune" open>' in page
    for other in (personas.resident, personas.officer_a):
        page = _text(_client(other).get(url))
        assert _selected(page, "province") == [""]
        assert _selected(page, "commune") == [""]
    if "report" in url:
        assert '<details class="commune">' in page  # folded: a point comes first


@pytest.mark.django_db
def test_the_default_gives_way_to_what_the_member_sent(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    """The default is for a form shown empty: one sent back keeps its choice,
    even none (an online-service question needs no place)."""
    client = _client(personas.digital_team)
    assert _selected(_text(client.get("/help/new/")), "commune") == [commune_b.code]
    chosen = client.post(
        "/help/new/", _help(action="province", province="19", commune=commune_a.code)
    )
    assert _selected(_text(chosen), "commune") == [commune_a.code]
    cleared = client.post("/help/new/", _help(action="province", province="", commune=""))
    assert _selected(_text(cleared), "province") == [""]
    assert _selected(_text(cleared), "commune") == [""]


@pytest.mark.django_db
def test_member_of_several_communes_gets_their_province_or_nothing(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Two communes of one province: the province, the commune to choose;
    two provinces: nothing, rather than one of them at random."""
    member = personas.digital_team
    factories.role_grant(user=member, role=Role.DIGITAL_TEAM, unit=commune_a)
    page = _text(_client(member).get("/help/new/"))
    assert _selected(page, "province") == ["19"]
    assert _selected(page, "commune") == [""]

    lang_son = units_current(level=AdminUnit.Level.COMMUNE, parent_code="20").first()
    assert lang_son is not None
    factories.role_grant(user=member, role=Role.DIGITAL_TEAM, unit=lang_son)
    page = _text(_client(member).get("/help/new/"))
    assert _selected(page, "province") == [""]


# --- 3. The place is the resident's ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "yours", "theirs", "summary"),
    [
        ("vi", "3. Xã/phường của bạn", "3. Xã/phường của người dân", "Xã/phường của người dân"),
        ("en", "3. Your commune", "3. The resident's commune", "The resident's commune"),
    ],
)
def test_help_form_names_the_place_the_residents_once_filing_for_one(
    personas: Personas, language: str, yours: str, theirs: str, summary: str
) -> None:
    """Without the script the form learns it files for someone when it comes
    back (a refusal, "show the communes", "find an answer"); any one of the
    resident's details says so, as the case core reads them."""
    client = _client(personas.digital_team, language)
    assert _legend(_text(client.get("/help/new/"))) == yours
    own = client.post("/help/new/", _help(action="province", province="19"))
    assert _legend(_text(own)) == yours
    for detail in ({"on_behalf_name": "Nguyễn Thị Hoa"}, {"on_behalf_village": "Xóm Đồng Khuôn"}):
        back = client.post("/help/new/", _help(action="province", province="19", **detail))
        assert _legend(_text(back)) == theirs
        assert _summary(_text(back)) == summary
    # Refused for a missing consent: still the resident's.
    refused = client.post("/help/new/", _help(on_behalf_name="Nguyễn Thị Hoa"))
    assert refused.status_code == 422
    assert _legend(_text(refused)) == theirs
    # Only a team member's page has a resident's part to name.
    resident = _client(personas.resident, language)
    sent = resident.post("/help/new/", _help(action="province", **RESIDENT))
    assert _legend(_text(sent)) == yours


@pytest.mark.django_db
def test_report_form_says_the_commune_not_yours_when_filing_for_someone(
    personas: Personas,
) -> None:
    client = _client(personas.digital_team, "en")
    fields = {"service": "road_damage", "action": "province", "province": "19"}
    assert _summary(_text(client.post("/report/new/", fields))) == (
        "No location? Choose your commune"
    )
    back = client.post("/report/new/", {**fields, "on_behalf_name": "Nguyễn Thị Hoa"})
    assert _summary(_text(back)) == "No location? Choose the commune"


# --- 4. Two villages, told apart -------------------------------------------------------


@pytest.mark.django_db
def test_the_two_village_boxes_say_which_village_goes_where(
    personas: Personas, commune_b: AdminUnit
) -> None:
    """Each keeps its meaning: the resident's village is the proxy record's
    (officers read it, the public never does); the case's "village or
    landmark" holds only what was written there (public on a report's page)."""
    member = _client(personas.digital_team)
    for url in FORMS:
        page = _text(member.get(url))
        # The resident's: where they live, for officers only.
        assert '<label for="id_on_behalf_village">Thôn/bản của người dân:</label>' in page
        assert 'aria-describedby="on-behalf-village-hint"' in page
        hint = "Nơi người dân đang sống. Cán bộ xã/phường xem được; không hiển thị công khai."
        assert hint in page
        # The case's place: the resident's village is not written there again.
        address = re.search(r'<input type="text" name="address_text"[^>]*>', page)
        assert address is not None
        assert 'aria-describedby="address-hint"' in address.group(0)
        assert 'id="address-hint"' in page
        assert "ghi vào ô “Thôn/bản của người dân” bên dưới" in page
        # A resident's form: not a word of it (the report form's byte budget).
        page = _text(_client(personas.resident).get(url))
        assert "address-hint" not in page
        assert "on-behalf-village" not in page
    fields = _help(province="19", commune=commune_b.code, **RESIDENT)
    assert member.post("/help/new/", fields).status_code == 302
    proxy = ProxyFiling.objects.get()
    assert proxy.village == "Xóm Đồng Khuôn"
    assert proxy.ticket.address_text == ""


# --- 2. A question without a commune -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "language", "sentence"),
    [
        ("resident", "en", NO_COMMUNE_EN),
        ("digital_team", "vi", NO_COMMUNE_VI),
    ],
)
def test_help_form_says_what_a_question_without_a_commune_costs(
    personas: Personas, who: str, language: str, sentence: str
) -> None:
    client = _client(getattr(personas, who), language)
    page = _text(client.get("/help/new/"))
    assert f'<p class="hint" id="no-commune-hint">{sentence}' in page
    commune = re.search(r'<select name="commune"[^>]*>', page)
    assert commune is not None
    assert 'aria-describedby="no-commune-hint"' in commune.group(0)
    # A report with no place is refused (helpdesk/filing.py): nothing to warn of.
    assert "no-commune-hint" not in _text(client.get("/report/new/?service=road_damage"))


@pytest.mark.django_db
def test_a_question_for_a_resident_without_a_commune_is_still_filed(
    personas: Personas,
) -> None:
    """By design (helpdesk/filing.py: help topics need no place), whoever
    files: the member who clears the default is told before sending, on the
    form, and after, that an administrator routes it."""
    client = _client(personas.digital_team, "en")
    assert NO_COMMUNE_EN in _text(client.get("/help/new/"))
    response = client.post("/help/new/", _help(**RESIDENT), follow=True)
    ticket = Ticket.objects.get()
    assert ticket.commune is None
    assert ticket.proxy.resident_name == "Nguyễn Thị Hoa"
    assert "an administrator will route your case" in _text(response)


@pytest.mark.django_db
def test_the_teams_commune_is_marked_the_pages_and_a_sent_one_is_not(
    personas: Personas, commune_b: AdminUnit
) -> None:
    """The script sends the first photo whole, for its GPS, unless the person
    chose a commune: the team's default is marked as the page's, and a commune
    shown again after a refusal is the person's own (a second read found the
    script took any commune rendered selected for the page's)."""
    client = _client(personas.digital_team)
    fresh = _text(client.get("/report/new/?service=road_damage"))
    assert f'data-team-commune="{commune_b.code}"' in fresh
    refused = client.post(
        "/report/new/",
        {
            "service": "road_damage",
            "province": commune_b.parent.code if commune_b.parent else "",
            "commune": commune_b.code,
            "idempotency_key": "x" * 32,
        },
    )
    assert refused.status_code == 422
    assert _selected(_text(refused), "commune") == [commune_b.code]
    assert "data-team-commune" not in _text(refused)
    resident = _text(_client(personas.resident).get("/report/new/?service=road_damage"))
    assert "data-team-commune" not in resident
