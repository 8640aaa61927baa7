"""Probe a running production server on loopback: load, outage and recovery checks.

    make serve  # in another shell (or gunicorn -c config/gunicorn.py config.wsgi)
    .venv/bin/python scripts/load_probe.py load [--clients 50] [--seconds 30] \\
        [--error-log PATH]
    .venv/bin/python scripts/load_probe.py outage   # while the database is down or hung
    .venv/bin/python scripts/load_probe.py up       # once it is back (no restart)

`load` runs --clients threads for --seconds against the public pages listed in
/sitemap.xml (plus robots.txt, a stylesheet and the health checks), then prints
requests/s, latency percentiles and status counts; it fails on any non-2xx answer
and on any error in the gunicorn error log. `outage` checks what visitors and load
balancers see while the database is unreachable: the home page, a partner page and
the sitemap answer 503 with Retry-After within 5 s (or 200 from the page cache),
/healthz 200, /readyz 503, and robots.txt and static files 200. `up` checks they
all answer 200 again.

Standard library only; refuses any address but loopback. Exit status 0 means
every check passed.
"""

import argparse
import collections
import http.client
import ipaddress
import re
import socket
import statistics
import sys
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

# What a TLS-terminating proxy would add, so the site answers as in production
# (with DJANGO_BEHIND_TLS_PROXY=true; ignored otherwise). Health checks are probed
# without it, as a load balancer inside the network would.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
OUTAGE_BUDGET = 5.0  # seconds
STATIC_FILE = "/static/css/site.css"
# Lines of the gunicorn error log that mean something went wrong.
ERROR_LINE = re.compile(r"\[(ERROR|CRITICAL)\]|Traceback|WORKER TIMEOUT|^ERROR|^CRITICAL", re.M)


def loopback(url):
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 80)}
    except socket.gaierror:
        sys.exit(f"Cannot resolve {host!r}.")
    if not all(ipaddress.ip_address(address).is_loopback for address in addresses):
        sys.exit(f"{url} is not a loopback address: this probe only runs against this machine.")
    return parts.hostname, parts.port or 80


def fetch(server, path, headers=PROXY_HEADERS, timeout=30):
    """One request on a fresh connection: (status, headers, body, seconds)."""
    host, port = server
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": f"{host}:{port}", **headers})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, time.perf_counter() - started
    finally:
        connection.close()


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def public_paths(server, partner):
    """The pages the sitemap's sections list, or a few known ones if it cannot be read."""
    paths = set()
    status, _, body, _ = fetch(server, "/sitemap.xml")
    if status == 200:
        for section in ET.fromstring(body).iter(f"{SITEMAP}loc"):
            parts = urlsplit(section.text)
            status, _, body, _ = fetch(
                server, parts.path + (f"?{parts.query}" if parts.query else "")
            )
            if status == 200:
                paths.update(
                    urlsplit(page.text).path for page in ET.fromstring(body).iter(f"{SITEMAP}loc")
                )
    return sorted(paths) or ["/en/", "/ja/", f"/en/partners/{partner}/", f"/ja/partners/{partner}/"]


def check_outage(server, partner="japan"):
    """What visitors and probes see with the database down: a list of failures."""
    failures = []

    def expect(path, status, headers=PROXY_HEADERS, retry_after=False):
        try:
            got, answer, _, seconds = fetch(server, path, headers, timeout=OUTAGE_BUDGET + 5)
        except OSError as error:
            failures.append(f"{path}: no answer ({error})")
            return None
        cached = answer.get("X-Page-Cache") == "hit"
        line = f"{path}: {got}{' from the page cache' if cached else ''} in {seconds:.2f} s"
        print(line)
        if cached and got == 200 and status == 503:
            return answer  # a page kept whole serves its readers through the outage
        if got != status:
            failures.append(f"{line}, expected {status}")
        if seconds >= OUTAGE_BUDGET:
            failures.append(f"{line}, expected under {OUTAGE_BUDGET:.0f} s")
        if retry_after and not answer.get("Retry-After", "").isdigit():
            failures.append(f"{line} without a Retry-After header")
        return answer

    home = expect("/", 302)  # the language redirect needs no database
    home_page = urlsplit((home or {}).get("Location", "/en/")).path
    # The pages that need the database, at once, as visitors would arrive:
    # each holds a worker for seconds, not one after the other.
    waiting = [
        threading.Thread(target=expect, args=(path, 503), kwargs=kwargs)
        for path, kwargs in [
            (home_page, {"retry_after": True}),
            (f"/en/partners/{partner}/", {"retry_after": True}),
            ("/sitemap.xml", {"retry_after": True}),
            ("/readyz", {"headers": {}}),
        ]
    ]
    for thread in waiting:
        thread.start()
    for thread in waiting:
        thread.join()
    expect("/healthz", 200, headers={})
    expect("/robots.txt", 200)
    expect(STATIC_FILE, 200)
    return failures


