"""In headless Chromium: what the head of a page adds for crawlers and link
previews (JSON-LD, the feed's link) is read by the browser as data, under the
Content-Security-Policy, with no violation reported."""

import json

import pytest

from tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    new_page,
    page,
    site,
    watch_for_csp_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/ja/",
    "/ja/partners/japan/",
    "/fr/partners/japan/representatives/",
    "/es/partners/japan/agreements/memorandum-of-cooperation-2017/",
]


def test_json_ld_is_data_the_policy_lets_through_and_the_browser_parses(page, site):  # noqa: F811
    violations = watch_for_csp_violations(page)
    for path in PAGES:
        assert page.goto(site + path).status == 200, path
        texts = page.locator('script[type="application/ld+json"]').all_text_contents()
        assert len(texts) == 1, path
        assert json.loads(texts[0])["@graph"], path
    agreement = json.loads(texts[0])["@graph"][0]
    assert (agreement["dateCreated"], agreement["locationCreated"]["name"]) == (
        "2017-05-11",
        "Tokio",
    )
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get_attribute("href") == f"{site}/es/partners/japan/feed/"
    response = page.request.get(feed.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    assert violations == []
