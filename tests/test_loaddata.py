"""Loading and checking fixtures: every object validated as the admin validates it, or
nothing written, with one readable message naming the model, the key and the field."""

import copy
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from partnerships.models import Partner
from tests.helpers import table_rows

ROOT = Path(__file__).parent.parent
JAPAN = ROOT / "fixtures" / "japan.json"
AGREEMENT = 'partnerships.agreement ["japan", "memorandum-of-cooperation-2017"]'
PROJECT = 'partnerships.project ["japan", "ilo-japan-multi-bilateral-programme"]'
WEB_ADDRESS = "Enter a web address starting with http:// or https://."


def fields_of(records, model):
    """The fields of the fixture's first record of `model`, to change in place."""
    return next(r["fields"] for r in records if r["model"] == f"partnerships.{model}")


# Each mutation breaks one thing in the Japan fixture's records.


def setting(model, **values):
    def mutate(records):
        fields_of(records, model).update(values)

    return mutate


def dropping(model, field):
    def mutate(records):
        del fields_of(records, model)[field]

    return mutate


def adding(*new_records):
    def mutate(records):
        records.extend(copy.deepcopy(new_records))

    return mutate


def duplicating_the_agreement_with(**values):
    def mutate(records):
        copied = copy.deepcopy(next(r for r in records if r["model"] == "partnerships.agreement"))
        copied["fields"].update(values)
        records.append(copied)

    return mutate


def partner(name, **values):
    fields = {"name": name, "slug": name.lower(), "title": f"Partnerships with {name}"}
    fields["adjective"] = f"{name}n"
    return {"model": "partnerships.partner", "fields": fields | values}


def broken_fixture(tmp_path, mutate):
    records = json.loads(JAPAN.read_text())
    mutate(records)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(records, ensure_ascii=False))
    return path


