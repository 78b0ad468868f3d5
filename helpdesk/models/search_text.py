"""The accounts whose cases' search text waits to be written again (helpdesk/search_text.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchTextRefresh(models.Model):
    """An account renamed since its cases' search text was last written.

    The rename inserts or updates the row (one statement, in the admin's
    transaction); the scheduler's ``search_text_fill`` rewrites the cases in
    batches that commit on their own and deletes the row when it has written
    them all for the latest rename. A row that outlives a crash is worked off
    by the next run.
    """

    reporter = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    # The latest rename: how long search has been finding the old name.
    asked_at = models.DateTimeField(_("asked at"))
    # Renames since the row was made. The job moves its progress on, and
    # deletes the row, only while this and ``asked_at`` are the ones it read:
    # a rename during a run starts the account's cases over instead of being
    # lost, even one that made the row anew after another run deleted it.
    asks = models.PositiveIntegerField(default=1)
    # The cases of the account up to this id are written for the latest
    # rename: a run stopped midway goes on from here.
    done_through = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("pending search text refresh")
        verbose_name_plural = _("pending search text refreshes")

    def __str__(self) -> str:
        return f"{self.reporter_id} renamed at {self.asked_at:%Y-%m-%d %H:%M}"
