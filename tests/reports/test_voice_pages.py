"""Voice notes through the web: filing by form and API with no words, who may
hear them, officers' spoken answers, and the status badge on every page a
resident or officer reads a status on (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from pytest_django import Settings

from accounts.models import User
from console.forms import ReplyForm
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Ticket, TicketStatus
from helpdesk.templatetags.case_status import STATUS_LOOKS, case_status
from helpdesk.voice_errors import AudioRejected
from tests import factories
from tests.conftest import Personas
from tests.factories import point_inside, voice_note

pytestmark = pytest.mark.django_db

SPRITE = Path(__file__).resolve().parents[2] / "static" / "icons.svg"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_ACCEL_REDIRECT = ""
    return tmp_path


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _voice(data: bytes | None = None, name: str = "voice.webm") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else voice_note(kind="webm"))


def _voice_case(personas: Personas, commune: AdminUnit) -> tuple[Ticket, Attachment]:
    lat, lon = point_inside(commune)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon, voice=voice_note()),
    ).ticket
    return ticket, ticket.attachments.get(role=Attachment.Role.VOICE)


# --- Filing ----------------------------------------------------------------------


def test_api_files_a_voice_note_with_an_empty_description(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "water_supply", "lat": lat, "lon": lon, "voice": _voice()},
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["case"]["number"])
    assert ticket.description == ""
    assert ticket.attachments.get().role == Attachment.Role.VOICE


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"\x00garbage\xff" * 300, 422, "audio_invalid"),
        (None, 413, "audio_too_large"),
    ],
)
def test_api_refuses_bad_recordings_with_a_code_and_a_sentence(
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
    data: bytes | None,
    status: int,
    code: str,
) -> None:
    settings.VOICE_MAX_BYTES = 20_000
    lat, lon = point_inside(commune_a)
    recording = data if data is not None else voice_note(kind="wav")
    response = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "water_supply", "lat": lat, "lon": lon, "voice": _voice(recording)},
    )
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert not Ticket.objects.exists()


def test_api_takes_one_voice_note(personas: Personas, commune_a: AdminUnit) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "water_supply", "lat": lat, "lon": lon, "voice": [_voice(), _voice()]},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_voice_notes"


def test_api_text_where_the_voice_note_goes_is_refused_in_words_about_the_voice_note(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/api/v1/reports/cases",
        {"service": "water_supply", "lat": lat, "lon": lon, "voice": "not a recording"},
        headers={"accept-language": "vi"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "not_a_file"
    assert "ghi âm" in body["message"]
    assert "ảnh" not in body["message"]
    assert not Ticket.objects.exists()


def test_the_report_form_files_a_voice_note_alone(personas: Personas, commune_a: AdminUnit) -> None:
    lat, lon = point_inside(commune_a)
    client = _client(personas.resident)
    page = client.get("/report/new/?service=water_supply").content.decode()
    assert 'name="voice"' in page
    assert 'accept="audio/*"' in page
    assert 'id="voice-record"' in page
    response = client.post(
        "/report/new/",
        {
            "service": "water_supply",
            "lat": lat,
            "lon": lon,
            "idempotency_key": "voice-form-0001",
            "voice": _voice(voice_note(kind="m4a"), "voice.m4a"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.description == ""
    assert ticket.attachments.get().role == Attachment.Role.VOICE


def test_the_help_form_files_a_voice_question_for_a_resident(
    personas: Personas, commune_a: AdminUnit
) -> None:
    # A digital-technology team member asks for a resident who cannot type.
    response = _client(personas.digital_team).post(
        "/help/new/",
        {
            "service": "vneid_account",
            "province": commune_a.parent.code if commune_a.parent else "",
            "commune": commune_a.code,
            "idempotency_key": "voice-help-0001",
            "on_behalf_name": "Hoàng Thị Mai",
            "consent": "spoken",
            "voice": _voice(voice_note(kind="mp3"), "voice.mp3"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.proxy.resident_name == "Hoàng Thị Mai"
    assert ticket.attachments.get().role == Attachment.Role.VOICE


def test_a_bad_recording_on_the_form_keeps_what_was_typed(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    response = _client(personas.resident).post(
        "/report/new/",
        {
            "service": "water_supply",
            "lat": lat,
            "lon": lon,
            "description": "Nước đục từ hôm qua",
            "idempotency_key": "voice-form-0002",
            "voice": _voice(b"RIFF nonsense" * 100, "voice.wav"),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nước đục từ hôm qua" in page
    sentence = (
        "Không phát được đoạn ghi âm này: "
        "đây không phải tệp âm thanh, hoặc tệp bị hỏng. Vui lòng ghi âm lại."
    )
    # At the top, a link to the voice note; the sentence itself under it.
    assert (
        f'<p class="error" id="form-error" role="alert"><a href="#voice">{sentence}</a></p>'
    ) in page
    assert f'<p class="error" id="voice-error">{sentence}</p>' in page
    assert 'aria-describedby="voice-error"' in page
    assert not Ticket.objects.exists()


# --- Who hears it ------------------------------------------------------------------


def test_the_reporter_and_officers_in_scope_hear_it_and_nobody_else(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, note = _voice_case(personas, commune_a)
    url = f"/voice/{note.pk}/"
    heard = _client(personas.resident).get(url)
    assert heard.status_code == 200
    assert heard["Content-Type"] == "audio/ogg"
    whole = heard.content
    assert whole.startswith(b"OggS")
    assert "private" in heard["Cache-Control"]
    # <audio> reads the length from the last Ogg page with a Range request.
    tail = _client(personas.resident).get(url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206
    assert tail.content == whole[-100:]
    assert tail["Content-Range"] == f"bytes {len(whole) - 100}-{len(whole) - 1}/{len(whole)}"
    middle = _client(personas.resident).get(url, headers={"Range": "bytes=4-9"})
    assert middle.content == whole[4:10]
    beyond = _client(personas.resident).get(url, headers={"Range": f"bytes={len(whole)}-"})
    assert beyond.status_code == 416
    assert _client(personas.officer_a).get(url).status_code == 200
    stranger = factories.user_create(full_name="Ngô Văn Bình")
    for user in (None, stranger, personas.officer_b):
        assert _client(user).get(url).status_code == 404
    # A "me too" supporter follows the public view: no voice.
    ticket.supports.create(user=stranger)
    assert _client(stranger).get(url).status_code == 404
    # Not a photo address either.
    assert _client(personas.resident).get(f"/photos/{note.pk}/display/").status_code == 404


def test_case_pages_play_it_and_public_pages_never_show_it(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, note = _voice_case(personas, commune_a)
    url = f"/voice/{note.pk}/"
    own = _client(personas.resident).get(f"/cases/{ticket.number}/").content.decode()
    assert f'<audio controls preload="metadata" src="{url}">' in own
    console = _client(personas.officer_a).get(f"/console/cases/{ticket.number}/").content.decode()
    assert f'src="{url}"' in console
    for public in (
        f"/reports/{ticket.public_id}/",
        "/reports/map/",
        "/api/v1/reports/public",
        f"/api/v1/reports/public/{ticket.public_id}",
        f"/open311/v2/requests/{ticket.public_id}.json",
        "/open311/v2/requests.json",
    ):
        response = Client().get(public)
        assert response.status_code == 200, public
        assert "/voice/" not in response.content.decode(), public


def test_an_officer_answers_with_a_voice_note_the_resident_plays(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", description="Đèn tắt", lat=lat, lon=lon),
    ).ticket
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    officer = _client(personas.officer_a)
    replied = officer.post(
        f"/console/cases/{ticket.number}/reply/", {"reply-body": "", "reply-voice": _voice()}
    )
    assert replied.status_code == 302, replied.content.decode()[:2000]
    answer = ticket.attachments.get(role=Attachment.Role.VOICE)
    assert answer.event is not None
    assert answer.event.is_public
    page = _client(personas.resident).get(f"/cases/{ticket.number}/").content.decode()
    assert f'src="/voice/{answer.pk}/"' in page
    # In the live parts too: it shows on an open page without a reload.
    live = _client(personas.resident).get(f"/cases/{ticket.number}/live/").content.decode()
    assert f'src="/voice/{answer.pk}/"' in live
    assert _client(personas.resident).get(f"/voice/{answer.pk}/").status_code == 200

    # On an internal note, officers only.
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="", internal=True, voice=voice_note()
    )
    note = ticket.attachments.filter(role=Attachment.Role.VOICE).latest("pk")
    assert _client(personas.resident).get(f"/voice/{note.pk}/").status_code == 404
    assert officer.get(f"/voice/{note.pk}/").status_code == 200
    page = _client(personas.resident).get(f"/cases/{ticket.number}/").content.decode()
    assert f"/voice/{note.pk}/" not in page


def test_an_officers_bad_recording_is_refused_on_the_case_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, _note = _voice_case(personas, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    response = _client(personas.officer_a).post(
        f"/console/cases/{ticket.number}/reply/",
        {"reply-body": "", "reply-voice": _voice(b"junk" * 99)},
    )
    assert response.status_code == 422
    assert escape(str(AudioRejected.default_message)) in response.content.decode()
    assert ticket.attachments.filter(role=Attachment.Role.VOICE).count() == 1


# --- Status as icon, colour and words ------------------------------------------------


def test_every_status_has_its_own_icon_in_the_sprite_and_a_colour() -> None:
    sprite = SPRITE.read_text()
    assert set(STATUS_LOOKS) == set(TicketStatus.values)
    icons = [look.icon for look in STATUS_LOOKS.values()]
    assert len(set(icons)) == len(icons)  # told apart by shape, not colour alone
    for status in TicketStatus:
        look = STATUS_LOOKS[status]
        assert f'<symbol id="{look.icon}"' in sprite
        assert look.tone.startswith("tone-")
        badge = str(case_status(status.value))
        assert f"#{look.icon}" in badge
        assert look.tone in badge
        assert f'<span class="status-label">{status.label}</span>' in badge
        assert 'aria-hidden="true"' in badge  # the words carry the meaning


def test_resident_and_console_pages_show_the_status_badge(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, _note = _voice_case(personas, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    badge = 'data-status="accepted"'
    icon = "#status-accepted"
    resident = _client(personas.resident)
    officer = _client(personas.officer_a)
    for client, url in (
        (resident, "/cases/"),
        (resident, f"/cases/{ticket.number}/"),
        (Client(), f"/reports/{ticket.public_id}/"),
        (officer, "/console/"),
        (officer, f"/console/cases/{ticket.number}/"),
    ):
        page = client.get(url).content.decode()
        assert badge in page, url
        assert icon in page, url


def test_the_openapi_schema_documents_the_voice_part_and_its_refusals() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/reports/cases"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["voice"]["format"] == "binary"
    for code in ("audio_invalid", "audio_too_long", "audio_too_large", "too_many_voice_notes"):
        assert code in operation["description"]
    assert "413" in operation["responses"]
    assert "422" in operation["responses"]


def test_every_service_on_the_picker_has_its_name_beside_a_hidden_icon(
    personas: Personas,
) -> None:
    page = _client(personas.resident).get("/report/new/").content.decode()
    tiles = re.findall(r'<a class="tile"[^>]*>(.*?)</a>', page, re.S)
    assert tiles
    for tile in tiles:
        assert '<svg class="icon" aria-hidden="true"' in tile
        # What a screen reader says: the text after the (hidden) icon.
        assert re.sub(r"<svg.*?</svg>", "", tile, flags=re.S).strip()


def test_an_officer_answers_by_voice_through_the_api(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, _note = _voice_case(personas, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    url = f"/api/v1/helpdesk/cases/{ticket.number}/reply"
    response = _client(personas.officer_a).post(url, {"voice": _voice()})
    assert response.status_code == 201, response.content
    answer = ticket.attachments.filter(role=Attachment.Role.VOICE).latest("pk")
    assert answer.event_id == response.json()["id"]
    assert _client(personas.resident).get(f"/voice/{answer.pk}/").status_code == 200
    refused = _client(personas.officer_a).post(url, {"voice": _voice(b"\x00" * 5000)})
    assert refused.status_code == 422
    assert refused.json()["code"] == "audio_invalid"


def test_an_officers_too_big_recording_is_refused_before_it_is_read(
    personas: Personas, commune_a: AdminUnit, settings: Settings
) -> None:
    settings.VOICE_MAX_BYTES = 50_000
    ticket, _note = _voice_case(personas, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    events = ticket.events.count()
    response = _client(personas.officer_a).post(
        f"/console/cases/{ticket.number}/reply/",
        {"reply-body": "", "reply-voice": _voice(b"\0" * 50_001)},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    assert "This recording is too big" in response.content.decode()
    assert ticket.events.count() == events
    # Refused by the form, on its field, before the case core reads it.
    form = ReplyForm(data={"body": ""}, files={"voice": _voice(b"\0" * 50_001)})
    assert not form.is_valid()
    assert "voice" in form.errors


def test_a_resident_answers_the_commune_with_a_voice_note(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, first = _voice_case(personas, commune_a)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    resident = _client(personas.resident)
    page = resident.get(f"/cases/{ticket.number}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="reply-voice"' in page
    assert "Hoặc nói bằng ghi âm" in page  # Vietnamese first

    sent = resident.post(
        f"/cases/{ticket.number}/reply/", {"reply-body": "", "reply-voice": _voice()}
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    answer = ticket.attachments.filter(role=Attachment.Role.VOICE).exclude(pk=first.pk).get()
    assert answer.event is not None
    assert answer.event.kind == "reply"
    assert answer.event.actor == personas.resident
    # The officer in scope hears it; another resident does not.
    assert _client(personas.officer_a).get(f"/voice/{answer.pk}/").status_code == 200
    stranger = factories.user_create()
    assert _client(stranger).get(f"/voice/{answer.pk}/").status_code == 404
    assert _client(personas.officer_b).get(f"/voice/{answer.pk}/").status_code == 404


def test_a_residents_empty_reply_asks_for_words_or_a_voice_note(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, _note = _voice_case(personas, commune_a)
    events = ticket.events.count()
    response = _client(personas.resident).post(
        f"/cases/{ticket.number}/reply/",
        {"reply-body": "  "},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    assert "Write a message or record a voice note." in response.content.decode()
    assert ticket.events.count() == events


def test_a_residents_bad_recording_is_refused_and_nothing_is_kept(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket, _note = _voice_case(personas, commune_a)
    events = ticket.events.count()
    voices = ticket.attachments.filter(role=Attachment.Role.VOICE).count()
    response = _client(personas.resident).post(
        f"/cases/{ticket.number}/reply/", {"reply-body": "", "reply-voice": _voice(b"junk" * 99)}
    )
    assert response.status_code == 422
    assert escape(str(AudioRejected.default_message)) in response.content.decode()
    assert ticket.events.count() == events
    assert ticket.attachments.filter(role=Attachment.Role.VOICE).count() == voices
