"""Open311's idempotency keys name their client application (open311/filing.py
``_idempotency_key``): several applications may file under one operator's
account, and must not get each other's cases back.

The keys already stored are rewritten in the new form, so a request sent
before the upgrade and retried after it still finds its first case. A key
made from a device and the content is told from a client's own header key by
making it again from the client record's device id and the stored content
hash (what ``content_hash`` gave for the filing). Going back does nothing: a
header key cannot be had back from its hash, so a retry across a downgrade
files anew.
"""

import hashlib

from django.db import migrations

BATCH = 2000


def _key(seed: str) -> str:
    return "o311-" + hashlib.sha256(seed.encode()).hexdigest()


def keys_per_application(apps, schema_editor):
    ClientFiling = apps.get_model("open311", "ClientFiling")
    IdempotencyRecord = apps.get_model("helpdesk", "IdempotencyRecord")
    filings = {
        ticket_id: (client_id, account_id, device_id)
        for ticket_id, client_id, account_id, device_id in ClientFiling.objects.values_list(
            "ticket_id", "client_id", "client__account_id", "device_id"
        ).iterator(chunk_size=BATCH)
    }
    if not filings:
        return
    # Only the filings' own records: a reply's (event set) is not Open311's.
    records = IdempotencyRecord.objects.filter(
        ticket_id__in=ClientFiling.objects.values("ticket_id"), event__isnull=True
    ).only("pk", "user_id", "key", "request_hash", "ticket_id")
    changed = []
    for record in records.iterator(chunk_size=BATCH):
        client_id, account_id, device_id = filings[record.ticket_id]
        if record.user_id != account_id:
            continue
        if device_id and record.key == _key(f"{device_id}\n{record.request_hash}"):
            record.key = _key(f"{client_id}\ndevice\n{device_id}\n{record.request_hash}")
        else:
            record.key = _key(f"{client_id}\nheader\n{record.key}")
        changed.append(record)
        if len(changed) >= BATCH:
            IdempotencyRecord.objects.bulk_update(changed, ["key"])
            changed = []
    IdempotencyRecord.objects.bulk_update(changed, ["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0001_initial"),
        ("helpdesk", "0030_idempotency_event_index"),
    ]

    operations = [
        migrations.RunPython(keys_per_application, migrations.RunPython.noop),
    ]
