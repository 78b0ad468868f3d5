from django.db import migrations

# PostgreSQL assumes columns are independent: "assignee X and department Y" is
# estimated at 1/40 of the real row count (an assignee works in one department),
# so the planner sorts all of the assignee's cases instead of reading 25 in order
# from ticket_assignee_due (36 ms vs 0.1 ms at 1M cases, bench/queue_scale.py).
# A department lies in one commune and a commune in one province: the same.
# Django has no operation for extended statistics, hence SQL.
class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0018_queue_order_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE STATISTICS ticket_unit_dependencies (dependencies)"
            " ON assignee_id, department_id, commune_id, province_id FROM helpdesk_ticket;"
            " ANALYZE helpdesk_ticket;",
            "DROP STATISTICS ticket_unit_dependencies;",
        ),
    ]
