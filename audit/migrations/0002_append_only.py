"""The audit trail is append-only in the database itself.

audit/services.py only INSERTs. Triggers refuse every UPDATE and DELETE of a
row (even one that changes nothing: an audit row is never saved twice), from
the ORM, raw SQL, the admin or a cascade, and any TRUNCATE of the table.

One switch lets a TRUNCATE through: the session setting
``xadesk.audit_truncate = on``. The test runner empties all tables between
transactional tests with a single TRUNCATE, and sets it for its own
connections (config/test_settings.py); the application never does. The
table's owner can still drop a trigger — a database cannot protect a table
from its owner — but then it is a deliberate, visible migration, not a bug.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION audit_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF current_setting('xadesk.audit_truncate', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_auditentry is append-only: it cannot be truncated'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only: entry % cannot be %', OLD.id,
        CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();

CREATE TRIGGER audit_auditentry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_auditentry_no_update_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
