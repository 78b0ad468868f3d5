"""Photos are private until approved, and public only as copies (issue 18, finding 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client
from pytest_django import Settings

from accounts.auth import api_token_create
from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.attachments import attachment_approve_public
from helpdesk.models import Attachment, Ticket
from helpdesk.support import case_support_add
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_ACCEL_REDIRECT = ""
    return tmp_path


@pytest.fixture
def photo(personas: Personas, commune_a: AdminUnit) -> Attachment:
    ticket = factories.case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Ảnh", photos=(jpeg(),))
    return Attachment.objects.get(ticket=ticket)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _status(user: User | None, photo: Attachment, variant: str = "thumbnail") -> int:
    return _client(user).get(f"/photos/{photo.pk}/{variant}/").status_code


def _persona(personas: Personas, name: str) -> User | None:
    return None if name == "anonymous" else getattr(personas, name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anonymous", 404),
        ("resident", 200),  # the reporter
        ("digital_team", 404),  # another resident
        ("officer_a", 200),
        ("officer_b", 404),  # another commune: as if it did not exist
        ("leader_a", 200),
        ("province_admin", 200),
    ],
)
def test_an_unapproved_photo_is_served_only_to_the_reporter_and_staff_in_scope(
    photo: Attachment, personas: Personas, name: str, expected: int
) -> None:
    user = _persona(personas, name)
    assert _status(user, photo) == expected
    assert _status(user, photo, "display") == expected


def test_a_served_photo_is_the_file_and_no_shared_cache_keeps_it(
    photo: Attachment, personas: Personas, media: Path
) -> None:
    response = _client(personas.resident).get(f"/photos/{photo.pk}/display/")
    assert b"".join(response.streaming_content) == (media / photo.display).read_bytes()  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "private, max-age=3600"


def test_behind_nginx_the_app_checks_and_nginx_sends_the_file(
    photo: Attachment, personas: Personas, settings: Settings
) -> None:
    settings.MEDIA_ACCEL_REDIRECT = "/_media/"
    allowed = _client(personas.resident).get(f"/photos/{photo.pk}/thumbnail/")
    assert allowed.status_code == 200
    assert allowed["X-Accel-Redirect"] == f"/_media/{photo.thumbnail}"
    refused = _client(personas.digital_team).get(f"/photos/{photo.pk}/thumbnail/")
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


def test_unknown_photos_and_variants_answer_404(photo: Attachment, personas: Personas) -> None:
    client = _client(personas.officer_a)
    assert client.get(f"/photos/{photo.pk + 1000}/thumbnail/").status_code == 404
    assert client.get(f"/photos/{photo.pk}/original/").status_code == 404


def test_a_supporter_sees_a_photo_only_while_it_is_approved(
    photo: Attachment, personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    supporter = factories.user_create()
    case_support_add(ticket=photo.ticket, user=supporter)
    assert _status(supporter, photo) == 404
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    assert _status(supporter, photo) == 200
    attachment_approve_public(attachment=photo, by=personas.officer_a, approved=False)
    assert _status(supporter, photo) == 404


def test_public_copies_exist_only_while_approved_under_unrelated_names(
    photo: Attachment, personas: Personas, media: Path, django_capture_on_commit_callbacks: object
) -> None:
    assert not (media / "public").exists()
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    photo.refresh_from_db()
    display, thumbnail = media / photo.public_display, media / photo.public_thumbnail
    assert display.read_bytes() == (media / photo.display).read_bytes()
    assert thumbnail.read_bytes() == (media / photo.thumbnail).read_bytes()
    # Neither public name can be derived from the other or from the private ones.
    private_stem = Path(photo.display).stem
    assert private_stem not in photo.public_display
    assert private_stem not in photo.public_thumbnail
    assert display.stem not in thumbnail.stem
    assert thumbnail.stem not in display.stem
    # Approving again changes nothing.
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    assert sorted(p.name for p in (media / "public").iterdir()) == sorted(
        [display.name, thumbnail.name]
    )

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        attachment_approve_public(attachment=photo, by=personas.officer_a, approved=False)
    photo.refresh_from_db()
    assert (photo.public_display, photo.public_thumbnail) == ("", "")
    assert list((media / "public").iterdir()) == []
    assert (media / photo.display).exists()  # the private files stay


def test_a_withdrawal_that_rolls_back_keeps_the_copies(
    photo: Attachment, personas: Personas, media: Path, django_capture_on_commit_callbacks: object
) -> None:
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        attachment_approve_public(attachment=photo, by=personas.officer_a, approved=False)
    # Not committed (the callbacks were not run): the files are still there.
    assert len(list((media / "public").iterdir())) == 2
    assert len(callbacks) == 1


class FailingSecondSave(FileSystemStorage):
    """A disk that fills up after one file: the second copy cannot be written."""

    saves = 0

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        FailingSecondSave.saves += 1
        if FailingSecondSave.saves >= 2:
            raise OSError(28, "No space left on device")
        return super().save(name, content, max_length=max_length)


def test_an_approval_that_fails_part_way_leaves_no_public_file(
    photo: Attachment, personas: Personas, media: Path
) -> None:
    FailingSecondSave.saves = 0
    storage = FailingSecondSave(location=media)
    with pytest.raises(OSError, match="No space"):
        attachment_approve_public(attachment=photo, by=personas.officer_a, storage=storage)
    photo.refresh_from_db()
    assert photo.public_approved_at is None
    assert photo.public_thumbnail == ""
    assert list((media / "public").iterdir()) == []


def test_an_internal_note_photo_is_never_the_reporters(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket: Ticket = factories.case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="nội bộ", internal=True, photos=(jpeg(),)
    )
    note_photo = Attachment.objects.get(ticket=ticket)
    assert _status(personas.officer_a, note_photo) == 200
    assert _status(personas.resident, note_photo) == 404


def test_an_app_fetches_its_own_photo_with_its_bearer_key(
    photo: Attachment, personas: Personas
) -> None:
    own = Client(headers={"authorization": f"Bearer {api_token_create(user=personas.resident)}"})
    assert own.get(f"/photos/{photo.pk}/thumbnail/").status_code == 200
    other = Client(
        headers={"authorization": f"Bearer {api_token_create(user=personas.digital_team)}"}
    )
    assert other.get(f"/photos/{photo.pk}/thumbnail/").status_code == 404
    # A wrong key is nobody, even beside the reporter's session cookie.
    forged = _client(personas.resident)
    forged.defaults["HTTP_AUTHORIZATION"] = "Bearer xd_not-a-key"
    assert forged.get(f"/photos/{photo.pk}/thumbnail/").status_code == 404
