"""Queries and server time of every public page, in English and Japanese.

    .venv/bin/python scripts/benchmark.py [--requests 200] [--rows 50]

Runs in a throwaway test database (SQLite in memory, or PostgreSQL when
DATABASE_URL points there), loads the Japan fixture, optionally adds --rows
extra published rows of every model, then requests each page through Django's
test client (no network, so the time is the application's own) and prints the
query count and the median and 95th-percentile time per page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.urls import translate_url  # noqa: E402
from django.utils import translation  # noqa: E402


def pages():
    from partnerships.models import Partner
    from tests.helpers import public_urls

    paths = public_urls(Partner.objects.get(slug="japan"))
    return [translate_url(path, code) for code, _name in settings.LANGUAGES for path in paths]


def add_rows(rows):
    from tests.factories import PartnerFactory
    from tests.helpers import populate

    populate(PartnerFactory(slug="japan"), rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--rows", type=int, default=0, help="extra rows of every model")
    options = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        with translation.override("en"):
            call_command("loaddata", "japan", verbosity=0)
            if options.rows:
                add_rows(options.rows)
            paths = pages()
        client = Client()
        print(f"database: {connection.vendor}; {options.requests} requests per page")
        print(f"{'page':72} {'queries':>7} {'median ms':>9} {'p95 ms':>7}")
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200, path
            queries = len(captured)  # read now: later requests reset the log
            times = []
            for _ in range(options.requests):
                start = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{path:72} {queries:>7} {statistics.median(times):>9.2f} {p95:>7.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
