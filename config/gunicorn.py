"""Gunicorn settings for production, read from the environment.

    gunicorn -c config/gunicorn.py config.wsgi      (what `make serve` runs)

Sync workers: one request per process, and a worker stuck for longer than
GUNICORN_TIMEOUT is replaced. The database timeouts in the Django settings
keep requests well below it when the database is down or hung.
"""

import gc
import multiprocessing
import os
import re
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# The page cache must be one for every worker: an edit made through one worker
# reaches the pages the others keep. Unless CACHE_URL names a shared cache
# (Redis, for several servers), this server's workers share a file cache,
# emptied when the server starts (config/settings/base.py reads the variable).
if workers > 1:
    name = "partnerships-cache-" + re.sub(r"[^\w.-]", "-", bind)
    shared_cache = os.path.join(tempfile.gettempdir(), name)
    os.environ["GUNICORN_SHARED_CACHE_DIR"] = shared_cache

    def on_starting(server):
        shutil.rmtree(shared_cache, ignore_errors=True)


timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# A worker is replaced after this many requests (with jitter), in case anything
# leaks. Not after a few hundred: with pages from the cache a worker answers
# thousands a second, and each replacement holds up the answers queued behind it
# (at 1,000, warm pages' 99th percentile went from 10-20 ms to 150-290 ms).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50_000))
max_requests_jitter = max_requests // 10
# The application is imported once, before the workers are forked: a worker that
# replaces another starts at once instead of importing Django again (which, at
# thousands of requests a second, made the slowest 1% of answers wait for it).
preload_app = True


def pre_fork(server, worker):
    # What the master loaded is never garbage: frozen, a worker's collections
    # skip it, and its memory stays shared with the master instead of copied.
    gc.freeze()


# "-" is standard output / error. With a file, Django's own log lines (written to
# standard error) go to the error log too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = errorlog != "-"
# No gunicornc control socket: nothing here uses it, and several servers on one
# machine would share its default path.
control_socket_disable = True
