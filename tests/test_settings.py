"""Deployment settings, checked as an operator would check them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    # The developer's .env must not answer for the environment under test.
    environment.update(
        env, DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_ENV_FILE=os.devnull
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_is_clean_with_debug_off_and_a_real_key():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x7#kq2!vR9zL@4mN8pW$3tY6uB1cE5hJ0sD-fG_aQ+oI*eT&yU",
        DJANGO_ALLOWED_HOSTS="partnerships.example.org",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_start():
    result = run_manage("check", DJANGO_DEBUG="false", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr


@pytest.mark.django_db
def test_health_checks_answer_over_plain_http_while_pages_redirect(client, settings):
    """Load balancers probe inside the network over HTTP; visitors go to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    page = client.get("/en/")
    assert page.status_code == 301
    assert page.url == "https://testserver/en/"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "5 0:15:00 [['username', 'ip_address']] 0"),
        (
            {
                "DJANGO_LOGIN_FAILURE_LIMIT": "3",
                "DJANGO_LOGIN_COOLOFF_MINUTES": "0",
                "DJANGO_LOGIN_LOCKOUT_BY": "username+ip_address,ip_address",
                "DJANGO_TRUSTED_PROXY_COUNT": "1",
            },
            "3 None [['username', 'ip_address'], ['ip_address']] 1",
        ),
    ],
    ids=["defaults", "from-the-environment"],
)
def test_login_throttling_settings(environment, expected):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME,"
        " s.AXES_LOCKOUT_PARAMETERS, s.TRUSTED_PROXY_COUNT)",
        DJANGO_DEBUG="true",
        DATABASE_URL="sqlite:///:memory:",
        **environment,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_logins_are_logged_even_when_the_log_level_is_warning():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import logging; print(logging.getLogger('axes.handlers').isEnabledFor(logging.INFO))",
        DJANGO_DEBUG="true",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.django_db
def test_postgresql_connections_and_statements_are_bounded_in_time():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to wait for")
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 3
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("3s",)


def test_database_timeouts_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://user@db.example.org:5432/partnerships",
        DJANGO_DB_CONNECT_TIMEOUT="2",
        DJANGO_DB_STATEMENT_TIMEOUT="10",
    )
    assert result.returncode == 0, result.stderr
    assert "'connect_timeout': 2" in result.stdout
    assert "'options': '-c statement_timeout=10s'" in result.stdout


def settings_under(**env):
    """The production settings under `env`, as JSON: what `manage.py` would read."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], 'static': s.STATIC_URL,"
        " 'media': s.MEDIA_URL, 'storage': s.STORAGES['default'], 'cache': s.CACHES['default'],"
        " 'page_cache': s.PAGE_CACHE_SECONDS}, default=str))"
    )
    environment = {
        "DJANGO_SECRET_KEY": "x7#kq2!vR9zL@4mN8pW$3tY6uB1cE5hJ0sD-fG_aQ+oI*eT&yU",
        "DATABASE_URL": "sqlite:///:memory:",
        **env,
    }
    result = run_manage("shell", "-c", code, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_several_servers_share_static_files_photos_and_the_cache_through_the_environment():
    shared = settings_under(
        DJANGO_STATIC_URL="https://cdn.example.org/static/",
        DJANGO_MEDIA_URL="https://media.example.org/",
        # In production, e.g. django-storages' "storages.backends.s3.S3Storage".
        DJANGO_MEDIA_STORAGE="django.core.files.storage.InMemoryStorage",
        DJANGO_MEDIA_STORAGE_OPTIONS='{"base_url": "https://media.example.org/"}',
        CACHE_URL="redis://cache.internal:6379/0",
    )
    assert shared["static"] == "https://cdn.example.org/static/"
    assert shared["csp"]["style-src"] == ["'self'", "https://cdn.example.org"]
    assert shared["csp"]["img-src"] == [
        "'self'",
        "https://cdn.example.org",
        "https://media.example.org",
    ]
    assert shared["storage"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"base_url": "https://media.example.org/"},
    }
    assert (
        shared["cache"]["BACKEND"] == "config.redis_cache.RedisCache"
    )  # Django's, reusing clients
    assert shared["cache"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert shared["page_cache"] == 600


def test_one_server_keeps_everything_local_by_default():
    alone = settings_under()
    assert alone["static"] == "/static/"
    assert alone["csp"]["img-src"] == ["'self'"]
    assert alone["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert alone["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    # A development server (DEBUG) renders every page, so template edits show at once.
    assert settings_under(DJANGO_DEBUG="true")["page_cache"] == 0
