"""The filters on the project and agreement lists: combinable, in the address,
each choice counted among the rows the reader may see; bad values are a form
error (400), never a 500; a fixed number of queries; cached when valid."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from partnerships.collections import COLLECTIONS
from partnerships.models import AgreementKind
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    ProjectFactory,
)
from tests.helpers import GOES_LIVE, visible_text
from tests.test_i18n import english_fragments, in_language, interface_text

pytestmark = pytest.mark.django_db

PROJECTS, AGREEMENTS = COLLECTIONS["project"], COLLECTIONS["agreement"]


class _Form(HTMLParser):
    """The filter form's selects: {name: [(value, text, selected)]}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.selects, self.select, self.option = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select = self.selects.setdefault(attrs["name"], [])
        elif tag == "option" and self.select is not None:
            self.option = [attrs["value"], "", "selected" in attrs]
            self.select.append(self.option)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "option":
            self.option[1] = " ".join(self.option[1].split())
            self.option = None

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data


def selects(response):
    parser = _Form()
    parser.feed(response.content.decode())
    return {name: [tuple(option) for option in options] for name, options in parser.selects.items()}


def offered(response, name):
    """The choices a filter offers, as the reader reads them: ["Label (count)", …]."""
    return [text for value, text, _selected in selects(response).get(name, []) if value]


def selected(response, name):
    return [value for value, _text, chosen in selects(response)[name] if chosen]


