"""Adding a language is a settings change: the whole i18n suite, run with German
added only in test settings, after `makemigrations` has written its columns."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.extra_language


def inner_database_url(tmp_path):
    """A database of the outer run's kind that the outer run does not use, nor
    does another run at the same time (another worker, checkout or CI)."""
    database = settings.DATABASES["default"]
    if "postgresql" in database["ENGINE"]:
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        user = database.get("USER") or "postgres"
        return f"postgres://{user}@{host}:{port}/partnerships_de_{os.getpid()}"
    return f"sqlite:///{tmp_path / 'de.sqlite3'}"


def test_the_i18n_suite_passes_with_a_language_added_in_settings_only(tmp_path):
    package = tmp_path / "extra_language_migrations"
    package.mkdir()
    (package / "__init__.py").touch()
    for app, migrations in [
        ("partnerships", ROOT / "partnerships" / "migrations"),
        ("sixth_collection", ROOT / "tests" / "sixth_collection" / "migrations"),
    ]:
        shutil.copytree(migrations, package / app, ignore=shutil.ignore_patterns("__pycache__"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.extra_language",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DATABASE_URL": inner_database_url(tmp_path),
    }

    before = {path.name for path in package.rglob("0*.py")}
    subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "partnerships", "sixth_collection"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    written = sorted(path for path in package.rglob("0*.py") if path.name not in before)
    assert [path.parent.name for path in written] == ["partnerships", "sixth_collection"]
    assert "name='title_de'" in written[0].read_text()

    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "tests/test_i18n.py", "-p", "no:cacheprovider"),
            *("-m", "not extra_language", "-rA", "--tb=short"),
            # These run makemessages in a copy of the tree under the shipped
            # settings, whatever the run's, and read the catalogues: the same in
            # both runs, and the outer one has run them.
            *("--deselect", "tests/test_i18n.py::test_catalogue_is_complete_after_makemessages"),
            *("--deselect", "tests/test_i18n.py::test_every_catalogue_is_checked"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    # The German pages themselves were exercised, not only the shipped languages.
    for test in [
        "test_every_public_page_is_served_in_every_language[de]",
        "test_english_stands_in_for_a_missing_translation_with_one_notice[de]",
        "test_a_translation_is_shown_where_there_is_one[de]",
        "test_language_switcher_leads_to_the_same_object[en-de]",
    ]:
        assert f"PASSED tests/test_i18n.py::{test}" in result.stdout, test
