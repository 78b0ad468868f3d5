"""Reads of the case core; visibility comes from helpdesk.permissions only."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import (
    F,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts.models import User
from accounts.phones import InvalidPhoneNumber, phone_normalize
from core.pagination import count_capped
from geo.coordinates import latitude, longitude
from geo.models import AdminUnit
from helpdesk import errors
from helpdesk.models import (
    OPEN_STATUSES,
    Attachment,
    Service,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from helpdesk.numbering import case_number_format
from helpdesk.permissions import (
    CaseView,
    Scope,
    can_manage,
    case_view,
    is_reporter,
    tallies_managed_by,
    tickets_managed_by,
    tickets_visible_to,
)
from helpdesk.public_view import events_public
from helpdesk.search_text import phone_pattern, search_words, word_q

# The queue's search box (console/views/queue.py): at most this many characters,
# and this many words of them.
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 6
# Words and names, and a phone number written in a case's text, are looked for
# in every case of the (filtered) queue, through the trigram index of
# Ticket.search_text (helpdesk/search_text.py); a case number and the phone
# number of the person who filed, through their own indexes.
# A phone number's cases filed for that resident by the digital-technology team,
# at most (listed besides the cases the number filed itself).
SEARCH_PHONE_FILED_FOR = 500


@dataclass(frozen=True)
class CaseSearch:
    """What someone typed in the queue's search box, read as the one thing it is
    (``case_search_parse``): a case number (its spellings in ``numbers``), the
    ``sequence`` of one without its province (and its ``year`` if typed), a
    Vietnamese mobile number (``phone``, E.164), or ``words`` of a name, a
    description or a place. A search with none of them matches no case."""

    text: str
    numbers: tuple[str, ...] = ()
    sequence: int | None = None
    year: int | None = None
    phone: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    service: str | None = None
    department_id: int | None = None
    commune_code: str | None = None
    assigned_to_me: bool = False
    overdue: bool = False
    unrouted: bool = False
    search: CaseSearch | None = None


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def ticket_get(*, scope: Scope, number: str) -> Ticket:
    """Return a ticket the person may see, or CaseNotFound.

    "Not yours" and "does not exist" are the same answer for everyone, staff
    included: a 403 would tell an officer that a case number exists in another
    commune, and case numbers run in sequence.
    """
    ticket = (
        tickets_visible_to(scope=scope)
        .select_related("service", "commune", "province", "department", "assignee", "reporter")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise errors.CaseNotFound()
    return ticket


def ticket_timeline(
    *, scope: Scope, ticket: Ticket, after: int = 0, public_only: bool = False
) -> QuerySet[TicketEvent]:
    """Events of a ticket in order; internal notes only for staff in scope, and
    never with ``public_only`` (the resident's page, even when an officer opens it);
    for anyone but staff and the case's owner, only what the public view shows."""
    events: QuerySet[TicketEvent] = TicketEvent.objects.filter(
        ticket=ticket, id__gt=after
    ).select_related("actor")
    view = case_view(scope=scope, ticket=ticket)
    if view == CaseView.PUBLIC:
        # A "me too" follower: the public view's events (helpdesk/public_view.py).
        events = events_public(events, ticket=ticket)
    elif public_only or view != CaseView.STAFF:
        events = events.filter(is_public=True)
    return events.order_by("id")


# Photos in the order they came: the report's own (no event) first, then
# those of each message and of the resolution. By role name, "after" came
# before the problem it fixed (a phone walk). Every list of a case's photos
# uses it, the public ones too.
PHOTOS_IN_ORDER = (F("event_id").asc(nulls_first=True), "position", "id")


def ticket_photos(*, scope: Scope, ticket: Ticket) -> QuerySet[Attachment]:
    """Photos of a case the person may see: staff in scope see all; the reporter all
    but pictures on internal notes; anyone else following it (a "me too") only those
    approved for the public."""
    photos = (
        Attachment.objects.filter(ticket=ticket)
        .exclude(role=Attachment.Role.VOICE)
        .order_by(*PHOTOS_IN_ORDER)
    )
    if can_manage(scope=scope, ticket=ticket):
        return photos
    photos = photos.exclude(event__is_public=False)
    if is_reporter(scope=scope, ticket=ticket):
        return photos
    return photos.filter(public_approved_at__isnull=False)


def photo_get(*, scope: Scope, attachment_id: int) -> Attachment:
    """A photo the person may see (as ``ticket_photos`` decides), or CaseNotFound."""
    return _attachment_get(scope=scope, attachment_id=attachment_id, visible=ticket_photos)


def _attachment_get(
    *,
    scope: Scope,
    attachment_id: int,
    visible: Callable[..., QuerySet[Attachment]],
) -> Attachment:
    """An attachment that ``visible`` (ticket_photos, ticket_voice_notes) lets the
    person have, or CaseNotFound.

    One answer for "no such file", "not your case" and "not for you": a file's
    address must not tell a stranger that it exists.
    """
    attachment = (
        Attachment.objects.select_related("ticket")
        .filter(pk=attachment_id, ticket__in=tickets_visible_to(scope=scope))
        .first()
    )
    if attachment is None or not (
        visible(scope=scope, ticket=attachment.ticket).filter(pk=attachment.pk).exists()
    ):
        raise errors.CaseNotFound()
    return attachment


def tickets_queue(
    *,
    scope: Scope,
    filters: QueueFilter,
    among: Sequence[str] | None = None,
) -> QuerySet[Ticket]:
    """The staff queue, most urgent first (due soonest, unrouted and overdue on top).

    ``among``: only the cases of these numbers (the rows a live push names,
    console/views/queue.py queue_rows)."""
    tickets = tickets_managed_by(scope=scope).filter(_place_q(filters))
    if among is not None:
        tickets = tickets.filter(number__in=among)
    if filters.assigned_to_me:
        tickets = tickets.filter(assignee_id=scope.user_id)
    if filters.overdue:
        tickets = tickets.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    if filters.search is not None:
        tickets = _searched(tickets, filters.search)
    return tickets.select_related("service", "commune", "department", "assignee").order_by(
        "due_at", "id"
    )


# A case number as people write it: "TN-2026-00670", "tn 2026 670", "TN2026/00670".
# The province's initials are letters (helpdesk/numbering.py); digits after the
# first letter are the benches' numbers (helpdesk/synthetic.py, "S19-2026-…").
# Dashes of every width: a phone's keyboard, or a number copied from a
# document, writes "TN–2026–00633" (a helper's walk of the console).
_SEPARATOR = r"[\s\-\u2010-\u2015\u2212_./]*"
_NUMBER_LEAD = re.compile(r"^(?:#|(?:SỐ|MÃ)\s*:?|NO\.)\s*")
_CASE_NUMBER = re.compile(rf"([A-Z][A-Z0-9]{{0,5}}?){_SEPARATOR}(\d{{4}}){_SEPARATOR}(\d{{1,9}})")
# A case number without its province, as an officer hears it over the phone
# ("hồ sơ số 633"): the sequence, padded to 5 digits by filing but longer past
# 99,999 cases of a province in a year (helpdesk/numbering.py), up to 7 here
# (helpdesk/numbering.py), after its year if given ("2026-00633", "2026/633").
# The year needs a mark after it: "12345" is a sequence, not the year 1234's 5.
_BARE_NUMBER = re.compile(r"(?:(\d{4})[\s\-\u2010-\u2015\u2212_./]+)?(\d{1,7})")
# What may be a phone number before the phone library is asked: digits and the
# marks people write between them ("0981 234 567", "+84 981.234.567", "(098) 1234567").
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]{9,20}")