def listed(response):
    """The titles of the items the list shows."""
    return re.findall(
        r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def projects():
    """One partner's projects on two channels, some of them main vehicles."""
    partner = PartnerFactory(name="Japan", slug="japan")
    government = FundingChannelFactory(
        partner=partner, name="Japanese government", slug="government", position=1
    )
    un = FundingChannelFactory(partner=partner, name="UN Funds", slug="un-funds", position=2)
    for name, channel, main in [
        ("Skills", government, True),
        ("Safety", government, False),
        ("Migration", government, False),
        ("Human security", un, True),
    ]:
        ProjectFactory(partner=partner, funding_channel=channel, name=name, is_main_vehicle=main)
    return partner


@pytest.fixture
def agreements():
    partner = PartnerFactory(name="Japan", slug="japan")
    for title, signed_on, kind in [
        ("Tokyo memorandum", datetime.date(2017, 5, 11), AgreementKind.MEMORANDUM_OF_COOPERATION),
        ("Geneva declaration", datetime.date(2017, 6, 1), AgreementKind.JOINT_DECLARATION),
        (
            "Osaka understanding",
            datetime.date(2019, 6, 28),
            AgreementKind.MEMORANDUM_OF_UNDERSTANDING,
        ),
    ]:
        AgreementFactory(partner=partner, title=title, signed_on=signed_on, kind=kind)
    return partner


def test_each_choice_says_how_many_projects_it_lists(client, projects):
    response = client.get(PROJECTS.list_url(projects))
    assert response.status_code == 200
    assert offered(response, "channel") == ["Japanese government (3)", "UN Funds (1)"]
    assert offered(response, "main") == ["Yes (2)", "No (2)"]
    assert selected(response, "channel") == selected(response, "main") == [""]  # "All"
    assert len(listed(response)) == 4


def test_filters_combine_and_each_counts_with_the_others_as_set(client, projects):
    response = client.get(PROJECTS.list_url(projects), {"channel": "government", "main": "no"})
    assert response.status_code == 200
    assert sorted(listed(response)) == ["Migration", "Safety"]
    # Each filter's counts are of the projects the other filters leave: a choice
    # that would list nothing stays offered, counted 0, so both can change at once.
    assert offered(response, "channel") == ["Japanese government (2)", "UN Funds (0)"]
    assert offered(response, "main") == ["Yes (1)", "No (2)"]
    assert selected(response, "channel") == ["government"]
    assert selected(response, "main") == ["no"]
    assert "2 items match these filters:" in visible_text(response)


def test_agreements_filter_by_year_signed_and_kind(client, agreements):
    url = AGREEMENTS.list_url(agreements)
    response = client.get(url)
    assert offered(response, "year") == ["2019 (1)", "2017 (2)"]  # latest first
    assert offered(response, "kind") == [  # in the kinds' own order
        "Memorandum of Cooperation (1)",
        "Memorandum of Understanding (1)",
        "Joint declaration (1)",
    ]
    response = client.get(url, {"year": "2017"})
    assert sorted(listed(response)) == ["Geneva declaration", "Tokyo memorandum"]
    assert offered(response, "kind") == [
        "Memorandum of Cooperation (1)",
        "Memorandum of Understanding (0)",
        "Joint declaration (1)",
    ]
    response = client.get(url, {"year": "2017", "kind": "joint-declaration"})
    assert listed(response) == ["Geneva declaration"]


def test_the_documents_projects_filter_by_funding_channel(client, japan):
    url = PROJECTS.list_url(japan)
    response = client.get(url)
    assert offered(response, "channel") == [
        "Japanese government (1)",
        "Cooperation through UN Funds (1)",
    ]
    response = client.get(url, {"channel": "cooperation-through-un-funds"})
    assert listed(response) == ["UN Trust Fund for Human Security"]


def test_a_filter_with_a_single_choice_is_not_offered(client, japan):
    # Both of the document's programmes are main vehicles, and it has one agreement.
    assert "main" not in selects(client.get(PROJECTS.list_url(japan)))
    agreements = client.get(AGREEMENTS.list_url(japan))
    assert selects(agreements) == {}
    assert 'class="filters"' not in agreements.content.decode()
    # Set in the address all the same, it shows, and can be removed.
    response = client.get(PROJECTS.list_url(japan), {"main": "yes"})
    assert selected(response, "main") == ["yes"]


def test_filters_in_force_are_shown_each_with_a_link_that_removes_it(client, projects):
    url = PROJECTS.list_url(projects)
    response = client.get(url, {"main": "no", "channel": "government"})
    text = visible_text(response)
    assert "Funding channel: Japanese government" in text
    assert "A main vehicle today: No" in text
    html = response.content.decode()
    # Each link keeps the other filter, in the form's order; "Clear all" keeps none.
    assert f'<a href="{url}?main=no">Remove the filter “Funding channel”</a>' in html
    assert (
        f'<a href="{url}?channel=government">Remove the filter “A main vehicle today”</a>' in html
    )
    assert f'<a href="{url}">Clear all filters</a>' in html
    assert "Clear all filters" not in visible_text(client.get(url))


def test_a_combination_that_lists_nothing_says_so_and_offers_to_clear(client, projects):
    response = client.get(PROJECTS.list_url(projects), {"channel": "un-funds", "main": "no"})
    assert response.status_code == 200
    assert listed(response) == []
    assert "Nothing matches these filters. Clear all filters" in visible_text(response)


def test_pagination_keeps_the_filters(client, projects):
    channel = projects.funding_channels.get(slug="un-funds")
    ProjectFactory.create_batch(24, partner=projects, funding_channel=channel)
    url = PROJECTS.list_url(projects)
    first = client.get(url, {"channel": "un-funds"})
    assert "Page 1 of 2" in visible_text(first)
    assert 'href="?channel=un-funds&amp;page=2"' in first.content.decode()
    second = client.get(url, {"channel": "un-funds", "page": "2"})
    assert len(listed(second)) == 25 - PROJECTS.paginate_by
    assert selected(second, "channel") == ["un-funds"]
    assert not {"Skills", "Safety", "Migration"} & set(listed(first) + listed(second))


def test_the_form_works_without_javascript_by_get_to_the_list(client, projects):
    html = client.get(PROJECTS.list_url(projects)).content.decode()
    form = re.search(r'<form class="filters"[^>]*>', html).group(0)
    assert 'method="get"' in form
    assert f'action="{PROJECTS.list_url(projects)}"' in form
    assert '<button type="submit">Apply filters</button>' in html
    assert "<script" not in html
    # Every select has its label.
    for name in ("channel", "main"):
        assert f'<label for="filter-{name}">' in html and f'id="filter-{name}"' in html


def test_the_form_submitting_all_lists_everything(client, projects):
    # "All" is an empty value: the form sends every select.
    response = client.get(PROJECTS.list_url(projects), {"channel": "", "main": ""})
    assert response.status_code == 200
    assert len(listed(response)) == 4
    assert "match these filters" not in visible_text(response)


def test_drafts_are_never_offered_counted_or_listed(client, projects):
    government = projects.funding_channels.get(slug="government")
    ProjectFactory(partner=projects, funding_channel=government, name="Draft", is_published=False)
    ProjectFactory(
        partner=projects, funding_channel=government, name="Scheduled", goes_live_at=GOES_LIVE
    )
    ProjectFactory(
        partner=projects,
        funding_channel=government,
        name="Expired",
        expires_at=datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC),
    )
    # A channel with only a draft project; a draft channel with a published project.
    lonely = FundingChannelFactory(partner=projects, name="Lonely channel", slug="lonely")
    ProjectFactory(
        partner=projects, funding_channel=lonely, is_published=False, is_main_vehicle=False
    )
    hidden = FundingChannelFactory(
        partner=projects, name="Hidden channel", slug="hidden", is_published=False
    )
    ProjectFactory(partner=projects, funding_channel=hidden, name="Behind a draft")
    # Another partner's project on a channel of its own.
    ProjectFactory(name="Elsewhere", is_main_vehicle=False)

    url = PROJECTS.list_url(projects)
    response = client.get(url)
    assert offered(response, "channel") == ["Japanese government (3)", "UN Funds (1)"]
    assert offered(response, "main") == ["Yes (2)", "No (2)"]
    for slug in ("lonely", "hidden"):
        response = client.get(url, {"channel": slug})
        assert response.status_code == 400
        text = visible_text(response)
        assert "There is no such choice" in text
        for name in ("Lonely channel", "Hidden channel", "Draft", "Scheduled", "Expired"):
            assert name not in text
        assert "Behind a draft" not in text and "Elsewhere" not in text