def check_up(server, partner="japan"):
    failures = []
    paths = ["/en/", f"/en/partners/{partner}/", "/sitemap.xml", "/robots.txt", STATIC_FILE]
    for path, headers in [*((path, PROXY_HEADERS) for path in paths), ("/readyz", {})]:
        try:
            status, _, _, seconds = fetch(server, path, headers)
        except OSError as error:
            failures.append(f"{path}: no answer ({error})")
            continue
        print(f"{path}: {status} in {seconds:.2f} s")
        if status != 200:
            failures.append(f"{path}: {status}, expected 200")
    return failures


def load(server, clients, seconds, partner):
    """`clients` threads requesting the paths in turn for `seconds`: (results, elapsed)."""
    paths = [*public_paths(server, partner), "/robots.txt", STATIC_FILE, "/healthz", "/readyz"]
    results = []  # (status or exception name, seconds); list.append is thread-safe
    deadline = time.monotonic() + seconds

    def client(offset):
        turn = offset
        while time.monotonic() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            headers = {} if path in ("/healthz", "/readyz") else PROXY_HEADERS
            try:
                status, _, _, elapsed = fetch(server, path, headers)
            except OSError as error:
                results.append((type(error).__name__, 0.0, path))
            else:
                results.append((status, elapsed, path))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started, len(paths)


def report_load(results, elapsed, pages):
    """Print the figures; return the failures (non-2xx answers)."""
    latencies = sorted(seconds * 1000 for status, seconds, _ in results if status == 200)
    statuses = collections.Counter(status for status, _, _ in results)
    print(
        f"{len(results)} requests in {elapsed:.1f} s over {pages} paths: "
        f"{len(results) / elapsed:.1f} requests/s"
    )
    if latencies:
        centiles = statistics.quantiles(latencies, n=100)
        print(
            f"latency ms: median {statistics.median(latencies):.1f}, p90 {centiles[89]:.1f}, "
            f"p99 {centiles[98]:.1f}, max {latencies[-1]:.1f}"
        )
    print("statuses:", ", ".join(f"{status}: {count}" for status, count in statuses.items()))
    bad = collections.Counter(
        (status, path) for status, _, path in results if not str(status).startswith("2")
    )
    return [f"{path}: {status} x{count}" for (status, path), count in bad.items()]


def error_log_size(path):
    with open(path, "rb") as log:
        return log.seek(0, 2)


def error_log_problems(path, since=0):
    """The error lines written to the log after byte `since`."""
    with open(path, "rb") as log:
        log.seek(since)
        text = log.read().decode("utf-8", errors="replace")
    return [line for line in text.splitlines() if ERROR_LINE.search(line)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["load", "outage", "up"])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (loopback)")
    parser.add_argument("--partner", default="japan", help="slug of a published partner")
    parser.add_argument("--clients", type=int, default=50, help="load: concurrent clients")
    parser.add_argument("--seconds", type=float, default=30, help="load: duration")
    parser.add_argument("--error-log", help="load: gunicorn error log that must stay clean")
    options = parser.parse_args()
    if not (1 <= options.clients <= 200 and 0 < options.seconds <= 300):
        parser.error("--clients must be 1–200 and --seconds at most 300")
    server = loopback(options.url)

    if options.check == "load":
        print(f"{options.clients} clients for {options.seconds:.0f} s on {options.url}")
        since = error_log_size(options.error_log) if options.error_log else 0
        failures = report_load(*load(server, options.clients, options.seconds, options.partner))
        if options.error_log:
            problems = error_log_problems(options.error_log, since)
            print(f"error log {options.error_log}: {len(problems)} error lines")
            failures += problems
    elif options.check == "outage":
        failures = check_outage(server, options.partner)
    else:
        failures = check_up(server, options.partner)

    for failure in failures:
        print("FAIL", failure, file=sys.stderr)
    print("FAILED" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
