"""Resident pages: filing without JavaScript, retries, bad input, help, proxy filing,
my cases, the case page per persona, the public map, and the first-load budget."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from pytest_django import Settings

from accounts.models import User
from config.static_storage import minifiable, minified
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.attachments import attachment_approve_public
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, ProxyFiling, Ticket, TicketStatus
from helpdesk.routing import OutsideCoverage
from reports.presenters import expected_response_text
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg, point_inside

LAOS = (19.88, 102.13)
BUDGET_BYTES = 100 * 1024


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _photo(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _text(response: Any) -> str:
    return str(response.content.decode())


def _report_fields(**extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "service": "road_damage",
        "description": "Ổ gà lớn trước cổng trường",
        "idempotency_key": "page-key-0001",
        "action": "submit",
    }
    fields.update(extra)
    return fields


def _case(reporter: User, commune: AdminUnit, **extra: Any) -> Ticket:
    lat, lon = point_inside(commune)
    draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon, **extra)
    return case_submit(reporter=reporter, draft=draft).ticket


# --- Filing a report without JavaScript -------------------------------------------


@pytest.mark.django_db
def test_report_filed_without_javascript_shows_its_number_and_a_retry_is_the_same_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    client = _client(personas.resident)
    lat, lon = point_inside(commune_a)
    form = client.get("/report/new/?service=road_damage")
    assert form.status_code == 200
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', _text(form))
    assert key is not None  # generated when the form is shown

    def send() -> Any:
        fields = _report_fields(lat=lat, lon=lon, idempotency_key=key.group(1))
        return client.post("/report/new/", {**fields, "photos": _photo(jpeg())}, follow=True)

    first = send()
    ticket = Ticket.objects.get()
    assert first.status_code == 200
    assert ticket.number in _text(first)
    assert commune_a.full_name in _text(first)
    assert ticket.department is not None
    assert ticket.department.name in _text(first)
    assert escape(expected_response_text(ticket)) in _text(first)

    again = send()  # a double tap, or the browser resending the form
    assert ticket.number in _text(again)
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 1

    # The sent form, restored with its key, other words typed: refused once,
    # then shown with a fresh key (without the script nothing else makes one),
    # so a double tap of the next press still files once.
    changed = _report_fields(lat=lat, lon=lon, idempotency_key=key.group(1), description="Khác")
    clash = client.post("/report/new/", changed)
    assert clash.status_code == 409
    fresh = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', _text(clash))
    assert fresh is not None
    assert fresh.group(1) != key.group(1)
    for _ in range(2):
        client.post(
            "/report/new/",
            {**changed, "idempotency_key": fresh.group(1), "photos": _photo(jpeg())},
        )
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_bad_photo_is_refused_with_the_sentence_and_the_description_kept(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    fields = _report_fields(lat=lat, lon=lon, photos=_photo(b"not an image at all", "x.jpg"))
    response = _client(personas.resident).post("/report/new/", fields)
    assert response.status_code == 422
    page = _text(response)
    assert 'id="form-error"' in page
    assert "Ổ gà lớn trước cổng trường" in page  # what they typed is still there
    assert "page-key-0001" in page
    assert not Ticket.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_point_outside_vietnam_without_a_commune_is_a_clear_error(personas: Personas) -> None:
    lat, lon = LAOS
    fields = _report_fields(service="streetlight_out", lat=lat, lon=lon)
    response = _client(personas.resident).post("/report/new/", fields)
    assert response.status_code == 422
    assert escape(str(OutsideCoverage.default_message)) in _text(response)
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_report_without_a_point_goes_to_the_chosen_commune(
    personas: Personas, commune_a: AdminUnit
) -> None:
    fields = _report_fields(
        service="streetlight_out",
        province=commune_a.parent.code if commune_a.parent else "",
        commune=commune_a.code,
        address_text="Gần chợ",
    )
    response = _client(personas.resident).post("/report/new/", fields)
    assert response.status_code == 302
    assert Ticket.objects.get().commune == commune_a


@pytest.mark.django_db
def test_check_step_lists_open_reports_nearby_with_a_me_too_button(
    personas: Personas, commune_a: AdminUnit
) -> None:
    existing = _case(personas.officer_b, commune_a, description="Đèn tắt cả tuần, gọi 0912 345 678")
    lat, lon = point_inside(commune_a)
    client = _client(personas.resident)
    fields = _report_fields(service="streetlight_out", lat=lat, lon=lon, action="check")
    response = client.post("/report/new/", fields)
    assert response.status_code == 200
    # Its words as the public page shows them, to tell whether it is the same problem.
    assert "<q>Đèn tắt cả tuần, gọi " in _text(response)
    assert "345 678" not in _text(response)
    # The public id, never the case number (numbers run in sequence).
    assert existing.number not in _text(response)
    assert f"/reports/{existing.public_id}/me-too/" in _text(response)
    supported = client.post(f"/reports/{existing.public_id}/me-too/")
    assert supported.status_code == 200
    assert existing.supports.filter(user=personas.resident).exists()
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_report_page_needs_a_login() -> None:
    response = Client().get("/report/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Help requests -----------------------------------------------------------------


@pytest.mark.django_db
def test_help_suggestions_are_rendered_without_javascript_and_answered_files_nothing(
    personas: Personas,
) -> None:
    client = _client(personas.resident)
    fields = {
        "service": "vneid_account",
        "description": "kích hoạt tài khoản định danh điện tử",
        "idempotency_key": "help-key-0001",
        "action": "suggest",
    }
    response = client.post("/help/new/", fields)
    assert response.status_code == 200
    assert "kich-hoat-tai-khoan-vneid-muc-2" in _text(response)
    assert "/help/answered/?article=kich-hoat-tai-khoan-vneid-muc-2" in _text(response)
    answered = client.get("/help/answered/?article=kich-hoat-tai-khoan-vneid-muc-2")
    assert answered.status_code == 200
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_help_request_is_filed_in_the_chosen_commune(
    personas: Personas, commune_b: AdminUnit
) -> None:
    fields = {
        "service": "scam_message",
        "description": "Tin nhắn báo trúng thưởng, bảo bấm vào đường link",
        "idempotency_key": "help-key-0002",
        "province": "19",
        "commune": commune_b.code,
        "photos": _photo(jpeg()),
    }
    response = _client(personas.resident).post("/help/new/", fields, follow=True)
    ticket = Ticket.objects.get()
    assert ticket.number in _text(response)
    assert ticket.commune == commune_b
    assert ticket.attachments.count() == 1


# --- Proxy filing --------------------------------------------------------------------


PROXY = {
    "on_behalf_name": "Bà Triệu Thị Mến",
    "on_behalf_phone": "",
    "on_behalf_village": "Xóm Đồng Khuôn",
    "consent": "spoken",
}


@pytest.mark.django_db
def test_digital_team_member_files_for_a_resident_and_sees_it_on_the_case_page(
    personas: Personas, commune_b: AdminUnit
) -> None:
    client = _client(personas.digital_team)
    form = _text(client.get("/report/new/?service=streetlight_out"))
    assert "on_behalf_name" in form
    # The resident's number must be a mobile, and the form says so beside it.
    assert "Số điện thoại di động của người dân (không bắt buộc)" in form
    assert 'aria-describedby="on-behalf-phone-hint"' in form
    assert "người dân sẽ nhận tin qua SMS" in form
    lat, lon = point_inside(commune_b)
    fields = _report_fields(service="streetlight_out", lat=lat, lon=lon, **PROXY)
    assert client.post("/report/new/", fields).status_code == 302
    proxy = ProxyFiling.objects.get()
    assert proxy.filed_by == personas.digital_team
    page = _text(client.get(f"/cases/{proxy.ticket.number}/"))
    assert "Hoàng Văn Tú" in page
    assert "Bà Triệu Thị Mến" in page
    others = _text(client.get("/cases/filed-for-others/"))
    assert proxy.ticket.number in others
    assert "Bà Triệu Thị Mến" in others


@pytest.mark.django_db
def test_plain_resident_cannot_file_for_someone_else(
    personas: Personas, commune_b: AdminUnit
) -> None:
    client = _client(personas.resident)
    assert "on_behalf_name" not in _text(client.get("/report/new/?service=streetlight_out"))
    lat, lon = point_inside(commune_b)
    fields = _report_fields(service="streetlight_out", lat=lat, lon=lon, **PROXY)
    response = client.post("/report/new/", fields)
    assert response.status_code == 403
    assert "Ổ gà lớn trước cổng trường" in _text(response)
    assert not Ticket.objects.exists()


# --- My cases and the case page -----------------------------------------------------


@pytest.mark.django_db
def test_my_cases_lists_only_my_cases(personas: Personas, commune_a: AdminUnit) -> None:
    mine = _case(personas.resident, commune_a)
    theirs = _case(personas.digital_team, commune_a)
    page = _text(_client(personas.resident).get("/cases/"))
    assert mine.number in page
    assert theirs.number not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("resident", 200), ("digital_team", 404), (None, 302)],
)
@pytest.mark.parametrize("page", ["/cases/{}/", "/cases/{}/live/"])
def test_case_page_is_for_the_reporter_only(
    personas: Personas, commune_a: AdminUnit, who: str | None, status: int, page: str
) -> None:
    ticket = _case(personas.resident, commune_a, description="Đèn đường tắt cả tuần")
    user = getattr(personas, who) if who else None
    response = _client(user).get(page.format(ticket.number))
    assert response.status_code == status
    assert (ticket.description in _text(response)) == (status == 200 and "live" not in page)
    if who is None:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer_a", 200),  # the case's department
        ("leader_a", 200),  # its commune
        ("province_admin", 200),  # its province
        # Another commune's officer: "no such case", as for a stranger (a 403
        # would confirm that the number exists; numbers run in sequence).
        ("officer_b", 404),
    ],
)
def test_case_page_for_staff_follows_their_scope(
    personas: Personas, commune_a: AdminUnit, who: str, status: int
) -> None:
    ticket = _case(personas.resident, commune_a, description="Đèn đường tắt cả tuần")
    response = _client(getattr(personas, who)).get(f"/cases/{ticket.number}/")
    assert response.status_code == status
    page = _text(response)
    assert (ticket.description in page) == (status == 200)
    # Staff read the case here as the resident does: the reporter's name and
    # phone belong to the console's case page, not this one.
    assert "Nguyễn Thị Lan" not in page
    assert personas.resident.phone not in page


@pytest.mark.django_db
def test_internal_notes_never_show_on_the_residents_case_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _case(personas.resident, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Sẽ sửa trong tuần này.")
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="GHI CHÚ NỘI BỘ bí mật", internal=True
    )
    for who in (personas.resident, personas.officer_a):
        for path in (f"/cases/{ticket.number}/", f"/cases/{ticket.number}/live/"):
            page = _text(_client(who).get(path))
            assert "Sẽ sửa trong tuần này." in page
            assert "GHI CHÚ NỘI BỘ" not in page


@pytest.mark.django_db
def test_each_message_says_who_wrote_it(personas: Personas, commune_a: AdminUnit) -> None:
    """Her own message and the commune's answer were both headed "Trả lời"
    (a phone walk): now "Bạn" or "Cán bộ xã/phường", each in its colour; the
    officer reading the resident's page sees "Người phản ánh" for hers."""
    ticket = _case(personas.resident, commune_a)
    client = _client(personas.resident)
    client.post(f"/cases/{ticket.number}/reply/", {"reply-body": "Đèn vẫn tắt"})
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Sẽ sửa trong tuần này.")
    speakers = re.compile(
        r'<li class="event event-(\w+)"[^>]*><p class="meta"><strong class="speaker">([^<]+)'
        r"</strong>.*?</p>\s*<p>([^<]+)</p>",
        re.DOTALL,
    )
    for path in (f"/cases/{ticket.number}/", f"/cases/{ticket.number}/live/"):
        page = _text(client.get(path))
        assert speakers.findall(page) == [
            ("mine", "Bạn", "Đèn vẫn tắt"),
            ("commune", "Cán bộ xã/phường", "Sẽ sửa trong tuần này."),
        ]
    officer = _text(_client(personas.officer_a).get(f"/cases/{ticket.number}/"))
    assert speakers.findall(officer) == [
        ("reporter", "Người phản ánh", "Đèn vẫn tắt"),
        ("mine", "Bạn", "Sẽ sửa trong tuần này."),  # the officer wrote it
    ]
    # No one's name: the speaker is a role.
    timeline = officer.split('<ol class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert personas.officer_a.full_name not in timeline
    assert personas.resident.full_name not in timeline


@pytest.mark.django_db
def test_reporter_replies_rates_and_reopens_on_the_case_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _case(personas.resident, commune_a)
    client = _client(personas.resident)
    url = f"/cases/{ticket.number}"
    assert client.post(f"{url}/reply/", {"reply-body": "Đèn vẫn tắt"}).status_code == 302
    refused = client.post(f"{url}/rate/", {"rate-rating": "5"})
    assert refused.status_code == 409  # not resolved yet: the core says so
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã thay bóng đèn")
    bad = client.post(f"{url}/rate/", {"rate-rating": "9", "rate-comment": "tốt lắm"})
    assert bad.status_code == 422
    assert "tốt lắm" in _text(bad)
    rated = client.post(f"{url}/rate/", {"rate-rating": "4"})
    # Back to the case, opened at what was done (its message takes the focus).
    assert (rated.status_code, rated["Location"]) == (302, f"{url}/#messages")
    ticket.refresh_from_db()
    assert ticket.rating == 4
    assert client.post(f"{url}/reopen/", {"reopen-reason": "Lại hỏng"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS


@pytest.mark.django_db
def test_reporter_sees_own_photos_on_the_case_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _case(personas.resident, commune_a, photos=(jpeg(),))
    photo = ticket.attachments.get()
    client = _client(personas.resident)
    page = _text(client.get(f"/cases/{ticket.number}/"))
    assert f"/photos/{photo.pk}/thumbnail/" in page
    fetched = client.get(f"/photos/{photo.pk}/thumbnail/")
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "image/jpeg"


# --- Public map -------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_show_the_problem_before_the_work_that_fixed_it(
    personas: Personas, commune_a: AdminUnit, settings: Settings, tmp_path: Path
) -> None:
    """A second read: the case page put the photos in their order, while the
    public page, the public map and Open311 still sorted by role name, the
    "after" photo first."""
    settings.MEDIA_ROOT = tmp_path
    ticket = _case(personas.resident, commune_a, photos=(jpeg(),))
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_resolve(
        ticket=ticket, by=personas.officer_a, note="Đã sửa", photos=(jpeg(color="blue"),)
    )
    before = ticket.attachments.get(role=Attachment.Role.REPORT)
    after = ticket.attachments.get(role=Attachment.Role.AFTER)
    for photo in (after, before):
        attachment_approve_public(attachment=photo, by=personas.officer_a)
    before.refresh_from_db()
    after.refresh_from_db()
    for url in (f"/reports/{ticket.public_id}/", "/api/v1/reports/public"):
        page = Client().get(url).content.decode()
        assert before.public_thumbnail in page, url
        assert after.public_thumbnail in page, url
        assert page.index(before.public_thumbnail) < page.index(after.public_thumbnail), url


@pytest.mark.django_db
def test_public_map_hides_identity_and_unapproved_photos(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _case(personas.resident, commune_a, photos=(jpeg(), jpeg(color="blue")))
    first, second = ticket.attachments.order_by("position")
    attachment_approve_public(attachment=first, by=personas.officer_a)
    page = _text(Client().get("/reports/map/"))
    assert ticket.number not in page
    assert f"/reports/{ticket.public_id}/" in page
    assert first.public_thumbnail in page
    assert first.thumbnail not in page
    assert second.thumbnail not in page
    assert "Nguyễn Thị Lan" not in page
    assert personas.resident.phone not in page
    assert personas.resident.phone[3:] not in page


# --- Weight and language -----------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.urls.append(str(found["href"]))
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))


def _first_load_bytes(html: bytes, client: Client) -> int:
    parser = _Assets()
    parser.feed(html.decode())
    total = len(html)
    for url in parser.urls:
        if url.startswith("/texts/"):  # the scripts' texts, made by the app (config/pwa.py)
            texts = client.get(url)
            assert texts.status_code == 200, url
            total += len(texts.content)
            continue
        assert url.startswith("/static/"), url  # same origin only
        name = url.removeprefix("/static/")
        path = finders.find(name)
        assert isinstance(path, str), url
        # What a phone is sent: collectstatic minifies our scripts and
        # stylesheets (config/static_storage.py); the tests serve the sources.
        content = Path(path).read_bytes()
        if minifiable(name):
            content = minified(name, content.decode()).encode()
        total += len(content)
    return total


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/report/new/", "/report/new/?service=road_damage"])
def test_report_page_first_load_is_within_100_kb(personas: Personas, url: str) -> None:
    client = _client(personas.digital_team)
    response = client.get(url)  # the heaviest: with the proxy part
    assert response.status_code == 200
    size = _first_load_bytes(response.content, client)
    print(f"first load of {url}: {size / 1024:.1f} KB")
    assert size <= BUDGET_BYTES


@pytest.mark.django_db
def test_pages_are_vietnamese_by_default_with_the_attribution(personas: Personas) -> None:
    for client, url in ((Client(), "/"), (_client(personas.resident), "/report/new/")):
        page = _text(client.get(url))
        assert '<html lang="vi">' in page
        assert "sapnhap.bando.com.vn" in page


@pytest.mark.django_db
def test_header_offers_the_console_only_to_staff(personas: Personas) -> None:
    resident = Client()
    resident.force_login(personas.resident)
    officer = Client()
    officer.force_login(personas.officer_a)
    assert 'accesskey="q"' not in resident.get("/").content.decode()
    assert 'accesskey="q"' in officer.get("/").content.decode()


@pytest.mark.django_db
def test_public_map_list_comes_a_page_at_a_time_newest_first(
    personas: Personas, commune_a: AdminUnit
) -> None:
    tickets = [
        factories.case_file(reporter=personas.resident, commune=commune_a) for _ in range(51)
    ]
    newest, oldest = tickets[-1], tickets[0]

    first = _text(Client().get("/reports/map/", headers={"accept-language": "en"}))
    assert first.count('<tr class="report"') == 50
    assert f"/reports/{newest.public_id}/" in first
    assert f"/reports/{oldest.public_id}/" not in first
    assert 'href="?page=2" rel="next"' in first
    assert 'rel="prev"' not in first

    second = _text(Client().get("/reports/map/?page=2", headers={"accept-language": "en"}))
    assert second.count('<tr class="report"') == 1
    assert f"/reports/{oldest.public_id}/" in second
    assert 'href="?page=1" rel="prev"' in second
    assert 'rel="next"' not in second

    # Nonsense is the first page; past the deepest page, the deepest (empty) one.
    assert _text(Client().get("/reports/map/?page=abc")).count('<tr class="report"') == 50
    deep = Client().get("/reports/map/?page=99999")
    assert deep.status_code == 200
    assert '<tr class="report"' not in _text(deep)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_place_lists_are_named_in_the_pages_language_in_a_readers_order(
    personas: Personas, language: str
) -> None:
    """English pages listed "Tỉnh An Giang", "Xã An Khánh"; and the database's
    order put "Huế" before "Hà Nội" and every Đ last (a helper on a phone)."""
    client = _client(personas.resident)
    client.cookies["django_language"] = language
    page = client.get("/report/new/?service=road_damage").content.decode()
    provinces = [
        name for _code, name in re.findall(r'<option value="(\d\d)">([^<]+)</option>', page)
    ]
    assert provinces == (
        ["Lang Son Province", "Thai Nguyen Province"]
        if language == "en"
        else ["Tỉnh Lạng Sơn", "Tỉnh Thái Nguyên"]
    )
    communes = client.get("/report/communes/", {"province": "19"}).json()["communes"]
    labels = [label for _code, label in communes]
    if language == "en":
        assert "Dai Tu Commune" in labels
        assert not [label for label in labels if label.startswith(("Xã ", "Phường "))]
    else:
        # Đ after D and before G, not after every other letter.
        assert labels.index("Xã Dân Tiến") < labels.index("Xã Đại Từ")
        assert labels.index("Xã Đức Lương") < labels.index("Phường Gia Sàng")


@pytest.mark.django_db
def test_a_public_report_names_its_place_in_words_that_open_a_map(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """ "Nơi xảy ra (khoảng) 21.5932, 105.8439" meant nothing to a farmer (a
    phone walk): the link says what it does; the rough numbers stay small."""
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    page = _text(Client().get(f"/reports/{ticket.public_id}/"))
    found = re.search(
        r'<dt>Nơi xảy ra \(khoảng\)</dt><dd><a href="https://www\.openstreetmap\.org/[^"]+">'
        r'Mở vị trí này trên bản đồ</a> <small class="coordinates" translate="no">'
        r"(-?\d+\.\d{4}), (-?\d+\.\d{4})</small>",
        page,
    )
    assert found is not None


@pytest.mark.django_db
def test_a_report_without_javascript_and_without_a_voice_note_is_filed(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A browser sends an empty file input with an empty filename, which Django
    reads as a text field "" (its multipart parser): every report and question
    sent without the script was refused for its "voice note", which was no
    file (found by a helper's browser test with JavaScript off)."""
    client = _client(personas.resident)
    lat, lon = point_inside(commune_a)
    fields = _report_fields(lat=lat, lon=lon, idempotency_key="0" * 32)
    answer = client.post("/report/new/", {**fields, "photos": _photo(jpeg()), "voice": ""})
    assert answer.status_code == 302, _text(answer)
    assert Ticket.objects.count() == 1
    # Text where a file belongs is still refused, as the fuzzer found it.
    fields = _report_fields(lat=lat, lon=lon, idempotency_key="1" * 32)
    refused = client.post("/report/new/", {**fields, "photos": _photo(jpeg()), "voice": "x"})
    assert refused.status_code == 422
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_the_address_example_is_in_the_pages_language(personas: Any) -> None:
    """The English form read "e.g. Xóm 3, near the school" (a helper's walk)."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.resident)
    english = client.get("/report/new/?service=road_damage").content.decode()
    assert 'placeholder="e.g. Hamlet 3, near the school"' in english
    client.cookies.clear()
    vietnamese = Client(headers={"accept-language": "vi"})
    vietnamese.force_login(personas.resident)
    page = vietnamese.get("/report/new/?service=road_damage").content.decode()
    assert 'placeholder="ví dụ: Xóm 3, gần trường"' in page


@pytest.mark.django_db
def test_the_public_map_says_its_keys_and_where_else_the_reports_are() -> None:
    """Leaflet moves a focused map with the arrow keys and zooms it with + and
    -, and nothing said so: a keyboard walk found a bare, unnamed box."""
    page = _text(Client().get("/reports/map/", headers={"accept-language": "vi"}))
    assert 'role="region" aria-label="Bản đồ phản ánh" aria-describedby="map-keys"' in page
    assert '<p id="map-keys" class="visually-hidden">Dùng các phím mũi tên để di chuyển' in page
    assert "Mọi phản ánh cũng có trong danh sách bên dưới, theo từng trang." in page
