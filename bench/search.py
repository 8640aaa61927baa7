"""Site search across 10,000 projects on PostgreSQL: time per query (issue 12).

    .venv/bin/python bench/search.py [--database-url URL] [--rows 10000] [--queries 100] [--reseed]
                                     [--language CODE ...]

Prepares (or reuses, when it already holds the rows) a PostgreSQL database
(default postgres://postgres@127.0.0.1:5432/partnerships_bench_search): the
migrations (which create the search's GIN indexes), the Japan fixture, then
projects made with tests/factories.py up to --rows, each named with three
words and described with fifteen, drawn (seeded) from a vocabulary of 400
words, so that a word finds about 0.5% of the projects (some 50 rows by name
and description) and a name word ranks its rows first; their Japanese
translations likewise from 400 Japanese words (100 words and three compounds
of each). Then ANALYZE. (--reseed after a change to the seed.)

It then runs, in each language of the site (or each --language), --queries
queries of varied words in that language (one word, two words, a word and a
number, a word no row has, a word of the fixture's names) and prints, for each
of the two levels, the median, p90 and maximum time per query:

- function: `Search(...).run(0, 20)`, what the view calls: the counts per
  type and the first page of results;
- page: the search page through django.test.Client (the view, its template,
  the middleware; the page cache off: a search with a query is never cached).

The target (issue 12): a median under 50 ms per query, in every language.
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
# The projects' Japanese names and descriptions (their translations), and a
# Japanese reader's queries: words of two to eight characters, no spaces.
JAPANESE_TEXT = """
技能 安全 移住 若者 女性 雇用 訓練 協同組合 労働基準 社会対話 社会保護 保健
保険 年金 賃金 最低賃金 労働監督 児童労働 強制労働 ディーセント・ワーク 農村
都市 インフォーマル経済 企業 中小企業 起業 金融 マイクロファイナンス 災害 復興
地震 津波 気候変動 グリーン 環境 建設 農業 漁業 観光 繊維 衣料 工場
家事労働者 移民労働者 難民 障害者 先住民 平等 差別 結社の自由 団体交渉 三者構成
政府 使用者 労働者 組合 職場 生産性 改善 品質 統計 調査 政策 法律 条約 勧告
能力 開発 支援 協力 事業 計画 基金 地域 アジア 太平洋 アフリカ カンボジア
ミャンマー ネパール バングラデシュ ベトナム タイ インドネシア フィリピン モンゴル
ラオス パキスタン インド スリランカ フィジー ケニア ガーナ ザンビア ヨルダン
レバノン ウクライナ ブラジル ペルー
"""
# As an English word and its forms (which stemming finds from the word), a
# Japanese word and its compounds (which a part of a word finds).
JAPANESE = [
    word + suffix for word in JAPANESE_TEXT.split() for suffix in ("", "制度", "政策", "研修")
]


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
        name_ja = "".join(draw.sample(JAPANESE, 3))
        description_ja = "<p>" + "、".join(draw.sample(JAPANESE, 15)) + "。</p>"
        project = ProjectFactory.build(
            partner=partner,
            funding_channel=channel,
            name=f"{name} {n}",
            name_ja=f"{name_ja} {n}",
            slug=f"{SLUG_PREFIX}{n}",
            description=description,
            description_ja=description_ja,
            position=n,
        )
        # What save() does before its INSERT: the translation and review states.
        pre_save.send(
            sender=Project, instance=project, raw=False, using=DEFAULT_DB_ALIAS, update_fields=None
        )
        projects.append(project)
    with transaction.atomic():
        Project.objects.bulk_create(projects, batch_size=2000)


def queries(count, language):
    """A reader's queries: English words, or in Japanese Japanese ones (and
    English names, which a Japanese reader types too)."""
    draw = random.Random(99)
    if language == "ja":
        words = JAPANESE
        missing = ["該当なし", "量子計算", "マルチ", "日本政府", "OIKE"]
        named = ["日本", "覚書", "協力", "Memorandum", "アフリカ協同組合"]
    else:
        words = vocabulary()
        missing = ["zzyzx", "quixotic", "Multi-bilateral", "Programme", "human"]
        named = ["Japan", "Memorandum", "cooperation", "OIKE", "earthquake"]
    kinds = [
        lambda: draw.choice(words),
        lambda: f"{draw.choice(words)} {draw.choice(words)}",
        lambda: f"{draw.choice(words)} {draw.randrange(10_000)}",
        lambda: draw.choice(missing),
        lambda: draw.choice(named),
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


def load_average():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--language",
        action="append",
        help="a reader's language (repeatable; default: every language of the site)",
    )
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

    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from partnerships.models import Project
    from partnerships.search import Search

    user, client = AnonymousUser(), Client()
    languages = options.language or [code for code, _name in settings.LANGUAGES]
    print(f"{Project.objects.count()} projects; {options.queries} queries per language")
    medians = {}
    for language in languages:
        words = queries(options.queries, language)

        def search(q, language=language):
            Search(q, user, language=language).run(0, 20)  # the counts and the first page

        with translation.override(language):
            url = reverse("partnerships:search")

        def page(q, url=url):
            assert client.get(url, {"q": q}).status_code == 200

        print(f"\n{language}: e.g. {words[:6]}")
        for q in words[:5]:  # warm up: connections, caches, the planner's statistics
            search(q)
            page(q)
        with CaptureQueriesContext(connection) as captured:
            page(words[0])
        found = Search(words[0], user, language=language).run(0, 0)[0]
        found = {name: count for name, count in found.items() if count}
        print(f"the page for {words[0]!r}: {len(captured)} SQL queries; found {found}")
        print(f"load average before: {load_average()} (on {os.cpu_count()} CPUs)")
        medians[language] = summary("function", timed(search, words))
        summary("page", timed(page, words))
        print(f"load average after: {load_average()}")
    slowest = max(medians, key=medians.get)
    verdict = "PASS" if medians[slowest] < TARGET_MS else "FAIL"
    print(f"\nslowest language: {slowest}, function median {medians[slowest]:.1f} ms: {verdict}")
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
