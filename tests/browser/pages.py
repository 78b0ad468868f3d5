"""Every page a person can open, as who opens it: the list the accessibility and
language walks visit (tests/browser/test_accessibility.py).

Routes are spelled as in the permission matrix (tests/permission_rows.py).
tests/browser/test_page_list.py fails when the matrix has a GET page the walk
neither visits nor lists in NOT_PAGES with a reason, so a new page cannot skip
axe-core or the language check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Persona = Literal["anonymous", "resident", "team_member", "officer", "leader", "province_admin"]


@dataclass(frozen=True)
class Visit:
    route: str  # as in tests/permission_rows.py PAGE_ROWS
    persona: Persona
    # A path with {number} (the resident's open case), {resolved} (their
    # resolved case: the rating form), {public_id}, {slug} and {answer} (a
    # prepared answer of the officer's department) filled in.
    path: str
    # Resident pages must fit a 360 px phone at 200 % zoom (180 CSS px).
    phone: bool = True


VISITS: tuple[Visit, ...] = (
    Visit("", "anonymous", "/"),
    Visit("", "resident", "/"),
    Visit("report/new/", "resident", "/report/new/"),
    Visit("report/new/", "resident", "/report/new/?service=road_damage"),
    Visit("report/new/", "team_member", "/report/new/?service=road_damage"),
    Visit("reports/map/", "anonymous", "/reports/map/"),
    Visit("reports/<str:public_id>/", "anonymous", "/reports/{public_id}/"),
    Visit("reports/<str:public_id>/", "team_member", "/reports/{public_id}/"),
    Visit("help/new/", "resident", "/help/new/"),
    Visit("help/answered/", "anonymous", "/help/answered/?article={slug}"),
    Visit("help/articles/<slug:slug>/", "anonymous", "/help/articles/{slug}/"),
    Visit("cases/", "resident", "/cases/"),
    Visit("cases/filed-for-others/", "team_member", "/cases/filed-for-others/"),
    Visit("cases/<str:number>/", "resident", "/cases/{number}/"),
    Visit("cases/<str:number>/", "resident", "/cases/{resolved}/"),
    Visit("cases/<str:number>/submitted/", "resident", "/cases/{number}/submitted/"),
    Visit("accounts/login/", "anonymous", "/accounts/login/"),
    # Reached after sending a phone number (the walk makes such a session).
    Visit("accounts/login/code/", "anonymous", "/accounts/login/code/"),
    Visit("notifications/", "resident", "/notifications/"),
    Visit("notifications/preferences/", "resident", "/notifications/preferences/"),
    Visit("map/", "anonymous", "/map/"),
    Visit("scam-check/", "anonymous", "/scam-check/"),
    Visit("scam-check/", "resident", "/scam-check/"),
    Visit("console/scams/", "province_admin", "/console/scams/", phone=False),
    Visit("console/login/", "anonymous", "/console/login/", phone=False),
    Visit("console/", "officer", "/console/", phone=False),
    Visit("console/map/", "officer", "/console/map/", phone=False),
    Visit("console/cases/<str:number>/", "officer", "/console/cases/{number}/", phone=False),
    Visit("console/dashboard/", "leader", "/console/dashboard/", phone=False),
    # The province's communes, each a link that opens its departments.
    Visit("console/dashboard/", "province_admin", "/console/dashboard/", phone=False),
    Visit("console/audit/", "province_admin", "/console/audit/", phone=False),
    # Prepared answers: an officer reads them; a leader also writes them; a
    # province administrator chooses the commune first.
    Visit("console/answers/", "officer", "/console/answers/", phone=False),
    Visit("console/answers/", "leader", "/console/answers/", phone=False),
    Visit("console/answers/", "province_admin", "/console/answers/", phone=False),
    Visit("console/answers/<int:answer_id>/", "leader", "/console/answers/{answer}/", phone=False),
    Visit("console/alerts/", "officer", "/console/alerts/", phone=False),
    Visit("console/alerts/new/", "officer", "/console/alerts/new/", phone=False),
    # Commune A's public alerts page (tests/conftest.py COMMUNE_A).
    Visit("alerts/<str:code>/", "anonymous", "/alerts/05443/"),
    # What the installable app shows when a page it has not kept is opened offline.
    Visit("offline/", "anonymous", "/offline/"),
)

# GET routes of the matrix that are not pages a person reads.
NOT_PAGES: dict[str, str] = {
    "report/communes/": "JSON for the commune list the report form fills in",
    "cases/<str:number>/live/": "HTML parts live.js puts into the case page (checked there)",
    "console/rows/": "queue rows live.js puts into the queue (checked there)",
    "console/cases/<str:number>/live/": "HTML parts live.js puts into the console case page",
    "photos/<int:attachment_id>/<str:variant>/": "an image",
    "photos/<int:attachment_id>/public/<str:variant>/": "a redirect to an image",
    "voice/<int:voice_id>/": "a recording (audio/ogg)",
    "notifications/<int:notification_id>/open/": "a redirect to what the notification is about",
    "sw.js": "the installable app's service worker (JavaScript)",
    "alerts/relay/": "refused to everyone in the walk's world, which registers no relay; "
    "its content is checked in tests/alerts/test_relay.py",
    "manifest.webmanifest": "the installable app's manifest (JSON)",
    "texts/<str:lang>/<str:version>.js": "the scripts' texts in one language (JavaScript)",
    # Open311 GeoReport v2: machine-readable answers for other systems.
    "open311/v2/": "the Open311 discovery answer for a client's root URL (JSON)",
    "open311/v2/discovery.<fmt:fmt>": "Open311 JSON or XML",
    "open311/v2/services.<fmt:fmt>": "Open311 JSON or XML",
    "open311/v2/services/<o311id:code>.<fmt:fmt>": "Open311 JSON or XML",
    "open311/v2/requests.<fmt:fmt>": "Open311 JSON or XML",
    "open311/v2/requests/<o311id:service_request_id>.<fmt:fmt>": "Open311 JSON or XML",
    "open311/v2/tokens/<o311id:token>.<fmt:fmt>": "Open311 JSON or XML",
    "open311/v2/servicerequestupdates.<fmt:fmt>": "Open311 JSON or XML",
    "^open311/": "Open311's 404 error list (JSON or XML) for any other path",
}
