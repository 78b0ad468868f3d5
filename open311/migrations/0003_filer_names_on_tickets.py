"""Copy the names people gave Open311 applications onto their cases.

Until helpdesk 0031 only Open311's own answers hid these names; the public
case page, the nearby list and a follower's inbox read them from the case
(Ticket.filer_names), which cases filed before then lack.
"""

from django.db import migrations


def _names(first: str, last: str) -> list[str]:
    # As open311.models.names_given at the time of writing (a migration keeps
    # its own copy: the model's code may change later).
    first, last = first.strip(), last.strip()
    if not (first and last):
        return [first or last] if " " in (first or last) else []
    return [f"{first} {last}", f"{last} {first}"]


def copy_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    ClientFiling = apps.get_model("open311", "ClientFiling")
    Ticket = apps.get_model("helpdesk", "Ticket")
    filings = ClientFiling.objects.exclude(first_name="", last_name="").values_list(
        "ticket_id", "first_name", "last_name"
    )
    for ticket_id, first, last in filings.iterator():
        names = _names(first, last)
        if names:
            Ticket.objects.filter(pk=ticket_id).update(filer_names=names)


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0002_keys_per_application"),
        ("helpdesk", "0031_ticket_filer_names"),
    ]

    operations = [migrations.RunPython(copy_names, migrations.RunPython.noop)]