def test_staff_previewing_drafts_see_them_counted_as_listed(staff_client, projects):
    government = projects.funding_channels.get(slug="government")
    ProjectFactory(partner=projects, funding_channel=government, name="Draft", is_published=False)
    response = staff_client.get(PROJECTS.list_url(projects), {"channel": "government"})
    assert offered(response, "channel") == ["Japanese government (4)", "UN Funds (1)"]
    assert "Draft" in listed(response)


def test_an_unknown_choice_is_an_error_beside_its_filter_and_the_list_shown_without_it(
    client, projects
):
    response = client.get(PROJECTS.list_url(projects), {"channel": "nowhere", "main": "no"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="filter-channel-error"' in html
    assert (
        '<p class="filters__error" id="filter-channel-error">'
        "There is no such choice: the list is shown without it.</p>"
    ) in html
    # The valid filter holds, and is counted without the wrong one.
    assert sorted(listed(response)) == ["Migration", "Safety"]
    assert offered(response, "channel") == ["Japanese government (2)", "UN Funds (0)"]
    assert offered(response, "main") == ["Yes (2)", "No (2)"]
    assert selected(response, "channel") == [""]


def test_a_filter_given_twice_is_an_error(client, projects):
    url = f"{PROJECTS.list_url(projects)}?channel=government&channel=un-funds"
    response = client.get(url)
    assert response.status_code == 400
    assert "Choose one value only: the list is shown without this filter." in visible_text(response)
    assert len(listed(response)) == 4


def test_another_lists_filter_is_no_filter_here(client, projects):
    response = client.get(PROJECTS.list_url(projects), {"kind": "other", "year": "2017"})
    assert response.status_code == 200
    assert len(listed(response)) == 4


HOSTILE = [
    "",
    " ",
    "a" * 10_000,
    "\x00",
    "government\x00",
    "'",
    '"',
    "\"'><b>bold</b>",
    "' OR '1'='1",
    "1; DROP TABLE partnerships_project; --",
    "government' --",
    "<script>alert(1)</script>",
    "%00",
    "../../etc/passwd",
    "２０１７",  # full-width digits
    "٢٠١٧",  # Arabic-Indic digits: int() would read them as 2017
    "0",
    "-1",
    "99999999999999999999",
    "2017.0",
    "\u202e",
    "😀",
]


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = set(), set()

    def handle_starttag(self, tag, attrs):
        if tag == "script" and attrs == [("type", "application/ld+json")]:
            tag = "script (JSON-LD)"  # the page's data block, not a script
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs if (tag, name) not in HEAD_ONLY)


# The head's Open Graph tags and the feed's link (tests/test_metadata.py).
HEAD_ONLY = {("meta", "property"), ("link", "title")}
# What the list pages are made of: input that made markup would show beyond it.
TAGS = {
    "html", "head", "meta", "title", "link", "body", "a", "header", "nav", "span", "ul", "ol",
    "li", "div", "main", "h1", "h2", "p", "form", "label", "select", "option", "button",
    "strong", "footer", "script (JSON-LD)",
    "input",  # the header's search box
}  # fmt: skip
ATTRIBUTES = {
    "lang", "charset", "name", "content", "rel", "href", "hreflang", "type", "class", "id",
    "tabindex", "aria-label", "aria-current", "aria-labelledby", "aria-describedby",
    "aria-invalid", "aria-hidden", "method", "action", "for", "value", "selected", "translate",
    "role", "maxlength", "autocomplete",  # the header's search box
}  # fmt: skip


def assert_escaped(response, value=None):
    """No markup came from the input; a known hostile `value` is nowhere raw."""
    html = response.content.decode()
    parser = _Markup()
    parser.feed(html)
    assert parser.tags <= TAGS, parser.tags - TAGS
    assert parser.attributes <= ATTRIBUTES, parser.attributes - ATTRIBUTES
    assert "\x00" not in html
    if value is not None and len(value) > 1 and any(c in value for c in "<>\"'&"):
        assert value not in html


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize(
    ("collection", "name"),
    [(PROJECTS, "channel"), (PROJECTS, "main"), (AGREEMENTS, "year"), (AGREEMENTS, "kind")],
    ids=["channel", "main", "year", "kind"],
)
def test_hostile_values_answer_200_or_400_escaped(client, projects, collection, name, value):
    AgreementFactory(partner=projects, signed_on=datetime.date(2017, 1, 1))
    AgreementFactory(partner=projects, signed_on=datetime.date(2018, 1, 1))
    response = client.get(collection.list_url(projects), {name: value})
    assert response.status_code == (200 if value == "" else 400)
    assert_escaped(response, value)


@pytest.fixture
def full_lists(projects):
    """Projects and agreements, more than a page of each, so that the pagination
    links carry the address's filters."""
    channel = projects.funding_channels.get(slug="government")
    ProjectFactory.create_batch(PROJECTS.paginate_by, partner=projects, funding_channel=channel)
    for n in range(AGREEMENTS.paginate_by + 1):
        AgreementFactory(
            partner=projects,
            signed_on=datetime.date(2016 + n % 3, 1, 1),
            kind=AgreementKind.values[n % len(AgreementKind.values)],
        )
    return projects


names = st.sampled_from(["channel", "main", "year", "kind", "page"]) | st.text(max_size=20)
values = (
    st.sampled_from(["government", "un-funds", "yes", "no", "2017", "other", "1", "2"] + HOSTILE)
    | st.text()
)


@pytest.mark.parametrize("collection", [PROJECTS, AGREEMENTS], ids=lambda c: c.name)
@hypothesis_settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.lists(st.tuples(names, values), max_size=6))
def test_any_query_answers_200_400_or_404_and_is_escaped(client, full_lists, collection, query):
    response = client.get(f"{collection.list_url(full_lists)}?{urlencode(query)}")
    pages = [value for name, value in query if name == "page"]
    # A page number that is not one is the list's 404, as without filters.
    allowed = {200, 400} if not pages else {200, 400, 404}
    assert response.status_code in allowed
    assert_escaped(response)


