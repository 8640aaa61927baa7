"""Load benchmark of the production configuration against a bare Django view (issue 11).

    .venv/bin/python bench/run.py [--json bench.json]
    .venv/bin/python bench/run.py --sizes 20,1000,10000 [--reseed] [--json sizes.json]

Run from anywhere, with the project's virtual environment (`make .venv/bin/.installed`).
Needs wrk (Debian: `apt-get install wrk`), PostgreSQL (--postgres, default
postgres://postgres@127.0.0.1:5432) and Redis (--cache, default
redis://127.0.0.1:6379/15: that database is emptied before every run, so give the
benchmark one of its own; `--cache default` runs without Redis).

What it starts, on loopback, with free ports:

- the site in its production configuration: `gunicorn -c config/gunicorn.py config.wsgi`
  with DJANGO_DEBUG=false, DJANGO_HTTPS=false, DJANGO_ALLOWED_HOSTS=127.0.0.1, a fresh
  secret key, static files collected (into a temporary directory), GUNICORN_WORKERS=2 and
  the access log off, on a PostgreSQL database it prepares (migrate, `loaddata japan`);
- the bare reference: a Django view returning a short string (bench/hello.py: no
  middleware, no database) under the same gunicorn settings, on another port.

For each page (the home page, the Japan overview, each collection's list, the first
fixture item's page of each collection with item pages, /sitemap.xml and, once it is an
index, its first and last sections; EXTRA_PAGES below and --page add more) it runs wrk
(16 connections, 2 threads, --duration seconds after a --warmup run), alternating with
runs of the bare view (hello, page, hello, page…, so noise on the machine hits both;
--rounds repeats the pair and takes medians), and prints requests/s, the ratio to the
mean of the bare view's runs just before and just after it, p50 and p99 latency, errors
(answers >= 400, socket errors, timeouts), the SQL queries of a first and a second
request, the body size and the time in process; and, per mode, the bare view's own
requests/s, p50 and p99. After every run it waits until the server has
answered what wrk left queued, so that no run pays for the previous one. Queries and
in-process times come from django.test.Client and CaptureQueriesContext in a separate
process under the same settings and database (cookie-less requests, as wrk sends); a
"~" before requests/s marks a run of fewer than 100 requests.

Two modes, each with its own server start:

- cold: PAGE_CACHE_SECONDS=0, the page cache off;
- warm: PAGE_CACHE_SECONDS=600 with CACHE_URL=--cache: Redis by default, the cache
  several app servers share in production (README "Scaling"), which both workers
  share here too. `--cache default` leaves CACHE_URL unset: the site's own default
  under gunicorn, a file cache its workers share (config/gunicorn.py). A `locmem`
  cache would be one per worker process: an edit through one would not reach the
  pages the other keeps, so it is not what either configuration runs.

Both modes set the same CACHE_URL; only the page cache differs. A warm run whose second
request still makes queries says so (no page cache on the branch measured, or a page
it does not keep).

--sizes N,N,… instead prepares one database per size (partnerships_bench_<N>; reused by
later runs unless --reseed, or the fixture or tests/factories.py changed) holding the
Japan fixture topped up to N rows in every collection (concerns, representatives,
agreements with two signatories each, funding channels, projects, private support
activities), made with the project's factories (tests/factories.py) and saved with
bulk_create after the pre_save handlers ran (translation and review states as a save
would set them). Every new project and activity goes to the fixture's first funding
channel, as tests/helpers.populate does, so that channel's page grows too. It prints
each figure at each size and its growth from the smallest to the largest size, and the
admin translation overview's time (median of --admin-requests, logged in as a
superuser in process). The measured item pages are the fixture's, the same at every
size. Sizes mode runs cold only unless --modes says otherwise. A page's time is
compared across sizes as its ratio to the bare view (the figure other work on the
machine moves least), or in process where it was not put under load; "payload bounded"
compares the two largest sizes (from 20 rows to 1,000 a list fills its first page).

A page whose in-process time exceeds --slow-ms is not put under load, nor requested
through gunicorn (at 16 connections and 2 workers each request would wait for seven
others, and it could outlast GUNICORN_TIMEOUT): its row says "slow", it is timed in
process once, and the targets count it as failing. So is a page that gave not one
answer within a run.

Then the Targets of issue 11, PASS/FAIL per line. They are informational: the exit
status is 0 unless the run itself broke (1: a page answered other than 200, a server
did not start; 2: a prerequisite is missing; 130: interrupted).

The gunicorn settings are config/gunicorn.py's, GUNICORN_MAX_REQUESTS included (50,000 by
default; at 1,000, with thousands of requests/s, each worker was replaced every second
or so, and the answers queued behind each replacement showed in every p99). Each mode says
how many workers were replaced; --max-requests N overrides it for both servers (0:
never) to see the difference.

--json FILE writes every figure, the settings and the command line, to paste into an
issue note. Every process the script starts is stopped on exit, error or Ctrl-C;
--drop-databases also drops the databases it used.
"""

import argparse
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
WRK_SCRIPT = Path(__file__).resolve().parent / "report.lua"
PARTNER = "japan"
SEEDED_SLUG_PREFIX = "bench-"  # rows the benchmark made; the measured item pages are others
ADMIN_USERNAME = "bench-admin"
# Lines of a gunicorn error log that mean something went wrong (as scripts/load_probe.py).
ERROR_LINE = re.compile(r"\[(ERROR|CRITICAL)\]|Traceback|WORKER TIMEOUT|^ERROR|^CRITICAL", re.M)
BOOT_LINE = re.compile(r"Booting worker")

# The Targets of issue 11.
WARM_SHARE = 0.60  # of the bare view's requests/s, every public page, with 0 queries
COLD_OVERVIEW_SHARE = 0.15
WARM_P99_MS = 20
COLD_P99_MS = 100
GROWTH = 1.5  # from the smallest size to the largest: time, payload


class BenchError(Exception):
    """The run itself broke: reported, and the exit status is 1."""


class Missing(Exception):
    """A prerequisite is missing: reported, and the exit status is 2."""


# --------------------------------------------------------------------------------------
# In-process steps, each run in a child process with the site's settings (Django is
# never imported by the orchestrating process).


