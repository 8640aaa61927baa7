"""The admin on a 1280 px screen, as Editors and Publishers use it (headless Chromium).

Every page an editor opens (the admin index, the app index, each changelist
and each change form, with the shipped Japan content) fits the screen with
nothing scrolling sideways, neither the page nor a table or inline inside it;
each changelist's status and translation columns are in view; and axe finds
no violation. Set SCREENSHOT_DIR to keep a PNG of each page.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partnerships.models import Partner, ShareLink
from partnerships.translation import TARGET_LANGUAGES
from tests.test_browser import (  # noqa: F401 (fixtures)
    DESKTOP,
    browser,
    log_in_as,
    roles,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {"Editors": "an-editor", "Publishers": "a-publisher"}

# The columns that say where each row stands: publication (and schedule,
# held changes), translation; the share links' own status.
STATUS_COLUMNS = ["column-status", "column-translations"]

# Elements that scroll sideways inside the page: a table or inline wider than
# its box is as bad as a page wider than the screen.
SIDEWAYS_SCROLLERS = """() => Array.from(document.querySelectorAll("body *"))
    .filter(e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX)
                 && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.scrollWidth}>${e.clientWidth}`)
"""

# The right edge of each header of those columns, and of the box that holds
# the table (whose edge clips what is beyond it).
COLUMN_EDGES = """(classes) => {
    const box = document.querySelector("#changelist .results");
    const clip = box ? box.getBoundingClientRect().right : window.innerWidth;
    return Array.from(document.querySelectorAll("#result_list thead th"))
        .filter(th => classes.some(c => th.classList.contains(c)))
        .map(th => [th.className, th.getBoundingClientRect().left,
                    th.getBoundingClientRect().right, Math.min(clip, window.innerWidth)]);
}"""


def admin_paths():
    """The pages editors use: index, app index, each changelist, each change form."""
    japan = Partner.objects.get(slug="japan")
    agreement = japan.agreements.get()
    paths = ["/admin/", "/admin/partnerships/"]
    for model, row in [
        ("partner", japan),
        ("agreement", agreement),  # with its signatories
        ("representative", japan.representatives.first()),
        ("fundingchannel", japan.funding_channels.first()),
        ("project", japan.projects.first()),
        ("privatesupportactivity", japan.private_support_activities.first()),
    ]:
        paths += [f"/admin/partnerships/{model}/", f"/admin/partnerships/{model}/{row.pk}/change/"]
    from django.contrib.auth import get_user_model

    link, _path = ShareLink.create_for(agreement, get_user_model().objects.first())
    paths += ["/admin/partnerships/sharelink/", f"/admin/partnerships/sharelink/{link.pk}/change/"]
    return paths


@pytest.fixture
def admin_page(browser, site, django_user_model, roles):  # noqa: F811
    """A 1280 px page logged in as a member of a role (axe is injected, so the
    site's content security policy is bypassed: another test checks it)."""
    contexts = []

    def open_as(group):
        contexts.append(browser.new_context(viewport=DESKTOP, bypass_csp=True))
        page = contexts[-1].new_page()
        log_in_as(page, site, django_user_model, ROLES[group], group)
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page, name):
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def wait_for_editors(page):
    """The rich-text editors are built by scripts after the page loads."""
    textareas = page.evaluate(
        """Array.from(document.querySelectorAll("textarea")).filter(
            t => t.getAttributeNames().some(n => n.startsWith("data-django-prose-editor"))
        ).length"""
    )
    if textareas:
        expect(page.locator(".ProseMirror[role=textbox]")).to_have_count(textareas)


def assert_fits(page, path):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path} is {width[0]} px wide on a {width[1]} px screen"
    scrollers = page.evaluate(SIDEWAYS_SCROLLERS)
    assert scrollers == [], f"{path} scrolls sideways inside: {scrollers}"


def assert_status_columns_in_view(page, path):
    edges = page.evaluate(COLUMN_EDGES, STATUS_COLUMNS)
    assert edges, f"{path} has no status column"
    for name, left, right, visible_right in edges:
        assert left >= 0 and right <= visible_right, f"{path}: {name} ends at {right}px"
    # Each target language's state, in the first row's translation cell.
    if not page.locator("#result_list th.column-translations").count():
        return  # share links
    cell = page.locator("#result_list tbody tr").first.locator("td.field-translations")
    if cell.locator(".translation-ok").count():
        return
    for language in TARGET_LANGUAGES:
        abbr = cell.locator(f"abbr:text-is('{language}')")
        expect(abbr).to_be_in_viewport()
        box = abbr.bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"], f"{path}: {language} is off-screen"


@pytest.mark.parametrize("group", ROLES)
def test_every_admin_page_fits_1280_px_with_status_in_view_and_no_axe_violation(
    admin_page,
    site,  # noqa: F811
    group,
):
    from axe_playwright_python.sync_playwright import Axe

    page = admin_page(group)
    axe = Axe()
    results = {}
    for path in admin_paths():
        response = page.goto(site + path)
        assert response.status == 200, path
        wait_for_editors(page)
        assert_fits(page, path)
        if path.endswith("/") and path.count("/") == 4:  # a changelist
            assert_status_columns_in_view(page, path)
        found = axe.run(page)
        results[path] = found.violations_count
        assert found.violations_count == 0, f"{path}\n{found.generate_report()}"
        screenshot(page, f"{group.lower()}-{path.strip('/').replace('/', '_')}")
    print(f"\n{group}: axe violations and overflow checked on", results)


def test_editor_corrects_a_signatory_and_a_publisher_publishes_it_on_a_1280_screen(
    admin_page,
    site,  # noqa: F811
):
    """The signatories inline is stacked: each language's field is on screen
    and editable; the held change shows in the status column, in view."""
    call_command("createinitialrevisions", "partnerships", verbosity=0)
    agreement = Partner.objects.get(slug="japan").agreements.get()
    editor = admin_page("Editors")
    editor.goto(f"{site}/admin/partnerships/agreement/{agreement.pk}/change/")
    last = TARGET_LANGUAGES[-1]
    field = editor.locator(f"#id_signatories-0-party_{last}")  # the last column it had
    field.scroll_into_view_if_needed()
    expect(field).to_be_in_viewport()
    # Reached by scrolling down only: nothing, the page or a box around it, was
    # scrolled sideways to bring it into view.
    sideways = field.evaluate(
        """e => { let scrolled = window.scrollX;
                  for (let n = e.parentElement; n; n = n.parentElement) scrolled += n.scrollLeft;
                  return scrolled; }"""
    )
    assert sideways == 0, f"the {last} party is reached by scrolling {sideways}px sideways"
    assert_fits(editor, "the agreement's change form")
    field.fill("国際労働機関")
    screenshot(editor, "editor-agreement-signatory-edited")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist").first).to_contain_text("held")

    publisher = admin_page("Publishers")
    publisher.goto(f"{site}/admin/partnerships/agreement/?pending=yes")
    row = publisher.locator(f"#result_list tr:has(input[value='{agreement.pk}'])")
    status = row.locator("td.field-status")
    expect(status).to_contain_text("changes held")
    expect(status).to_be_in_viewport()
    screenshot(publisher, "publisher-agreements-pending")
    publisher.check(f"input[name=_selected_action][value='{agreement.pk}']")
    publisher.select_option("select[name=action]", "publish_pending")
    publisher.click("button[name=index]")
    expect(publisher.locator(".messagelist").first).to_contain_text("published")
    signatory = agreement.signatories.order_by("position").first()
    assert getattr(signatory, f"party_{last}") == "国際労働機関"


def test_changelists_still_fit_with_the_navigation_sidebar_open(admin_page, site):  # noqa: F811
    """The sidebar starts closed below 1440 px; opened, the columns wrap to fit."""
    page = admin_page("Publishers")
    page.goto(site + "/admin/partnerships/representative/")
    expect(page.locator("#nav-sidebar")).to_have_attribute("aria-expanded", "false")
    page.click("#toggle-nav-sidebar")
    expect(page.locator("#nav-sidebar")).to_be_visible()
    for model in ["partner", "agreement", "representative", "project", "privatesupportactivity"]:
        path = f"/admin/partnerships/{model}/"
        page.goto(site + path)
        expect(page.locator("#nav-sidebar")).to_have_attribute("aria-expanded", "true")
        assert_fits(page, path)
        assert_status_columns_in_view(page, path)
        screenshot(page, f"publishers-sidebar-open-{model}")
