"""A retried reply is posted once: the same Idempotency-Key gives the first message back.

A phone on weak signal that sends its reply again, a "Send" pressed twice, a
client told 503 save_unconfirmed and sending again: each must not put the
words (and their photos) on the case twice, nor count or tell them twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from core.rate_limits import rate_limit_key
from geo.models import AdminUnit
from helpdesk import filing_errors, lifecycle
from helpdesk.errors import ReplyRateLimited
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, IdempotencyRecord, Ticket, TicketEvent
from tests import factories
from tests.conftest import Personas
from tests.factories import jpeg, point_inside
from tests.races import race_while_held

API = "/api/v1/helpdesk"


@pytest.fixture
def ticket(personas: Personas, commune_a: AdminUnit) -> Ticket:
    return factories.case_file(reporter=personas.resident, commune=commune_a)


def _replies(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind=TicketEvent.Kind.REPLY).order_by("pk"))


def _counted(person: User, action: str) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        return int(client.get(rate_limit_key(action=action, subject=f"person:{person.pk}")) or 0)
    finally:
        client.close()


@pytest.mark.django_db
def test_a_retried_reply_with_a_photo_is_posted_counted_and_stored_once(
    personas: Personas, ticket: Ticket, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = jpeg(color="green")
    first, again = (
        lifecycle.ticket_reply(
            ticket=ticket,
            by=personas.officer_a,
            body="Chúng tôi sẽ đến xem",
            photos=[photo],
            idempotency_key="reply-key-0001",
        )
        for _ in range(2)
    )
    assert again.pk == first.pk
    assert [e.pk for e in _replies(ticket)] == [first.pk]
    assert Attachment.objects.filter(event=first).count() == 1
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 2  # display + thumbnail
    assert _counted(personas.officer_a, "reply") == 1
    assert _counted(personas.officer_a, "photo") == 1


@pytest.mark.django_db
def test_a_retry_at_the_limit_still_gets_its_reply(
    personas: Personas, ticket: Ticket, settings: Settings
) -> None:
    settings.RATE_LIMITS = {"reply.person": (1, 3600)}
    first = lifecycle.ticket_reply(
        ticket=ticket, by=personas.resident, body="Đèn vẫn tắt", idempotency_key="limit-key-01"
    )
    again = lifecycle.ticket_reply(
        ticket=ticket, by=personas.resident, body="Đèn vẫn tắt", idempotency_key="limit-key-01"
    )
    assert again.pk == first.pk
    with pytest.raises(ReplyRateLimited):  # a new message is over the limit
        lifecycle.ticket_reply(
            ticket=ticket, by=personas.resident, body="Còn tối", idempotency_key="limit-key-02"
        )


@pytest.mark.django_db
def test_without_a_key_each_reply_is_its_own(personas: Personas, ticket: Ticket) -> None:
    for _ in range(2):
        lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body="Đèn vẫn tắt")
    assert len(_replies(ticket)) == 2


@pytest.mark.django_db
def test_the_same_key_with_other_words_or_on_another_case_is_a_conflict(
    personas: Personas, ticket: Ticket, commune_a: AdminUnit
) -> None:
    first = lifecycle.ticket_reply(
        ticket=ticket, by=personas.resident, body="Đèn vẫn tắt", idempotency_key="reply-key-0002"
    )
    other_case = factories.case_file(reporter=personas.resident, commune=commune_a)
    for target, body in ((ticket, "Đèn đã sáng"), (other_case, "Đèn vẫn tắt")):
        with pytest.raises(filing_errors.IdempotencyKeyReused) as caught:
            lifecycle.ticket_reply(
                ticket=target, by=personas.resident, body=body, idempotency_key="reply-key-0002"
            )
        assert caught.value.details["number"] == ticket.number
        assert ticket.number in str(caught.value.message)
    # A note is not the reply it shares its words with.
    answer = lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Đã nhận", idempotency_key="reply-key-0003"
    )
    with pytest.raises(filing_errors.IdempotencyKeyReused):
        lifecycle.ticket_reply(
            ticket=ticket,
            by=personas.officer_a,
            body="Đã nhận",
            internal=True,
            idempotency_key="reply-key-0003",
        )
    assert [e.pk for e in _replies(ticket)] == [first.pk, answer.pk]
    assert not ticket.events.filter(kind=TicketEvent.Kind.NOTE).exists()
    assert not other_case.events.filter(kind=TicketEvent.Kind.REPLY).exists()


@pytest.mark.django_db
def test_filings_and_replies_share_one_key_space(
    personas: Personas, ticket: Ticket, commune_a: AdminUnit
) -> None:
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.resident, body="Đèn vẫn tắt", idempotency_key="shared-key-01"
    )
    lat, lon = point_inside(commune_a)
    with pytest.raises(filing_errors.IdempotencyKeyReused):
        case_submit(
            reporter=personas.resident,
            draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
            idempotency_key="shared-key-01",
        )
    filed = case_submit(
        reporter=personas.resident,
        draft=CaseDraft(service_code="streetlight_out", lat=lat, lon=lon),
        idempotency_key="shared-key-02",
    )
    with pytest.raises(filing_errors.IdempotencyKeyReused):
        lifecycle.ticket_reply(
            ticket=filed.ticket,
            by=personas.resident,
            body="Đèn vẫn tắt",
            idempotency_key="shared-key-02",
        )
    assert not _replies(filed.ticket)


@pytest.mark.usefixtures("committed_reference_data")
def test_two_identical_replies_racing_post_one(commune_a: AdminUnit) -> None:
    resident = factories.user_create()
    ticket = factories.case_file(reporter=resident, commune=commune_a)
    posted: list[int] = []

    def reply() -> None:
        event = lifecycle.ticket_reply(
            ticket=ticket, by=resident, body="Vẫn chưa sửa", idempotency_key="race-reply-01"
        )
        posted.append(event.pk)

    # The case's row is held, so the second meets its twin's key at the
    # insert, not at the replay check at the start.
    table = connection.ops.quote_name(Ticket._meta.db_table)
    race_while_held(
        reply,
        hold=f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE",  # noqa: S608 - a model's own table
        params=[ticket.pk],
    )
    assert len(posted) == 2
    assert posted[0] == posted[1]
    assert [e.pk for e in _replies(ticket)] == posted[:1]
    # The twin that lost is a replay: it gives its count back.
    assert _counted(resident, "reply") == 1


@pytest.mark.django_db
def test_the_api_gives_the_first_message_back_and_documents_the_header(
    personas: Personas, ticket: Ticket
) -> None:
    officer = factories.token_client(personas.officer_a)
    url = f"{API}/cases/{ticket.number}/reply"
    key = {"Idempotency-Key": "app-reply-0001"}
    first = officer.post(url, {"body": "Đã nhận"}, headers=key)
    again = officer.post(url, {"body": "Đã nhận"}, headers=key)
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert again.json() == first.json()
    assert len(_replies(ticket)) == 1

    clash = officer.post(url, {"body": "Nội dung khác"}, headers=key)
    assert clash.status_code == 409
    assert clash.json()["code"] == "idempotency_key_reused"
    assert ticket.number in clash.json()["message"]
    # Refused as the schema says: 8 to 128 ASCII letters, digits, "-" or "_".
    for bad_key in ("short", "ÀÀÀÀÀÀÀÀÀÀ", "key with spaces", "k" * 129):
        bad = officer.post(url, {"body": "Đã nhận"}, headers={"Idempotency-Key": bad_key})
        assert bad.status_code == 422, bad_key
        assert bad.json()["code"] == "invalid_idempotency_key"
    assert len(_replies(ticket)) == 1

    schema = Client().get("/api/v1/openapi.json").json()
    for path in (
        f"{API}/cases/{{number}}/reply",
        f"{API}/cases/{{number}}/note",
        "/api/v1/reports/cases",
    ):
        (header,) = [
            p for p in schema["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"
        ]
        assert (header["in"], header["schema"]["pattern"]) == ("header", "^[A-Za-z0-9_-]{8,128}$")


def _key_in(page: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-idempotency_key" value="([0-9a-f]{{32}})"', page)
    assert match is not None, f"no {prefix} key in the page"
    return match.group(1)


@pytest.mark.django_db
def test_the_residents_reply_form_sent_twice_posts_once(personas: Personas, ticket: Ticket) -> None:
    client = Client()
    client.force_login(personas.resident)
    url = f"/cases/{ticket.number}/"
    key = _key_in(client.get(url).content.decode(), "reply")
    assert _key_in(client.get(url).content.decode(), "reply") != key  # one per form shown
    for _ in range(2):
        sent = client.post(
            f"{url}reply/", {"reply-body": "Đèn vẫn tắt", "reply-idempotency_key": key}
        )
        assert sent.status_code == 302
    assert [e.body for e in _replies(ticket)] == ["Đèn vẫn tắt"]

    # The page restored with that key (Back), other words typed: refused once,
    # and the form comes back with a fresh key, so the next press sends them.
    clash = client.post(f"{url}reply/", {"reply-body": "Vẫn tối", "reply-idempotency_key": key})
    assert clash.status_code == 409
    fresh = _key_in(clash.content.decode(), "reply")
    assert fresh != key
    assert "Vẫn tối" in clash.content.decode()  # what was typed stays
    sent = client.post(f"{url}reply/", {"reply-body": "Vẫn tối", "reply-idempotency_key": fresh})
    assert sent.status_code == 302
    assert [e.body for e in _replies(ticket)] == ["Đèn vẫn tắt", "Vẫn tối"]


@pytest.mark.django_db
def test_the_consoles_reply_and_note_forms_sent_twice_post_once(
    personas: Personas, ticket: Ticket
) -> None:
    client = Client()
    client.force_login(personas.officer_a)
    page = client.get(f"/console/cases/{ticket.number}/").content.decode()
    for action in ("reply", "note"):
        key = _key_in(page, action)
        for _ in range(2):
            sent = client.post(
                f"/console/cases/{ticket.number}/{action}/",
                {f"{action}-body": f"Lần {action}", f"{action}-idempotency_key": key},
            )
            assert sent.status_code == 302, sent.content[:300]
    kinds = list(
        ticket.events.filter(kind__in=[TicketEvent.Kind.REPLY, TicketEvent.Kind.NOTE])
        .order_by("pk")
        .values_list("kind", "body")
    )
    assert kinds == [(TicketEvent.Kind.REPLY, "Lần reply"), (TicketEvent.Kind.NOTE, "Lần note")]
    assert IdempotencyRecord.objects.filter(user=personas.officer_a).count() == 2

    # A sent key with other words: refused once; the form comes back with a
    # fresh key and the words, and the next press posts them.
    clash = client.post(
        f"/console/cases/{ticket.number}/reply/",
        {"reply-body": "Lời khác", "reply-idempotency_key": _key_in(page, "reply")},
    )
    assert clash.status_code == 409
    fresh = _key_in(clash.content.decode(), "reply")
    assert fresh != _key_in(page, "reply")
    assert "Lời khác" in clash.content.decode()
    sent = client.post(
        f"/console/cases/{ticket.number}/reply/",
        {"reply-body": "Lời khác", "reply-idempotency_key": fresh},
    )
    assert sent.status_code == 302
    assert len(_replies(ticket)) == 2
