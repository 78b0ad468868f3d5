"""Submitting reports and help requests: routed, never lost, never duplicated."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import IntegrityError, connection
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from core.errors import InvalidInput
from core.rate_limits import rate_limit_key
from geo.models import AdminUnit
from helpdesk import filing_errors
from helpdesk.errors import UnknownService
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.filing_errors import DescriptionRequired, LocationRequired
from helpdesk.models import Attachment, ProxyFiling, Ticket, TicketCounter
from helpdesk.numbering import province_prefix
from helpdesk.proxy_filing import ProxyDetails
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg, point_inside
from tests.races import race_while_held

LAOS = (19.88, 102.13)


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_report_with_photos_is_routed_and_photos_are_stored_clean(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    submission = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(
            service_code="road_damage",
            description="Ổ gà",
            lat=lat,
            lon=lon,
            location_source="gps",
            accuracy_m=12,
            photos=(jpeg(gps=(lat, lon)), jpeg(color="blue")),
        ),
        idempotency_key="phone-1234-abcd",
    )
    ticket = submission.ticket
    assert not submission.replayed
    assert ticket.commune == commune_a
    assert ticket.department is not None
    assert (ticket.location_source, ticket.location_accuracy_m) == ("gps", 12)
    photos = list(ticket.attachments.order_by("position"))
    assert [p.role for p in photos] == [Attachment.Role.REPORT] * 2
    assert photos[0].location is not None
    for photo in photos:
        for name in (photo.display, photo.thumbnail):
            data = (media / name).read_bytes()
            assert b"Exif" not in data
    assert len(stored_files(media)) == 4  # display + thumbnail each, originals not kept


@pytest.mark.django_db
def test_retry_with_same_key_and_content_returns_the_original_case(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(service_code="road_damage", lat=lat, lon=lon, photos=(jpeg(),))
    first = case_submit(reporter=personas.resident, draft=draft, idempotency_key="key-00000001")
    again = case_submit(reporter=personas.resident, draft=draft, idempotency_key="key-00000001")
    assert again.replayed
    assert again.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1
    assert len(stored_files(media)) == 2


@pytest.mark.django_db
def test_same_key_with_different_content_is_a_conflict_and_saves_nothing(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
        idempotency_key="key-00000002",
    )
    with pytest.raises(filing_errors.IdempotencyKeyReused) as caught:
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon, description="x"),
            idempotency_key="key-00000002",
        )
    assert caught.value.code == "idempotency_key_reused"
    original = Ticket.objects.get()
    assert caught.value.details["number"] == original.number
    assert original.number in str(caught.value.message)


@pytest.mark.django_db
def test_keys_are_per_person(personas: Personas, commune_a: AdminUnit) -> None:
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon)
    case_submit(reporter=personas.resident, draft=draft, idempotency_key="shared-key-1")
    other = case_submit(reporter=personas.officer_a, draft=draft, idempotency_key="shared-key-1")
    assert not other.replayed
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_bad_third_photo_leaves_no_case_no_rows_no_files(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    with pytest.raises(InvalidInput) as caught:
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(
                service_code="road_damage",
                lat=lat,
                lon=lon,
                photos=(jpeg(), jpeg(), b"this is not a photo"),
            ),
        )
    assert caught.value.code == "photo_not_an_image"
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_database_failure_after_photos_removes_their_files(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    # A negative accuracy breaks the column's CHECK constraint inside the
    # transaction, after both photos were processed and written.
    with pytest.raises(IntegrityError):
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(
                service_code="road_damage",
                lat=lat,
                lon=lon,
                accuracy_m=-5,
                photos=(jpeg(), jpeg()),
            ),
        )
    assert stored_files(media) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (CaseDraft(service_code="streetlight_out", lat=200, lon=105.8), "invalid_coordinates"),
        (CaseDraft(service_code="streetlight_out", lat=LAOS[0], lon=LAOS[1]), "outside_coverage"),
        (CaseDraft(service_code="streetlight_out", lat=21.5), "location_required"),
        (CaseDraft(service_code="no_such_thing", lat=21.5, lon=105.8), "unknown_service"),
        (CaseDraft(service_code="vneid_account", commune_code="05443"), "description_required"),
        (CaseDraft(service_code="streetlight_out", commune_code="99999"), "unknown_commune"),
        (
            CaseDraft(service_code="road_damage", lat=21.5, lon=105.8, photos=(b"x",) * 6),
            "too_many_photos",
        ),
        (CaseDraft(service_code="road_damage", commune_code="05443"), "photo_required"),
        (
            CaseDraft(
                service_code="road_damage", commune_code="05443", photos=(jpeg(gps=(0.0, 0.0)),)
            ),
            None,
        ),
    ],
)
def test_bad_submissions_are_refused_with_a_stable_code_and_nothing_saved(
    personas: Personas, media: Path, draft: CaseDraft, code: str | None
) -> None:
    if code is None:
        # EXIF GPS of (0, 0) is garbage, not a place: the chosen commune is used.
        ticket = case_submit(reporter=personas.resident, draft=draft).ticket
        assert ticket.location is None
        assert ticket.commune is not None
        return
    with pytest.raises((InvalidInput, UnknownService, LocationRequired, DescriptionRequired)) as e:
        case_submit(reporter=personas.resident, draft=draft)
    assert getattr(e.value, "code", None) == code
    assert not Ticket.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_photo_gps_locates_a_report_sent_without_a_pin(
    personas: Personas, commune_a: AdminUnit, media: Path
) -> None:
    lat, lon = point_inside(commune_a)
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="road_damage", photos=(jpeg(gps=(lat, lon)),)),
    ).ticket
    assert ticket.location_source == "exif"
    assert ticket.commune == commune_a


@pytest.mark.django_db
def test_point_in_laos_with_a_chosen_commune_goes_to_the_unrouted_queue(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(
            service_code="streetlight_out", lat=LAOS[0], lon=LAOS[1], commune_code="05443"
        ),
    ).ticket
    assert ticket.department is None
    assert ticket.commune == commune_a
    assert ticket.province == commune_a.parent


@pytest.mark.django_db
def test_team_member_files_on_behalf_of_a_resident_with_consent(
    personas: Personas, commune_b: AdminUnit
) -> None:
    ticket = case_submit(
        reporter=personas.digital_team,
        draft=CaseDraft(
            service_code="vneid_account",
            description="Bà không nhớ mật khẩu VNeID",
            commune_code=commune_b.code,
            proxy=ProxyDetails(
                resident_name="Bà Triệu Thị Sen",
                consent="spoken",
                resident_phone="0912 345 678",
                village="Xóm Đồng Khuôn",
            ),
        ),
    ).ticket
    proxy = ProxyFiling.objects.get(ticket=ticket)
    assert (proxy.filed_by, proxy.resident_phone) == (personas.digital_team, "+84912345678")
    assert ticket.reporter == personas.digital_team


@pytest.mark.django_db
def test_only_team_members_may_file_for_others(personas: Personas, commune_b: AdminUnit) -> None:
    with pytest.raises(filing_errors.NotADigitalTeamMember):
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(
                service_code="help_other",
                description="?",
                commune_code=commune_b.code,
                proxy=ProxyDetails(resident_name="Ông Lý", consent="spoken"),
            ),
        )
    assert not Ticket.objects.exists()


@pytest.mark.usefixtures("committed_reference_data")
def test_two_identical_retries_racing_make_one_case(
    commune_a: AdminUnit, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    resident = factories.user_create()
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(service_code="streetlight_out", lat=lat, lon=lon, description="Tối om")
    numbers: list[str] = []

    def submit() -> None:
        result = case_submit(reporter=resident, draft=draft, idempotency_key="race-key-01")
        numbers.append(result.ticket.number)

    # The row of the case numbers is held, so the loser really meets its
    # twin's key (the IntegrityError path), not the replay at the start.
    counter, _ = TicketCounter.objects.get_or_create(
        prefix=province_prefix(province=commune_a.parent), year=timezone.now().year
    )
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    race_while_held(
        submit,
        hold=f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608 - a model's own table
        params=[counter.pk],
    )
    assert len(numbers) == 2
    assert numbers[0] == numbers[1]
    assert Ticket.objects.count() == 1
    # The one that lost the race is a replay, and a replay uses no allowance.
    assert _filings_counted(resident) == 1


def _filings_counted(person: User) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        key = rate_limit_key(action="filing", subject=f"person:{person.pk}")
        return int(client.get(key) or 0)
    finally:
        client.close()


@pytest.mark.django_db
def test_a_landline_for_the_resident_filed_for_is_refused_naming_that_number(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A team member read the bare "not a Vietnamese mobile number" at the top of
    the form and did not know which number it meant (a helper on a phone)."""
    from django.utils import translation

    from accounts.phones import InvalidPhoneNumber
    from helpdesk.filing_errors import ResidentPhoneInvalid
    from tests.factories import case_filed_for_a_resident

    with translation.override("vi"), pytest.raises(ResidentPhoneInvalid) as refused:
        case_filed_for_a_resident(
            team_member=personas.digital_team, commune=commune_a, phone="0209 3855 123"
        )
    assert isinstance(refused.value, InvalidPhoneNumber)  # the same code for clients
    assert refused.value.code == "invalid_phone"
    with translation.override("vi"):
        assert str(refused.value.message).startswith("Số điện thoại của người dân")
    assert not Ticket.objects.exists()
