"""The resident's report form in a real browser, with its script on.

The photo is downscaled in the page before upload, a progress bar shows while
sending, and a case that could not be sent waits on the phone and is sent
again with the same submission key: never lost, never filed twice.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from geo.models import AdminUnit
from helpdesk.models import Attachment, Ticket
from tests.browser.conftest import Problems, Server, file_case, log_in
from tests.conftest import Personas
from tests.factories import point_inside

pytestmark = pytest.mark.browser

FORM = "/report/new/?service=road_damage"

# Records, through a binding, every value the progress bar shows while visible:
# the page navigates away on success, so the record must live outside it.
PROGRESS_WATCH = """
document.addEventListener("DOMContentLoaded", function () {
  var bar = document.getElementById("progress");
  if (!bar) { return; }
  new MutationObserver(function () {
    if (!bar.hidden) { window.progressShown(bar.value); }
  }).observe(bar, { attributes: true });
});
"""


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A 3000x2000 JPEG of about 4 MB, like a phone's photo."""
    width, height = 3000, 2000
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    flipped = gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    path = tmp_path / "pothole.jpg"
    Image.merge("RGB", (gradient, noise, flipped)).save(path, "JPEG", quality=92)
    return path


def fill_report(page: Page, *, commune: AdminUnit, photo: Path, description: str) -> None:
    """Describe the problem, place it with the latitude/longitude inputs (the
    fallback that needs no map tiles) and attach the photo."""
    lat, lon = point_inside(commune)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    page.locator("#id_description").fill(description)
    page.locator("#photos").set_input_files(photo)
    expect(page.locator("#photo-count")).not_to_be_empty()


# The cases waiting in the outbox (static/js/offline.js): each item's values at
# the given dotted paths ("state", "photos.length", "fields.description").
OUTBOX = """(paths) => new Promise(resolve => {
  const open = indexedDB.open("xadesk-outbox");
  open.onupgradeneeded = () => open.transaction.abort();  // never create it for the page
  open.onerror = () => resolve([]);
  open.onsuccess = () => {
    const get = open.result.transaction("items").objectStore("items").getAll();
    get.onsuccess = () => {
      resolve(get.result.map(i => paths.map(
        p => p.split(".").reduce((value, name) => value == null ? value : value[name], i))));
      open.result.close();
    };
    get.onerror = () => resolve([]);
  };
})"""


def outbox(page: Page) -> list[list[object]]:
    """[state, number of photos, key] of each case in the outbox."""
    return outbox_fields(page, "state", "photos.length", "key")


def outbox_fields(page: Page, *paths: str) -> list[list[object]]:
    return list(page.evaluate(OUTBOX, list(paths)))


def wait_until_photo_kept(page: Page) -> None:
    """The report waits on the phone with its photo: only then may the
    connection return or the page reload."""
    deadline = time.monotonic() + 10
    while True:
        waiting = outbox(page)
        if [row[:2] for row in waiting] == [["waiting", 1]]:
            return
        assert time.monotonic() < deadline, f"the outbox: {waiting}"
        page.wait_for_timeout(50)


def resident_tickets(personas: Personas) -> int:
    return Ticket.objects.filter(reporter=personas.resident).count()


def test_report_with_photo_downscaled_in_the_page(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
    media_root: Path,
) -> None:
    log_in(context, server, personas.resident)
    progress: list[int] = []
    page.expose_function("progressShown", lambda value: progress.append(int(value)))
    page.add_init_script(PROGRESS_WATCH)
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)

    page.goto("/report/new/")
    page.locator('a.tile[href="?service=road_damage"]').click()
    expect(page.locator("#case-form")).to_be_visible()
    fill_report(page, commune=commune_a, photo=photo, description="Ổ gà lớn trước cổng chợ")
    page.locator("#send").click()
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"))
    number = page.locator("strong.number").inner_text().strip()
    assert number

    ticket = Ticket.objects.get(number=number)
    assert ticket.reporter == personas.resident
    assert ticket.service.code == "road_damage"
    assert ticket.commune == commune_a
    # The served image is made by the photo worker after the case exists.
    attachment = Attachment.objects.get(ticket=ticket)
    deadline = time.monotonic() + 30
    while attachment.state != Attachment.State.READY and time.monotonic() < deadline:
        time.sleep(0.1)
        attachment.refresh_from_db()
    assert attachment.state == Attachment.State.READY
    with Image.open(media_root / attachment.display) as display:
        assert max(display.size) <= 1600
    assert max(attachment.width, attachment.height) <= 1600

    # The downscale ran in the page: the server got other bytes than the file,
    # the request was a fraction of the 4 MB photo, and the bar showed.
    original = photo.read_bytes()
    assert attachment.sha256 != hashlib.sha256(original).hexdigest()
    [upload] = [r for r in posts if r.url.endswith("/api/v1/reports/cases")]
    sent = upload.sizes()["requestBodySize"]
    assert sent < len(original) / 3, (sent, len(original))
    assert progress, "the progress bar never showed"
    assert max(progress) == 100
    problems.assert_none()


