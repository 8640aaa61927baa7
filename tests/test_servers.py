"""Several app servers behind one load balancer: two gunicorn servers on two
loopback ports share one PostgreSQL database and one Redis cache. A reader of
either gets the cached page; an edit saved through one is what the other
serves on the very next request."""

import http.cookiejar
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from tests.test_production import ROOT, free_port, production_environment

pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),  # the servers must see the committed fixture
]

REDIS = "redis://127.0.0.1:6379/13"  # a database of its own, emptied by the test
PUBLIC_HOST = "partnerships.example.org"
PASSWORD = "a long passphrase"


@pytest.fixture
def shared_redis():
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it).")
    yield
    client.flushdb()


@pytest.fixture
def servers(shared_redis, start_servers):
    """Two servers of two workers each, sharing Redis: their ports."""
    return start_servers(2, CACHE_URL=REDIS)


@pytest.fixture
def start_servers(tmp_path, django_user_model):
    """start(count, **environment): gunicorn servers on the shipped content, with
    a publisher's login; stopped after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("Several servers share PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("loaddata", "japan", verbosity=0)
    # Hashed as the servers' settings hash (the tests' own hasher is a fast one).
    password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    django_user_model.objects.create_superuser("publisher", password=None)
    django_user_model.objects.filter(username="publisher").update(password=password)
    environment = production_environment(
        tmp_path,
        connection.settings_dict["PORT"] or 5432,
        DJANGO_ALLOWED_HOSTS=f"127.0.0.1,{PUBLIC_HOST}",
        DJANGO_HTTPS="false",
        PAGE_CACHE_SECONDS="600",
        GUNICORN_WORKERS="2",
    )
    started = []

    def start(count, **settings):
        ports = [free_port() for _ in range(count)]
        for port in ports:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=ROOT,
                env={**environment, **settings, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            )
            started.append(process)
            wait_until_up(process, port)
        return ports

    try:
        yield start
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)


def wait_until_up(process, port):
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)


class Browser:
    """One visitor's cookies on one server (anonymous until it logs in), asking
    for the site's one public address, as a load balancer passes it on."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path):
        """(status, headers, text) of a GET, as an anonymous reader if never logged in."""
        try:
            request = urllib.request.Request(self.base + path, headers={"Host": PUBLIC_HOST})
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data, headers={"Host": PUBLIC_HOST})
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()

    def log_in(self, username, password):
        _status, _headers, html = self.get("/admin/login/")
        fields = form_fields(html)
        fields.update(username=username, password=password)
        self.post("/admin/login/", fields)

    def submit(self, path, **changes):
        """The form on `path` as it stands, with `changes`, as the browser sends it."""
        _status, _headers, html = self.get(path)
        fields = form_fields(html)
        fields.update(changes)
        return self.post(path, fields)


class FormFields(HTMLParser):
    """What the page's last form submits as it stands (no file chosen)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.textarea, self.select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.fields = {}
        elif tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "file", "button", "image", "reset"):
                self.fields[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_fields(html):
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def test_an_edit_saved_through_one_server_is_served_by_the_other_at_once(servers):
    first, second = (Browser(port) for port in servers)
    overview = "/en/partners/japan/"
    japanese = "/ja/partners/japan/"

    # Readers of either server share one cache: what one rendered, the other serves.
    status, headers, html = first.get(overview)
    assert (status, headers["X-Page-Cache"]) == (200, "miss")
    status, headers, again = second.get(overview)
    assert (status, headers["X-Page-Cache"]) == (200, "hit")
    assert again == html
    assert second.get(japanese)[1]["X-Page-Cache"] == "miss"
    assert first.get(japanese)[1]["X-Page-Cache"] == "hit"

    # A publisher edits the partner's page title through the first server.
    editor = Browser(servers[0])
    editor.log_in("publisher", PASSWORD)
    from partnerships.models import Partner

    partner = Partner.objects.get(slug="japan")
    change = f"/admin/partnerships/partner/{partner.pk}/change/"
    status, _ = editor.submit(change, title="Partnerships with Japan, revised", _publish="1")
    assert status == 200
    assert Partner.objects.get(pk=partner.pk).title == "Partnerships with Japan, revised"

    # The second server's next reader gets the new title, from a fresh rendering.
    status, headers, html = second.get(overview)
    assert (status, headers["X-Page-Cache"]) == (200, "miss")
    assert "Partnerships with Japan, revised" in html
    assert first.get(overview)[2] == html

    # A publisher unpublishes an agreement through the second server (an admin
    # action: one UPDATE, no save); the first server stops showing it at once.
    agreement = partner.agreements.get()
    assert first.get(agreement.get_absolute_url())[0] == 200
    publisher = Browser(servers[1])
    publisher.log_in("publisher", PASSWORD)
    changelist = "/admin/partnerships/agreement/"
    fields = form_fields(publisher.get(changelist)[2])
    fields.update(action="unpublish", _selected_action=[agreement.pk], index="0")
    publisher.post(changelist, fields)
    assert first.get(agreement.get_absolute_url())[0] == 404
    assert agreement.title not in first.get(overview)[2]


def test_every_worker_of_one_server_serves_an_edit_at_once(start_servers):
    """With no CACHE_URL, one server's workers share a file cache: an edit
    made through one worker reaches the pages every other worker serves."""
    (port,) = start_servers(1, GUNICORN_WORKERS="3")
    reader, editor = Browser(port), Browser(port)
    overview = "/en/partners/japan/"
    answers = [reader.get(overview)[1]["X-Page-Cache"] for _ in range(12)]
    assert answers.count("miss") == 1  # the workers share what the first rendered

    editor.log_in("publisher", PASSWORD)
    from partnerships.models import Partner

    change = f"/admin/partnerships/partner/{Partner.objects.get(slug='japan').pk}/change/"
    editor.submit(change, title="Partnerships with Japan, revised", _publish="1")
    pages = [reader.get(overview)[2] for _ in range(12)]
    assert all("Partnerships with Japan, revised" in html for html in pages)
