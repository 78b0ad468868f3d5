# The help articles moved here from helpdesk (issue 10). The table, its rows,
# ids and indexes are kept: this migration only takes the model over in
# Django's state and renames what PostgreSQL holds under helpdesk_article
# (table, identity sequence, indexes and the constraints behind them). The
# content type moves too, so permissions given on help articles and admin
# history stay attached. helpdesk 0013_article_moved_to_knowledge then drops
# the model from helpdesk's state, without touching the database.

import django.contrib.postgres.indexes
import django.utils.timezone
from django.db import migrations, models

from core.model_moves import content_type_move, table_rename_sql

OLD, NEW = "helpdesk", "knowledge"


def content_type_forward(apps, schema_editor) -> None:
    content_type_move(apps, schema_editor, model="article", old=OLD, new=NEW)


def content_type_backward(apps, schema_editor) -> None:
    content_type_move(apps, schema_editor, model="article", old=NEW, new=OLD)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # Where helpdesk_article was created (and seeded).
        ("helpdesk", "0003_article"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Article",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("topic_code", models.CharField(db_index=True, max_length=64, verbose_name="help topic")),
                        ("slug", models.SlugField(max_length=120, unique=True, verbose_name="slug")),
                        ("title_vi", models.CharField(max_length=200, verbose_name="title (Vietnamese)")),
                        ("title_en", models.CharField(blank=True, max_length=200, verbose_name="title (English)")),
                        ("body_vi", models.TextField(help_text="Plain text; a blank line starts a new paragraph.", verbose_name="text (Vietnamese)")),
                        ("body_en", models.TextField(blank=True, verbose_name="text (English)")),
                        ("is_published", models.BooleanField(default=False, verbose_name="published")),
                        ("search_title", models.TextField(blank=True, editable=False, verbose_name="search title")),
                        ("search_text", models.TextField(blank=True, editable=False, verbose_name="search text")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                    ],
                    options={
                        "verbose_name": "help article",
                        "verbose_name_plural": "help articles",
                        "ordering": ("topic_code", "slug"),
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search_text"], name="knowledge_article_search_trgm", opclasses=["gin_trgm_ops"]
                            )
                        ],
                    },
                ),
            ],
            database_operations=[
                # Lists: each DO block runs whole, not split at its semicolons.
                migrations.RunSQL(
                    [table_rename_sql(old=f"{OLD}_article", new=f"{NEW}_article")],
                    [table_rename_sql(old=f"{NEW}_article", new=f"{OLD}_article")],
                ),
            ],
        ),
        migrations.RunPython(content_type_forward, content_type_backward),
    ]
