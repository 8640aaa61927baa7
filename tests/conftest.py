import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


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


def member_of(group, username, django_user_model):
    """A client logged in as a new staff user in `group` (a role the
    migrations created: "Editors" or "Publishers")."""
    from django.contrib.auth.models import Group
    from django.test import Client

    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(db, django_user_model):
    """An Editor: views, adds and changes content; may not publish or delete."""
    return member_of("Editors", "an-editor", django_user_model)


@pytest.fixture
def publisher_client(db, django_user_model):
    """A Publisher: an editor who may also publish, unpublish and delete."""
    return member_of("Publishers", "a-publisher", django_user_model)


def _patient_database_server(patient):
    """The PostgreSQL settings bound every statement and every wait for an answer
    (3 and 4 s by default). Creating and dropping a test database can take longer
    on a busy machine (a DROP waits for a checkpoint), so those are given time;
    the tests themselves run with the bounds as configured."""
    from django.conf import settings
    from django.db import connections

    for alias, database in settings.DATABASES.items():
        if connections[alias].vendor != "postgresql":
            continue
        options = database["OPTIONS"]
        if patient:
            _bounds.setdefault(alias, {k: options.get(k) for k in ("options", "answer_timeout")})
            options.update(options="-c statement_timeout=0", answer_timeout=None)
        elif alias in _bounds:
            options.update(_bounds[alias])
        connections[alias].close()  # the next connection opens with these options


_bounds = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    _patient_database_server(True)  # for creating the test databases


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _patient_database_server(False)
    yield
    with django_db_blocker.unblock():
        _patient_database_server(True)  # for dropping them


@pytest.fixture(scope="session")
def migrated_sqlite(request, tmp_path_factory):
    """A SQLite database that `manage.py migrate` made and nothing else touched,
    made once a run (the first xdist worker to need it makes it for all): tests
    that run manage.py on a migrated, empty database of their own start from a
    copy of it."""
    root = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):
        root = root.parent  # this run's, shared by its workers
    path = root / "migrated.sqlite3"
    with open(root / "migrated.sqlite3.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            scratch = root / f"migrating-{os.getpid()}.sqlite3"
            env = os.environ | {
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": f"sqlite:///{scratch}",
            }
            result = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr
            scratch.rename(path)
    return path


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database['NAME']})"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no page cached (the database is rolled back; the caches are not)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def page_cache_off(settings):
    """For tests of what a page itself costs, rendered every time."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def english_first():
    """Each test starts in English: a request in Japanese leaves its language active."""
    from django.utils import translation

    with translation.override("en"):
        yield


# Under pytest-xdist: `make test` runs two workers with --dist loadgroup. Each
# worker has its own test database (pytest-django appends _gw0, _gw1), tmp_path
# and live-server port; the drill and the extra-language run name their scratch
# databases by process id.
#
# Within a worker the order is pytest-django's, as in a serial run: tests in a
# transaction, then transactional tests (which empty the database, the roles the
# migrations create included), then tests without the database. The tests are
# handed out one at a time in collection order, so each worker keeps that order,
# except for what never touches the test database:
# - the modules in TOGETHER share module-scoped fixtures that take long to make
#   (the drill's scratch databases and backup): each runs whole on one worker,
#   handed out first (xdist hands out the largest groups first);
# - the long tests without the database (the extra-language run) are collected
#   first, so they run beside the rest instead of ending the run alone.
TOGETHER = {"tests/test_backup.py"}
LONG_WITHOUT_DATABASE = ["extra_language"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """loadgroup by module name: pytest 9.2 no longer lets pytest-xdist 3.8 tag
    the node ids of tests marked xdist_group, so the groups are named here."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in TOGETHER else nodeid

    return Scheduling(config, log)


@pytest.hookimpl(trylast=True)  # after pytest-django has sorted the items
def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):
        return  # a serial run keeps pytest-django's order

    def long_without_database(item):
        marked = any(item.get_closest_marker(name) for name in LONG_WITHOUT_DATABASE)
        uses_database = item.get_closest_marker("django_db") or {
            "db",
            "transactional_db",
        } & set(item.fixturenames)
        return marked and not uses_database

    items.sort(key=lambda item: not long_without_database(item))
