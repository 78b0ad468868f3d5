"""Voice notes (issue 16): real recordings from FFmpeg's encoders are converted
to Opus in Ogg with no metadata; anything else is refused with a stable 4xx code."""

from __future__ import annotations

import io
from pathlib import Path

import av
import pytest
from django.core.files.storage import FileSystemStorage
from pytest_django import Settings

from core.errors import DomainError
from geo.models import AdminUnit
from helpdesk.attachments import attachment_approve_public
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.filing_errors import DescriptionRequired
from helpdesk.models import Attachment, Ticket
from helpdesk.voice import voice_process
from tests.conftest import Personas
from tests.factories import VOICE_FORMATS, jpeg, point_inside, voice_note

TITLE = "Nguyễn Văn An, thôn Đồng Khuôn"


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path)


def _read_back(storage: FileSystemStorage, name: str) -> av.container.InputContainer:
    return av.open(io.BytesIO(storage.open(name).read()), mode="r")


def _refused(data: bytes, storage: FileSystemStorage) -> DomainError:
    with pytest.raises(DomainError) as caught:
        voice_process(data=data, storage=storage)
    assert 400 <= caught.value.http_status < 500
    # Nothing is written for a refused recording.
    assert not list(Path(storage.location).rglob("*.ogg"))
    return caught.value


@pytest.mark.parametrize("kind", sorted(VOICE_FORMATS))
def test_every_phone_format_becomes_mono_opus_in_ogg_without_metadata(
    kind: str, storage: FileSystemStorage
) -> None:
    original = voice_note(seconds=3.0, kind=kind, title=TITLE)
    # The input really carries the tag the output must not.
    with av.open(io.BytesIO(original)) as source:
        tags = {**source.metadata, **source.streams.audio[0].metadata}
        assert TITLE in tags.values()

    voice = voice_process(data=original, storage=storage)

    assert voice.name.startswith("voice/")
    assert voice.name.endswith(".ogg")
    assert 2_900 <= voice.duration_ms <= 3_100
    stored = storage.open(voice.name).read()
    assert TITLE.encode() not in stored
    assert b"Lavf" not in stored
    with _read_back(storage, voice.name) as out:
        assert out.format.name == "ogg"
        assert len(out.streams) == 1
        stream = out.streams.audio[0]
        assert stream.codec_context.name == "opus"
        assert stream.codec_context.channels == 1
        assert dict(out.metadata) == {}
        assert dict(stream.metadata) == {}
        decoded = sum(frame.samples for frame in out.decode(stream))
        assert abs(decoded / stream.codec_context.sample_rate - 3.0) < 0.1
    # Compact: about 24 kbit/s plus the Ogg pages.
    assert len(stored) < 3 * 30_000 / 8


@pytest.mark.parametrize("kind", ["webm", "mp4", "m4a", "mp3"])
def test_a_recording_cut_short_is_refused(kind: str, storage: FileSystemStorage) -> None:
    whole = voice_note(seconds=4.0, kind=kind)
    error = _refused(whole[: len(whole) // 2], storage)
    assert error.code == "audio_invalid"
    assert error.http_status == 422


@pytest.mark.parametrize(
    "data",
    [
        b"not a recording at all" * 100,
        b"OggS" + bytes(range(256)) * 20,
        b"\x1a\x45\xdf\xa3" + b"\x00" * 4000,
        b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\xff" * 2000,
    ],
)
def test_garbage_is_refused(data: bytes, storage: FileSystemStorage) -> None:
    assert _refused(data, storage).code == "audio_invalid"


def test_a_picture_is_not_a_recording(storage: FileSystemStorage) -> None:
    assert _refused(jpeg(), storage).code == "audio_invalid"


def test_over_two_minutes_is_refused(storage: FileSystemStorage) -> None:
    error = _refused(voice_note(seconds=130, kind="ogg", rate=16_000), storage)
    assert error.code == "audio_too_long"
    assert error.details["max_seconds"] == 120


def test_the_decoded_length_counts_when_the_header_says_less(
    settings: Settings, storage: FileSystemStorage
) -> None:
    # A header within the limit does not let a longer recording through.
    settings.VOICE_MAX_SECONDS = 2
    assert _refused(voice_note(seconds=2.9, kind="wav"), storage).code == "audio_too_long"


def test_over_the_size_cap_is_refused_with_413(
    settings: Settings, storage: FileSystemStorage
) -> None:
    settings.VOICE_MAX_BYTES = 100_000
    error = _refused(voice_note(seconds=3, kind="wav"), storage)
    assert error.code == "audio_too_large"
    assert error.http_status == 413


def test_a_click_is_too_short(storage: FileSystemStorage) -> None:
    assert _refused(voice_note(seconds=0.1, kind="wav"), storage).code == "audio_too_short"


# --- Filing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_voice_note_stands_in_for_the_description(
    personas: Personas, commune_a: AdminUnit, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lat, lon = point_inside(commune_a)
    # water_supply requires a description: words or a voice.
    draft = CaseDraft(service_code="water_supply", lat=lat, lon=lon)
    with pytest.raises(DescriptionRequired):
        case_submit(reporter=personas.resident, draft=draft)

    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="water_supply", lat=lat, lon=lon, voice=voice_note()),
    ).ticket

    assert ticket.description == ""
    (note,) = Attachment.objects.filter(ticket=ticket)
    assert note.role == Attachment.Role.VOICE
    assert note.event is None
    assert note.duration_ms is not None
    assert 2_900 <= note.duration_ms <= 3_100
    assert (tmp_path / note.display).is_file()


@pytest.mark.django_db
def test_a_refused_voice_note_files_nothing(
    personas: Personas, commune_a: AdminUnit, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(
        service_code="road_damage", lat=lat, lon=lon, photos=(jpeg(),), voice=b"garbage" * 50
    )
    with pytest.raises(DomainError) as caught:
        case_submit(reporter=personas.resident, draft=draft)
    assert caught.value.code == "audio_invalid"
    assert not Ticket.objects.filter(reporter=personas.resident).exists()
    # The photo processed before the voice was refused is deleted again.
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_voice_note_is_never_made_public(
    personas: Personas, commune_a: AdminUnit, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon, voice=voice_note()),
    ).ticket
    note = ticket.attachments.get()
    with pytest.raises(DomainError) as caught:
        attachment_approve_public(attachment=note, by=personas.officer_a)
    assert caught.value.code == "voice_never_public"
    note.refresh_from_db()
    assert note.public_approved_at is None
    assert note.public_display == ""
