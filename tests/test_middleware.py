"""Database outages: a friendly 503 with Retry-After, never a traceback or a 500."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    """Every connection attempt fails, as with the database's port closed."""

    def refuse(self):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


@pytest.mark.parametrize(
    "path",
    ["/en/", "/en/partners/japan/", "/en/partners/japan/agreements/", "/sitemap.xml"],
)
def test_public_pages_answer_503_with_retry_after_while_the_database_is_down(
    client, japan, database_down, path
):
    response = client.get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Temporarily unavailable" in response.content.decode()


def test_a_query_that_fails_while_the_template_renders_gives_the_503_too(client, japan):
    from django.db import connection

    def fail_on_representatives(execute, sql, params, many, context):
        # The partner is found by the view; its representatives are read by the template.
        if "partnerships_representative" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_representatives):
        response = client.get("/en/partners/japan/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_the_503_page_is_in_the_readers_language(client, japan, database_down):
    response = client.get("/ja/partners/japan/")
    assert response.status_code == 503
    assert '<html lang="ja">' in response.content.decode()
    assert "一時的にご利用いただけません" in response.content.decode()


def test_a_staff_session_during_an_outage_gets_the_503_too(staff_client, japan, database_down):
    # The session and the user are read from the database on first use.
    assert staff_client.get("/en/partners/japan/").status_code == 503


def test_an_outage_is_logged_in_one_line_without_a_traceback(client, japan, database_down, caplog):
    client.get("/en/")
    [record] = [r for r in caplog.records if r.name == "partnerships.middleware"]
    assert record.levelname == "WARNING"
    assert "Connection refused" in record.getMessage()
    assert record.exc_info is None


def test_other_errors_are_not_disguised_as_an_outage(client, japan, monkeypatch):
    from partnerships.views import PartnerListView

    def broken(self):
        raise ValueError("a bug")

    monkeypatch.setattr(PartnerListView, "get_queryset", broken)
    client.raise_request_exception = False
    assert client.get("/en/").status_code == 500


def test_robots_txt_and_liveness_need_no_database(client, database_down):
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readiness_is_ok_while_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_is_503_while_the_database_is_down(client, database_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("server closed the connection unexpectedly"), 503),
        (ValueError("a bug"), 500),
    ],
    ids=["outage", "bug"],
)
def test_an_error_after_the_view_is_a_503_only_for_an_outage(
    client, japan, monkeypatch, error, status
):
    from django.contrib.sessions.middleware import SessionMiddleware

    def session_save_fails(self, request, response):
        raise error  # as a session saved after the response would

    monkeypatch.setattr(SessionMiddleware, "process_response", session_save_fails)
    client.raise_request_exception = False
    response = client.get("/en/partners/japan/")
    assert response.status_code == status
    assert ("Retry-After" in response) == (status == 503)
