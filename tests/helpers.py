"""What several test modules (and scripts/benchmark.py) share: the pages of a
partner, rows to fill them with, and the text a reader sees."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

from django import forms
from django.apps import apps
from django.urls import reverse

from partnerships.collections import COLLECTIONS
from tests.factories import (
    AgreementFactory,
    ConcernFactory,
    FundingChannelFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
    SignatoryFactory,
)

# The bound for each public page is the same for 1 row and for 50 of every model.
# (9 since the overview names each funding channel's first projects: one query more.)
MAX_QUERIES = 9

# A schedule, and the moments around its ends: (moment, public then?). A row
# appears exactly at its go-live time and is gone exactly at its expiry.
GOES_LIVE = datetime.datetime(2030, 4, 1, 9, 0, tzinfo=datetime.UTC)
EXPIRES = datetime.datetime(2030, 4, 30, 17, 0, tzinfo=datetime.UTC)
TICK = datetime.timedelta(microseconds=1)
SCHEDULE_BOUNDARIES = [
    (GOES_LIVE - TICK, False),
    (GOES_LIVE, True),
    (EXPIRES - TICK, True),
    (EXPIRES, False),
]


def populate(partner, rows):
    """`rows` of every model under one partner."""
    channel = FundingChannelFactory(partner=partner)
    FundingChannelFactory.create_batch(rows - 1, partner=partner)
    ConcernFactory.create_batch(rows, partner=partner)
    RepresentativeFactory.create_batch(rows, partner=partner)
    for agreement in AgreementFactory.create_batch(rows, partner=partner):
        SignatoryFactory.create_batch(2, agreement=agreement)
    ProjectFactory.create_batch(rows, partner=partner, funding_channel=channel)
    PrivateSupportActivityFactory.create_batch(rows, partner=partner, funding_channel=channel)
    return channel


def public_list_urls(partner, collections=COLLECTIONS):
    return [collection.list_url(partner) for collection in collections]


def public_urls(partner, collections=COLLECTIONS):
    """Every public page of a partner: home, overview, each list and the first
    item's page of each collection that has item pages."""
    urls = [reverse("partnerships:partner-list"), partner.get_absolute_url()]
    urls += public_list_urls(partner, collections)
    for collection in collections:
        first = collection.model.objects.filter(partner=partner).first()
        if collection.has_detail_pages and first is not None:
            urls.append(collection.item_url(first))
    return urls


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_locations(xml):
    """The <loc> addresses of a sitemap or a sitemap index."""
    return [loc.text for loc in ElementTree.fromstring(xml).iter(f"{SITEMAP_NS}loc")]


def sitemap_pages(client):
    """The sitemap as a crawler reads it: each page of each section that the
    index at /sitemap.xml lists, as {address: XML}."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    pages = {}
    for location in sitemap_locations(index.content):
        address = urlsplit(location)
        response = client.get(f"{address.path}?{address.query}" if address.query else address.path)
        assert response.status_code == 200, location
        pages[location] = response.content.decode()
    return pages


def sitemap_xml(client):
    """Every entry the sitemap lists, its sections' pages joined into one text."""
    return "\n".join(sitemap_pages(client).values())


class _VisibleText(HTMLParser):
    """The text a reader sees in <body>: no head, scripts, styles or tags."""

    hidden = {"head", "script", "style", "template"}
    inline = {"a", "abbr", "b", "em", "i", "small", "span", "strong", "time"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.hidden:
            self.depth += 1
        elif tag not in self.inline:
            self.parts.append(" ")  # a block starts: words on either side stay apart

    def handle_endtag(self, tag):
        if tag in self.hidden:
            self.depth -= 1
        elif tag not in self.inline:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(response):
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return normalize("".join(parser.parts))


def normalize(text):
    return re.sub(r"\s+", " ", text).strip()


def admin_form_data(response, **changes):
    """What the admin add or change page in `response` submits as it stands
    (its form and inlines), with `changes`; a change to None leaves a field out.
    As a browser sends it: a ticked box is "on", an unticked one is absent."""
    data = {}
    inline_formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    for formset in inline_formsets:
        data.update(_submitted(formset.management_form))
    for form in [response.context["adminform"].form, *(f for s in inline_formsets for f in s)]:
        data.update(_submitted(form))
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _submitted(form):
    data = {}
    for field in form:
        value, widget = field.value(), field.field.widget
        if isinstance(field.field, forms.FileField):
            continue  # nothing uploaded: the file is kept
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
        elif isinstance(widget, forms.MultiWidget):  # split date and time
            parts = widget.decompress(value) if value else [None] * len(widget.widgets)
            for suffix, part in zip(widget.widgets_names, parts, strict=True):
                data[field.html_name + suffix] = "" if part is None else part
        else:
            data[field.html_name] = "" if value is None else value
    return data


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_url(obj):
    return admin_url(type(obj), "change", obj.pk)


def table_rows(models=None, ignore=()):
    """Every row of every table of `models` (default: the partnerships app's),
    minus the `ignore`d columns: to show that a refused action changed nothing."""
    if models is None:
        models = apps.get_app_config("partnerships").get_models()
    return {
        model._meta.label: [
            {name: value for name, value in row.items() if name not in ignore}
            for row in model._base_manager.order_by("pk").values()
        ]
        for model in models
    }


def edit(client, obj, **changes):
    """Submit `obj`'s admin change form as it stands, with `changes`."""
    url = change_url(obj)
    return client.post(url, admin_form_data(client.get(url), **changes))