def case_search_parse(text: str) -> CaseSearch:
    """Read a search as a case number, else a phone number, else words.

    Words are folded (lowercase, no tone or vowel marks, đ as d): anything else
    typed (punctuation, symbols, other scripts, quotes of SQL) is no word and is
    never sent to the database.
    """
    text = " ".join(text.split())
    words = tuple(dict.fromkeys(search_words(text)))[:SEARCH_MAX_WORDS]
    # "#TN-2026-00633", as the SMS writes it (a helper's walk), or "Số: TN-…".
    number = _CASE_NUMBER.fullmatch(_NUMBER_LEAD.sub("", text.upper()))
    if number is not None:
        prefix, year, sequence = number.groups()
        padded = case_number_format(prefix=prefix, year=int(year), sequence=int(sequence))
        spellings = (padded, f"{prefix}-{year}-{sequence}")
        # Its words too: "thon 2024 3" reads like a case number (_searched).
        return CaseSearch(text=text, numbers=tuple(dict.fromkeys(spellings)), words=words)
    if _PHONE_LIKE.fullmatch(text):
        try:
            return CaseSearch(text=text, phone=phone_normalize(text))
        except InvalidPhoneNumber:
            pass  # digits, but no mobile number: a case's sequence, or words
    bare = _BARE_NUMBER.fullmatch(_NUMBER_LEAD.sub("", text.upper()))
    if bare is not None and int(bare[2]):
        # Its words too: "633" may be a house number (queue_filter_numbered).
        year = int(bare[1]) if bare[1] else None
        return CaseSearch(text=text, sequence=int(bare[2]), year=year, words=words)
    return CaseSearch(text=text, words=words)


