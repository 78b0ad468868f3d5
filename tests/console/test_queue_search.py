"""The queue's search box: a case number opens its case, a phone number or a
name or words list the cases, always within the person's scope and with the
filters and pages of the queue."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket
from helpdesk.numbering import case_number_next
from helpdesk.permissions import scope_for
from helpdesk.selectors import SEARCH_MAX_LENGTH, QueueFilter, case_search_parse, tickets_queue
from tests.conftest import Personas
from tests.console.pages import S, case_in, client_as
from tests.factories import case_filed_for_a_resident, user_create

QUEUE = reverse("console:queue")
# A help request: commune B's one-stop centre, officer B's department, handles it.
CENTRE_SERVICE = "online_public_service"


def _search(client: Client, q: str, **params: str) -> list[str]:
    response = client.get(QUEUE, {"q": q, **params})
    assert response.status_code == 200, response.status_code
    return [row.ticket.number for row in response.context["rows"]]


def _other_spellings(number: str) -> list[str]:
    """How an officer types a number off a paper or the phone: lower case,
    spaces for dashes, spaces around it, no dashes at all."""
    prefix, year, sequence = number.split("-")
    return [
        number.lower(),
        f"  {prefix} {year} {sequence} ",
        f"{prefix.lower()}{year}{sequence}",
        f"{prefix}-{year}-{int(sequence)}",
    ]


@pytest.mark.django_db
def test_a_case_number_of_the_queue_opens_the_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident)
    other = case_in(commune_a, personas.resident)
    expected = reverse("console:ticket-detail", args=[ticket.number])
    for name in ("officer_a", "leader_a", "province_admin"):
        client = client_as(personas, name)
        for typed in (ticket.number, *_other_spellings(ticket.number)):
            response = client.get(QUEUE, {"q": typed})
            assert (response.status_code, response["Location"]) == (302, expected), (name, typed)
    # A full number names one case: filters chosen before do not hide it.
    lifecycle.ticket_accept(ticket=other, by=personas.officer_a)
    response = client_as(personas, "officer_a").get(
        QUEUE, {"q": ticket.number, "status": S.ACCEPTED}
    )
    assert response["Location"] == expected


def _page_without_tokens(response: object, *, number: str) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    html = html.replace(number, "NUMBER")
    html = re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', html)
    # The time the page was made (the offline copy's date).
    return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d", "TIME", html)


@pytest.mark.django_db
def test_a_number_outside_the_scope_answers_as_one_that_does_not_exist(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    in_a = case_in(commune_a, personas.resident)
    # Officer B filed this one in commune A themselves: theirs to follow as a
    # resident, not in their queue.
    own_in_a = case_in(commune_a, personas.officer_b)
    case_in(commune_b, personas.resident, service=CENTRE_SERVICE)  # officer B's queue
    prefix, year, _sequence = in_a.number.split("-")
    unknown = f"{prefix}-{year}-99999"
    assert not Ticket.objects.filter(number=unknown).exists()

    client = client_as(personas, "officer_b")
    pages = {}
    for number in (in_a.number, own_in_a.number, unknown):
        response = client.get(QUEUE, {"q": number})
        assert response.status_code == 200
        assert response.context["rows"] == []
        content = response.content.decode()
        assert f"No case in your queue matches “{number}”." in content
        assert 'href="/console/?">Clear the search</a>' in content
        pages[number] = _page_without_tokens(response, number=number)
    assert pages[in_a.number] == pages[unknown]
    assert pages[own_in_a.number] == pages[unknown]
    # Each spelling answers the same.
    for typed in _other_spellings(in_a.number):
        response = client.get(QUEUE, {"q": typed})
        assert response.status_code == 200
        assert response.context["rows"] == []


@pytest.mark.django_db
def test_a_phone_number_in_any_common_form_finds_its_cases_within_the_scope(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    caller = user_create(phone="0981234567", full_name="Vũ Văn Bình")
    in_a = case_in(commune_a, caller)
    in_b = case_in(commune_b, caller, service=CENTRE_SERVICE)
    someone_else = case_in(commune_a, personas.resident)
    forms = ("0981 234 567", "+84981234567", "84981234567", "0981.234.567", "+84 981 234 567")
    officer_a = client_as(personas, "officer_a")
    officer_b = client_as(personas, "officer_b")
    admin = client_as(personas, "province_admin")
    for typed in forms:
        assert _search(officer_a, typed) == [in_a.number], typed
        assert _search(officer_b, typed) == [in_b.number], typed
        assert sorted(_search(admin, typed)) == sorted([in_a.number, in_b.number]), typed
    assert someone_else.number not in _search(admin, "0981 234 567")
    page = officer_a.get(QUEUE, {"q": "+84981234567"}).content.decode()
    assert "Cases filed from 0981 234 567 or for it" in page
    # A number nobody has: nothing, said plainly.
    assert _search(officer_a, "0981 999 999") == []


@pytest.mark.django_db
def test_a_phone_number_finds_the_cases_filed_for_that_resident(
    personas: Personas, commune_b: AdminUnit
) -> None:
    filed_for = case_filed_for_a_resident(
        team_member=personas.digital_team, commune=commune_b, phone="0912 345 678"
    )
    assert filed_for.reporter_id == personas.digital_team.pk
    case_in(commune_b, personas.resident)  # in the administrator's queue too
    admin = client_as(personas, "province_admin")
    for typed in ("0912 345 678", "+84912345678", "84912345678"):
        assert _search(admin, typed) == [filed_for.number], typed
    assert _search(client_as(personas, "officer_a"), "0912345678") == []
    # The resident's name, as the team member wrote it, finds it too.
    assert _search(admin, "trieu thi sen") == [filed_for.number]


@pytest.mark.django_db
def test_a_name_is_found_without_case_or_marks_and_only_in_the_scope(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    lan = case_in(commune_a, personas.resident)  # Nguyễn Thị Lan
    lan_in_b = case_in(commune_b, personas.resident, service=CENTRE_SERVICE)
    thanh = case_in(commune_a, user_create(full_name="Lê Văn Thanh"))
    officer_a = client_as(personas, "officer_a")
    for typed in ("Nguyễn Thị Lan", "nguyen thi lan", "NGUYỄN LAN", "Lan", "lan nguyen", "ngu"):
        assert _search(officer_a, typed) == [lan.number], typed
    # Words start words: "lan" is not in "Thanh"; every word must be found.
    assert _search(officer_a, "thanh") == [thanh.number]
    # Inside a word is not its start, however long the piece is (a word of
    # three letters or more is looked up inside words first: word_q).
    for typed in ("anh", "hanh", "guyen", "uyen thi"):
        assert _search(officer_a, typed) == [], typed
    assert _search(officer_a, "lan thanh") == []
    assert _search(client_as(personas, "officer_b"), "nguyen thi lan") == [lan_in_b.number]
    assert sorted(_search(client_as(personas, "province_admin"), "Lan")) == sorted(
        [lan.number, lan_in_b.number]
    )


@pytest.mark.django_db
def test_words_of_the_description_or_the_place_are_found(
    personas: Personas, commune_a: AdminUnit
) -> None:
    pothole = case_in(commune_a, personas.resident)  # "Ổ gà lớn trước cổng trường"
    # Typed with combining marks (some keyboards): "Đèn đường" decomposed.
    decomposed = case_in(
        commune_a,
        personas.resident,
        description="Đe\u0300n đu\u031bo\u031b\u0300ng tắt",
        address_text="Thôn Đồng Hỷ",
    )
    officer_a = client_as(personas, "officer_a")
    for typed in ("cổng trường", "CONG TRUONG", "ổ gà", "truoc cong"):
        assert _search(officer_a, typed) == [pothole.number], typed
    for typed in ("đèn đường", "den duong", "dong hy", "thôn Đồng"):
        assert _search(officer_a, typed) == [decomposed.number], typed
    assert _search(officer_a, "cầu sập") == []


@pytest.mark.django_db
def test_a_search_keeps_the_filters(personas: Personas, commune_a: AdminUnit) -> None:
    new = case_in(commune_a, personas.resident)
    accepted = case_in(commune_a, personas.resident)
    lifecycle.ticket_accept(ticket=accepted, by=personas.officer_a)
    case_in(commune_a, user_create(full_name="Lê Văn Thanh"))
    officer_a = client_as(personas, "officer_a")
    assert sorted(_search(officer_a, "nguyen lan")) == sorted([new.number, accepted.number])
    assert _search(officer_a, "nguyen lan", status=S.ACCEPTED) == [accepted.number]
    assert _search(officer_a, "nguyen lan", status=S.NEW) == [new.number]
    assert _search(officer_a, personas.resident.phone, status=S.ACCEPTED) == [accepted.number]
    assert _search(officer_a, "nguyen lan", mine="on") == [accepted.number]
    # One form: the filters' fields and the search box are sent together.
    page = officer_a.get(QUEUE, {"q": "nguyen lan", "status": S.ACCEPTED}).content.decode()
    start = page.index('<form method="get" class="queue-form">')
    form = page[start : page.index("</form>", start)]
    assert 'name="q"' in form
    assert 'name="status"' in form
    # No match under the filters: said so, with a way out of each.
    response = officer_a.get(QUEUE, {"q": "thanh", "status": S.ACCEPTED})
    assert response.context["rows"] == []
    content = response.content.decode()
    assert "No case in your queue matches “thanh” with these filters." in content
    assert f'href="/console/?status={S.ACCEPTED}">Clear the search</a>' in content
    assert 'href="/console/?q=thanh">Search the whole queue</a>' in content
    # The map draws the filtered queue (its API has no search), and says so by its link.
    assert f'href="/console/map/?status={S.ACCEPTED}">' in content


@pytest.mark.django_db
def test_the_pages_of_a_search_keep_it(personas: Personas, commune_a: AdminUnit) -> None:
    cases = [case_in(commune_a, personas.resident) for _ in range(26)]
    case_in(commune_a, user_create(full_name="Lê Văn Thanh"))
    officer_a = client_as(personas, "officer_a")
    first = officer_a.get(QUEUE, {"q": "Thị Lan"})
    assert len(first.context["rows"]) == 25
    assert 'href="?q=Th%E1%BB%8B+Lan&amp;page=2" rel="next"' in first.content.decode()
    second = officer_a.get(QUEUE, {"q": "Thị Lan", "page": "2"})
    content = second.content.decode()
    assert 'href="?q=Th%E1%BB%8B+Lan&amp;page=1" rel="prev"' in content
    shown = [row.ticket.number for page in (first, second) for row in page.context["rows"]]
    assert sorted(shown) == sorted(case.number for case in cases)
    # The live rows of a searched page keep to the search too.
    thanh = Ticket.objects.get(reporter__full_name="Lê Văn Thanh")
    rows = officer_a.get(
        reverse("console:queue-rows"),
        {"q": "Thị Lan", "cases": f"{cases[0].number},{thanh.number}"},
    )
    assert [row.ticket.number for row in rows.context["rows"]] == [cases[0].number]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Thị Lan", "0981 234 567", "TN-2026-99999"])
def test_a_search_reads_as_many_queries_however_many_cases_it_finds(
    personas: Personas, commune_a: AdminUnit, query: str
) -> None:
    caller = user_create(phone="0981234567", full_name="Nguyễn Thị Lan")
    client = client_as(personas, "province_admin")
    client.get(QUEUE)  # warm the session

    def queries_and_rows() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE, {"q": query})
        assert response.status_code == 200
        return len(captured), len(response.context["rows"])

    for _ in range(2):
        case_in(commune_a, caller)
    case_in(commune_a, user_create(full_name="Lê Văn Thanh"))
    few, found_few = queries_and_rows()
    for _ in range(20):
        ticket = case_in(commune_a, caller)
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    many, found_many = queries_and_rows()
    assert many == few
    if query.startswith("TN"):
        assert (found_few, found_many) == (0, 0)
    else:
        assert (found_few, found_many) == (2, 22)


@pytest.mark.django_db
def test_hostile_searches_are_answered_not_failed(personas: Personas, commune_a: AdminUnit) -> None:
    ticket = case_in(commune_a, personas.resident)
    officer_a = client_as(personas, "officer_a")
    for typed in (
        "<script>alert(1)</script>",
        "' OR 1=1; DROP TABLE helpdesk_ticket; --",
        "%_%",
        "\\m[(*+?{",
        "😀 ✓ 北京",
        "\u202eLan",
        "lan\x01\x02",
        "9" * 40,
        "-" * 40,
    ):
        response = officer_a.get(QUEUE, {"q": typed})
        assert response.status_code == 200, typed
        found = [row.ticket.number for row in response.context["rows"]]
        assert found == ([ticket.number] if "lan" in typed.lower() else []), typed
    page = officer_a.get(QUEUE, {"q": '<script>"x"</script>'}).content.decode()
    assert "<script>&quot;x&quot;" not in page  # never raw
    assert 'value="&lt;script&gt;&quot;x&quot;&lt;/script&gt;"' in page
    assert "matches “&lt;script&gt;&quot;x&quot;&lt;/script&gt;”." in page
    nothing = officer_a.get(QUEUE, {"q": "😀 <>"}).content.decode()
    assert "“😀 &lt;&gt;” holds no case number, phone number or word to look for." in nothing
    # A NUL is refused before the view (config/storable_input.py), not a 500.
    assert officer_a.get(QUEUE, {"q": "lan\x00"}).status_code == 422

    too_long = "lan " * 40
    assert len(too_long) > SEARCH_MAX_LENGTH
    response = officer_a.get(QUEUE, {"q": too_long})
    assert response.status_code == 200
    assert response.context["rows"] == []  # not the whole queue under a search
    content = response.content.decode()
    assert f"A search can be at most {SEARCH_MAX_LENGTH} characters long (this one has" in content
    assert 'aria-invalid="true"' in content
    assert f'maxlength="{SEARCH_MAX_LENGTH}"' in content


@pytest.mark.django_db
def test_the_search_box_is_labelled_above_the_filters_and_in_vietnamese(
    personas: Personas, commune_a: AdminUnit
) -> None:
    case_in(commune_a, personas.resident)
    page = client_as(personas, "officer_a").get(QUEUE).content.decode()
    box = page.index('<div class="queue-search" role="search">')
    assert box < page.index('<details class="filters"')
    assert '<label for="id_q">Search cases</label>' in page
    assert 'aria-describedby="id_q_helptext"' in page
    assert '<details class="filters">' in page  # closed until a filter is chosen
    # A search alone leaves the filters folded.
    searched = client_as(personas, "officer_a").get(QUEUE, {"q": "lan"}).content.decode()
    assert '<details class="filters">' in searched
    client = Client()
    client.force_login(personas.officer_a)
    vietnamese = client.get(QUEUE, {"q": "không có ai"}).content.decode()
    assert "Tìm hồ sơ" in vietnamese
    assert "Không có hồ sơ nào trong danh sách của bạn khớp với “không có ai”." in vietnamese


@pytest.mark.django_db
def test_words_find_a_case_however_old(personas: Personas, commune_a: AdminUnit) -> None:
    """Words were looked for in the 2,000 cases due last only (SEARCH_WINDOW,
    removed): an old case was found by its number or phone alone."""
    old = case_in(commune_a, personas.resident)
    recent = [case_in(commune_a, user_create(full_name="Lê Văn Thanh")) for _ in range(2)]
    Ticket.objects.filter(pk=old.pk).update(due_at=timezone.now() - timedelta(days=4000))
    officer_a = client_as(personas, "officer_a")
    with CaptureQueriesContext(connection) as captured:
        response = officer_a.get(QUEUE, {"q": "nguyen lan cong truong"})
    assert [row.ticket.number for row in response.context["rows"]] == [old.number]
    # No bound on the due time: no read of the queue's last cases first.
    assert not [q["sql"] for q in captured if "OFFSET" in q["sql"]]
    assert "Words and names are looked for in the" not in response.content.decode()
    assert sorted(_search(officer_a, "thanh")) == sorted(t.number for t in recent)


def _plan(scope_user: User, q: str) -> str:
    """The plan of the queue's query for ``q`` with sequential and plain index
    scans priced out: a bitmap of an index that the search's condition can use
    is all that is left, if it can use one (a test database is too small for
    PostgreSQL to choose it by cost)."""
    filters = QueueFilter(search=case_search_parse(q))
    tickets = tickets_queue(scope=scope_for(user=scope_user), filters=filters)
    with connection.cursor() as cursor:
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        return tickets.explain()


@pytest.mark.django_db
def test_words_and_a_written_phone_are_looked_up_in_the_trigram_index(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The words, and a phone number as the text writes it, are conditions the
    search text's trigram index answers (helpdesk/search_text.py); the raw
    text's regular expressions could use no index, hence the old window."""
    case_in(commune_a, personas.resident)
    everyone = user_create(full_name="Quản trị hệ thống", is_superuser=True, is_staff=True)
    for q in ("cổng trường", "nguyen lan", "0912 345 678"):
        with transaction.atomic():
            assert "Bitmap Index Scan on ticket_search_trgm" in _plan(everyone, q), q
    # A word's own trigrams, not those of a word's start ("  n", " ng") that
    # half the cases hold; its start is checked on the rows found.
    with transaction.atomic():
        plan = _plan(everyone, "nguyen lan")
    index_lines = [line for line in plan.splitlines() if "Index Cond" in line]
    assert "'%nguyen%'" in " ".join(index_lines), plan
    assert "'% nguyen%'" not in plan, plan
    assert "strpos(search_text, ' nguyen'::text) > 0" in plan.replace('"', ""), plan


