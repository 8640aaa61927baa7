"""Backup and restore, and the restore drill: a restored copy serves the same site.

The drill runs as an operator would, each step a `manage.py` process pointed by
DATABASE_URL and DJANGO_MEDIA_ROOT at a scratch PostgreSQL database and media
folder: migrate, load the Japan content, add a photo, `backup`; `restore` into
a second scratch pair; then request every page the sitemap lists (and the
sitemap itself) from both copies and compare the bytes.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from partnerships.collections import COLLECTIONS
from tests.helpers import sitemap_locations, sitemap_pages

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="the restore drill needs PostgreSQL: DATABASE_URL=postgres://… make test",
)
pytestmark = pytest.mark.drill

PHOTO = "agreements/memorandum-signing.jpg"


@pytest.mark.skipif(ON_POSTGRESQL, reason="on PostgreSQL the drill below backs up")
def test_backup_explains_that_it_needs_postgresql():
    with pytest.raises(CommandError, match="for PostgreSQL"):
        call_command("backup")


class Copy:
    """One copy of the site: a scratch database and media folder, run through manage.py."""

    def __init__(self, name, media_root):
        self.name = name
        self.media_root = media_root
        db = settings.DATABASES["default"]
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{quote(db['USER'], safe='')}{password}"
            f"@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}",
            "DJANGO_MEDIA_ROOT": str(media_root),
        }

    def manage(self, *args, fails=False):
        result = subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert (result.returncode != 0) == fails, f"manage.py {args}: {result.stderr}"
        return result

    def pages(self):
        """Every page of this copy, by path: [status, Location, body]."""
        code = f"from {__name__} import serve; serve()"
        return json.loads(self.manage("shell", "--no-imports", "-c", code).stdout)

    def tables(self):
        with admin_connection(self.name) as connection:
            return connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            ).fetchall()

    def media(self):
        return {
            str(path.relative_to(self.media_root)): path.read_bytes()
            for path in sorted(self.media_root.rglob("*"))
            if path.is_file()
        }


def serve():
    """Run in a copy's process: print each page the sitemap lists, by path, as JSON."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    sections = sitemap_pages(client)  # the index's sections, each page of each
    urls = list(sections)
    for xml in sections.values():
        sitemap = ElementTree.fromstring(xml)
        urls += sitemap_locations(xml)
        urls += [link.get("href") for link in sitemap.iter("{http://www.w3.org/1999/xhtml}link")]
    paths = {urlsplit(url).path for url in urls}
    paths = sorted({"/", "/en/", "/ja/", "/robots.txt", "/sitemap.xml", *paths})
    pages = {}
    for path in paths:
        response = client.get(path)
        pages[path] = [response.status_code, response.get("Location"), response.content.decode()]
    print(json.dumps(pages))


def admin_connection(dbname="postgres"):
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=dbname,
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
        autocommit=True,
    )


def japan_pages():
    """The Japan content's public paths, in both languages, read from its fixture."""
    fixture = json.loads((settings.BASE_DIR / "fixtures" / "japan.json").read_text())
    routes = [("partner-detail", {})]
    for collection in COLLECTIONS:
        routes.append((f"{collection.name}-list", {}))
        if collection.has_detail_pages:
            model = collection.model._meta.label_lower
            routes += [
                (f"{collection.name}-detail", {"slug": row["fields"]["slug"]})
                for row in fixture
                if row["model"] == model
            ]
    for language in ["en", "ja"]:
        with translation.override(language):
            for name, kwargs in routes:
                yield reverse(f"partnerships:{name}", kwargs={"partner_slug": "japan", **kwargs})


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """Make an empty scratch database and media folder; all dropped afterwards."""
    names = []

    def make(label):
        name = f"partnerships_backup_drill_{label}_{os.getpid()}"
        with admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return Copy(name, tmp_path_factory.mktemp("media") / label)

    yield make
    with admin_connection() as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def original(scratch):
    """A copy with the Japan content and the Memorandum's photo."""
    copy = scratch("original")
    copy.manage("migrate")
    copy.manage("loaddata", "japan")
    (copy.media_root / PHOTO).parent.mkdir(parents=True)
    (copy.media_root / PHOTO).write_bytes(bytes(range(256)) * 4)
    copy.manage(
        "shell",
        "-c",
        f"from partnerships.models import Agreement; Agreement.objects.update(photo={PHOTO!r})",
    )
    return copy


@pytest.fixture(scope="module")
def backup(original, tmp_path_factory):
    backups = tmp_path_factory.mktemp("backups")
    original.manage("backup", "--to", backups)
    [made] = backups.iterdir()
    return made


@needs_postgresql
def test_a_restored_copy_serves_the_same_pages(original, backup, scratch):
    restored = scratch("restored")
    restored.manage("restore", backup)

    pages, restored_pages = original.pages(), restored.pages()
    assert restored_pages.keys() == pages.keys()
    assert [path for path in pages if restored_pages[path] != pages[path]] == []
    assert restored.media() == original.media()
    # The comparison covers the whole site: the overview, every list page and
    # the detail page of every item of the fixture, in both languages, and a
    # page that shows the photo.
    assert {"/en/", "/ja/", *japan_pages()} <= pages.keys()
    assert {status for status, _, _ in pages.values()} == {200, 302}
    assert any(f"/media/{PHOTO}" in body for _, _, body in pages.values())


@needs_postgresql
def test_restore_refuses_a_target_that_is_not_empty(original, backup):
    tables = original.tables()
    result = original.manage("restore", backup, fails=True)
    assert "Nothing restored: the target is not empty" in result.stderr
    assert "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert original.tables() == tables


@needs_postgresql
def test_forced_restore_replaces_the_database_and_media(original, backup, scratch):
    target = scratch("forced")
    target.manage("migrate")
    with admin_connection(target.name) as connection:
        connection.execute("CREATE TABLE left_over (id int)")
    target.media_root.mkdir()
    (target.media_root / "stray.txt").write_text("not in the backup")

    target.manage("restore", "--force", backup)

    assert target.tables() == original.tables()
    assert target.media() == original.media()
    assert target.pages() == original.pages()


@needs_postgresql
def test_restore_refuses_a_damaged_backup_and_writes_nothing(backup, scratch, tmp_path):
    damaged = shutil.copytree(backup, tmp_path / backup.name)
    dump = Path(damaged) / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-1] + b"?")
    target = scratch("damaged")

    result = target.manage("restore", damaged, fails=True)

    assert "does not match its checksum" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.tables() == []
    assert not target.media_root.exists()


@needs_postgresql
def test_restore_into_a_missing_database_says_to_create_it(backup, tmp_path):
    missing = Copy(f"partnerships_backup_drill_missing_{os.getpid()}", tmp_path / "media")

    result = missing.manage("restore", backup, fails=True)

    assert "does not exist (create the database first" in result.stderr
    assert "Traceback" not in result.stderr
