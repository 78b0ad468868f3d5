"""The one table of core: when each periodic job last ran and is next due."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodicJob(models.Model):
    """A job of `manage.py run_scheduler` (core/scheduler.py).

    The row says when the job is next due, so a second scheduler that gets the
    job's lock a moment after the first finished sees it done and skips it.
    """

    name = models.CharField(_("name"), max_length=60, primary_key=True)
    # A new job is due at once, as the old hourly loop of scripts/serve.sh ran
    # its commands when the app started.
    next_due_at = models.DateTimeField(_("next due at"), default=timezone.now)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_summary = models.CharField(_("last outcome"), max_length=300, blank=True)
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