def _searched(tickets: QuerySet[Ticket], search: CaseSearch) -> QuerySet[Ticket]:
    """``tickets`` that ``search`` finds: by number, and by the phone number of
    the person who filed or was filed for, through their indexes; by words, and
    by a phone number written in a case's text, through the trigram index of
    their folded text (helpdesk/search_text.py), in every case of ``tickets``.

    A number that ``queue_filter_numbered`` looked up arrives as the numbers it
    found (and no words), or as no number at all when it found none: it is
    not looked up, nor asked about, again here."""
    numbers = search.numbers or _sequence_numbers(search)
    if numbers:
        numbered = tickets.filter(number__in=numbers)
        if not search.words or numbered.exists():
            return numbered
        # Unaccented words can read like a case number ("thon 2024 3", "km
        # 1234 5", a second read), and a bare number like a house number
        # ("633"): no case of these has it, so its words are looked for. Out
        # of scope or not existing, alike.
    if search.phone:
        # Who filed, however long ago, and the cases whose text gives the
        # number (a neighbour's report, an address "nhà anh Tú, 0912…"): one
        # list, in the queue's order.
        return tickets.filter(
            _phone_q(search.phone) | Q(search_text__contains=phone_pattern(search.phone))
        )
    if not search.words:
        return tickets.none()
    # Each word starts a word of the text, in any order: one LIKE per word,
    # which the trigram index answers together, and the start checked on the
    # rows it finds (helpdesk.search_text.word_q).
    return tickets.filter(*(word_q(word) for word in search.words))


def _sequence_numbers(search: CaseSearch) -> tuple[str, ...]:
    """The case numbers a bare sequence ("633", "2026-633") can be: one in each
    province's series of each year (of the typed year only, if given) whose
    counter has reached it, e.g. TN-2025-00633 and TN-2026-00633.

    The counters (helpdesk/numbering.py: every number comes from one) are the
    exact list of series that exist, a row per province and year, so the
    numbers are looked up by their exact values on the unique index of
    number: ``number LIKE '%-00633'`` could use no index and read every case.
    All provinces' series, not only those of the person's provinces: the
    query on the cases keeps to the scope, and a case keeps the prefix of
    the province it was filed in (an unrouted one's "VN" once routed, a
    province's old initials if it is renamed), which the scope's provinces'
    names today need not give. Some hundred numbers at most (34 provinces ×
    the years of use), each one probe of the index."""
    if search.sequence is None:
        return ()
    series = TicketCounter.objects.filter(last__gte=search.sequence)
    if search.year is not None:
        series = series.filter(year=search.year)
    return tuple(
        case_number_format(prefix=prefix, year=year, sequence=search.sequence)
        for prefix, year in series.order_by("prefix", "year").values_list("prefix", "year")
    )


def _phone_q(phone: str) -> Q:
    """The cases of the person with this phone: those they filed, and those a
    team member filed for them (ProxyFiling.resident: the account made for the
    resident's phone when it was given, helpdesk/proxy_filing.py).

    Read first, in one query on the unique phone, so that the queue's query
    gets plain values: ``reporter_id = 42 OR id IN (…)`` is two index scans
    (ticket_reporter, the primary key); a join to the user on each side of an
    OR could not use either (FixMyStreet's admin search met the same).
    """
    rows = list(
        User.objects.filter(phone=phone).values_list("pk", "cases_filed_for_me__ticket_id")[
            :SEARCH_PHONE_FILED_FOR
        ]
    )
    if not rows:
        return Q(pk__in=[])
    person = rows[0][0]
    filed_for = [ticket_id for _person, ticket_id in rows if ticket_id is not None]
    return Q(reporter_id=person) | Q(pk__in=filed_for)


@dataclass(frozen=True)
class QueueNumbered:
    """The queue's filters with the search's case number looked up
    (``queue_filter_numbered``), and the case it opens at once, if any."""

    filters: QueueFilter
    opens: str | None = None


