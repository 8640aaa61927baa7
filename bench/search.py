"""Site search across 10,000 projects on PostgreSQL: time per query (issue 12).

    .venv/bin/python bench/search.py [--database-url URL] [--rows 10000] [--queries 100] [--reseed]

Prepares (or reuses, when it already holds the rows) a PostgreSQL database
(default postgres://postgres@127.0.0.1:5432/partnerships_bench_search): the
migrations (which create the search's GIN indexes), the Japan fixture, then
projects made with tests/factories.py up to --rows, each named with three
words and described with fifteen, drawn (seeded) from a vocabulary of 400
words, so that a word finds about 0.5% of the projects (some 50 rows by name
and description) and a name word ranks its rows first. Then ANALYZE.

It then runs --queries queries of varied words (one word, two words, a word
and a number, a word no row has, a prefix of the fixture's names) and prints,
for each of the two levels, the median, p90 and maximum time per query:

- function: `Search(...).run(0, 20)`, what the view calls: the counts per
  type and the first page of results;
- page: the search page through django.test.Client (the view, its template,
  the middleware; the page cache off: a search with a query is never cached).

The target (issue 12): a median under 50 ms per query.
"""

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/partnerships_bench_search"
TARGET_MS = 50
SLUG_PREFIX = "bench-search-"

# Words of the projects' names and descriptions (seeded draws).
STEMS = [
    "skills",
    "safety",
    "migration",
    "youth",
    "women",
    "green",
    "jobs",
    "training",
    "apprenticeship",
    "cooperative",
    "employment",
    "labour",
    "standards",
    "dialogue",
    "social",
    "protection",
    "health",
    "insurance",
    "pension",
    "wage",
    "minimum",
    "inspection",
    "child",
    "forced",
    "decent",
    "work",
    "rural",
    "urban",
    "informal",
    "economy",
    "enterprise",
    "small",
    "medium",
    "business",
    "entrepreneurship",
    "finance",
    "microfinance",
    "credit",
    "disaster",
    "recovery",
    "earthquake",
    "tsunami",
    "flood",
    "reconstruction",
    "resilience",
    "climate",
    "energy",
    "solar",
    "construction",
    "infrastructure",
    "road",
    "water",
    "sanitation",
    "agriculture",
    "fishery",
    "forestry",
    "tourism",
    "garment",
    "textile",
    "factory",
    "supply",
    "chain",
    "trade",
    "export",
    "union",
    "employer",
    "worker",
    "government",
    "ministry",
    "statistics",
    "survey",
    "research",
    "database",
    "knowledge",
    "capacity",
    "institution",
    "governance",
    "policy",
    "law",
    "reform",
    "compliance",
    "occupational",
    "chemical",
    "accident",
    "prevention",
    "disability",
    "inclusion",
    "equality",
    "gender",
    "discrimination",
    "indigenous",
    "refugee",
    "displacement",
    "crisis",
    "peace",
    "conflict",
    "transition",
    "digital",
    "platform",
    "technology",
    "innovation",
    "automation",
    "future",
    "productivity",
    "competitiveness",
    "investment",
    "partnership",
    "donor",
    "fund",
    "trust",
    "human",
    "security",
    "region",
    "asia",
    "pacific",
    "africa",
    "america",
    "europe",
    "arab",
    "island",
    "cambodia",
    "myanmar",
    "nepal",
    "bangladesh",
    "vietnam",
    "thailand",
    "indonesia",
    "philippines",
    "mongolia",
    "timor",
    "lao",
    "pakistan",
    "india",
    "srilanka",
    "fiji",
    "samoa",
    "kenya",
    "ghana",
    "zambia",
    "malawi",
    "tanzania",
    "uganda",
    "ethiopia",
    "egypt",
    "jordan",
    "lebanon",
    "turkey",
    "ukraine",
    "brazil",
    "peru",
    "chile",
    "colombia",
    "mexico",
    "haiti",
    "jamaica",
]
SUFFIXES = ("", "s", "ing", "al", "ism", "ity")