# Pages beyond the site's own (issue 11: "later search and API"): (label, function of
# the partner returning a path), called inside translation.override(language),
# measured and checked like every other public page.
def search_page(partner):
    """The site search (issue 12) for a word the fixture's names have."""
    from django.urls import reverse

    return f"{reverse('partnerships:search')}?q=cooperation"


def api_list_page(partner):
    """The open data API's first page of the partner's projects."""
    from django.urls import reverse

    return f"{reverse('api:project-list')}?partner={partner.slug}"


EXTRA_PAGES = [("search", search_page), ("api projects", api_list_page)]


def public_pages(partner, language):
    """(label, path) of every page measured in `language`: as tests/helpers.public_urls
    lists them, with the item pages taken from the fixture's rows (the same at every
    size), plus EXTRA_PAGES."""
    from django.urls import reverse
    from django.utils import translation

    from partnerships.collections import COLLECTIONS

    with translation.override(language):
        pages = [
            ("home", reverse("partnerships:partner-list")),
            ("overview", partner.get_absolute_url()),
        ]
        pages += [(f"list {c.name}", c.list_url(partner)) for c in COLLECTIONS]
        for collection in COLLECTIONS:
            if not collection.has_detail_pages:
                continue
            first = (
                collection.model.objects.published()
                .filter(partner=partner)
                .exclude(slug__startswith=SEEDED_SLUG_PREFIX)
                .first()
            )
            if first is not None:
                pages.append((f"detail {collection.name}", collection.item_url(first)))
        pages += [(label, make_path(partner)) for label, make_path in EXTRA_PAGES]
    return pages


def sitemap_sections(body):
    """The paths of the sections when /sitemap.xml is a sitemap index, else []."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return []
    if not root.tag.endswith("sitemapindex"):
        return []
    paths = []
    for location in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        parts = urlsplit(location.text.strip())
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def measure_in_process(
    client, path, budget, max_samples, min_samples=3, slow=None, keep_cookies=False
):
    """Queries of a first and a second request, the body, and the median time of the
    second and later requests (`min_samples`, then more up to `max_samples` while they
    take less than `budget` seconds in all). A request slower than `slow` seconds is
    timed once: a page of the largest sizes may take half a minute."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        if not keep_cookies:
            client.cookies.clear()  # every wrk request comes without cookies
        started = time.perf_counter()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response, body, time.perf_counter() - started

    # Read each count at once: the next request resets the connection's query log.
    with CaptureQueriesContext(connection) as captured:
        response, body, _seconds = get()
    first_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        response, body, seconds = get()
    second_queries = len(captured)
    times = [seconds]
    if slow is not None and seconds > slow:
        max_samples = 1
    while len(times) < max_samples and (len(times) < min_samples or sum(times) < budget):
        times.append(get()[2])
    return {
        "status": response.status_code,
        "queries_first": first_queries,
        "queries_second": second_queries,
        "bytes": len(body),
        "inprocess_ms": statistics.median(times) * 1000,
        "inprocess_samples": len(times),
        "body": body,
    }


def probe_main(argv):
    """`run.py _probe`: the pages, their queries, sizes and in-process times, as JSON."""
    parser = argparse.ArgumentParser(prog="run.py _probe")
    parser.add_argument("--out", required=True)
    parser.add_argument("--languages", default="en")
    parser.add_argument("--page", action="append", default=[])
    parser.add_argument("--budget", type=float, default=1.0)
    parser.add_argument("--slow-ms", type=float, default=1000)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--admin-requests", type=int, default=7)
    options = parser.parse_args(argv)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from partnerships.models import Partner

    partner = Partner.objects.get(slug=PARTNER)
    languages = options.languages.split(",")
    pages = []
    for language in languages:
        suffix = f" ({language})" if len(languages) > 1 else ""
        pages += [(label + suffix, path) for label, path in public_pages(partner, language)]
    pages.append(("sitemap", "/sitemap.xml"))
    pages += [(path, path) for path in options.page]

    client = Client(HTTP_HOST="127.0.0.1")
    slow = options.slow_ms / 1000
    results = []
    for label, path in pages:
        result = measure_in_process(client, path, options.budget, options.samples, slow=slow)
        body = result.pop("body")
        results.append({"label": label, "path": path, **result})
        if label == "sitemap" and result["status"] == 200:
            # An index: its first section and its last (the last page of the last one).
            sections = sitemap_sections(body)
            picked = {"first": sections[0], "last": sections[-1]} if sections else {}
            if len(sections) == 1:
                picked = {"only": sections[0]}
            for name, section in picked.items():
                result = measure_in_process(
                    client, section, options.budget, options.samples, slow=slow
                )
                result.pop("body")
                results.append({"label": f"sitemap {name} section", "path": section, **result})

    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(get_user_model().objects.get(username=ADMIN_USERNAME))
    path = reverse("admin:partnerships_partner_translation", args=[partner.pk])
    admin = measure_in_process(
        staff,
        path,
        budget=0,
        max_samples=options.admin_requests,
        min_samples=options.admin_requests,
        slow=slow * 5,  # past 5 s a request, its time is clear from fewer
        keep_cookies=True,
    )
    admin.pop("body")
    output = {"pages": results, "admin": {"label": "admin translation overview", "path": path}}
    output["admin"].update(admin)
    Path(options.out).write_text(json.dumps(output))


def file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def database_marker(size):
    """What a prepared database holds; a database with another marker is rebuilt."""
    content = "shipped" if size is None else f"size={size}"
    return (
        f"partnerships bench: {content} fixture={file_hash(ROOT / 'fixtures' / 'japan.json')}"
        f" factories={file_hash(ROOT / 'tests' / 'factories.py')}"
    )


