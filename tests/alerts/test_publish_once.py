"""An alert sent twice by its form is published, and sent to the area, once.

"Publish" pressed twice on a slow line, or the form sent again after its
answer was lost, would otherwise text every resident of a commune twice.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from alerts.services import publish_alert
from geo.models import AdminUnit
from helpdesk.filing_errors import IdempotencyKeyReused
from helpdesk.permissions import scope_for
from notifications.models import FanOut
from tests.alerts.helpers import draft
from tests.conftest import Personas
from tests.races import race_while_held


def _key_in(page: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert match is not None, "no key in the alert form"
    return match.group(1)


@pytest.mark.django_db
def test_the_alert_form_sent_twice_publishes_and_queues_once(
    personas: Personas, commune_a: AdminUnit
) -> None:
    client = Client()
    client.force_login(personas.officer_a)
    key = _key_in(client.get("/console/alerts/new/").content.decode())
    assert _key_in(client.get("/console/alerts/new/").content.decode()) != key
    expires = timezone.localtime(timezone.now() + timedelta(hours=12))
    form = {
        "category": "public_notice",
        "area": f"commune:{commune_a.pk}",
        "villages": "",
        "short_text": "Hop dan thon luc 19h toi nay",
        "long_text": "Họp dân thôn lúc 19 giờ tối nay tại nhà văn hoá.",
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
        "idempotency_key": key,
    }
    for _ in range(2):
        assert client.post("/console/alerts/new/", form).status_code == 302
    alert = Alert.objects.get()
    assert FanOut.objects.filter(dedupe_key=alert.dedupe_key).count() == 1

    # The same key with other words: refused, and the page says when it went out.
    changed = client.post("/console/alerts/new/", {**form, "short_text": "Hop dan luc 20h"})
    assert changed.status_code == 422
    assert "đã được đăng lúc" in changed.content.decode()
    assert Alert.objects.count() == 1
    # Shown again with a fresh key: the next press publishes the changed alert.
    fresh = _key_in(changed.content.decode())
    assert fresh != key
    again = {**form, "short_text": "Hop dan luc 20h", "idempotency_key": fresh}
    assert client.post("/console/alerts/new/", again).status_code == 302
    assert Alert.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_each_publish_is_its_own(personas: Personas, commune_a: AdminUnit) -> None:
    now = timezone.now()
    scope = scope_for(user=personas.officer_a)
    for _ in range(2):
        publish_alert(
            author=personas.officer_a, scope=scope, draft=draft(now=now, commune=commune_a)
        )
    assert Alert.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_area_is_a_conflict(
    personas: Personas, commune_a: AdminUnit
) -> None:
    now = timezone.now()
    admin = personas.province_admin
    scope = scope_for(user=admin)
    first = publish_alert(
        author=admin,
        scope=scope,
        draft=draft(now=now, commune=commune_a),
        idempotency_key="al-key-0001",
    )
    with pytest.raises(IdempotencyKeyReused) as caught:
        publish_alert(
            author=admin,
            scope=scope,
            draft=draft(now=now, province=commune_a.parent),
            idempotency_key="al-key-0001",
        )
    assert caught.value.details == {"alert": first.pk}
    assert Alert.objects.count() == 1


@pytest.mark.usefixtures("committed_reference_data")
def test_two_identical_publishes_racing_make_one_alert(
    personas: Personas, commune_a: AdminUnit
) -> None:
    now = timezone.now()
    officer = personas.officer_a
    sent = draft(now=now, commune=commune_a)
    published: list[int] = []

    def publish() -> None:
        alert = publish_alert(
            author=officer,
            scope=scope_for(user=officer),
            draft=sent,
            idempotency_key="race-alert-01",
        )
        published.append(alert.pk)

    # An uncommitted alert with the same key is held, so both publishes are
    # past their replay check and wait at their own insert; it is then rolled
    # back, one wins and the other meets the winner's key (the IntegrityError path).
    race_while_held(
        publish,
        hold=(
            "INSERT INTO alerts_alert (category, province_id, commune_id, villages,"
            " short_text, long_text, expires_at, author_id, published_at,"
            " submission_key, submission_hash)"
            " VALUES ('public_notice', %s, %s, '{}', 'x', 'x', now(), %s, now(),"
            " 'race-alert-01', 'x')"
        ),
        params=[commune_a.parent_id, commune_a.pk, officer.pk],
        release="ROLLBACK",
    )
    assert len(published) == 2
    assert published[0] == published[1]
    alert = Alert.objects.get()
    assert FanOut.objects.filter(dedupe_key=alert.dedupe_key).count() == 1
