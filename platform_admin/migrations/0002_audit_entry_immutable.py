"""Make the audit log append-only in the database itself: UPDATE and DELETE raise an error.

TRUNCATE is left alone so test databases can still be flushed.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION platform_admin_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % on platform_admin_auditentry is refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER platform_admin_auditentry_append_only
    BEFORE UPDATE OR DELETE ON platform_admin_auditentry
    FOR EACH ROW EXECUTE FUNCTION platform_admin_auditentry_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS platform_admin_auditentry_append_only ON platform_admin_auditentry;
DROP FUNCTION IF EXISTS platform_admin_auditentry_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("platform_admin", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