BROKEN = [
    pytest.param(
        setting("agreement", further_information_url="javascript:alert(document.domain)"),
        AGREEMENT,
        f"further_information_url: {WEB_ADDRESS}",
        id="javascript-link",
    ),
    pytest.param(
        setting("agreement", further_information_url="ftp://example.org/moc.pdf"),
        AGREEMENT,
        f"further_information_url: {WEB_ADDRESS}",
        id="ftp-link",
    ),
    pytest.param(
        adding(partner("Atlantis", slug="bad slug<x>", is_published=True)),
        'partnerships.partner ["bad slug<x>"]',
        "slug: Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        id="bad-slug",
    ),
    pytest.param(
        setting("agreement", kind="treaty"),
        AGREEMENT,
        "kind: Value 'treaty' is not a valid choice.",
        id="unknown-choice",
    ),
    pytest.param(
        dropping("partner", "title"),
        'partnerships.partner ["japan"]',
        "title: This field cannot be blank.",
        id="missing-title",
    ),
    pytest.param(
        setting("partner", title="x" * 5000),
        'partnerships.partner ["japan"]',
        "title: Ensure this value has at most 255 characters (it has 5000).",
        id="title-too-long",
    ),
    pytest.param(
        setting("partner", translation_stale=["title"]),
        'partnerships.partner ["japan"]',
        "translation_stale: Enter an object mapping languages (fr, es, ja) to lists of some of "
        "these field names: name, title,",
        id="stale-not-by-language",
    ),
    pytest.param(
        setting("agreement", translation_review={"ja": ["colour"]}),
        AGREEMENT,
        "translation_review: Enter an object mapping languages (fr, es, ja) to lists of some of "
        "these field names: title, headline,",
        id="review-unknown-field",
    ),
    pytest.param(
        setting("agreement", signed_on="2017-02-30"),
        AGREEMENT,
        "signed_on: “2017-02-30” value has the correct format (YYYY-MM-DD) "
        "but it is an invalid date.",
        id="bad-date",
    ),
    pytest.param(
        setting("agreement", visit_ended_on="2017-05-01"),
        AGREEMENT,
        "(whole record): A visit needs both dates, and it cannot end before it begins.",
        id="constraint",
    ),
    pytest.param(
        setting("project", funding_channel=["japan", "no-such-channel"]),
        PROJECT,
        'funding_channel: there is no funding channel ["japan", "no-such-channel"] '
        "in the database or earlier in the fixture.",
        id="unknown-key",
    ),
    pytest.param(
        setting("privatesupportactivity", funding_channel=["japan", "no-such-channel"]),
        'partnerships.privatesupportactivity ["japan", "african-cooperative-leaders-study-tour"]',
        'funding_channel: there is no funding channel ["japan", "no-such-channel"]',
        id="unknown-key-of-optional-link",
    ),
    pytest.param(
        setting("concern", partner=["atlantis"]),
        'partnerships.concern ["atlantis", "unemployment"]',
        'partner: there is no partner ["atlantis"] in the database or earlier in the fixture.',
        id="unknown-key-of-the-record-itself",
    ),
    pytest.param(
        setting("concern", partner="japan"),
        'partnerships.concern ["japan", "unemployment"]',
        "partner: “japan” value must be an integer.",
        id="key-not-a-list",
    ),
    pytest.param(
        duplicating_the_agreement_with(title="The same slug again"),
        AGREEMENT,
        "(whole record): this natural key appears twice in the fixture.",
        id="duplicate-slug-in-the-fixture",
    ),
    pytest.param(
        adding(partner("Japan", slug="japan-again")),
        'partnerships.partner ["japan-again"]',
        "name: Partner with this Name already exists.",
        id="duplicate-of-an-existing-row",
    ),
    pytest.param(
        adding(
            partner("Korea"),
            {
                "model": "partnerships.fundingchannel",
                "fields": {"partner": ["korea"], "slug": "koica", "name": "KOICA"},
            },
            {
                "model": "partnerships.project",
                "fields": {
                    "partner": ["japan"],
                    "slug": "borrowed",
                    "name": "Borrowed",
                    "funding_channel": ["korea", "koica"],
                },
            },
        ),
        'partnerships.project ["japan", "borrowed"]',
        "funding_channel: ",
        id="channel-of-another-partner",
    ),
    pytest.param(
        setting("agreement", colour="red"),
        AGREEMENT,
        "colour: partnerships.agreement has no such field",
        id="unknown-field",
    ),
    pytest.param(
        adding({"model": "partnerships.treaty", "fields": {}}),
        "record 26",
        'model: no model named "partnerships.treaty".',
        id="unknown-model",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("mutate", "record", "problem"), BROKEN)
def test_broken_fixture_names_model_key_and_field_and_writes_nothing(
    tmp_path, mutate, record, problem
):
    call_command("loaddata", "japan", verbosity=0)
    # An editor's change, which loading the fixture's first record would undo.
    Partner.objects.update(title="Partnerships with Japan, as edited")
    before = table_rows(apps.get_models())
    output = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("loaddata", broken_fixture(tmp_path, mutate), stdout=output, stderr=output)

    assert str(error.value).startswith(f"Invalid fixture broken.json: {record}:")
    assert problem in str(error.value)
    assert "Traceback" not in output.getvalue()
    assert table_rows(apps.get_models()) == before


@pytest.mark.django_db(transaction=True)
def test_unparsable_fixture_names_the_file_and_writes_nothing(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(JAPAN.read_text()[:-10])

    with pytest.raises(CommandError, match=r"^Invalid fixture broken.json: Expecting"):
        call_command("loaddata", broken)

    assert not Partner.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores NUL characters")
@pytest.mark.django_db(transaction=True)
def test_what_only_the_database_refuses_is_named_too(tmp_path):
    broken = broken_fixture(tmp_path, setting("agreement", signed_in="To\x00kyo"))

    with pytest.raises(CommandError) as error:
        call_command("loaddata", broken)

    assert str(error.value).startswith(f"Invalid fixture broken.json: {AGREEMENT}: (whole record):")
    assert "NUL" in str(error.value)
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_several_problems_of_one_record_are_listed_one_a_line(tmp_path):
    mutate = setting("agreement", kind="treaty", further_information_url="javascript:alert(1)")

    with pytest.raises(CommandError) as error:
        call_command("loaddata", broken_fixture(tmp_path, mutate))

    assert str(error.value).splitlines() == [
        f"Invalid fixture broken.json: {AGREEMENT}:",
        "  kind: Value 'treaty' is not a valid choice.",
        f"  further_information_url: {WEB_ADDRESS}",
    ]


@pytest.mark.django_db
def test_what_ignorenonexistent_skips_does_not_hide_the_broken_record(tmp_path):
    def mutate(records):
        records.insert(0, {"model": "partnerships.treaty", "fields": {}})
        fields_of(records, "agreement").update(colour="red", signed_on="2017-02-30")

    with pytest.raises(CommandError) as error:
        call_command("loaddata", broken_fixture(tmp_path, mutate), ignorenonexistent=True)

    assert str(error.value) == (
        f"Invalid fixture broken.json: {AGREEMENT}: signed_on: “2017-02-30” value has the "
        "correct format (YYYY-MM-DD) but it is an invalid date."
    )


@pytest.mark.django_db(transaction=True)
def test_checkfixture_reports_ok_and_writes_nothing():
    output = StringIO()

    call_command("checkfixture", "japan", stdout=output)

    assert output.getvalue().startswith("OK: japan (25 objects, 1 file(s)) would load;")
    assert not Partner.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_checkfixture_over_loaded_content_reports_ok_and_changes_nothing():
    call_command("loaddata", "japan", verbosity=0)
    Partner.objects.update(title="Partnerships with Japan, as edited")
    before = table_rows(apps.get_models())

    call_command("checkfixture", "japan", stdout=StringIO())

    assert table_rows(apps.get_models()) == before


@pytest.mark.django_db(transaction=True)
def test_checkfixture_refuses_a_broken_fixture_and_writes_nothing(tmp_path):
    broken = broken_fixture(tmp_path, setting("agreement", kind="treaty"))

    with pytest.raises(CommandError) as error:
        call_command("checkfixture", broken, stdout=StringIO())

    assert str(error.value).startswith(f"Invalid fixture broken.json: {AGREEMENT}: kind")

    assert not Partner.objects.exists()


# manage.py itself, on a database of its own: what an operator sees.


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory, migrated_sqlite):
    """A migrated, empty SQLite database and the environment that points manage.py at it."""
    path = tmp_path_factory.mktemp("site") / "db.sqlite3"
    shutil.copyfile(migrated_sqlite, path)
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["DATABASE_URL"] = f"sqlite:///{path}"
    return path, env


def manage(*args, env):
    command = [sys.executable, "manage.py", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def partnership_rows(path):
    with sqlite3.connect(path) as database:
        tables = database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'partnerships_%'"
        ).fetchall()
        return sum(database.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for (t,) in tables)


def test_manage_py_loaddata_prints_one_message_without_traceback(empty_site, tmp_path):
    path, env = empty_site
    # The agreement comes after the partner, its concerns and representatives.
    broken = broken_fixture(tmp_path, setting("agreement", further_information_url="javascript:1"))

    result = manage("loaddata", broken, env=env)

    assert result.returncode == 1
    assert result.stderr == (
        f"CommandError: Invalid fixture broken.json: {AGREEMENT}: "
        f"further_information_url: {WEB_ADDRESS}\n"
    )
    assert partnership_rows(path) == 0


def test_manage_py_checkfixture_exit_status_tells_ok_from_broken(empty_site, tmp_path):
    path, env = empty_site
    broken = broken_fixture(tmp_path, setting("agreement", signed_on="2017-02-30"))

    ok = manage("checkfixture", "japan", env=env)
    refused = manage("checkfixture", broken, env=env)

    assert (ok.returncode, refused.returncode) == (0, 1)
    assert ok.stdout.startswith("OK: japan")
    assert refused.stderr.startswith(f"CommandError: Invalid fixture broken.json: {AGREEMENT}:")
    assert "Traceback" not in ok.stderr + refused.stderr
    assert partnership_rows(path) == 0
