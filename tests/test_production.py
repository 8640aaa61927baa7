"""The production server (gunicorn, config/gunicorn.py, DEBUG off) when PostgreSQL fails.

gunicorn reaches the test database through a TCP proxy that the tests switch
between forwarding, refusing (a closed port) and hanging (accepts, never answers).
"""

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import load_probe

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),  # gunicorn must see the committed fixture
]


class DatabaseProxy:
    """A TCP proxy on loopback in front of the database, switched by `mode`.

    forward: relays every connection; refuse: closes the port and every open
    connection (the server is down); hang: accepts and never answers (nor do the
    connections already open).
    """

    def __init__(self, target):
        self.target = target
        self.mode = "forward"
        self.stopped = False
        self.sockets = []
        self.lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener = None
        self._listen()

    def _listen(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while not self.stopped and listener is self.listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.sockets.append(client)
            if self.mode == "forward":
                upstream = socket.create_connection(self.target)
                with self.lock:
                    self.sockets.append(upstream)
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while not self.stopped:
                if self.mode != "forward":
                    time.sleep(0.05)
                    continue
                ready = select.select([source], [], [], 0.1)[0]
                if ready and self.mode == "forward":  # not one more message once switched
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
        except (OSError, ValueError):  # closed by switch() or stop()
            pass
        self._close(source, sink)

    def _close(self, *sockets):
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def switch(self, mode):
        self.mode = mode
        if mode == "refuse":
            listener, self.listener = self.listener, None
            listener.close()
            with self.lock:
                self._close(*self.sockets)
                self.sockets.clear()
        elif self.listener is None:
            self._listen()

    def stop(self):
        self.stopped = True
        if self.listener is not None:
            self.listener.close()
        with self.lock:
            self._close(*self.sockets)


@pytest.fixture
def database_proxy():
    if connection.vendor != "postgresql":
        pytest.skip("The outage checks need PostgreSQL: set DATABASE_URL=postgres://…")
    settings = connection.settings_dict
    proxy = DatabaseProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    yield proxy
    proxy.stop()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(tmp_path, database_port, **settings):
    """gunicorn's environment for the production settings on the test database
    (reached at `database_port` on loopback), static files collected into tmp_path;
    nothing read from the developer's environment or .env."""
    database = connection.settings_dict
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "GUNICORN_", "CACHE_URL", "PAGE_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_SECRET_KEY="production-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=(
            f"postgres://{database['USER']}:{database['PASSWORD']}"
            f"@127.0.0.1:{database_port}/{database['NAME']}"
        ),
        GUNICORN_ACCESS_LOG=os.devnull,
        **settings,
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    return environment


@pytest.fixture
def production_server(database_proxy, tmp_path):
    """gunicorn with the production settings, its database behind the proxy: (host, port)."""
    call_command("loaddata", "japan", verbosity=0)
    port = free_port()
    environment = production_environment(
        tmp_path,
        database_proxy.port,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_TLS_PROXY="true",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # The outage checks are of pages rendered while the database is down (a
        # page kept whole serves its readers through an outage: test_page_cache).
        PAGE_CACHE_SECONDS="0",
        GUNICORN_WORKERS="4",  # one per page the outage check requests at once
        GUNICORN_ERROR_LOG=str(tmp_path / "error.log"),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=environment,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if load_probe.fetch(("127.0.0.1", port), "/healthz", {})[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield ("127.0.0.1", port), tmp_path / "error.log"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_pages_answer_503_quickly_while_the_database_is_down_and_recover(
    production_server, database_proxy
):
    server, _ = production_server
    assert load_probe.check_up(server) == []  # workers now hold open connections

    database_proxy.switch("refuse")
    assert load_probe.check_outage(server) == []

    database_proxy.switch("hang")
    assert load_probe.check_outage(server) == []

    database_proxy.switch("forward")
    assert load_probe.check_up(server) == []


def test_a_database_that_hangs_with_connections_open_costs_seconds_not_a_worker(
    production_server, database_proxy
):
    server, _ = production_server
    assert load_probe.check_up(server) == []  # workers now hold open connections

    database_proxy.switch("hang")  # and those stop answering too
    assert load_probe.check_outage(server) == []

    database_proxy.switch("forward")
    assert load_probe.check_up(server) == []


def test_a_short_load_gives_only_2xx_and_a_clean_error_log(production_server):
    server, error_log = production_server
    results, elapsed, pages = load_probe.load(server, clients=10, seconds=5, partner="japan")
    assert load_probe.report_load(results, elapsed, pages) == []
    assert len(results) > 50
    assert load_probe.error_log_problems(error_log) == []