def vacuum(connection):
    """What autovacuum does to a table soon after rows are written, done now (a
    server may run with it off): the planner sees the real sizes, and an index
    covering a query is read without visiting the table (its visibility map)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def prepare_main(argv):
    """`run.py _prepare`: the database of DATABASE_URL, made (or reused) for a size."""
    parser = argparse.ArgumentParser(prog="run.py _prepare")
    parser.add_argument("--size", type=int)
    parser.add_argument("--reseed", action="store_true")
    options = parser.parse_args(argv)

    import psycopg
    from psycopg import sql

    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    maintenance = url._replace(path="/postgres").geturl()
    marker = database_marker(options.size)
    with psycopg.connect(maintenance, autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        reuse = row is not None and row[0] == marker and not options.reseed
        if not reuse:
            if row is not None:
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    if reuse:
        vacuum(connection)
        print(f"  reusing database {name} ({marker.split(': ', 1)[1]})", flush=True)
        return
    started = time.monotonic()
    call_command("loaddata", PARTNER, verbosity=0)
    if options.size is not None:
        seed(options.size)
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser(
        ADMIN_USERNAME, "bench@example.invalid", secrets.token_urlsafe(24)
    )
    vacuum(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}")
            .format(sql.Identifier(name), sql.Literal(marker))
            .as_string(cursor.connection)
        )
    print(f"  built database {name} in {time.monotonic() - started:.0f} s", flush=True)


def seed(size):
    """Top the Japan partner up to `size` rows in every collection (see the docstring)."""
    from django.db import DEFAULT_DB_ALIAS, transaction
    from django.db.models import Max
    from django.db.models.signals import pre_save

    from partnerships.models import (
        Agreement,
        Concern,
        FundingChannel,
        Partner,
        PrivateSupportActivity,
        Project,
        Representative,
        Signatory,
    )
    from tests import factories

    partner = Partner.objects.get(slug=PARTNER)
    channel = FundingChannel.objects.published().filter(partner=partner).first()

    def missing(model):
        return max(0, size - model.objects.filter(partner=partner).count())

    def next_position(model):
        return (model.objects.filter(partner=partner).aggregate(m=Max("position"))["m"] or 0) + 1

    def save(model, rows):
        # What save() would do before its INSERT: the translation and review states.
        for row in rows:
            pre_save.send(
                sender=model, instance=row, raw=False, using=DEFAULT_DB_ALIAS, update_fields=None
            )
        return model.objects.bulk_create(rows, batch_size=2000)

    def slug(kind, number):
        return f"{SEEDED_SLUG_PREFIX}{kind}-{number}"

    with transaction.atomic():
        start = next_position(Concern)
        save(
            Concern,
            [
                factories.ConcernFactory.build(partner=partner, position=start + i)
                for i in range(missing(Concern))
            ],
        )
        save(
            Representative,
            [
                factories.RepresentativeFactory.build(
                    partner=partner, slug=slug("representative", i)
                )
                for i in range(missing(Representative))
            ],
        )
        agreements = save(
            Agreement,
            [
                factories.AgreementFactory.build(partner=partner, slug=slug("agreement", i))
                for i in range(missing(Agreement))
            ],
        )
        save(
            Signatory,
            [
                factories.SignatoryFactory.build(agreement=agreement)
                for agreement in agreements
                for _ in range(2)
            ],
        )
        start = next_position(FundingChannel)
        save(
            FundingChannel,
            [
                factories.FundingChannelFactory.build(
                    partner=partner, slug=slug("channel", i), position=start + i
                )
                for i in range(missing(FundingChannel))
            ],
        )
        for model, factory, kind in [
            (Project, factories.ProjectFactory, "project"),
            (PrivateSupportActivity, factories.PrivateSupportActivityFactory, "activity"),
        ]:
            save(
                model,
                [
                    factory.build(partner=partner, funding_channel=channel, slug=slug(kind, i))
                    for i in range(missing(model))
                ],
            )


# --------------------------------------------------------------------------------------
# The orchestrating process: standard library only.


class Processes:
    """Every process the benchmark starts, each in a session of its own (so a Ctrl-C
    reaches only this script, which then stops them all, workers included)."""

    def __init__(self):
        self.running = []

    def start(self, command, **options):
        process = subprocess.Popen(command, start_new_session=True, **options)
        self.running.append(process)
        return process

    def run(self, command, timeout=None, **options):
        """Run to completion: (exit status, standard output)."""
        process = self.start(command, stdout=subprocess.PIPE, **options)
        try:
            output, _ = process.communicate(timeout=timeout)
        finally:
            self.stop(process)
        return process.returncode, output.decode(errors="replace") if output else ""

    def stop(self, process, timeout=15):
        if process.poll() is None:
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)  # its group: a gunicorn master and its workers
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if process in self.running:
            self.running.remove(process)

    def stop_all(self):
        for process in reversed(list(self.running)):
            self.stop(process)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, path, timeout=60):
    """One GET on a fresh connection: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def redis_command(url, *words):
    """One command on the database of a redis:// URL (standard library, no client)."""
    parts = urlsplit(url)
    database = (parts.path or "/0").strip("/") or "0"
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 5) as s:
        replies = s.makefile("rb")

        def send(*args):
            message = f"*{len(args)}\r\n".encode()
            for arg in args:
                data = str(arg).encode()
                message += b"$%d\r\n%s\r\n" % (len(data), data)
            s.sendall(message)
            reply = replies.readline().decode(errors="replace").strip()
            if reply.startswith("-"):
                raise BenchError(f"Redis at {url} answered {reply[1:]}")
            return reply

        if parts.password:
            send("AUTH", *([parts.username] if parts.username else []), parts.password)
        send("SELECT", database)
        return send(*words)


def size_label(size):
    if size is None:
        return "shipped"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


