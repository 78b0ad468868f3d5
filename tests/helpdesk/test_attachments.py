"""After-photos on resolution and approving photos for the public map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import Settings

from core.errors import InvalidInput
from geo.models import AdminUnit
from helpdesk import errors, lifecycle
from helpdesk.attachments import attachment_approve_public
from helpdesk.filing import service_get_active
from helpdesk.models import Attachment, Ticket, TicketStatus
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg, point_inside, ticket_file


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def pothole(
    personas: Personas, commune_a: AdminUnit, tmp_path_factory: pytest.TempPathFactory
) -> Ticket:
    lat, lon = point_inside(commune_a)
    # The resident's report photo (road damage needs one) goes elsewhere: these
    # tests count the files that officers' photos leave behind.
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("filed")):
        ticket = ticket_file(
            reporter=personas.resident,
            service=service_get_active(code="road_damage"),  # needs an after-photo
            description="Ổ gà",
            lat=lat,
            lon=lon,
        ).ticket
    return lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_road_damage_cannot_be_resolved_without_a_photo_of_the_work(
    pothole: Ticket, personas: Personas
) -> None:
    with pytest.raises(errors.AfterPhotoRequired):
        lifecycle.ticket_resolve(ticket=pothole, by=personas.officer_a, note="Đã vá")
    pothole.refresh_from_db()
    assert pothole.status == TicketStatus.ACCEPTED


@pytest.mark.django_db
def test_after_photo_is_attached_to_the_resolution_event(
    pothole: Ticket, personas: Personas, media: Path
) -> None:
    ticket = lifecycle.ticket_resolve(
        ticket=pothole, by=personas.officer_a, note="Đã vá", photos=(jpeg(color="gray"),)
    )
    assert ticket.status == TicketStatus.RESOLVED
    photo = Attachment.objects.get(ticket=ticket, role=Attachment.Role.AFTER)
    assert photo.role == Attachment.Role.AFTER
    assert photo.event is not None
    assert photo.event.to_status == TicketStatus.RESOLVED
    assert len(_files(media)) == 2


@pytest.mark.django_db
def test_a_broken_after_photo_resolves_nothing_and_leaves_no_files(
    pothole: Ticket, personas: Personas, media: Path
) -> None:
    with pytest.raises(InvalidInput):
        lifecycle.ticket_resolve(
            ticket=pothole, by=personas.officer_a, note="Đã vá", photos=(jpeg(), b"GIF89a junk")
        )
    pothole.refresh_from_db()
    assert pothole.status == TicketStatus.ACCEPTED
    assert _files(media) == []


@pytest.mark.django_db
def test_out_of_scope_officer_gets_refused_before_photos_are_processed(
    pothole: Ticket, personas: Personas, media: Path
) -> None:
    with pytest.raises(errors.OutOfScope):
        lifecycle.ticket_resolve(ticket=pothole, by=personas.officer_b, note="x", photos=(jpeg(),))
    assert _files(media) == []


@pytest.mark.django_db
def test_only_staff_in_scope_approve_photos_for_the_public_map(
    pothole: Ticket, personas: Personas
) -> None:
    ticket = lifecycle.ticket_resolve(
        ticket=pothole, by=personas.officer_a, note="Đã vá", photos=(jpeg(),)
    )
    photo = Attachment.objects.get(ticket=ticket, role=Attachment.Role.AFTER)
    with pytest.raises(errors.OutOfScope):
        attachment_approve_public(attachment=photo, by=personas.officer_b)
    assert "/media/" not in Client().get("/api/v1/reports/public").content.decode()
    attachment_approve_public(attachment=photo, by=personas.officer_a)
    public = Client().get("/api/v1/reports/public").content.decode()
    assert photo.public_thumbnail in public
    assert photo.thumbnail not in public  # a copy: the private name is never published


@pytest.mark.django_db
def test_console_resolves_with_an_uploaded_after_photo(pothole: Ticket, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.officer_a)
    url = reverse("console:ticket-action", args=[pothole.number, "resolve"])
    photo = SimpleUploadedFile("after.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(url, {"resolve-note": "Đã vá xong", "resolve-photos": [photo]})
    assert response.status_code == 302
    pothole.refresh_from_db()
    assert pothole.status == TicketStatus.RESOLVED
    assert pothole.attachments.filter(role=Attachment.Role.AFTER).count() == 1


@pytest.mark.django_db
def test_api_resolves_with_photos_and_publishes_one_in_scope(
    pothole: Ticket, personas: Personas
) -> None:
    officer = Client()
    officer.force_login(personas.officer_a)
    api = f"/api/v1/helpdesk/cases/{pothole.number}"
    photo = SimpleUploadedFile("after.jpg", jpeg(), content_type="image/jpeg")
    assert officer.post(f"{api}/resolve", {"body": "Xong", "photos": [photo]}).status_code == 200
    after = Attachment.objects.get(ticket=pothole, role=Attachment.Role.AFTER)
    outsider = Client()
    outsider.force_login(personas.officer_b)
    refused = outsider.post(
        f"{api}/photos/{after.pk}/public", {"public": True}, content_type="application/json"
    )
    assert refused.status_code == 404
    done = officer.post(
        f"{api}/photos/{after.pk}/public", {"public": True}, content_type="application/json"
    )
    assert done.status_code == 204
    after.refresh_from_db()
    assert after.public_approved_at is not None
    assert after.approved_by == personas.officer_a


@pytest.mark.django_db
def test_console_shows_photos_and_toggles_them_on_the_public_map(
    pothole: Ticket, personas: Personas
) -> None:
    lifecycle.ticket_resolve(ticket=pothole, by=personas.officer_a, note="Xong", photos=(jpeg(),))
    photo = Attachment.objects.get(ticket=pothole, role=Attachment.Role.AFTER)
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.officer_a)
    page = client.get(reverse("console:ticket-detail", args=[pothole.number]))
    assert f"/photos/{photo.pk}/thumbnail/" in page.content.decode()
    url = reverse("console:photo-public", args=[pothole.number, photo.pk])
    assert client.post(url, {"public": "1"}).status_code == 302
    photo.refresh_from_db()
    assert photo.public_approved_at is not None
    outsider = Client()
    outsider.force_login(personas.officer_b)
    assert outsider.post(url, {"public": "0"}).status_code == 404
    photo.refresh_from_db()
    assert photo.public_approved_at is not None


@pytest.mark.django_db
def test_messages_carry_pictures_and_internal_ones_stay_internal(
    pothole: Ticket, personas: Personas
) -> None:
    resident = Client()
    resident.force_login(personas.resident)
    api = f"/api/v1/helpdesk/cases/{pothole.number}"
    screenshot = SimpleUploadedFile("sms.jpg", jpeg(color="white"), content_type="image/jpeg")
    sent = resident.post(f"{api}/reply", {"body": "Ảnh chụp chỗ hỏng", "photos": [screenshot]})
    assert sent.status_code == 201
    picture = Attachment.objects.get(ticket=pothole, role=Attachment.Role.MESSAGE)
    assert picture.event is not None
    assert picture.event.pk == sent.json()["id"]
    officer = Client(headers={"accept-language": "en"})
    officer.force_login(personas.officer_a)
    url = reverse("console:ticket-action", args=[pothole.number, "note"])
    note_photo = SimpleUploadedFile("n.jpg", jpeg(color="black"), content_type="image/jpeg")
    assert (
        officer.post(url, {"note-body": "Cần máy lu", "note-photos": [note_photo]}).status_code
        == 302
    )
    internal = Attachment.objects.get(ticket=pothole, event__is_public=False)
    # The resident does not see the officers' internal picture.
    from helpdesk.permissions import scope_for
    from helpdesk.selectors import ticket_photos

    visible = set(ticket_photos(scope=scope_for(user=personas.resident), ticket=pothole))
    assert picture in visible
    assert internal not in visible


@pytest.mark.django_db
def test_the_console_says_before_resolving_that_this_case_needs_a_photo(
    pothole: Ticket, personas: Personas, commune_a: AdminUnit
) -> None:
    """The hint said "some kinds of case need at least one": the officer
    learnt it was this one from the refusal (a phone walk)."""
    client = Client()
    client.force_login(personas.officer_a)
    page = client.get(reverse("console:ticket-detail", args=[pothole.number])).content.decode()
    form = page.split('class="stack action action-resolve"', 1)[1].split("</form>", 1)[0]
    assert "Loại hồ sơ này cần ít nhất một ảnh." in form
    assert re.search(r'<input type="file" name="resolve-photos"[^>]*\brequired\b', form)
    # A kind that needs none says nothing of photos being needed.
    other = factories.case_file(
        reporter=personas.resident, commune=commune_a, service_code="streetlight_out"
    )
    assert not other.service.after_photo_required
    lifecycle.ticket_accept(ticket=other, by=personas.officer_a)
    page = client.get(reverse("console:ticket-detail", args=[other.number])).content.decode()
    form = page.split('class="stack action action-resolve"', 1)[1].split("</form>", 1)[0]
    assert "cần ít nhất một ảnh" not in form
    assert not re.search(r'name="resolve-photos"[^>]*\brequired\b', form)


@pytest.mark.django_db
def test_photos_come_in_the_order_they_were_taken(pothole: Ticket, personas: Personas) -> None:
    """The "after" photo was listed before the problem it fixed (ordered by
    role name, a phone walk): the report's own photo comes first."""
    from helpdesk.permissions import scope_for
    from helpdesk.selectors import ticket_photos

    lifecycle.ticket_resolve(ticket=pothole, by=personas.officer_a, note="Đã vá", photos=(jpeg(),))
    for who in (personas.resident, personas.officer_a):
        shown = ticket_photos(scope=scope_for(user=who), ticket=pothole)
        assert [p.role for p in shown] == [Attachment.Role.REPORT, Attachment.Role.AFTER]
