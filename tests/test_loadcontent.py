"""Local runs keep local edits: `make run` loads the fixture only into an empty
database, and `make reset-content` reloads it over the content."""

import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from partnerships.models import Partner
from tests.factories import PartnerFactory

ROOT = Path(__file__).parent.parent
ALREADY_LOADED = (
    "The database already has content; not reloading the fixture (make reset-content reloads it)."
)
FIXTURE_SUMMARY = next(
    row["fields"]["summary"]
    for row in json.loads((ROOT / "fixtures" / "japan.json").read_text())
    if row["model"] == "partnerships.agreement"
)


def make_recipe_line(target):
    """The line of `make <target>`'s recipe that loads the content, as make would run it
    (with this interpreter for the virtual environment's)."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", target, f"PY={shlex.quote(sys.executable)}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in result.stdout.splitlines() if " manage.py load" in line]
    return line


@pytest.fixture
def scratch_site(tmp_path, migrated_sqlite):
    """A migrated, empty SQLite database, and how to run a shell command against it."""
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_sqlite, path)
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{path}",
    }

    def run(command):
        result = subprocess.run(
            command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    return path, run


def summary(path):
    with sqlite3.connect(path) as database:
        return database.execute("SELECT summary FROM partnerships_agreement").fetchone()[0]


def edit_summary(path, text):
    with sqlite3.connect(path) as database:
        database.execute("UPDATE partnerships_agreement SET summary = ?", [text])


def test_make_run_twice_keeps_an_edit_made_in_between(scratch_site):
    path, run = scratch_site
    load = make_recipe_line("run")

    first = run(load)
    assert ALREADY_LOADED not in first
    assert summary(path) == FIXTURE_SUMMARY
    edit_summary(path, "Edited in the local admin.")

    second = run(load)
    assert ALREADY_LOADED in second
    assert summary(path) == "Edited in the local admin."


def test_make_reset_content_restores_the_fixtures_english(scratch_site):
    path, run = scratch_site
    run(make_recipe_line("run"))
    edit_summary(path, "Edited in the local admin.")

    run(make_recipe_line("reset-content"))
    assert summary(path) == FIXTURE_SUMMARY


@pytest.mark.django_db
def test_loadcontent_if_empty_leaves_a_database_with_a_partner_alone():
    PartnerFactory(slug="elsewhere")
    out = StringIO()
    call_command("loadcontent", "japan", if_empty=True, stdout=out)
    assert out.getvalue().strip() == ALREADY_LOADED
    assert list(Partner.objects.values_list("slug", flat=True)) == ["elsewhere"]


@pytest.mark.django_db
def test_loadcontent_if_empty_loads_into_an_empty_database():
    call_command("loadcontent", "japan", if_empty=True, verbosity=0)
    assert Partner.objects.get().slug == "japan"
