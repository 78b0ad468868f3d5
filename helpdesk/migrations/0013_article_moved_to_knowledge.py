# Help articles moved to the knowledge app (issue 10): knowledge 0001_initial
# took the table over with its rows; this only forgets the model here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0012_public_copies_of_approved_photos"),
        ("knowledge", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Article")],
            database_operations=[],
        ),
    ]