def queue_filter_numbered(*, scope: Scope, filters: QueueFilter) -> QueueNumbered:
    """Look the case number the search names up in the person's queue, once.

    A full number of their queue opens its case; so does a sequence with its
    year ("2026-633") that exactly one case of their queue has. A bare
    sequence ("633") lists its cases, even one: it may be a house number or a
    year ("nhà 12", "2026"), and opening the one case of that sequence
    skipped the words and the page's hint (a second read); the list shows the
    full number to read back to a caller, one tap from the case. Several (one
    per year, or per province for an administrator): a list, under the chosen
    filters. Other filters do not decide what opens: a number names its case.

    The filters' search then names the cases found as ``numbers`` (and no
    words: the number is what was meant), or is the search of its words alone
    when the queue holds none: ``tickets_queue`` lists them without looking
    the number up again. None alike for a case outside their scope and for
    a number that does not exist (ticket_get's rule: case numbers run in
    sequence, and an officer must not learn which exist in another commune).
    """
    search = filters.search
    if search is None or not (search.numbers or search.sequence):
        return QueueNumbered(filters)
    candidates = search.numbers or _sequence_numbers(search)
    found = tuple(
        tickets_managed_by(scope=scope)
        .filter(number__in=candidates)
        .order_by("number")
        .values_list("number", flat=True)
        if candidates
        else ()
    )
    read = dataclasses.replace(search, numbers=found, sequence=None, year=None)
    if found:
        read = dataclasses.replace(read, words=())
    named = bool(search.numbers) or (search.year is not None and len(found) == 1)
    opens = found[0] if found and named else None
    return QueueNumbered(dataclasses.replace(filters, search=read), opens)


# West, south, east, north in degrees (WGS 84), as Leaflet's toBBoxString() gives.
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class QueueOnMap:
    """The most urgent cases of a queue inside a box, and how many there are in
    all (``total`` stops at ``cap + 1``: "more than cap")."""

    rows: list[dict[str, Any]]
    total: int


def tickets_on_map(
    *, scope: Scope, filters: QueueFilter, bbox: BBox | None, limit: int, cap: int
) -> QueueOnMap:
    """The queue's first ``limit`` cases inside ``bbox`` (the whole queue without one)
    as plain rows, never a province's every point.

    Rows are dicts of the few columns the map and its list show: building 500
    Ticket objects with four related ones and rendering them cost 150-400 ms at
    1,000,000 cases for 9-20 ms of SQL (bench/queue_scale.py). The total is a
    capped count so that "N more: zoom in or narrow the filters" costs at most
    cap + 1 rows.
    """
    tickets = tickets_queue(scope=scope, filters=filters)
    if bbox is not None:
        tickets = tickets.filter(location__bboverlaps=Polygon.from_bbox(bbox))
    columns = tickets.values(
        "number",
        "status",
        "service__name",
        "service__name_en",
        "commune__full_name",
        "commune__full_name_en",
        lat=latitude("location"),
        lon=longitude("location"),
    )
    rows = [dict(row) for row in columns[:limit]]
    total = len(rows) if len(rows) < limit else count_capped(tickets, cap)
    return QueueOnMap(rows=rows, total=total)


def _service_id(code: str) -> Subquery:
    return Subquery(Service.objects.filter(code=code).values("id")[:1])


def _commune_id(code: str) -> Subquery:
    return Subquery(
        AdminUnit.objects.filter(code=code, level=AdminUnit.Level.COMMUNE).values("id")[:1]
    )


# The QueueFilter fields _place_q reads: columns a case and a tally row share.
_PLACE_FILTERS = frozenset({"status", "service", "department_id", "commune_code", "unrouted"})


def _place_q(filters: QueueFilter) -> Q:
    """The queue filters on where a case is and its status, as one condition on
    the columns Ticket and TicketTally share, so the queue's rows and its
    counts from the tallies (queue_counts) filter by the same rule.

    Service and commune by id from a scalar subquery, not a join on their
    code: with a join the planner cannot tell which commune's cases it will
    get, so it read a whole province's cases and sorted them (174,000 buffers,
    2.5 s at 1,000,000 cases); with ``commune_id = (SELECT …)`` it walks the
    (commune, due_at, id) index and stops after a page.
    """
    where = Q()
    if filters.status:
        where &= Q(status=filters.status)
    if filters.service:
        where &= Q(service_id=_service_id(filters.service))
    if filters.department_id:
        where &= Q(department_id=filters.department_id)
    if filters.commune_code:
        where &= Q(commune_id=_commune_id(filters.commune_code))
    if filters.unrouted:
        where &= Q(department__isnull=True)
    return where


