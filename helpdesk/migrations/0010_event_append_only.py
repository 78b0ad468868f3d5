"""The case timeline is append-only in the database itself.

Every writer goes through helpdesk/events.py, which only INSERTs; nothing in the
code updates or deletes an event (Attachment.event is SET_NULL, but that writes
the attachment row, not the event). So a trigger refuses any DELETE, and any
UPDATE that changes a value, whoever sends it: the admin, a shell, a cascade
from a deleted ticket. A no-op UPDATE is let through so that it does not fail
for nothing. TRUNCATE (what the test runner uses to empty tables) fires no row
trigger and stays possible for whoever owns the table.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION helpdesk_ticketevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'helpdesk_ticketevent is append-only: event % cannot be deleted', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'helpdesk_ticketevent is append-only: event % cannot be changed', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER helpdesk_ticketevent_append_only
    BEFORE UPDATE OR DELETE ON helpdesk_ticketevent
    FOR EACH ROW EXECUTE FUNCTION helpdesk_ticketevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS helpdesk_ticketevent_append_only ON helpdesk_ticketevent;
DROP FUNCTION IF EXISTS helpdesk_ticketevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0009_public_id_public_location"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
