"""The dashboard: counts, on-time rate and handling time per department and commune."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from console import selectors
from console.views.access import can_see_dashboard, error_page, staff_required
from core.db_routing import replica_reads
from helpdesk.permissions import Scope
from notifications.sms_budget import sms_monthly_cap


def _duration_text(
    amount: dt.timedelta | None, *, tenths: Callable[[float], str] | None = None
) -> str:
    """``tenths``: the page's number writer (``_tenths_text``), made once for
    its rows; without one, made here."""
    if amount is None:
        return "—"
    write = tenths or _page_tenths()
    hours = amount.total_seconds() / 3600
    if hours >= 24:
        days = round(hours / 24, 1)
        return ngettext("%(count)s day", "%(count)s days", int(days)) % {"count": write(days)}
    rounded = round(hours, 1)
    return ngettext("%(count)s hour", "%(count)s hours", int(rounded)) % {"count": write(rounded)}


def _tenths_text(*, decimal: str, grouped: str) -> Callable[[float], str]:
    """A number to one decimal as the reader writes it: "2,5 giờ", "4 giờ"; it
    read "4.0 giờ", a point where Vietnamese writes a comma (a helper's walk).

    Made once per page, as ``_integer_text``: number_format read the
    language's formats again for every row. Thousands are grouped by the
    same rule as the page's whole numbers, so "1.234,5 ngày" stands beside
    "1.234" (number_format grouped only where the language sets a grouping,
    which Vietnamese does not)."""
    marks = str.maketrans({",": grouped, ".": decimal})
    comma = "," if grouped else ""

    def text(value: float) -> str:
        places = 0 if value == int(value) else 1
        return f"{value:{comma}.{places}f}".translate(marks)

    return text


def _page_tenths() -> Callable[[float], str]:
    return _tenths_text(decimal=str(get_format("DECIMAL_SEPARATOR")), grouped=_grouping())


def _grouping() -> str:
    return str(get_format("THOUSAND_SEPARATOR")) if settings.USE_THOUSAND_SEPARATOR else ""


def _integer_text(*, grouped: str) -> Callable[[int], str]:
    """Whole numbers as the template's localize would write them, made once per
    page: a province's ~2,200 numbers through localize() were ~20 ms of its
    dashboard (bench/queue_scale.py, province admin)."""
    if not grouped:
        return str
    return lambda number: f"{number:,}".replace(",", grouped)


def _dashboard_rows(
    rows: list[dict[str, Any]],
    *,
    by_department: bool,
    overdue_links: Callable[[dict[str, Any]], dict[str, str] | None],
    links: bool = False,
    current: str | None = None,
) -> list[dict[str, Any]]:
    """Each row with its cells' text made here: a commune's department rows
    and a province's ~90 commune rows through template conditions and filters
    were most of the page's time (when it listed ~460 department rows).
    ``links``: a commune's name opens its departments (``?commune=``), the
    open one (``current``) marked as such for screen readers.
    ``overdue_links``: the queue's filters that list a row's overdue cases,
    None for a row the queue cannot filter to (cases of no commune)."""
    biggest = max((row["total"] for row in rows), default=0) or 1
    unrouted = str(_("Unrouted"))
    text = _integer_text(grouped=_grouping())
    tenths = _page_tenths()
    queue = reverse("console:queue")
    for row in rows:
        row["bar"] = round(100 * row["total"] / biggest)
        for field in ("total", "open", "overdue", "resolved", "bar"):
            row[f"{field}_text"] = text(row[field])
        query = overdue_links(row) if row["overdue"] else None
        row["overdue_href"] = f"{queue}?{urlencode(query)}" if query is not None else None
        row["on_time_rate"] = (
            round(100 * row["on_time"] / row["resolved"]) if row["resolved"] else None
        )
        row["on_time_text"] = "—" if row["on_time_rate"] is None else f"{row['on_time_rate']}%"
        row["avg_text"] = _duration_text(row["avg_handling"], tenths=tenths)
        row["department_text"] = row.get("department") or unrouted
        row["commune_text"] = row.get("commune") or ""
        row["markup"] = _row_markup(row, by_department=by_department, links=links, current=current)
    return rows


# The queue's own filter names (console/forms.py QueueFilterForm): a checked
# box is sent as "on".
OVERDUE = {"overdue": "on"}


def _commune_overdue(row: dict[str, Any]) -> dict[str, str] | None:
    code = row.get("commune__code")
    return {"commune": code, **OVERDUE} if code else None


def _department_overdue(commune_code: str) -> Callable[[dict[str, Any]], dict[str, str]]:
    def query(row: dict[str, Any]) -> dict[str, str]:
        unit = (
            {"department": str(row["department_id"])}
            if row["department_id"]
            else {"unrouted": "on"}
        )
        return {"commune": commune_code, **unit, **OVERDUE}

    return query


def _row_markup(
    row: dict[str, Any], *, by_department: bool, links: bool, current: str | None
) -> SafeString:
    """A row of console/_stats_table.html, written here rather than by the
    template: a province admin's ~550 rows (before the page opened one commune
    at a time) of eight template variables each were ~15 ms of the
    dashboard's ~30 ms at 1,000,000 cases (in process,
    bench/queue_scale.py). Every text is escaped, as the template would."""
    e = html.escape
    if by_department:
        heading = f"{e(str(row['department_text']))}<small>{e(row['commune_text'])}</small>"
    elif links and row.get("commune__code"):
        query = urlencode({"commune": row["commune__code"]})
        marked = ' aria-current="true"' if row["commune__code"] == current else ""
        heading = f'<a href="?{e(query)}#departments"{marked}>{e(row["commune_text"])}</a>'
    else:
        heading = e(row["commune_text"] or "—")
    overdue = e(row["overdue_text"])
    if row["overdue_href"]:
        overdue = f'<a class="sla-overdue" href="{e(row["overdue_href"])}">{overdue}</a>'
    return mark_safe(  # noqa: S308 - every value below is escaped
        "\n        <tr>\n"
        f'          <th scope="row">{heading}</th>\n'
        f'          <td><meter class="bar" min="0" max="100" value="{e(row["bar_text"])}"'
        f' aria-hidden="true"></meter>{e(row["total_text"])}</td>\n'
        f"          <td>{e(row['open_text'])}</td>\n"
        f"          <td>{overdue}</td>\n"
        f"          <td>{e(row['resolved_text'])}</td>\n"
        f"          <td>{e(row['on_time_text'])}</td>\n"
        f"          <td>{e(str(row['avg_text']))}</td>\n"
        "        </tr>\n      "
    )


@require_GET
@staff_required
# Inside staff_required: who asks and their scope come from the primary, so a
# revoked role or account never lives on in a replica's copy.
@replica_reads
def dashboard(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not can_see_dashboard(scope):
        return error_page(
            request, _("The dashboard is for commune leaders and province administrators."), 403
        )
    tables = selectors.dashboard_tables(scope=scope, commune_code=request.GET.get("commune"))
    context = {
        "by_department": _dashboard_rows(
            tables.by_department,
            by_department=True,
            overdue_links=_department_overdue(tables.commune_code or ""),
        ),
        "by_commune": _dashboard_rows(
            tables.by_commune,
            by_department=False,
            overdue_links=_commune_overdue,
            links=tables.several,
            current=tables.commune_code,
        ),
        # The first thing a leader looks for (a walk of the console): how many
        # of their open cases are late, one tap from the list of them.
        "overdue": tables.overdue,
        "overdue_text": _integer_text(grouped=_grouping())(tables.overdue),
        "overdue_url": f"{reverse('console:queue')}?{urlencode(OVERDUE)}",
        "commune_name": tables.commune_name,
        "many_communes": tables.several,
        "sms_usage": selectors.sms_usage_for(scope=scope),
        "sms_cap": sms_monthly_cap(),
        "sees_sms_bill": scope.is_superuser or bool(scope.admin_province_ids),
        "show_dashboard": True,
    }
    return render(request, "console/dashboard.html", context)