def vocabulary(size=400):
    words = sorted({stem + suffix for stem in STEMS for suffix in SUFFIXES[:3]})
    return random.Random(7).sample(words, size)


def prepare(url, rows, reseed):
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or reseed:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    from partnerships.models import Partner, Project

    if not Partner.objects.filter(slug="japan").exists():
        call_command("loaddata", "japan", verbosity=0)
    partner = Partner.objects.get(slug="japan")
    missing = rows - Project.objects.filter(partner=partner).count()
    if missing > 0:
        started = time.monotonic()
        seed(partner, missing)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded {missing} projects in {time.monotonic() - started:.0f} s")
    return partner


def seed(partner, count):
    from django.db import DEFAULT_DB_ALIAS, transaction
    from django.db.models.signals import pre_save

    from partnerships.models import Project
    from tests.factories import ProjectFactory

    words, draw = vocabulary(), random.Random(12)
    channel = partner.funding_channels.published().first()
    start = Project.objects.count()
    projects = []
    for n in range(start, start + count):
        name = " ".join(draw.sample(words, 3)).capitalize()
        description = "<p>" + " ".join(draw.sample(words, 15)).capitalize() + ".</p>"
        project = ProjectFactory.build(
            partner=partner,
            funding_channel=channel,
            name=f"{name} {n}",
            slug=f"{SLUG_PREFIX}{n}",
            description=description,
            position=n,
        )
        # What save() does before its INSERT: the translation and review states.
        pre_save.send(
            sender=Project, instance=project, raw=False, using=DEFAULT_DB_ALIAS, update_fields=None
        )
        projects.append(project)
    with transaction.atomic():
        Project.objects.bulk_create(projects, batch_size=2000)


def queries(count):
    words, draw = vocabulary(), random.Random(99)
    kinds = [
        lambda: draw.choice(words),
        lambda: f"{draw.choice(words)} {draw.choice(words)}",
        lambda: f"{draw.choice(words)} {draw.randrange(10_000)}",
        lambda: draw.choice(["zzyzx", "quixotic", "Multi-bilateral", "Programme", "human"]),
        lambda: draw.choice(["Japan", "Memorandum", "cooperation", "OIKE", "earthquake"]),
    ]
    return [kinds[n % len(kinds)]() for n in range(count)]


def timed(function, items):
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(label, times):
    ordered = sorted(times)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    median = statistics.median(ordered)
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(
        f"{label:<10} median {median:6.1f} ms   p90 {p90:6.1f} ms   max {ordered[-1]:6.1f} ms"
        f"   ({len(times)} queries; target median < {TARGET_MS} ms: {verdict})"
    )
    return median


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--reseed", action="store_true")
    options = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    static_root = tempfile.mkdtemp(prefix="bench-search-static-")
    os.environ.update(
        DJANGO_STATIC_ROOT=static_root,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=options.database_url,
        PAGE_CACHE_SECONDS="0",
    )
    prepare(options.database_url, options.rows, options.reseed)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # production's manifest

    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from partnerships.models import Project
    from partnerships.search import Search

    words = queries(options.queries)
    user = AnonymousUser()

    def search(q):
        Search(q, user, language="en").run(0, 20)  # the counts and the first page

    client = Client()
    with translation.override("en"):
        url = reverse("partnerships:search")

    def page(q):
        assert client.get(url, {"q": q}).status_code == 200

    print(f"{Project.objects.count()} projects; {len(words)} queries, e.g. {words[:6]}")
    for q in words[:5]:  # warm up: connections, caches, the planner's statistics
        search(q)
        page(q)
    with CaptureQueriesContext(connection) as captured:
        page(words[0])
    found = Search(words[0], user, language="en").run(0, 0)[0]
    print(f"the page for {words[0]!r}: {len(captured)} SQL queries; found {found}")
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average before: {load} (on {os.cpu_count()} CPUs)")
    summary("function", timed(search, words))
    summary("page", timed(page, words))
    print("load average after: " + " ".join(f"{value:.1f}" for value in os.getloadavg()))
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