def test_a_well_formed_value_of_a_filter_with_no_such_row_touches_no_500(client, projects):
    # Well-formed (so queried) but matching nothing: still only a form error.
    for query in [{"channel": "x" * 255}, {"channel": "x" * 256}]:
        assert client.get(PROJECTS.list_url(projects), query).status_code == 400
    for year in ["1000", "9999", "2016"]:
        assert client.get(AGREEMENTS.list_url(projects), {"year": year}).status_code == 400


def make_rows(partner, rows):
    """`rows` projects over up to ten channels and `rows` agreements over up to
    forty years and every kind: the choices grow with the rows."""
    channels = [
        FundingChannelFactory(partner=partner, slug=f"channel-{n}") for n in range(min(rows, 10))
    ]
    for n in range(rows):
        ProjectFactory(
            partner=partner, funding_channel=channels[n % len(channels)], is_main_vehicle=n % 2 == 0
        )
        AgreementFactory(
            partner=partner,
            signed_on=datetime.date(1980 + n % 40, 1, 1),
            kind=AgreementKind.values[n % len(AgreementKind.values)],
        )


# Per address: (queries, status). A list runs 3 queries (partner, its rows
# grouped by every filter's value, the page's rows; agreements also prefetch
# signatories), however many filters, and whether or not a value was wrong.
ADDRESSES = [
    (PROJECTS, "", 3, 200),
    (PROJECTS, "?channel=channel-0", 3, 200),
    (PROJECTS, "?channel=channel-0&main=yes", 3, 200),
    (PROJECTS, "?channel=nowhere&main=yes", 3, 400),
    (AGREEMENTS, "", 4, 200),
    (AGREEMENTS, "?year=1980&kind=memorandum-of-cooperation", 4, 200),
    (AGREEMENTS, "?year=1979&kind=memorandum-of-cooperation", 4, 400),
]


