"""The days the commune offices are closed, or open on a weekend.

Monday to Friday are working days by default; a row here changes one date,
either nationwide or for one province. The government announces each year's
schedule (Tết, National Day) months ahead and sometimes swaps a weekday off
for a Saturday worked, hence the two kinds.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from geo.models import AdminUnit


class Holiday(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Day off")
        WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    province = models.ForeignKey(
        AdminUnit,
        verbose_name=_("province"),
        # A province keeps its calendar history; retire the unit, never delete it.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holidays",
        limit_choices_to={"level": AdminUnit.Level.PROVINCE},
        help_text=_("Leave empty for a nationwide day."),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ("date", "province_id")
        constraints = [
            # NULLS NOT DISTINCT (PostgreSQL 15+): without it two nationwide
            # rows for one date would both pass, as NULL never equals NULL.
            models.UniqueConstraint(
                fields=["date", "province"],
                name="helpdesk_holiday_one_per_date_and_scope",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    def clean(self) -> None:
        # A make-up day on a weekday would change nothing and hides a typo.
        if self.kind == self.Kind.WORKING_DAY and self.date is not None and self.date.weekday() < 5:
            raise ValidationError(
                {"date": _("A make-up working day must fall on a Saturday or Sunday.")}
            )