def test_what_a_search_is_read_as() -> None:
    assert case_search_parse(" tn 2026 670 ").numbers == ("TN-2026-00670", "TN-2026-670")
    assert case_search_parse("TN-2026-00670").numbers == ("TN-2026-00670",)
    # As the SMS writes it ("#TN-…"), after "Số:", and with the long dashes of
    # a phone's keyboard or a copied document (a helper's walk).
    for typed in ("#TN-2026-00670", "# tn 2026 670", "Số: TN-2026-00670", "TN–2026—00670"):
        assert case_search_parse(typed).numbers[0] == "TN-2026-00670", typed
    for typed in ("0981 234 567", "+84981234567", "84981234567", "(098) 1234-567"):
        assert case_search_parse(typed).phone == "+84981234567", typed
    # Digits that are no mobile number are words.
    assert case_search_parse("123456789").words == ("123456789",)
    assert case_search_parse("Đèn ĐƯỜNG, thôn 5!").words == ("den", "duong", "thon", "5")
    assert case_search_parse("'; DROP TABLE x; --").words == ("drop", "table", "x")
    empty = case_search_parse("😀 !!")
    assert (empty.numbers, empty.phone, empty.words) == ((), None, ())


@pytest.mark.django_db
def test_words_that_read_like_a_case_number_are_searched_as_words(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Unaccented "thon 2024 3" parsed as the case THON-2024-00003: no
    such case, so "no case matches", the words never looked for (a second read)."""
    ticket = case_in(commune_a, personas.resident, description="Đèn hỏng ở thôn 2024 số 3")
    client = client_as(personas, "officer_a")
    assert _search(client, "thon 2024 3") == [ticket.number]
    # A real number of the queue still opens its case.
    assert client.get(QUEUE, {"q": ticket.number}).status_code == 302


def test_a_bare_number_is_read_as_its_sequence() -> None:
    """A case number heard over the phone ("hồ sơ số 633") typed as "633",
    "00633" or "2026-00633": its sequence (and year), its words kept for when
    no case of the queue has it (a house number)."""
    for typed, words in (
        ("633", ("633",)),
        ("00633", ("00633",)),
        ("#633", ("633",)),
        ("Số: 633", ("so", "633")),
        (" 0633 ", ("0633",)),
    ):
        search = case_search_parse(typed)
        assert (search.sequence, search.year, search.numbers) == (633, None, ()), typed
        assert search.words == words, typed
    for typed in ("2026-00633", "2026/633", "2026 633", "2026–00633", "#2026-633"):
        search = case_search_parse(typed)
        assert (search.sequence, search.year, search.phone) == (633, 2026, None), typed
    assert case_search_parse("2026-00633").words == ("2026", "00633")
    # Longer than a sequence, zero, or run together with its year: words.
    assert case_search_parse("123456").sequence == 123456  # past 99,999 in a year
    for typed in ("12345678", "0", "00000", "202600633", "thôn 633"):
        search = case_search_parse(typed)
        assert (search.sequence, search.year) == (None, None), typed
        assert search.words, typed
    # A mobile number stays a phone number.
    assert case_search_parse("0912 345 678").sequence is None


def _filed_in(ticket: Ticket, year: int) -> Ticket:
    """``ticket`` as if filed in an earlier ``year``: numbered in that year's
    sequence by the numbering filing uses (helpdesk/numbering.py), due a year
    earlier per year back (the queue then lists it first)."""
    with transaction.atomic():
        number = case_number_next(province=ticket.province, at=datetime(year, 6, 1, tzinfo=UTC))
    back = timedelta(days=365 * (ticket.created_at.year - year))
    Ticket.objects.filter(pk=ticket.pk).update(
        number=number, created_at=F("created_at") - back, due_at=F("due_at") - back
    )
    ticket.refresh_from_db()
    return ticket


def _sequence(ticket: Ticket) -> int:
    return int(ticket.number.rsplit("-", 1)[1])


@pytest.mark.django_db
def test_a_bare_number_lists_the_cases_of_that_number_in_the_queue(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    this_year = case_in(commune_a, personas.resident)
    in_b = case_in(commune_b, personas.resident, service=CENTRE_SERVICE)
    last_year = _filed_in(case_in(commune_a, personas.resident), this_year.created_at.year - 1)
    assert _sequence(this_year) == _sequence(last_year) != _sequence(in_b)
    sequence = _sequence(this_year)
    both = [last_year.number, this_year.number]  # the queue's order: due soonest first
    for name in ("officer_a", "leader_a", "province_admin"):
        client = client_as(personas, name)
        for typed in (str(sequence), f"{sequence:05d}", f"#{sequence}", f"Số {sequence}"):
            assert _search(client, typed) == both, (name, typed)
    # With the year, one case: it opens, as its full number does.
    officer_a = client_as(personas, "officer_a")
    for ticket in (this_year, last_year):
        year = ticket.number.split("-")[1]
        for typed in (f"{year}-{sequence:05d}", f"{year}/{sequence}", f"{year} {sequence}"):
            response = officer_a.get(QUEUE, {"q": typed})
            expected = reverse("console:ticket-detail", args=[ticket.number])
            assert (response.status_code, response["Location"]) == (302, expected), typed
    # The filters chosen apply to the list, as to any search of several cases.
    lifecycle.ticket_accept(ticket=this_year, by=personas.officer_a)
    assert _search(officer_a, str(sequence), status=S.ACCEPTED) == [this_year.number]
    assert _search(officer_a, str(sequence), status=S.NEW) == [last_year.number]
    # The live rows of a bare number's list keep to its cases.
    other = case_in(commune_a, personas.resident, description=f"Cột điện số {sequence} đổ")
    for pushed, listed in (([this_year, other], [this_year.number]), ([other], [])):
        rows = officer_a.get(
            reverse("console:queue-rows"),
            {"q": str(sequence), "cases": ",".join(t.number for t in pushed)},
        )
        assert [row.ticket.number for row in rows.context["rows"]] == listed


@pytest.mark.django_db
def test_a_number_the_queue_holds_once_opens_with_its_year_and_is_listed_without(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    """With its year, a sequence names one case: it opens, as its full number
    does (the other filters aside). Alone it may be a house number or a year
    ("nhà 12", "2026"): the one case is listed, with the page's hint, not
    opened over the words (a second read)."""
    in_b = case_in(commune_b, personas.resident, service=CENTRE_SERVICE)
    officer_b = client_as(personas, "officer_b")
    expected = reverse("console:ticket-detail", args=[in_b.number])
    year = in_b.number.split("-")[1]
    for params in ({}, {"status": S.ACCEPTED}):
        response = officer_b.get(QUEUE, {"q": f"{year}-{_sequence(in_b)}", **params})
        assert (response.status_code, response["Location"]) == (302, expected)
    for typed in (str(_sequence(in_b)), f"{_sequence(in_b):05d}"):
        assert _search(officer_b, typed) == [in_b.number], typed


@pytest.mark.django_db
def test_a_bare_number_outside_the_scope_answers_as_one_that_does_not_exist(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    in_a = case_in(commune_a, personas.resident)
    case_in(commune_b, personas.resident, service=CENTRE_SERVICE)  # officer B's queue
    outside = f"{_sequence(in_a):05d}"
    unknown = "00077"
    assert not Ticket.objects.filter(number__endswith=f"-{unknown}").exists()
    client = client_as(personas, "officer_b")
    pages = {}
    for typed in (outside, unknown):
        response = client.get(QUEUE, {"q": typed})
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert f"No case in your queue matches “{typed}”." in response.content.decode()
        pages[typed] = _page_without_tokens(response, number=typed)
    assert pages[outside] == pages[unknown]


@pytest.mark.django_db
def test_a_house_number_is_found_by_words_when_no_case_of_the_queue_has_that_number(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    in_b = case_in(commune_b, personas.resident, service=CENTRE_SERVICE)
    flooded = case_in(
        commune_a, personas.resident, description=f"Nhà số {_sequence(in_b)} và 633 bị ngập"
    )
    officer_a = client_as(personas, "officer_a")
    # No case numbered 633 at all, and case in_b's number is not in officer A's queue.
    assert _search(officer_a, "633") == [flooded.number]
    assert _search(officer_a, str(_sequence(in_b))) == [flooded.number]


def _numbered_queries(captured: CaptureQueriesContext, number: str) -> list[str]:
    return [q["sql"] for q in captured if f"'{number}'" in q["sql"]]


@pytest.mark.django_db
def test_a_bare_number_is_looked_up_once_through_the_number_index(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The candidate numbers (each province's series of each year whose
    counter has reached the sequence) are read from the counters once, and
    looked up once by their exact values on the unique index of number: no
    LIKE, no scan of the numbers."""
    this_year = case_in(commune_a, personas.resident)
    last_year = _filed_in(case_in(commune_a, personas.resident), this_year.created_at.year - 1)
    officer_a = client_as(personas, "officer_a")
    officer_a.get(QUEUE)  # warm the session

    def searched(typed: str) -> tuple[list[str], CaptureQueriesContext]:
        with CaptureQueriesContext(connection) as captured:
            found = _search(officer_a, typed)
        return found, captured

    found, captured = searched(str(_sequence(this_year)))
    assert found == [last_year.number, this_year.number]
    counters = [q["sql"] for q in captured if "helpdesk_ticketcounter" in q["sql"]]
    assert len(counters) == 1, counters
    lookups = [q for q in _numbered_queries(captured, this_year.number) if "LIMIT" not in q]
    assert lookups, "no lookup by number"
    assert not [q["sql"] for q in captured if "LIKE" in q["sql"]]
    exact = f"IN ('{last_year.number}', '{this_year.number}')"
    assert f'"helpdesk_ticket"."number" {exact}' in lookups[0], lookups
    # Both are listed from the lookup's answer: the numbers are not looked up
    # again to ask whether any exists.
    exists = [q["sql"] for q in captured if re.search(r"\bLIMIT 1$", q["sql"])]
    assert not [sql for sql in exists if this_year.number in sql], exists
    # As many queries when a third year's series has it too; none on the
    # cases for a number no counter has reached (its words are looked for).
    two_years_ago = _filed_in(case_in(commune_a, personas.resident), this_year.created_at.year - 2)
    assert _sequence(two_years_ago) == _sequence(this_year)
    three, again = searched(str(_sequence(this_year)))
    assert three == [two_years_ago.number, last_year.number, this_year.number]
    assert len(again) == len(captured)
    nothing, unreached = searched("9876")
    assert nothing == []
    assert not [q for q in unreached if '"number" IN' in q["sql"]]


@pytest.mark.django_db
def test_a_number_not_in_the_queue_is_looked_up_once(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    """The console's lookup already answered that no case of the queue has
    that number: its words are then looked for without asking again."""
    in_a = case_in(commune_a, personas.resident)
    case_in(commune_b, personas.resident, service=CENTRE_SERVICE)
    officer_b = client_as(personas, "officer_b")
    officer_b.get(QUEUE)  # warm the session
    for typed in (in_a.number, str(_sequence(in_a))):
        with CaptureQueriesContext(connection) as captured:
            assert _search(officer_b, typed) == []
        assert len(_numbered_queries(captured, in_a.number)) == 1, typed


PHONE_WRITTEN = (
    "Gọi 0912345678 khi đến",
    "SĐT: 0912 345 678 (anh Tú)",
    "liên hệ 0912.345.678.",
    "Số +84 912 345 678",
    "zalo 84912345678",
    "ĐT (0912) 345-678",
    "từ nước ngoài gọi 0084 912 345 678",
    "gọi 0084912345678",
)
# The same digits inside a longer number, or another number: not that phone.
PHONE_NOT_WRITTEN = ("Mã 10912345678", "0912 345 6789", "0912 345 679", "912345678912")


@pytest.mark.django_db
def test_a_phone_number_written_in_a_description_or_an_address_finds_its_case(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    owner = user_create(phone="0912345678", full_name="Vũ Văn Tú")
    filed = case_in(commune_a, owner)
    written = []
    for text in PHONE_WRITTEN:
        ticket = case_in(commune_a, personas.resident, description=f"Đèn tắt. {text}")
        written.append(ticket.number)
    in_address = case_in(commune_a, personas.resident, address_text="Xóm 3, nhà 0912-345-678")
    for text in PHONE_NOT_WRITTEN:
        case_in(commune_a, personas.resident, description=text)
    in_b = case_in(
        commune_b, personas.resident, service=CENTRE_SERVICE, description="Gọi 0912 345 678"
    )
    in_order = list(
        Ticket.objects.filter(number__in=[filed.number, *written, in_address.number])
        .order_by("due_at", "id")
        .values_list("number", flat=True)
    )
    officer_a = client_as(personas, "officer_a")
    for typed in ("0912 345 678", "+84912345678", "0912.345.678"):
        assert _search(officer_a, typed) == in_order, typed
    assert _search(client_as(personas, "officer_b"), "0912345678") == [in_b.number]
    admin = client_as(personas, "province_admin")
    assert sorted(_search(admin, "84912345678")) == sorted([*in_order, in_b.number])


@pytest.mark.django_db
def test_a_phone_number_written_in_an_old_case_is_found(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A phone number written in a case's text was looked for in the
    SEARCH_WINDOW cases due last only (removed). Its owner's cases, and every
    case whose text writes it, are found however old."""
    owner = user_create(phone="0912345678")
    old_filed = case_in(commune_a, owner)
    old_written = case_in(commune_a, personas.resident, description="Gọi 0912 345 678")
    recent_written = case_in(commune_a, personas.resident, description="Gọi 0912 345 678")
    case_in(commune_a, personas.resident)
    Ticket.objects.filter(pk__in=[old_filed.pk, old_written.pk]).update(
        due_at=timezone.now() - timedelta(days=4000)
    )
    officer_a = client_as(personas, "officer_a")
    # The queue's order: due soonest first, then by id.
    assert _search(officer_a, "0912345678") == [
        old_filed.number,
        old_written.number,
        recent_written.number,
    ]


@pytest.mark.django_db
def test_a_phone_search_reads_the_search_text_in_the_same_queries_however_many_it_finds(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The text is read through its search text (the trigram index), in the
    queue's own queries: as many queries for 23 cases found as for 3."""
    owner = user_create(phone="0912345678")
    officer_a = client_as(personas, "officer_a")
    officer_a.get(QUEUE)  # warm the session

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            _search(officer_a, "0912 345 678")
        return [q["sql"] for q in captured]

    def written(count: int) -> None:
        for _ in range(count):
            case_in(commune_a, personas.resident, description="Gọi 0912 345 678")

    case_in(commune_a, owner)
    written(2)
    few = queries()
    assert not [sql for sql in few if "OFFSET" in sql and "due_at" in sql], few
    assert not [sql for sql in few if '"helpdesk_ticket"."description"' in sql], few
    assert [sql for sql in few if '"helpdesk_ticket"."search_text"::text LIKE' in sql], few
    written(20)
    assert len(queries()) == len(few)
    assert len(_search(officer_a, "0912 345 678")) == 23


@pytest.mark.django_db
def test_the_page_says_what_a_number_or_a_phone_found(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """A bare number's list said "cases whose description … hold “633”", and a
    phone's said nothing of the cases whose text gives it (a second read)."""
    this_year = case_in(commune_a, personas.resident)
    last_year = _filed_in(case_in(commune_a, personas.resident), this_year.created_at.year - 1)
    sequence = _sequence(this_year)
    client = Client(headers={"accept-language": "vi"})
    client.force_login(personas.officer_a)
    page = html.unescape(client.get(QUEUE, {"q": str(sequence)}).content.decode())
    assert f"Hồ sơ số {last_year.number}, {this_year.number}." in page
    assert f"hãy thêm một từ đi kèm, ví dụ “nhà {sequence}”" in page
    assert "giữ “" not in page.split("search-found", 1)[1].split("</p>", 1)[0]
    written = case_in(commune_a, personas.resident, description="Gọi anh Tú 0912 345 678")
    phone = html.unescape(client.get(QUEUE, {"q": "0912345678"}).content.decode())
    assert written.number in phone
    found = phone.split('class="search-found"', 1)[1].split("</p>", 1)[0]
    assert "và các hồ sơ có ghi số này." in found, found
