import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command


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


@pytest.fixture
def japan(db):
    """The source document's content, loaded as an operator would."""
    call_command("loaddata", "japan", verbosity=0)
    from partnerships.models import Partner

    return Partner.objects.get(slug="japan")


@pytest.fixture
def staff_client(client, django_user_model):
    """Staff who may view every kind of content, so they preview drafts."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="partnerships", codename__startswith="view_"
        )
    )
    client.force_login(user)
    return client


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database['NAME']})"


@pytest.fixture(autouse=True)
def english_first():
    """Each test starts in English: a request in Japanese leaves its language active."""
    from django.utils import translation

    with translation.override("en"):
        yield
