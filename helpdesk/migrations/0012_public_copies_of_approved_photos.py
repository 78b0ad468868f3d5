"""Give photos approved before public copies existed their copies.

Until 0011 the public map linked the private files themselves; from now on
only copies under public/ are served to anyone (helpdesk/photo_publishing.py).
A photo whose file is missing keeps its approval but has no copy, so the
public map leaves it out rather than showing a broken image.
"""

import uuid

from django.core.files.storage import default_storage
from django.db import migrations


def copy_approved(apps, schema_editor):
    Attachment = apps.get_model("helpdesk", "Attachment")
    approved = Attachment.objects.filter(public_approved_at__isnull=False, public_thumbnail="")
    for attachment in approved.iterator():
        names = {}
        for source, field in (
            (attachment.display, "public_display"),
            (attachment.thumbnail, "public_thumbnail"),
        ):
            if not default_storage.exists(source):
                break
            with default_storage.open(source, "rb") as data:
                names[field] = default_storage.save(f"public/{uuid.uuid4().hex}.jpg", data)
        else:
            Attachment.objects.filter(pk=attachment.pk).update(**names)
            continue
        for name in names.values():
            default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0011_attachment_public_copies"),
    ]

    operations = [migrations.RunPython(copy_approved, migrations.RunPython.noop)]