def _tally_q(filters: QueueFilter) -> Q | None:
    """``tickets_queue``'s filters as a condition on the tally rows; None when a
    filter needs the case itself (its assignee, its deadline against now), or
    is one _place_q does not read: a filter added to tickets_queue later is
    counted on the cases until the tallies can answer it, never silently ignored."""
    if any(
        getattr(filters, f.name) != f.default
        for f in dataclasses.fields(filters)
        if f.name not in _PLACE_FILTERS
    ):
        return None
    return _place_q(filters)


@dataclass(frozen=True)
class QueueCounts:
    """The queue's cases per status, and how many its filters match (None
    when the tallies cannot tell: assigned to me, overdue)."""

    by_status: dict[str, int]
    matching: int | None


def queue_counts(*, scope: Scope, filters: QueueFilter) -> QueueCounts:
    """Cases per status in the person's queue and the number its filters
    match, exact, in one query of the running tallies.

    The tallies (helpdesk/models/tally.py) hold the count per (province,
    commune, department, service, status), kept by a trigger in the
    transaction of every case write, and ``tallies_managed_by`` applies the
    queue's own scope rule to the same three columns. A province admin's
    counts sum its ~7,200 tally rows (380 buffers) where counting the cases
    through the (unit, status) indexes read 3,200 buffers and stopped at
    10,000 per status (at 1,000,000 cases, bench/queue_scale.py).

    The matching number is what the pager's capped count of the cases
    (core/pagination.py) would say, read from the rows the status counts sum
    anyway: that count was a query of its own on every queue page (~0.5 ms
    idle, more under load, at 1,000,000 cases; bench/queue_scale.py).
    """
    where = _tally_q(filters)
    # No filter (an empty Q()) matches every row; FILTER (WHERE) cannot be empty.
    matched_sum = Sum("total", filter=where) if where else Sum("total")
    rows = (
        tallies_managed_by(scope=scope)
        .order_by()
        .values("status")
        .annotate(n=Sum("total"), matched=matched_sum)
        .filter(n__gt=0)
    )
    by_status: dict[str, int] = {}
    matched = 0
    for row in rows:
        by_status[row["status"]] = row["n"]
        matched += row["matched"] or 0  # SUM … FILTER is NULL when no row matches
    return QueueCounts(by_status=by_status, matching=None if where is None else matched)


def tickets_filed_for_others(*, scope: Scope) -> QuerySet[Ticket]:
    """Cases a digital-technology team member filed on behalf of residents."""
    return tickets_of_reporter(scope=scope).filter(proxy__filed_by_id=scope.user_id)


def tickets_of_reporter(*, scope: Scope) -> QuerySet[Ticket]:
    if scope.user_id is None:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(reporter_id=scope.user_id)
        .select_related("service", "commune", "department")
        .order_by("-created_at")
    )


def ticket_voice_notes(*, scope: Scope, ticket: Ticket) -> QuerySet[Attachment]:
    """Voice notes of a case the person may hear: staff in scope all; the reporter
    all but those on internal notes; nobody else any (a voice is never public)."""
    notes = Attachment.objects.filter(ticket=ticket, role=Attachment.Role.VOICE).order_by(
        "created_at", "pk"
    )
    if can_manage(scope=scope, ticket=ticket):
        return notes
    if is_reporter(scope=scope, ticket=ticket):
        return notes.exclude(event__is_public=False)
    return notes.none()


def voice_get(*, scope: Scope, attachment_id: int) -> Attachment:
    """A voice note the person may hear (as ``ticket_voice_notes`` decides), or CaseNotFound."""
    return _attachment_get(scope=scope, attachment_id=attachment_id, visible=ticket_voice_notes)


# Every Attachment column that names a file in storage.
ATTACHMENT_FILE_FIELDS = ("display", "thumbnail", "original", "public_display", "public_thumbnail")


def attachment_file_names() -> set[str]:
    """Return the name of every stored file an attachment row refers to."""
    rows = Attachment.objects.values_list(*ATTACHMENT_FILE_FIELDS).iterator(chunk_size=5000)
    return {name for row in rows for name in row if name}


def commune_last_used(user: Any) -> AdminUnit | None:
    """The commune of the person's latest case: where their next worry, SMS
    or scam check most likely belongs (sms_intake, scams)."""
    if user is None:
        return None
    ticket = (
        Ticket.objects.filter(reporter=user, commune__isnull=False)
        .select_related("commune")
        .order_by("-created_at")
        .first()
    )
    return ticket.commune if ticket is not None else None
