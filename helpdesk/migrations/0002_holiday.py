# Creates the holiday calendar and seeds the nationwide days off for 2026 and
# 2027. The list is written out here, not imported, so this migration keeps
# doing the same thing when the app's code changes later.

import datetime

import django.db.models.deletion
from django.db import migrations, models

HOLIDAY = "holiday"
WORKING_DAY = "working_day"

# Only dates that would otherwise be working days (Mon-Fri) are listed as days
# off, and only weekend dates as make-up working days: the rest would change
# nothing. Sources, schedules for civil servants (công chức, viên chức):
# - New Year 2026: Office of the Government letter 12729/VPCP-KGVX of
#   25/12/2025: off Thu 1/1 to Sun 4/1, the Friday 2/1 swapped for Saturday 10/1.
# - Tết Bính Ngọ 2026 and National Day 2026: the Prime Minister's approval of
#   the Ministry of Home Affairs' proposal (VPCP letter reported 13/10/2025 by
#   kienthuc.net.vn and congan.com.vn): Tết off Sat 14/2 to Sun 22/2 (9 days);
#   National Day off Sat 29/8 to Wed 2/9, Monday 31/8 swapped for Saturday 22/8.
# - Hùng Kings 2026: 10/3 lunar is Sunday 26/4, made up on Monday 27/4
#   (Labour Code 2019 art. 112(3); thanhnien.vn 23/2/2026).
# - 30/4 and 1/5 2026 are Thursday and Friday: no swap.
# Lunar dates were computed with Hồ Ngọc Đức's algorithm for UTC+7 and
# checked against 2025 and 2026: Tết Đinh Mùi is Saturday 6/2/2027, the eve
# (29 Chạp, a 29-day month) Friday 5/2/2027, Hùng Kings Friday 16/4/2027.
# 2027 is seeded only as far as it is certain; no 2027 Tết or National Day
# schedule had been published in the sources consulted:
# - Tết 2027: only the days shared by both customary 5-day plans ("1 day
#   before + 4 after" and "2 before + 3 after", each adding the days owed for
#   mùng 1 and 2 falling on the weekend): Fri 5/2, Mon 8/2 - Wed 10/2.
#   Thu 4/2 or Thu 11/2 (and any swap) must be added once the schedule is out.
# - National Day 2027: 2/9 (Thursday) only; the adjoining day (1/9 or 3/9) is
#   chosen by the Prime Minister each year.
# - 1/5/2027 is a Saturday, so Monday 3/5 is owed (art. 112(3)).
# Not seeded: 24/11 "Vietnamese Culture Day" (Politburo Resolution 80, 2026)
# is not yet a day off in the Labour Code.
SEED = (
    (datetime.date(2026, 1, 1), HOLIDAY, "Tết Dương lịch", "New Year's Day"),
    (datetime.date(2026, 1, 2), HOLIDAY, "Tết Dương lịch (nghỉ hoán đổi)", "New Year (swapped day off)"),
    (datetime.date(2026, 1, 10), WORKING_DAY, "Làm bù cho ngày 02/01", "Make-up working day for 2 January"),
    (datetime.date(2026, 2, 16), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2026, 2, 17), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2026, 2, 18), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2026, 2, 19), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2026, 2, 20), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2026, 4, 27), HOLIDAY, "Giỗ Tổ Hùng Vương (nghỉ bù)", "Hùng Kings' Commemoration (day in lieu)"),
    (datetime.date(2026, 4, 30), HOLIDAY, "Ngày Chiến thắng", "Reunification Day"),
    (datetime.date(2026, 5, 1), HOLIDAY, "Ngày Quốc tế Lao động", "International Labour Day"),
    (datetime.date(2026, 8, 22), WORKING_DAY, "Làm bù cho ngày 31/08", "Make-up working day for 31 August"),
    (datetime.date(2026, 8, 31), HOLIDAY, "Quốc khánh (nghỉ hoán đổi)", "National Day (swapped day off)"),
    (datetime.date(2026, 9, 1), HOLIDAY, "Quốc khánh", "National Day"),
    (datetime.date(2026, 9, 2), HOLIDAY, "Quốc khánh", "National Day"),
    (datetime.date(2027, 1, 1), HOLIDAY, "Tết Dương lịch", "New Year's Day"),
    (datetime.date(2027, 2, 5), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2027, 2, 8), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2027, 2, 9), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2027, 2, 10), HOLIDAY, "Tết Nguyên Đán", "Lunar New Year (Tết)"),
    (datetime.date(2027, 4, 16), HOLIDAY, "Giỗ Tổ Hùng Vương", "Hùng Kings' Commemoration"),
    (datetime.date(2027, 4, 30), HOLIDAY, "Ngày Chiến thắng", "Reunification Day"),
    (datetime.date(2027, 5, 3), HOLIDAY, "Ngày Quốc tế Lao động (nghỉ bù)", "International Labour Day (day in lieu)"),
    (datetime.date(2027, 9, 2), HOLIDAY, "Quốc khánh", "National Day"),
)


def seed(apps, schema_editor):
    Holiday = apps.get_model("helpdesk", "Holiday")
    Holiday.objects.bulk_create(
        Holiday(date=day, kind=kind, name=name, name_en=name_en, province=None)
        for day, kind, name, name_en in SEED
    )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("helpdesk", "Holiday")
    Holiday.objects.filter(province=None, date__in=[row[0] for row in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("helpdesk", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Holiday",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(verbose_name="date")),
                (
                    "kind",
                    models.CharField(
                        choices=[("holiday", "Day off"), ("working_day", "Make-up working day")],
                        default="holiday",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=160, verbose_name="name")),
                ("name_en", models.CharField(blank=True, max_length=160, verbose_name="name (English)")),
                (
                    "province",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for a nationwide day.",
                        limit_choices_to={"level": "province"},
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="holidays",
                        to="geo.adminunit",
                        verbose_name="province",
                    ),
                ),
            ],
            options={
                "verbose_name": "holiday",
                "verbose_name_plural": "holidays",
                "ordering": ("date", "province_id"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("date", "province"),
                        name="helpdesk_holiday_one_per_date_and_scope",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