class Bench:
    def __init__(self, options):
        self.options = options
        self.processes = Processes()
        self.tmp = Path(tempfile.mkdtemp(prefix="partnerships-bench-"))
        self.secret_key = secrets.token_urlsafe(50)
        self.broken = []  # what went wrong with the run itself
        self.runs = []
        self.hello = None
        self.databases = []

    # ---- prerequisites and environment

    def check_prerequisites(self):
        options = self.options
        if not VENV_PYTHON.exists():
            raise Missing(
                f"No virtual environment at {VENV_PYTHON}: run `make .venv/bin/.installed`."
            )
        if shutil.which("wrk") is None:
            raise Missing("wrk is not installed (Debian: apt-get install wrk).")
        postgres = urlsplit(options.postgres)
        try:
            socket.create_connection((postgres.hostname, postgres.port or 5432), 3).close()
        except OSError as error:
            raise Missing(
                f"PostgreSQL does not answer at {postgres.hostname}:{postgres.port or 5432}"
                f" ({error}): start it, or point --postgres at one."
            ) from error
        if options.cache.startswith("redis"):
            try:
                redis_command(options.cache, "PING")
            except OSError as error:
                raise Missing(
                    f"Redis does not answer at {options.cache} ({error}): start it, or pass "
                    "--cache default (the file cache gunicorn's workers share)."
                ) from error

    def environment(self, database=None, mode=None):
        """The site's environment: production settings, nothing from .env."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "GUNICORN_", "CACHE_URL"))
            and key != "PAGE_CACHE_SECONDS"
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DJANGO_ENV_FILE=os.devnull,
            DJANGO_DEBUG="false",
            DJANGO_HTTPS="false",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_STATIC_ROOT=str(self.tmp / "static"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        if database:
            env["DATABASE_URL"] = self.database_url(database)
        if mode:
            if self.options.cache != "default":
                env["CACHE_URL"] = self.options.cache
            env["PAGE_CACHE_SECONDS"] = "600" if mode == "warm" else "0"
        return env

    def gunicorn_environment(self, env, port, name):
        env = dict(env)
        env.update(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(self.options.workers),
            GUNICORN_ACCESS_LOG=os.devnull,
            GUNICORN_ERROR_LOG=str(self.tmp / f"{name}-error.log"),
            # Where config/gunicorn.py puts the file cache its workers share (CACHE_URL
            # unset): in the benchmark's temporary directory, removed with it.
            TMPDIR=str(self.tmp),
        )
        if self.options.max_requests is not None:
            env["GUNICORN_MAX_REQUESTS"] = str(self.options.max_requests)
        return env

    def database_url(self, name):
        return self.options.postgres.rstrip("/") + "/" + name

    def python(self, args, env, what, timeout=None):
        status, output = self.processes.run(
            [PYTHON, *args], cwd=ROOT, env=env, stderr=subprocess.STDOUT, timeout=timeout
        )
        if status != 0:
            raise BenchError(f"{what} failed (exit status {status}):\n{output[-4000:]}")
        return output

    def compile_messages(self):
        stale = [
            po
            for po in ROOT.glob("locale/*/LC_MESSAGES/django.po")
            if not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        ]
        if not stale:
            return
        if shutil.which("msgfmt") is None:
            raise Missing("The translations need compiling and msgfmt is missing: make gettext.")
        self.python(
            ["manage.py", "compilemessages", "--ignore=.venv"],
            self.environment(),
            "compilemessages",
        )

    def collect_static(self):
        started = time.monotonic()
        self.python(
            ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            self.environment(),
            "collectstatic",
        )
        say(f"static files collected in {time.monotonic() - started:.0f} s")

    # ---- servers

    def start_server(self, name, app, env, health):
        port = free_port()
        env = self.gunicorn_environment(env, port, name)
        log = Path(env["GUNICORN_ERROR_LOG"])
        log.write_text("")
        output = (self.tmp / f"{name}-output.log").open("ab")
        process = self.processes.start(
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", app],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        output.close()
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if fetch(port, health, timeout=5)[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                self.processes.stop(process)
                tail = (log.read_text() + (self.tmp / f"{name}-output.log").read_text())[-3000:]
                raise BenchError(f"The {name} server (gunicorn {app}) did not start:\n{tail}")
            time.sleep(0.2)
        # Both workers up (the health check may have reached only one).
        boot_deadline = time.monotonic() + 30
        while (
            len(BOOT_LINE.findall(log.read_text())) < self.options.workers
            and time.monotonic() < boot_deadline
        ):
            time.sleep(0.2)
        return {
            "name": name,
            "port": port,
            "process": process,
            "log": log,
            "offset": 0,
            "health": health,
        }

    def drain(self, server):
        """Wait until the server has finished what wrk left queued: sync workers still
        answer the requests of connections wrk closed at the end of a run, and they
        would be counted against the next run (or, on a shared CPU, the other server's
        run). A health check queued behind them is answered once they are done."""
        with contextlib.suppress(OSError):
            fetch(server["port"], server["health"], timeout=300)

    def stop_server(self, server):
        self.processes.stop(server["process"])
        problems = ERROR_LINE.findall(server["log"].read_text())
        if problems:
            lines = [
                line for line in server["log"].read_text().splitlines() if ERROR_LINE.search(line)
            ]
            say(f"  ! {server['name']} error log: {len(lines)} error lines, e.g.:")
            for line in lines[:5]:
                say(f"    {line[:200]}")
        return len(problems)

    def restarts(self, server):
        """Workers booted since the last call (gunicorn's max_requests replacing them)."""
        text = server["log"].read_text()
        count = len(BOOT_LINE.findall(text[server["offset"] :]))
        server["offset"] = len(text)
        return count

    # ---- load

    def wrk(self, port, path, seconds):
        options = self.options
        status, output = self.processes.run(
            [
                "wrk",
                f"-t{options.threads}",
                f"-c{options.connections}",
                f"-d{seconds}s",
                "--timeout",
                f"{options.timeout}s",
                "-s",
                str(WRK_SCRIPT),
                f"http://127.0.0.1:{port}{path}",
            ],
            stderr=subprocess.STDOUT,
            timeout=seconds + options.timeout + 30,
        )
        line = next((x for x in output.splitlines() if x.startswith("BENCH-WRK ")), None)
        if status != 0 or line is None:
            raise BenchError(f"wrk failed on {path} (exit status {status}):\n{output[-2000:]}")
        raw = json.loads(line.split(" ", 1)[1])
        seconds = raw["duration_us"] / 1e6
        socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
        return {
            "rps": raw["requests"] / seconds if seconds else 0.0,
            "requests": raw["requests"],
            "p50_ms": raw["p50_us"] / 1000,
            "p90_ms": raw["p90_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            "max_ms": raw["max_us"] / 1000,
            "non2xx": raw["status"],
            "socket_errors": socket_errors,
            "timeouts": raw["timeout"],
        }

    def bare_run(self):
        self.restarts(self.hello)
        hello = self.wrk(self.hello["port"], "/", self.options.duration)
        self.drain(self.hello)
        hello["restarts"] = self.restarts(self.hello)
        return hello

    def load_pages(self, site, pages, database, mode):
        """Every page under load, its row printed as soon as it is complete.

        Per page: a warm-up, then (bare view, page) --rounds times. Each run of a page
        is compared with the mean of the bare view's runs just before and just after it
        (the next page's, or a closing one), so that a change on the machine during
        the page's run weighs on both sides.
        """
        options = self.options
        waiting = []  # page runs whose bare run after them is still to come
        rows = []  # pages in order, printed once complete

        def bare(hello):
            for result in waiting:
                result["hello_after"] = hello
            waiting.clear()
            while rows and rows[0].get("done", True):
                page = rows.pop(0)
                rounds = page.pop("rounds", None)
                if rounds and not rounds[-1].get("hello_after"):
                    rows.insert(0, page)  # its last run waits for the next bare run
                    page["rounds"] = rounds
                    break
                if rounds:
                    load = summarise(rounds)
                    if load["requests"]:
                        page["load"] = load
                    else:  # not one answer within a run: no latency to speak of
                        page["load_attempt"] = load
                        page["skipped"] = f"no answer within {options.duration} s under load"
                page.pop("done", None)
                say(table_row(page))

        for page in pages:
            page["load"] = None
            rows.append(page)
            if page["inprocess_ms"] > options.slow_ms:
                # Not requested through gunicorn either: it may outlast GUNICORN_TIMEOUT.
                page["skipped"] = f"slow: {page['inprocess_ms']:.0f} ms in process"
                continue
            status, body = fetch(site["port"], page["path"])
            page["served_bytes"] = len(body)
            if status != 200:
                self.broken.append(f"{database} {mode}: {page['path']} answered {status}")
                page["skipped"] = f"answered {status}"
                continue
            page["done"] = False
            self.wrk(site["port"], page["path"], options.warmup)
            self.drain(site)
            self.restarts(site)
            rounds = []
            for _ in range(options.rounds):
                hello = self.bare_run()
                bare(hello)
                result = self.wrk(site["port"], page["path"], options.duration)
                self.drain(site)
                result["restarts"] = self.restarts(site)
                result["hello_before"] = hello
                rounds.append(result)
                waiting.append(result)
            page["rounds"] = rounds
            page["done"] = True
        bare(self.bare_run() if waiting else None)

    # ---- one database, one mode

    def prepare(self, size):
        name = f"{self.options.db_prefix}_{size_label(size) if size is None else size}"
        args = ["bench/run.py", "_prepare"]
        if size is not None:
            args += ["--size", str(size)]
        if self.options.reseed:
            args.append("--reseed")
        say(f"database {name}: preparing ({'shipped content' if size is None else size})…")
        started = time.monotonic()
        # Seeding 10,000 rows per collection is one transaction: no time bound
        # (the site's is a few seconds per statement).
        env = {**self.environment(name), "DJANGO_DB_STATEMENT_TIMEOUT": "0"}
        output = self.python(args, env, f"Preparing {name}")
        for line in output.splitlines():
            if line.startswith("  "):
                say(line)
        say(f"  ready in {time.monotonic() - started:.0f} s")
        self.databases.append(name)
        return name

    def measure(self, size, database, mode):
        options = self.options
        env = self.environment(database, mode)
        started = time.monotonic()
        if options.cache.startswith("redis"):
            redis_command(options.cache, "FLUSHDB")  # nothing left from another database
        site = self.start_server("site", "config.wsgi", env, "/healthz")
        try:
            probe_file = self.tmp / "probe.json"
            args = ["bench/run.py", "_probe", "--out", str(probe_file)]
            args += ["--languages", options.languages]
            args += ["--admin-requests", str(options.admin_requests)]
            args += ["--slow-ms", str(options.slow_ms)]
            for path in options.page:
                args += ["--page", path]
            self.python(args, env, "Measuring queries in process")
            probe = json.loads(probe_file.read_text())
            pages = probe["pages"]
            for page in [*pages, probe["admin"]]:
                if page["status"] != 200:
                    self.broken.append(
                        f"{database} {mode}: {page['path']} answered {page['status']} in process"
                    )
            header = (
                f"{size_label(size)} ({database}) · {mode}: "
                f"PAGE_CACHE_SECONDS={env['PAGE_CACHE_SECONDS']}, "
                f"CACHE_URL={env.get('CACHE_URL', '(unset: the site default)')}"
            )
            say(f"\n== {header}")
            say(table_header())
            self.load_pages(site, pages, database, mode)
            admin = probe["admin"]
            say(
                f"{'admin translation overview (in process)':48} {'':>8} {'':>7} {'':>6} "
                f"{'':>7} {'':>7} {'':>6} {queries(admin):>8} {admin['bytes'] / 1024:>7.1f}"
                f" {admin['inprocess_ms']:>8.1f}"
            )
        finally:
            errors = self.stop_server(site)
        loaded = [p["load"] for p in pages if p.get("load")]
        hello_rps = [load["hello_rps"] for load in loaded]
        bare_runs = [r["hello_before"] for load in loaded for r in load["rounds"]]
        restarts = sum(load["restarts"] for load in loaded)
        hello_restarts = sum(load["hello_restarts"] for load in loaded)
        if bare_runs:
            say(
                f"bare view, median of {len(bare_runs)} runs: "
                f"{statistics.median(r['rps'] for r in bare_runs):.0f} req/s, "
                f"p50 {statistics.median(r['p50_ms'] for r in bare_runs):.1f} ms, "
                f"p99 {statistics.median(r['p99_ms'] for r in bare_runs):.1f} ms"
            )
        say(
            f"gunicorn workers replaced during the runs (max_requests): site {restarts}, "
            f"bare view {hello_restarts}; {time.monotonic() - started:.0f} s"
        )
        if mode == "warm" and any(p["queries_second"] for p in pages):
            say(
                "note: some second requests still query the database: the page cache did not "
                "keep those pages (or is not on this branch), so warm measures them cold."
            )
        load_average = os.getloadavg()
        pressure = cpu_pressure()
        say(
            "machine: load average "
            + ", ".join(f"{x:.1f}" for x in load_average)
            + (f"; CPU pressure (some, avg60) {pressure:.0f}%" if pressure is not None else "")
            + " (other work on the machine moves absolute figures; ratios less)"
        )
        run = {
            "load_average": load_average,
            "cpu_pressure_avg60": pressure,
            "size": size,
            "database": database,
            "mode": mode,
            "environment": {
                "PAGE_CACHE_SECONDS": env["PAGE_CACHE_SECONDS"],
                "CACHE_URL": env.get("CACHE_URL"),
            },
            "pages": pages,
            "admin": probe["admin"],
            "hello_rps_median": statistics.median(hello_rps) if hello_rps else None,
            "hello_p99_ms_median": statistics.median(r["p99_ms"] for r in bare_runs)
            if bare_runs
            else None,
            "site_error_lines": errors,
            "seconds": round(time.monotonic() - started, 1),
        }
        self.runs.append(run)
        return run

    def execute(self):
        options = self.options
        started = time.monotonic()
        self.check_prerequisites()
        self.compile_messages()
        self.collect_static()
        hello_env = {
            key: value for key, value in self.environment().items() if not key.startswith("DJANGO_")
        }
        hello_env["DJANGO_SETTINGS_MODULE"] = "bench.hello"
        self.hello = self.start_server("hello", "bench.hello_wsgi", hello_env, "/")
        self.wrk(self.hello["port"], "/", options.warmup)
        self.drain(self.hello)
        sizes = options.sizes or [None]
        try:
            for size in sizes:
                database = self.prepare(size)
                for mode in options.modes:
                    self.measure(size, database, mode)
        finally:
            self.stop_server(self.hello)
        if len(sizes) > 1:
            for mode in options.modes:
                say(growth_tables([r for r in self.runs if r["mode"] == mode], sizes, mode))
        targets = evaluate(self.runs, sizes)
        say("\n== Targets (issue 11; informational)")
        for target in targets:
            verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[target["pass"]]
            say(f"{verdict}  {target['target']}")
            for detail in target["details"][:8]:
                say(f"        {detail}")
            if len(target["details"]) > 8:
                say(f"        … and {len(target['details']) - 8} more")
        elapsed = time.monotonic() - started
        say(f"\n{len(self.runs)} runs in {elapsed / 60:.1f} min")
        if options.json:
            Path(options.json).write_text(
                json.dumps(
                    {
                        "command": shlex.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
                        "started": self.started_at,
                        "minutes": round(elapsed / 60, 1),
                        "machine": machine(),
                        "settings": settings_summary(options),
                        "runs": self.runs,
                        "targets": targets,
                        "broken": self.broken,
                    },
                    indent=2,
                )
                + "\n"
            )
            say(f"figures written to {options.json}")

    def drop_databases(self):
        if not self.databases:
            return
        names = ", ".join(f'"{name}"' for name in self.databases)
        script = (
            "import os, psycopg\n"
            "from urllib.parse import urlsplit\n"
            "url = urlsplit(os.environ['DATABASE_URL'])._replace(path='/postgres').geturl()\n"
            "with psycopg.connect(url, autocommit=True) as c:\n"
            f"    for name in [{names}]:\n"
            "        c.execute(f'DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)')\n"
        )
        self.python(["-c", script], self.environment("postgres"), "Dropping the databases")
        say(f"dropped {', '.join(self.databases)}")


def summarise(rounds):
    """One page's figures from its runs: each run against the mean of the bare view's
    runs around it; medians over rounds (sums for counts)."""
    for result in rounds:
        around = [result["hello_before"]["rps"]]
        if result.get("hello_after"):
            around.append(result["hello_after"]["rps"])
        result["hello_rps"] = statistics.mean(around)
        result["ratio"] = result["rps"] / result["hello_rps"] if result["hello_rps"] else 0.0
        result["hello_restarts"] = result["hello_before"]["restarts"]
    summary = {
        key: statistics.median(r[key] for r in rounds)
        for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "hello_rps", "ratio")
    }
    for key in ("requests", "non2xx", "socket_errors", "timeouts", "restarts", "hello_restarts"):
        summary[key] = sum(r[key] for r in rounds)
    summary["rounds"] = rounds
    return summary


def queries(page):
    return f"{page['queries_first']}/{page['queries_second']}"


def table_header():
    return (
        f"{'page':48} {'req/s':>8} {'bare':>7} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'queries':>8} {'KB':>7} {'in-proc':>8}\n"
        f"{'':48} {'':>8} {'':>7} {'':>6} {'':>7} {'':>7} {'':>6} {'1st/2nd':>8} {'':>7} "
        f"{'ms':>8}"
    )


def table_row(page):
    label = f"{page['label']} {page['path']}"
    if len(label) > 48:
        label = label[:47] + "…"
    load = page.get("load")
    tail = f"{queries(page):>8} {page['bytes'] / 1024:>7.1f} {page['inprocess_ms']:>8.1f}"
    if not load:
        return f"{label:48} {page['skipped']:>45} {tail}"
    few = "~" if load["requests"] < 100 else ""  # too few requests for a steady figure
    errors = load["non2xx"] + load["socket_errors"]
    return (
        f"{label:48} {few + format(load['rps'], '.0f'):>8} {load['hello_rps']:>7.0f} "
        f"{load['ratio']:>6.1%} {load['p50_ms']:>7.1f} {load['p99_ms']:>7.1f} {errors:>6} "
        f"{tail}"
    )


def growth_tables(runs, sizes, mode):
    """Each figure of each page at each size, and its growth from the first size to the last."""
    by_size = {run["size"]: run for run in runs}
    if len(by_size) < 2:
        return ""
    first, last = sizes[0], sizes[-1]

    def rows(size):
        """{label: (page, load or None)} of one size, the admin overview included."""
        run = by_size[size]
        found = {p["label"]: (p, p.get("load")) for p in run["pages"]}
        found[run["admin"]["label"]] = (run["admin"], None)
        return found

    pages = {size: rows(size) for size in sizes}
    labels = list(pages[first])
    # (title, value of (page, load), format, whether a larger value is faster)
    metrics = [
        ("ratio to the bare view, %", lambda p, load: load and load["ratio"] * 100, "{:.1f}", True),
        ("req/s", lambda p, load: load and load["rps"], "{:.0f}", True),
        ("p50 ms (under load)", lambda p, load: load and load["p50_ms"], "{:.1f}", False),
        ("p99 ms (under load)", lambda p, load: load and load["p99_ms"], "{:.1f}", False),
        ("KB", lambda p, load: p["bytes"] / 1024, "{:.1f}", False),
        ("queries (first request)", lambda p, load: p["queries_first"], "{}", False),
        ("in-process ms", lambda p, load: p["inprocess_ms"], "{:.1f}", False),
    ]
    width = 10
    lines = [f"\n== growth, {mode}: rows per collection {' → '.join(map(size_label, sizes))}"]
    for title, value, fmt, faster_if_larger in metrics:
        lines.append(
            f"{title:48} " + " ".join(f"{size_label(s):>{width}}" for s in sizes) + f" {'×':>7}"
        )
        under_load = title.endswith("load)") or title in ("req/s", "ratio to the bare view, %")
        for label in labels:
            if under_load and label == by_size[first]["admin"]["label"]:
                continue  # measured in process only
            cells, values = [], []
            for size in sizes:
                page, load = pages[size].get(label, (None, None))
                number = value(page, load) if page else None
                values.append(number)
                if number is None:
                    cell = (page.get("skipped") or "—").split(":")[0] if page else "—"
                else:
                    cell = fmt.format(number)
                cells.append(cell[:width].rjust(width))
            growth = ""
            if values[0] is not None and values[-1] is not None:
                if values[0] == values[-1]:
                    growth = "1.00"
                elif values[0] and values[-1]:
                    ratio = values[-1] / values[0]
                    growth = f"{1 / ratio if faster_if_larger else ratio:.2f}"
            lines.append(f"{label[:48]:48} " + " ".join(cells) + f" {growth:>7}")
        if title == "req/s":
            cells = [f"{by_size[s]['hello_rps_median'] or 0:.0f}".rjust(width) for s in sizes]
            lines.append(f"{'bare view (median of the run)':48} " + " ".join(cells))
        lines.append("")
    lines.append(
        f"(× is the growth from {size_label(first)} to {size_label(last)}; for the ratio "
        "and req/s, of the time per request: the first size's figure over the last's.)"
    )
    return "\n".join(lines)


def evaluate(runs, sizes):
    """The Targets of issue 11, each {target, pass (None: not measured), details}."""
    targets = []

    def target(text, checked, failures):
        targets.append(
            {
                "target": text,
                "pass": (not failures) if checked else None,
                "details": failures if checked else ["not measured in this run"],
            }
        )

    def where(run):
        return f"{size_label(run['size'])} {run['mode']}"

    def public(run):
        return run["pages"]

    warm = [r for r in runs if r["mode"] == "warm"]
    cold = [r for r in runs if r["mode"] == "cold"]

    failures = []
    for run in warm:
        for page in public(run):
            load = page.get("load")
            if not load:
                failures.append(f"{where(run)}: {page['label']} not loaded ({page['skipped']})")
            elif load["ratio"] < WARM_SHARE or page["queries_second"]:
                failures.append(
                    f"{where(run)}: {page['label']} {load['ratio']:.1%} of bare, "
                    f"{page['queries_second']} queries"
                )
    target(
        f"Warm cache: every public page at {WARM_SHARE:.0%} or more of the bare view's "
        "requests/s, with 0 SQL queries per request",
        bool(warm),
        failures,
    )

    failures = []
    for run in cold:
        for page in public(run):
            if page["label"].startswith("overview"):
                load = page.get("load")
                if not load:
                    failures.append(f"{where(run)}: {page['label']} not loaded ({page['skipped']})")
                elif load["ratio"] < COLD_OVERVIEW_SHARE:
                    failures.append(f"{where(run)}: {page['label']} {load['ratio']:.1%} of bare")
    target(
        f"Cold cache: the overview at {COLD_OVERVIEW_SHARE:.0%} or more of the bare view",
        bool(cold),
        failures,
    )

    for mode, limit, mode_runs in (("warm", WARM_P99_MS, warm), ("cold", COLD_P99_MS, cold)):
        failures = []
        for run in mode_runs:
            for page in public(run):
                load = page.get("load")
                if not load:
                    failures.append(f"{where(run)}: {page['label']} not loaded ({page['skipped']})")
                elif load["p99_ms"] >= limit or load["non2xx"] or load["socket_errors"]:
                    failures.append(
                        f"{where(run)}: {page['label']} p99 {load['p99_ms']:.1f} ms, "
                        f"{load['non2xx'] + load['socket_errors']} errors"
                    )
        if failures:
            bare = [r["hello_p99_ms_median"] for r in mode_runs if r.get("hello_p99_ms_median")]
            if bare:
                failures.insert(
                    0, f"(the bare view's own p99 in these runs: {statistics.median(bare):.1f} ms)"
                )
        target(
            f"p99 under {limit} ms {mode}, at 16 connections, no errors",
            bool(mode_runs),
            failures,
        )

    first, last = sizes[0], sizes[-1]
    if len(sizes) < 2:
        target(
            f"From 20 to 10,000 rows per collection: every public page and the admin "
            f"translation overview within {GROWTH}× of its time, payload bounded, query "
            "counts unchanged",
            False,
            [],
        )
        targets[-1]["details"] = ["not measured in this run: --sizes 20,1000,10000 measures it"]
        return targets
    span = f"{size_label(first)} to {size_label(last)} rows per collection"
    payload_from = sizes[-2] if len(sizes) > 2 else first
    payload_span = f"{size_label(payload_from)} to {size_label(last)}"
    for mode in ("cold", "warm"):
        by_size = {r["size"]: r for r in runs if r["mode"] == mode}
        checked = first in by_size and last in by_size
        time_failures, payload_failures, query_failures = [], [], []
        if checked:
            small, large = by_size[first], by_size[last]
            # Bounded: no longer growing between the two largest sizes (from 20 rows to
            # 1,000 a list fills its first page, as it should).
            base = by_size.get(payload_from, small)
            payload_base = {p["label"]: p["bytes"] for p in base["pages"]}
            payload_base[small["admin"]["label"]] = base["admin"]["bytes"]
            for page in [*public(small), small["admin"]]:
                other = (
                    large["admin"]
                    if page is small["admin"]
                    else next((p for p in public(large) if p["label"] == page["label"]), None)
                )
                if other is None:
                    continue
                label = page["label"]
                if page.get("load") and other.get("load"):
                    # Time per request relative to the bare view's in the same run: the
                    # figure that other work on the machine moves least.
                    growth = page["load"]["ratio"] / max(other["load"]["ratio"], 1e-9)
                    measure = "time per request relative to the bare view"
                else:
                    growth = other["inprocess_ms"] / max(page["inprocess_ms"], 0.001)
                    measure = "in-process time"
                if growth > GROWTH:
                    time_failures.append(f"{label}: {measure} ×{growth:.2f}")
                before = payload_base[label]
                if other["bytes"] > GROWTH * before:
                    payload_failures.append(
                        f"{label}: {before / 1024:.0f} KB → {other['bytes'] / 1024:.0f} KB"
                    )
                if other["queries_first"] != page["queries_first"]:
                    query_failures.append(
                        f"{label}: {page['queries_first']} → {other['queries_first']} queries"
                    )
        if mode == "warm" and not checked:
            continue  # sizes run cold unless asked
        target(
            f"{mode}, {span}: every public page and the admin translation overview within "
            f"{GROWTH}× of its time",
            checked,
            time_failures,
        )
        target(
            f"{mode}, {span}: payload bounded (within {GROWTH}× from {payload_span})",
            checked,
            payload_failures,
        )
        target(f"{mode}, {span}: query counts unchanged", checked, query_failures)
    return targets


def cpu_pressure():
    """The share of the last minute some task waited for a CPU (Linux PSI), or None."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    match = re.search(r"avg60=([\d.]+)", line)
    return float(match.group(1)) if match else None


def machine():
    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": sys.version.split()[0],
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0],
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
    }


def settings_summary(options):
    return {
        "workers": options.workers,
        "connections": options.connections,
        "threads": options.threads,
        "duration_s": options.duration,
        "warmup_s": options.warmup,
        "rounds": options.rounds,
        "timeout_s": options.timeout,
        "slow_ms": options.slow_ms,
        "max_requests": "config/gunicorn.py default"
        if options.max_requests is None
        else options.max_requests,
        "cache": options.cache,
        "modes": options.modes,
        "sizes": options.sizes,
        "languages": options.languages,
    }


def say(text=""):
    print(text, flush=True)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="See the docstring of bench/run.py for what is measured and how.",
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        help="rows per collection, e.g. 20,1000,10000 (default: the shipped content only)",
    )
    parser.add_argument(
        "--modes",
        type=lambda text: text.split(","),
        help="cold, warm or cold,warm (default: cold,warm; with --sizes: cold)",
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the databases")
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--duration", type=int, default=3, help="seconds per run (3)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per page (1)")
    parser.add_argument("--rounds", type=int, default=1, help="hello/page pairs per page (1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=10, help="wrk's request timeout, s (10)")
    parser.add_argument("--workers", type=int, default=2, help="GUNICORN_WORKERS (2)")
    parser.add_argument(
        "--max-requests",
        type=int,
        help="GUNICORN_MAX_REQUESTS for both servers (default: config/gunicorn.py's, 50,000)",
    )
    parser.add_argument(
        "--slow-ms",
        type=float,
        default=1000,
        help="pages slower than this in process are not put under load (1000)",
    )
    parser.add_argument("--languages", default="en", help="e.g. en,ja (default en)")
    parser.add_argument("--page", action="append", default=[], help="another path to measure")
    parser.add_argument(
        "--admin-requests", type=int, default=7, help="translation overview requests (7)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="server URL without a database (env BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--db-prefix", default="partnerships_bench")
    parser.add_argument(
        "--cache",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15"),
        help="CACHE_URL of the runs (a redis:// database is emptied before each run), or "
        "'default' for the site's own (default: redis://127.0.0.1:6379/15)",
    )
    parser.add_argument(
        "--drop-databases", action="store_true", help="drop the databases used when done"
    )
    options = parser.parse_args(argv)
    options.modes = options.modes or (["cold"] if options.sizes else ["cold", "warm"])
    if not set(options.modes) <= {"cold", "warm"}:
        parser.error("--modes takes cold, warm or cold,warm")
    if options.sizes:
        options.sizes = sorted(set(options.sizes))
        if min(options.sizes) < 1:
            parser.error("--sizes must be positive")
    return options


def main(argv):
    if argv[:1] == ["_probe"]:
        return probe_main(argv[1:])
    if argv[:1] == ["_prepare"]:
        return prepare_main(argv[1:])

    options = parse_arguments(argv)
    bench = Bench(options)
    bench.started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    # Ctrl-C stops everything, even when started where SIGINT was ignored (in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    status = 0
    try:
        say(
            f"bench: {options.workers} gunicorn workers per server, wrk {options.connections} "
            f"connections / {options.threads} threads, {options.duration} s runs after "
            f"{options.warmup} s warm-up, {options.rounds} round(s); {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        bench.execute()
        if bench.broken:
            say("\nThe run broke:")
            for problem in bench.broken:
                say(f"  {problem}")
            status = 1
    except Missing as error:
        say(f"bench: {error}")
        status = 2
    except BenchError as error:
        say(f"bench: {error}")
        status = 1
    except KeyboardInterrupt:
        say("\nbench: interrupted; stopping everything it started")
        status = 130
    finally:
        bench.processes.stop_all()
        if options.drop_databases:
            try:
                bench.drop_databases()
            except BenchError as error:
                say(f"bench: {error}")
        shutil.rmtree(bench.tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # bench/ and the project, from any directory
    sys.exit(main(sys.argv[1:]) or 0)
