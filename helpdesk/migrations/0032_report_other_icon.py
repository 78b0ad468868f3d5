""""Other problem" (report_other) gets its own icon: it shared the megaphone with
"Public-order concern", two tiles alike for people who go by the picture."""

from django.db import migrations, models


def icon_set(apps, old, new):
    # Only where it is still one of those two: any other choice stays.
    service = apps.get_model("helpdesk", "Service")
    service.objects.filter(code="report_other", icon__in=old).update(icon=new)


def forwards(apps, schema_editor):
    # "megaphone": an install seeded before. "question": a new database, where
    # 0005 seeds today's catalogue ("speech-alert") and 0016, which does not
    # know that name, turns it into the question mark. An administrator who
    # chose the question mark for this service on purpose gets the new icon
    # too: the two cannot be told apart here, and the new one says more.
    icon_set(apps, ("megaphone", "question"), "speech-alert")


def backwards(apps, schema_editor):
    icon_set(apps, ("speech-alert",), "megaphone")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0031_ticket_filer_names")]

    operations = [
        migrations.AlterField(
            model_name="service",
            name="icon",
            field=models.CharField(
                choices=[
                    ("road", "Road works"),
                    ("trash", "Rubbish bin"),
                    ("streetlight", "Light bulb"),
                    ("tree", "Tree"),
                    ("flood", "Water waves"),
                    ("water", "Water drop"),
                    ("dumping", "Forbidden sign"),
                    ("megaphone", "Megaphone"),
                    ("id-card", "Identity card"),
                    ("computer", "Computer"),
                    ("baby", "Baby"),
                    ("payment", "Bank card"),
                    ("warning", "Warning sign"),
                    ("question", "Question mark"),
                    ("speech-alert", "Speech bubble with exclamation mark"),
                ],
                default="question",
                max_length=40,
                verbose_name="icon",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
