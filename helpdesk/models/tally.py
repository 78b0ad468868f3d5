"""Running totals of cases per place, department, service and status, for the dashboard.

A province admin's dashboard summed 400,000 cases per view (0.8-1.5 s at
1,000,000 cases, bench/queue_scale.py); it now sums the few thousand rows of
this table that their scope reaches.

Kept by a trigger on helpdesk_ticket (migration 0022_ticket_tally), inside the
transaction of every write to a case, rather than by the scheduler or by the
lifecycle services in Python:
- exact at every commit, so the dashboard never disagrees with the queue;
- every writer is counted, including the ones no Python hook sees: bulk
  ``QuerySet.update()`` (the admin, data fixes), COPY from generate_cases,
  data migrations;
- a scheduler would recount a million cases per run, or track changes anyway.
The cost is one upsert per case write on a row shared by the cases of the same
place, department, service and status (held until that transaction commits).

No day column: per (day, commune, department, service, status) the generated
1,000,000 cases made 843,805 rows, no fewer than the cases; without the day,
29,363. The dashboard shows all-time figures; a period filter would add a month.
"""

from __future__ import annotations

from django.db import models

from geo.models import AdminUnit
from helpdesk.models.catalogue import Service
from helpdesk.models.departments import Department


class TicketTally(models.Model):
    """Totals of the cases at one (province, commune, department, service, status).

    Written only by the database trigger; read by console.selectors.
    """

    province = models.ForeignKey(
        AdminUnit, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    commune = models.ForeignKey(
        AdminUnit, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    department = models.ForeignKey(
        Department, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    status = models.CharField(max_length=20)
    total = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    # Resolved no later than due (the dashboard's on-time rate).
    on_time = models.IntegerField(default=0)
    # Sum of resolved_at - created_at over the resolved cases (average = handling / resolved).
    handling = models.DurationField(default=None, null=True)

    class Meta:
        constraints = [
            # NULLS NOT DISTINCT: unrouted cases (no department) share one row,
            # and the trigger's ON CONFLICT finds it.
            models.UniqueConstraint(
                fields=["province", "commune", "department", "service", "status"],
                name="ticket_tally_key",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.commune_id}/{self.department_id}/{self.service_id}/{self.status}: {self.total}"
        )