def test_offline_report_waits_on_the_phone_and_is_sent_once(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    log_in(context, server, personas.resident)
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=photo, description="Cống bị vỡ")

    context.set_offline(True)
    page.locator("#send").click()
    pending = page.locator("#pending")
    offline_text = page.evaluate("self.XADESK_TEXTS.form.offline")
    assert offline_text
    expect(pending).to_have_text(offline_text)
    wait_until_photo_kept(page)
    assert resident_tickets(personas) == 0

    # The signal returns: the "online" event sends it, with its photo.
    context.set_offline(False)
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"))
    number = page.locator("strong.number").inner_text().strip()
    assert Ticket.objects.get(reporter=personas.resident).number == number
    assert Attachment.objects.filter(ticket__number=number).count() == 1
    assert outbox(page) == []

    # Opening the form again sends nothing more.
    page.goto(FORM)
    expect(page.locator("#pending")).to_be_hidden()
    page.wait_for_load_state("networkidle")
    assert resident_tickets(personas) == 1
    problems.assert_no_page_errors()


def test_report_whose_answer_was_lost_is_resent_with_the_same_key(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    """The server filed the case but the phone never heard back (the signal
    dropped mid-answer): the page keeps it, resends after a reload, and the
    server answers with the case it already has."""
    log_in(context, server, personas.resident)
    lost: list[int] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST" or lost:
            route.fallback()
            return
        answer = route.fetch(max_redirects=0)
        lost.append(answer.status)
        route.abort("connectionreset")

    page.route("**/api/v1/reports/cases", lose_first_answer)
    page.goto(FORM)
    key = page.locator("input[name=idempotency_key]").input_value()
    fill_report(page, commune=commune_a, photo=photo, description="Đèn đường tắt cả tuần")
    page.locator("#send").click()

    offline_text = page.evaluate("self.XADESK_TEXTS.form.offline")
    assert offline_text
    expect(page.locator("#pending")).to_have_text(offline_text)
    assert lost == [201], lost
    filed = Ticket.objects.get(reporter=personas.resident)
    wait_until_photo_kept(page)

    # Back on the form (a reload), the waiting report goes again, same key,
    # and the server answers with the case it already has.
    page.reload()
    expect(page.get_by_role("link", name=re.compile(filed.number))).to_be_visible()
    assert outbox(page) == []
    assert resident_tickets(personas) == 1
    assert Attachment.objects.filter(ticket=filed).count() == 1

    # And once more: nothing is waiting, nothing is sent.
    page.goto(FORM)
    assert page.locator("input[name=idempotency_key]").input_value() != key
    page.wait_for_load_state("networkidle")
    assert resident_tickets(personas) == 1
    problems.assert_no_page_errors()


def test_me_too_on_a_nearby_report_counts_as_the_list_does(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """The nearby list counts the people with the problem, the reporter included;
    the answer to "me too" said "(1 người)" where the list said 2 after a reload
    (found by a helper walking the form on a phone)."""
    filed = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.digital_team)
    page.goto("/report/new/?service=road_damage")
    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    page.locator("#id_lon").blur()  # the change that asks for the reports nearby
    row = page.locator("#nearby li").filter(
        has=page.locator(f'[data-public-id="{filed.public_id}"]')
    )
    expect(row).to_contain_text("Số người gặp việc này: 1")
    expect(row.locator("q")).to_have_text("Ổ gà")  # its words, to tell the same problem
    row.locator("button").click()  # replaced by the answer
    expect(page.locator("#nearby")).to_contain_text(
        "Cảm ơn bạn — ý kiến của bạn đã được ghi nhận. Số người gặp việc này: 2"
    )
    assert filed.supports.count() == 1
    problems.assert_none()


# The check's box with no answer, where the outbox keeps a report for later.
NO_SIGNAL_FOR_CHECK = (
    "Không có sóng nên chưa xem được danh sách. Bạn vẫn có thể gửi phản ánh: "
    "phản ánh sẽ được lưu trên điện thoại này và tự gửi khi có sóng."
)


def choose_commune(page: Page, commune: AdminUnit) -> None:
    """ "No location? Choose your commune": the province, then the commune."""
    page.locator("details.commune summary").click()
    page.locator("#id_province").select_option(commune.parent.code if commune.parent else "")
    expect(page.locator(f'#id_commune option[value="{commune.code}"]')).to_have_count(1)
    page.locator("#id_commune").select_option(commune.code)


def form_in_commune_with_photo(page: Page, commune: AdminUnit, photo: Path) -> None:
    """The form, a commune chosen and no point, one photo chosen; the page
    marked, to tell whether a later step reloaded it."""
    page.goto(FORM)
    page.evaluate("window.notReloaded = true")
    choose_commune(page, commune)
    page.locator("#photos").set_input_files(photo)
    expect(page.locator("#photo-count")).not_to_be_empty()


def check_in_commune(page: Page) -> None:
    page.get_by_role("button", name="Xem phản ánh trong xã/phường đã chọn", exact=True).click()


def still_there_with_its_photo(page: Page) -> bool:
    """The page of form_in_commune_with_photo, not reloaded, its photo still chosen."""
    return bool(
        page.evaluate(
            "window.notReloaded === true && document.getElementById('photos').files.length === 1"
        )
    )


def test_a_commune_without_a_point_is_checked_and_its_reports_take_a_me_too(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """The script lists by itself only the reports near a point. A resident
    with no GPS who chose only the commune had no button to press (it was for
    pages without the script) and read "mark the place first" (a usability
    walk): the button is there with the script too, and lists the commune's."""
    filed = file_case(reporter=personas.digital_team, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.resident)
    page.goto(FORM)
    expect(page.locator("#nearby")).to_contain_text("Chọn xã/phường hoặc vị trí rồi bấm nút dưới")
    choose_commune(page, commune_a)
    # Said to look in the commune, not "nearby": no point was given (a walk).
    check_in_commune(page)

    nearby = page.locator("#nearby")
    expect(nearby).to_contain_text(f"Phản ánh cùng loại đang mở ở {commune_a.full_name}")
    expect(nearby).to_contain_text("Đây là phản ánh trong cả xã/phường, không chỉ ở gần bạn.")
    assert page.locator("#id_lat").input_value() == ""  # no point was made up on the way
    row = nearby.locator("li").filter(has=page.locator(f'[data-public-id="{filed.public_id}"]'))
    expect(row.locator("q")).to_have_text("Ổ gà")
    row.locator("button").click()  # the script's "me too", as on the nearby list
    expect(nearby).to_contain_text("Số người gặp việc này: 2")
    assert filed.supports.filter(user=personas.resident).count() == 1
    assert resident_tickets(personas) == 0
    problems.assert_none()


def test_the_check_keeps_the_photos_chosen_and_sends_none_of_them(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    """The check posted the whole form and the page came back without the
    photos already chosen (a file input cannot be refilled): the resident
    chose them again, after their megabytes had gone up the line for a
    list. The script now sends the check without them and shows the list in
    the page; the report then goes with the photo chosen before it."""
    filed = file_case(reporter=personas.digital_team, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.resident)
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    form_in_commune_with_photo(page, commune_a, photo)
    page.locator("#id_description").fill("Ổ gà sâu giữa đường")
    check_in_commune(page)

    nearby = page.locator("#nearby")
    expect(nearby).to_contain_text(f"Phản ánh cùng loại đang mở ở {commune_a.full_name}")
    expect(nearby.locator(f'[data-public-id="{filed.public_id}"]')).to_have_count(1)
    assert still_there_with_its_photo(page)  # the list came into this page
    bodies = [r.post_data_buffer or b"" for r in posts]
    [check] = [body for body in bodies if b'name="action"' in body]
    assert b'name="photos"' not in check
    assert len(check) < 10_000  # the 4 MB photo stayed on the phone

    page.locator("#send").click()
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"))
    ticket = Ticket.objects.get(number=page.locator("strong.number").inner_text().strip())
    assert ticket.reporter == personas.resident
    assert ticket.commune == commune_a
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    problems.assert_none()


def test_a_check_with_no_signal_says_so_and_keeps_the_page(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    """With no signal the check cannot be made: the box says so, and that
    the report can still be sent; the page and its photos stay."""
    log_in(context, server, personas.resident)
    form_in_commune_with_photo(page, commune_a, photo)
    context.set_offline(True)
    check_in_commune(page)
    expect(page.locator("#nearby")).to_have_text(NO_SIGNAL_FOR_CHECK)
    assert still_there_with_its_photo(page)
    context.set_offline(False)
    problems.assert_no_page_errors()  # the failed fetch is a console line


def test_a_check_that_gets_no_answer_while_online_keeps_the_page(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    """A weak line: the phone says it is online, the check gets no answer.
    The first form then posted the whole form, photos and all, up the same
    line (a second read); now the box says there is no signal and the page
    and its photos stay."""
    log_in(context, server, personas.resident)
    form_in_commune_with_photo(page, commune_a, photo)
    posts: list[Request] = []

    def cut(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request)
        route.abort("connectionreset")

    page.route("**/report/new/", cut)
    check_in_commune(page)
    expect(page.locator("#nearby")).to_have_text(NO_SIGNAL_FOR_CHECK)
    assert still_there_with_its_photo(page)
    assert len(posts) == 1  # the check alone, not a plain post of the photos after it
    assert b'name="photos"' not in (posts[0].post_data_buffer or b"")
    problems.assert_no_page_errors()  # the cut request is a console line


def test_a_check_the_server_refuses_is_posted_plainly_and_its_refusal_shown(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """An answer that is not the page with its list (here the form could not
    be read: a latitude of letters) is not swallowed: the check goes as the
    plain post does without the script, and the page it answers shows why."""
    log_in(context, server, personas.resident)
    page.goto(FORM)
    page.evaluate("window.notReloaded = true")
    page.locator("#id_lat").fill("không biết")
    page.locator("#id_lon").fill("105.8")
    with page.expect_navigation():
        page.get_by_role("button", name="Xem phản ánh ở gần vị trí này", exact=True).click()
    expect(page.locator("#form-error")).to_contain_text(
        "Vui lòng kiểm tra lại thông tin đã nhập: có phần không đọc được."
    )
    assert page.evaluate("window.notReloaded === undefined")
    # The refused check's 422 (fetched, then posted) is a console line: only
    # errors of the page itself count here.
    problems.assert_no_page_errors()
    assert all("422" in line for line in problems.console_errors), problems.console_errors


def test_the_check_button_says_where_it_looks_as_the_point_comes_and_goes(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """The server lists near the point when the form holds one, else in the
    chosen commune; the button said "nearby" for both (a walk). The script
    changes its words as the point is given or taken away, and a reload
    with the point kept (a draft) says "near" at once."""
    log_in(context, server, personas.resident)
    page.goto(FORM)
    check = page.locator("button[name=action][value=check]")
    expect(check).to_have_text("Xem phản ánh trong xã/phường đã chọn")
    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    expect(check).to_have_text("Xem phản ánh trong xã/phường đã chọn")  # half a point
    page.locator("#id_lon").fill(f"{lon:.6f}")
    expect(check).to_have_text("Xem phản ánh ở gần vị trí này")
    page.locator("#id_lon").blur()  # kept in the draft
    page.reload()
    expect(page.locator("#id_lon")).to_have_value(f"{lon:.6f}")
    expect(check).to_have_text("Xem phản ánh ở gần vị trí này")
    page.locator("#id_lat").fill("")
    expect(check).to_have_text("Xem phản ánh trong xã/phường đã chọn")
    problems.assert_none()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_use_my_location_says_which_commune_the_place_is_in(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    language: str,
) -> None:
    """ "Location found" alone left the commune lists at "Choose a province", and
    a resident took them as still to fill in (found by a helper on a phone)."""
    lat, lon = point_inside(commune_a)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 12})
    log_in(context, server, personas.resident)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )
    page.goto("/help/new/")
    page.locator("#use-gps").click()
    status = page.locator("#gps-status")
    if language == "vi":
        expect(status).to_contain_text(commune_a.full_name)
        expect(status).to_contain_text("Không cần chọn xã/phường ở dưới")
    else:
        expect(status).to_contain_text(commune_a.full_name_en)
        expect(status).to_contain_text("No need to choose the commune below")
    assert page.locator("#id_lat").input_value() == f"{lat:.6f}"
    problems.assert_none()