@pytest.mark.parametrize(
    ("collection", "query", "expected", "status"),
    ADDRESSES,
    ids=[f"{c.name}{q}" for c, q, _e, _s in ADDRESSES],
)
def test_filtered_lists_run_the_same_queries_at_1_and_100_rows(
    client, django_assert_num_queries, page_cache_off, collection, query, expected, status
):
    small, large = PartnerFactory(slug="small"), PartnerFactory(slug="large")
    make_rows(small, 1)
    make_rows(large, 100)
    offers = {}
    for partner in (small, large):
        with django_assert_num_queries(expected, info=partner.slug):
            response = client.get(collection.list_url(partner) + query)
        assert response.status_code == status
        offers[partner] = offered(response, collection.filters[0].name)
    # The large list offers more choices, from the same queries.
    assert len(offers[large]) > len(offers[small])


@pytest.mark.parametrize(
    ("collection", "query", "condition"),
    [
        (PROJECTS, "", {}),
        (PROJECTS, "?main=yes", {"is_main_vehicle": True}),
        (PROJECTS, "?channel=channel-1", {"funding_channel__slug": "channel-1"}),
        (
            PROJECTS,
            "?channel=channel-1&main=no",
            {"funding_channel__slug": "channel-1", "is_main_vehicle": False},
        ),
        (PROJECTS, "?channel=nowhere&main=yes", {"is_main_vehicle": True}),
        (AGREEMENTS, "?kind=memorandum-of-cooperation", {"kind": "memorandum-of-cooperation"}),
        (AGREEMENTS, "?year=1981", {"signed_on__year": 1981}),
        (AGREEMENTS, "?year=1979", {}),
    ],
)
def test_a_filtered_list_says_how_many_rows_it_has_and_pages_them_all(
    client, page_cache_off, collection, query, condition
):
    partner = PartnerFactory(slug="large")
    make_rows(partner, 100)
    rows = collection.model.objects.published().filter(partner=partner, **condition)
    expected = rows.count()
    response = client.get(collection.list_url(partner) + query)
    paginator = response.context["paginator"]
    assert (paginator.count, paginator.num_pages) == (
        expected,
        -(-expected // collection.paginate_by),
    )
    last = client.get(collection.list_url(partner) + query + ("&" if query else "?") + "page=last")
    assert len(last.context["object_list"]) == expected - (paginator.num_pages - 1) * (
        collection.paginate_by
    )


def test_a_filtered_list_is_cached_then_dropped_when_a_project_changes(client, projects):
    url = f"{PROJECTS.list_url(projects)}?channel=government"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    ProjectFactory(
        partner=projects,
        funding_channel=projects.funding_channels.get(slug="government"),
        name="Newly published",
    )
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Newly published" in listed(response)
    assert offered(response, "channel")[0] == "Japanese government (4)"


@pytest.mark.parametrize(
    "query",
    ["?channel=nowhere", "?channel=government&channel=government", "?main=maybe"],
)
def test_a_list_with_a_wrong_filter_is_never_stored(client, projects, query):
    url = PROJECTS.list_url(projects) + query
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 400
        assert response["X-Page-Cache"] == "miss"


def test_another_lists_filter_bypasses_the_cache(client, projects):
    response = client.get(f"{PROJECTS.list_url(projects)}?kind=anything")
    assert response["X-Page-Cache"] == "bypass"


@pytest.mark.parametrize("language", ["fr", "es", "ja"])
def test_the_filters_read_in_the_readers_language(client, japan, language):
    fragments = english_fragments(language)
    url = in_language(PROJECTS.list_url(japan), language)
    for query in ["", "?channel=japanese-government", "?channel=nowhere", "?main=yes"]:
        response = client.get(url + query)
        text = interface_text(response)
        assert [fragment for fragment in fragments if fragment in text] == [], query
        assert "Funding channel" not in text and "Apply filters" not in text


def test_the_language_switcher_keeps_the_filters_and_the_canonical_address_drops_them(
    client, projects
):
    url = PROJECTS.list_url(projects)
    html = client.get(url, {"channel": "government", "main": "no"}).content.decode()
    for language in ("fr", "es", "ja"):
        switched = f"{in_language(url, language)}?channel=government&amp;main=no"
        assert f'<a href="{switched}" hreflang="{language}"' in html
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert 'hreflang="fr" href="http://testserver/fr/partners/japan/projects/">' in html
    switched = client.get(f"{in_language(url, 'fr')}?channel=government&main=no")
    assert selected(switched, "channel") == ["government"]


def test_a_channel_is_offered_under_its_name_in_the_readers_language(client, projects):
    projects.funding_channels.filter(slug="government").update(name_ja="日本政府")
    response = client.get(in_language(PROJECTS.list_url(projects), "ja"))
    html = response.content.decode()
    assert '<option value="government">日本政府（3件）</option>' in html
    # No Japanese name: the English stands in, marked as English.
    assert '<option value="un-funds" lang="en">UN Funds（1件）</option>' in html
