"""The permission matrix: every page and API operation, and what each persona gets.

One row per (method, route). A route is written exactly as the URL resolver
(pages) or the OpenAPI schema (API operations) spells it, so
tests/test_permission_matrix.py can check that nothing is missing: a new URL or
API operation fails that test until it has a row here.

Path parameters are filled from the world the test builds (test_permission_matrix.py):
``{number}``/``<str:number>`` is case A (commune A, filed by resident A, with
an unapproved photo), ``{photo_id}`` its photo, ``{public_id}`` its public id,
``{notification_id}`` resident A's notification about it, ``{slug}`` a
published help article.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# Commune A of the test boundaries (tests/conftest.py COMMUNE_A).
COMMUNE_A_CODE = "05443"

PERSONAS = (
    "anonymous",
    "resident_a",  # the reporter of case A
    "resident_b",  # another resident, with a case of their own in commune B
    "team_member",  # digital-technology team of commune B: files for others, no staff role
    "officer_a",  # officer of the department case A is routed to (commune A)
    "officer_other_dept",  # officer of another department of commune A
    "officer_b",  # officer of commune B
    "leader_a",  # leader of commune A
    "province_admin",  # administrator of the province of commune A
    "province_admin_other",  # administrator of another province
    "superuser",
)

# Who handles case A as staff, and who is staff but not for case A.
IN_SCOPE = ("officer_a", "leader_a", "province_admin", "superuser")
STAFF_ELSEWHERE = ("officer_other_dept", "officer_b", "province_admin_other")
OTHER_PEOPLE = ("resident_b", "team_member")
SIGNED_IN = tuple(p for p in PERSONAS if p != "anonymous")
STAFF = IN_SCOPE + STAFF_ELSEWHERE

# The state case A is put in (inside the row's savepoint) before the request,
# so that an allowed persona's request can succeed: a 2xx, not a 409, shows
# that the scope check let them through.
State = Literal["new", "accepted", "in_progress", "resolved"]


def expect(default: int, **overrides: int) -> Mapping[str, int]:
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, unknown
    return {persona: overrides.get(persona, default) for persona in PERSONAS}


def each(groups: Mapping[tuple[str, ...], int], default: int) -> Mapping[str, int]:
    """Statuses by group of personas; the rest get ``default``."""
    statuses = {persona: default for persona in PERSONAS}
    for personas, status in groups.items():
        for persona in personas:
            statuses[persona] = status
    return statuses


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    expect: Mapping[str, int]
    # Personas whose 2xx answer must name case A (its number, or for
    # ``marker="commune"`` commune A's name, as the dashboard figures do). Anyone
    # else's answer must carry neither, nor case A's description, unless the row
    # is about case A itself (its number in the path) and the scope check let
    # them through with a 2xx.
    reveals: tuple[str, ...] = ()
    marker: Literal["case", "commune"] = "case"
    # The public view of case A (helpdesk.public_view): its description, masked,
    # is shown to anyone; its number never.
    public_view: bool = False
    state: State = "new"
    query: str = ""
    data: Mapping[str, object] | None = None
    json: bool = False
    # Path parameters that are not fixtures (which action, which photo size).
    params: Mapping[str, str] = field(default_factory=dict)
    # Where a redirect must lead: persona → path prefix.
    location: Mapping[str, str] = field(default_factory=dict)


# --- Case-scoped expectations -----------------------------------------------------


# The API: strangers 401, the case's people 2xx, people who cannot see the case
# 404 ("not yours" and "does not exist" are one answer, also for staff of other
# communes: case numbers run in sequence), the reporter 403 on staff actions
# (they see the case, the action is not theirs).
def api_staff_action(ok: int = 200) -> Mapping[str, int]:
    return each({IN_SCOPE: ok, ("resident_a",): 403, ("anonymous",): 401}, 404)


def api_reporter_action(ok: int = 200) -> Mapping[str, int]:
    return each({("resident_a",): ok, IN_SCOPE: 403, ("anonymous",): 401}, 404)


# The console: strangers to its login page, people without a staff role 403,
# staff 404 on a case outside their scope.
CONSOLE_CASE = each(
    {("anonymous",): 302, ("resident_a", *OTHER_PEOPLE): 403, STAFF_ELSEWHERE: 404}, 200
)
CONSOLE_CASE_ACTION = {**CONSOLE_CASE, **{p: 302 for p in IN_SCOPE}}
CONSOLE_PAGE = each({("anonymous",): 302, ("resident_a", *OTHER_PEOPLE): 403}, 200)
# The resident's case pages: the reporter and staff in scope; anyone else 404.
RESIDENT_CASE = each({("anonymous",): 302, ("resident_a", *IN_SCOPE): 200}, 404)

NUMBER_PAGES = ("resident_a", *IN_SCOPE)
# Whose inbox names case A: the reporter (the world's notification) and the
# officers of its department, told of a new case in their queue.
TOLD_OF_CASE_A = ("resident_a", "officer_a")

API_ROWS: tuple[Row, ...] = (
    Row("POST", "/api/v1/auth/otp/request", expect(422), data={"phone": "12"}, json=True),
    Row(
        "POST",
        "/api/v1/auth/otp/verify",
        expect(422),
        data={"phone": "12", "code": "000000"},
        json=True,
    ),
    Row("GET", "/api/v1/auth/me", expect(200, anonymous=401)),
    Row("POST", "/api/v1/auth/logout", expect(204, anonymous=401)),
    Row("GET", "/api/v1/geo/lookup", expect(200), query="lat={lat}&lon={lon}"),
    Row(
        "POST",
        "/api/v1/geo/lookup",
        expect(200),
        data={"points": [{"lat": "{lat}", "lon": "{lon}"}]},
        json=True,
    ),
    Row("GET", "/api/v1/helpdesk/services", expect(200)),
    Row("GET", "/api/v1/helpdesk/cases", expect(200, anonymous=401), reveals=NUMBER_PAGES),
    # The queue on a map at province zoom: commune bubbles of the person's own
    # queue only (commune A's bubble for those who handle case A).
    Row(
        "GET",
        "/api/v1/helpdesk/map",
        expect(200, anonymous=401),
        reveals=IN_SCOPE,
        marker="commune",
        query="bbox=102,8,110,24&zoom=6",
    ),
    Row(
        "GET",
        "/api/v1/helpdesk/cases/{number}",
        each({NUMBER_PAGES: 200, ("anonymous",): 401}, 404),
        reveals=NUMBER_PAGES,
    ),
    Row("POST", "/api/v1/helpdesk/cases/{number}/accept", api_staff_action(), data={}, json=True),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/assign",
        api_staff_action(),
        state="accepted",
        data={"assignee_phone": "{officer_a_phone}"},
        json=True,
    ),
    Row("POST", "/api/v1/helpdesk/cases/{number}/start", api_staff_action(), state="accepted"),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/resolve",
        api_staff_action(),
        state="in_progress",
        data={"body": "Đã thay bóng đèn"},
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/photos/{photo_id}/public",
        api_staff_action(204),
        data={"public": True},
        json=True,
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/reject",
        api_staff_action(),
        data={"reason": "Không thuộc thẩm quyền"},
        json=True,
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/duplicate",
        api_staff_action(),
        data={"original": "{earlier_number}"},
        json=True,
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/transfer",
        api_staff_action(),
        data={"department_id": "{other_department_id}", "reason": "Sai bộ phận"},
        json=True,
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/reply",
        each({NUMBER_PAGES: 201, ("anonymous",): 401}, 404),
        data={"body": "Đèn vẫn tắt"},
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/note",
        api_staff_action(201),
        data={"body": "Gọi nhà thầu"},
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/reopen",
        api_reporter_action(),
        state="resolved",
        data={"reason": "Lại hỏng"},
        json=True,
    ),
    Row(
        "POST",
        "/api/v1/helpdesk/cases/{number}/rate",
        api_reporter_action(),
        state="resolved",
        data={"rating": 5},
        json=True,
    ),
    Row("GET", "/api/v1/kb/search", expect(200), query="q=vneid"),
    Row("GET", "/api/v1/kb/suggest", expect(200), query="text=kich+hoat+tai+khoan+vneid"),
    Row("GET", "/api/v1/kb/articles/{slug}", expect(200)),
    Row("GET", "/api/v1/notifications/", expect(200, anonymous=401), reveals=TOLD_OF_CASE_A),
    Row("GET", "/api/v1/notifications/unread", expect(200, anonymous=401)),
    Row(
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        expect(404, anonymous=401, resident_a=200),
    ),
    Row("POST", "/api/v1/notifications/read-all", expect(200, anonymous=401)),
    # Zalo's webhook: no person, signed in or not, gets in without the OA's
    # signature (tests/notifications/test_zalo_link.py).
    Row(
        "POST",
        "/api/v1/notifications/zalo/webhook",
        expect(403),
        data={"event_name": "user_send_text", "timestamp": "1", "message": {"text": "123456"}},
        json=True,
    ),
    Row("POST", "/api/v1/notifications/zalo/link-code", expect(200, anonymous=401)),
    Row("GET", "/api/v1/notifications/preferences", expect(200, anonymous=401)),
    Row(
        "PUT",
        "/api/v1/notifications/preferences",
        expect(200, anonymous=401),
        data={
            "email_enabled": False,
            "sms_enabled": True,
            "zalo_enabled": False,
            "quiet_start": "21:00:00",
            "quiet_end": "06:00:00",
        },
        json=True,
    ),
    Row(
        "POST",
        "/api/v1/reports/cases",
        expect(201, anonymous=401),
        data={
            "service": "streetlight_out",
            "description": "Den tat o cong cho",
            "lat": "{lat}",
            "lon": "{lon}",
        },
    ),
    # Each nearby report with its public view's words (masked, cut short), to
    # tell whether it is the same problem (4522b2a).
    Row(
        "GET",
        "/api/v1/reports/nearby",
        expect(200),
        query="service=streetlight_out&lat={lat}&lon={lon}",
        public_view=True,
    ),
    # The reporter already follows their case: "me too" on it is refused (409).
    Row(
        "POST",
        "/api/v1/reports/public/{public_id}/support",
        expect(200, anonymous=401, resident_a=409),
    ),
    Row("GET", "/api/v1/reports/public/{public_id}", expect(200), public_view=True),
    Row("GET", "/api/v1/reports/public", expect(200)),
    Row("GET", "/api/v1/reports/map", expect(200), query="bbox=102,8,110,24&zoom=6"),
    # Commune A's alerts feed: public, nothing personal.
    Row("GET", "/api/v1/alerts/{code}", expect(200), params={"code": COMMUNE_A_CODE}),
    # The scam check is open to everyone, signed in or not.
    Row(
        "POST",
        "/api/v1/scams/check",
        expect(200),
        data={"text": "Chuc mung ban da trung thuong, nop phi nhan thuong 500k"},
        json=True,
    ),
)

PAGE_ROWS: tuple[Row, ...] = (
    Row("GET", "", expect(200)),
    # The installable app's frame (config/pwa.py): the same for everyone, nothing personal.
    Row("GET", "sw.js", expect(200)),
    Row("GET", "manifest.webmanifest", expect(200)),
    Row("GET", "offline/", expect(200)),
    Row("GET", "texts/<str:lang>/<str:version>.js", expect(200)),
    Row("GET", "report/new/", expect(200, anonymous=302)),
    Row("GET", "report/communes/", expect(200), query="province=19"),
    Row("GET", "reports/map/", expect(200)),
    Row("GET", "reports/<str:public_id>/", expect(200), public_view=True),
    Row("POST", "reports/<str:public_id>/me-too/", expect(200, anonymous=302, resident_a=409)),
    Row("GET", "help/new/", expect(200, anonymous=302)),
    Row("GET", "help/answered/", expect(200), query="article={slug}"),
    Row("GET", "help/articles/<slug:slug>/", expect(200)),
    Row("GET", "scam-check/", expect(200)),
    # Sending a check on: only its checker, signed in; no persona checked this one.
    Row(
        "POST",
        "scam-check/<str:check_id>/send/",
        expect(404, anonymous=302),
        params={"check_id": "not-a-check"},
    ),
    Row("GET", "cases/", expect(200, anonymous=302), reveals=("resident_a",)),
    Row("GET", "cases/filed-for-others/", expect(200, anonymous=302)),
    Row("GET", "cases/<str:number>/", RESIDENT_CASE, reveals=NUMBER_PAGES),
    Row("GET", "cases/<str:number>/submitted/", RESIDENT_CASE, reveals=NUMBER_PAGES),
    Row("GET", "cases/<str:number>/live/", RESIDENT_CASE),
    Row(
        "POST",
        "cases/<str:number>/<str:action>/",
        {**RESIDENT_CASE, **{p: 302 for p in NUMBER_PAGES}},
        data={"reply-body": "Đèn vẫn tắt"},
        params={"action": "reply"},
    ),
    Row("GET", "console/", CONSOLE_PAGE, reveals=IN_SCOPE),
    # The rows a live push named, asked for by case number: out of scope, none.
    Row("GET", "console/rows/", CONSOLE_PAGE, reveals=IN_SCOPE, query="cases={number}"),
    Row(
        "GET",
        "console/dashboard/",
        each(
            {
                ("anonymous",): 302,
                ("resident_a", *OTHER_PEOPLE): 403,
                ("officer_a", "officer_other_dept", "officer_b"): 403,
            },
            200,
        ),
        reveals=("leader_a", "province_admin", "superuser"),
        marker="commune",
        # Commune A's departments asked for by its code (tests/conftest.py
        # COMMUNE_A): its own people see them, anyone else's page ignores it.
        query="commune=05443",
    ),
    Row("GET", "console/map/", CONSOLE_PAGE, reveals=IN_SCOPE),
    # The audit trail: province administrators (their province's rows) and
    # superusers. Case A is accepted first, so its row is there to be found by
    # them and nowhere else: the other province's administrator gets the page
    # without it.
    Row(
        "GET",
        "console/audit/",
        each(
            {
                ("anonymous",): 302,
                ("resident_a", *OTHER_PEOPLE): 403,
                ("officer_a", "officer_other_dept", "officer_b", "leader_a"): 403,
            },
            200,
        ),
        reveals=("province_admin", "superuser"),
        state="accepted",
    ),
    # The province's scam list: every staff member, each seeing their provinces'.
    Row("GET", "console/scams/", CONSOLE_PAGE),
    # Prepared answers: staff read those of their departments (or the ones
    # they manage); no answer of this id exists, so writing it is a 404 for
    # every staff member (tests/console/test_prepared_answers.py has the scope).
    Row(
        "GET",
        "console/answers/",
        # The other province has no departments in the test world: nothing to read.
        each(
            {
                ("anonymous",): 302,
                ("resident_a", *OTHER_PEOPLE): 403,
                ("province_admin_other",): 404,
            },
            200,
        ),
    ),
    Row(
        "GET",
        "console/answers/<int:answer_id>/",
        each({("anonymous",): 302, ("resident_a", *OTHER_PEOPLE): 403}, 404),
        params={"answer_id": "999999"},
    ),
    Row(
        "POST",
        "console/answers/<int:answer_id>/delete/",
        each({("anonymous",): 302, ("resident_a", *OTHER_PEOPLE): 403}, 404),
        params={"answer_id": "999999"},
    ),
    Row(
        "POST",
        "console/scams/checks/<str:check_id>/confirm/",
        each({("anonymous",): 302, ("resident_a", *OTHER_PEOPLE): 403}, 404),
        params={"check_id": "not-a-check"},
    ),
    # Case A holds no number or link: staff in scope are sent back to it (302).
    Row("POST", "console/scams/cases/<str:number>/confirm/", CONSOLE_CASE_ACTION),
    Row("GET", "console/login/", expect(302, anonymous=200)),
    Row("POST", "console/logout/", expect(302)),
    Row("GET", "console/cases/<str:number>/", CONSOLE_CASE, reveals=IN_SCOPE),
    Row("GET", "console/cases/<str:number>/live/", CONSOLE_CASE),
    Row(
        "POST",
        "console/cases/<str:number>/photos/<int:photo_id>/public/",
        CONSOLE_CASE_ACTION,
        data={"public": "1"},
    ),
    Row(
        "POST",
        "console/cases/<str:number>/<slug:action>/",
        CONSOLE_CASE_ACTION,
        params={"action": "accept"},
    ),
    Row(
        "GET",
        "photos/<int:attachment_id>/<str:variant>/",
        each({NUMBER_PAGES: 200}, 404),
        params={"variant": "thumbnail"},
    ),
    # A public copy's lasting address in a bucket's signed mode; on the tests'
    # folder storage the web server serves /media/public/ and this is a 404.
    Row(
        "GET",
        "photos/<int:attachment_id>/public/<str:variant>/",
        expect(404),
        params={"variant": "thumbnail"},
    ),
    # Voice notes are never public: the reporter and officers in scope only.
    Row("GET", "voice/<int:voice_id>/", each({NUMBER_PAGES: 200}, 404)),
    Row("GET", "accounts/login/", expect(200)),
    Row("GET", "accounts/login/code/", expect(302)),
    Row("POST", "accounts/logout/", expect(302)),
    Row("GET", "notifications/", expect(200, anonymous=302), reveals=TOLD_OF_CASE_A),
    Row("POST", "notifications/read-all/", expect(302)),
    # The SMS gateway's webhook: no person, signed in or not, gets in without
    # the gateway's shared secret (tests/sms_intake/test_webhook.py).
    Row(
        "POST",
        "sms/inbound/",
        expect(403),
        data={"id": "gw-1", "from": "0981000001", "text": "#{number} hello"},
        json=True,
    ),
    Row(
        "GET",
        "notifications/<int:notification_id>/open/",
        expect(302),
        location={
            persona: "/cases/" if persona == "resident_a" else "/notifications/"
            for persona in SIGNED_IN
        },
    ),
    Row("GET", "notifications/preferences/", expect(200, anonymous=302)),
    # A person's own Zalo link code and link: nobody else's (302 back to the
    # settings page, or to the log-in page).
    Row("POST", "notifications/preferences/zalo/code/", expect(302)),
    Row("POST", "notifications/preferences/zalo/unlink/", expect(302)),
    Row("GET", "map/", expect(200)),
    # Open311 (open311/): reading is public and the same for everyone, case A
    # through its public view; filing needs an api_key, which no persona's
    # session stands in for.
    Row("GET", "open311/v2/", expect(200)),
    Row("GET", "open311/v2/discovery.<fmt:fmt>", expect(200), params={"fmt": "xml"}),
    Row("GET", "open311/v2/services.<fmt:fmt>", expect(200), params={"fmt": "json"}),
    Row(
        "GET",
        "open311/v2/services/<o311id:code>.<fmt:fmt>",
        expect(200),
        params={"fmt": "xml", "code": "streetlight_out"},
    ),
    Row(
        "GET",
        "open311/v2/requests.<fmt:fmt>",
        expect(200),
        public_view=True,
        params={"fmt": "json"},
        query="jurisdiction_id=19",
    ),
    Row(
        "POST",
        "open311/v2/requests.<fmt:fmt>",
        expect(403),
        data={"service_code": "streetlight_out", "lat": "{lat}", "long": "{lon}"},
        params={"fmt": "json"},
    ),
    Row(
        "GET",
        "open311/v2/requests/<o311id:service_request_id>.<fmt:fmt>",
        expect(200),
        public_view=True,
        params={"fmt": "xml"},
    ),
    Row(
        "GET",
        "open311/v2/tokens/<o311id:token>.<fmt:fmt>",
        expect(404),
        params={"fmt": "json", "token": "not-a-token"},
    ),
    Row(
        "GET",
        "open311/v2/servicerequestupdates.<fmt:fmt>",
        expect(200),
        state="accepted",
        params={"fmt": "json"},
    ),
    # Any other path under /open311/: GeoReport's 404, for everyone alike.
    Row("GET", "^open311/", expect(404)),
    # Commune alerts (alerts app): the console pages for every staff member (the
    # list shows only their area's alerts, tests/alerts/test_pages.py); the
    # relay's page for registered relays, of whom the world has none.
    Row("GET", "console/alerts/", CONSOLE_PAGE),
    Row("GET", "console/alerts/new/", CONSOLE_PAGE),
    Row("GET", "alerts/relay/", expect(403, anonymous=302)),
    Row(
        "POST",
        "alerts/relay/<int:alert_id>/households/<int:household_id>/told/",
        expect(403, anonymous=302),
        params={"alert_id": "1", "household_id": "1"},
    ),
    Row("GET", "alerts/<str:code>/", expect(200), params={"code": COMMUNE_A_CODE}),
)
