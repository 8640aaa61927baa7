"""Admin logins are throttled by username and address, explained to the person, and logged.

Logins go through the real admin form, so django-axes runs as in production.
(`client.login()` would need a `request=` argument with axes; `force_login` skips it.)
"""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import RequestFactory

from partnerships.logins import client_ip
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "a long passphrase"
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def log_in(client, password, username="editor", address=HOME, **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def lock_out(client, settings, username="editor", address=HOME, **extra):
    """Fail as often as the limit allows; the last failure locks."""
    statuses = [
        log_in(client, "wrong", username, address, **extra).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def move_failures_back(by):
    """Time travel: the failures happened `by` earlier than recorded."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_the_right_password_logs_in(client, editor):
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_below_the_limit_still_let_the_right_password_in(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_after_too_many_wrong_passwords_the_right_one_is_refused(client, editor, settings):
    lock_out(client, settings)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_lockout_page_says_what_happened_and_when_to_try_again(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    lock_out(client, settings)
    response = log_in(client, PASSWORD)
    text = visible_text(response)
    assert "Too many failed logins" in text
    assert "Please try again in 15 minutes." in text
    assert response["Retry-After"] == str(15 * 60)
    assert "Partnerships administration" in text  # the admin's own look


def test_lockout_page_speaks_japanese(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    lock_out(client, settings)
    response = log_in(client, PASSWORD, HTTP_ACCEPT_LANGUAGE="ja")
    assert "15分後にもう一度お試しください。" in visible_text(response)


def test_without_a_cool_off_the_page_points_to_an_administrator(client, editor, settings):
    settings.AXES_COOLOFF_TIME = None
    lock_out(client, settings)
    response = log_in(client, PASSWORD)
    assert "An administrator has to lift the block" in visible_text(response)
    assert "Retry-After" not in response


def test_the_lockout_holds_until_the_cool_off_has_passed(client, editor, settings):
    lock_out(client, settings)
    move_failures_back(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert log_in(client, PASSWORD).status_code == 429

    move_failures_back(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert log_in(client, PASSWORD).status_code == 302
    assert logged_in(client)


def test_an_attempt_during_the_lockout_starts_the_wait_again(client, editor, settings):
    lock_out(client, settings)
    move_failures_back(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert log_in(client, PASSWORD).status_code == 429  # a minute before the end
    move_failures_back(timedelta(minutes=2))
    assert log_in(client, PASSWORD).status_code == 429


def test_unlock_command_lifts_the_lockout(client, editor, settings):
    lock_out(client, settings)
    output = StringIO()
    call_command("axes_reset_username", "editor", stdout=output)
    assert "attempts removed" in output.getvalue()
    assert log_in(client, PASSWORD).status_code == 302


def test_the_same_user_from_another_address_can_still_log_in(client, editor, settings):
    lock_out(client, settings, address=HOME)
    assert log_in(client, PASSWORD, address=ELSEWHERE).status_code == 302


def test_another_user_from_the_same_address_can_still_log_in(
    client, editor, settings, django_user_model
):
    django_user_model.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    lock_out(client, settings, username="editor", address=HOME)
    assert log_in(client, PASSWORD, username="colleague", address=HOME).status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302


def test_failed_and_successful_logins_are_logged_with_user_and_address(caplog, client, editor):
    log_in(client, "wrong-passphrase")
    log_in(client, PASSWORD)
    logins = [record for record in caplog.records if record.name.startswith("axes")]
    failed = [r.getMessage() for r in logins if "login failure" in r.getMessage()]
    succeeded = [r.getMessage() for r in logins if "Successful login" in r.getMessage()]
    assert len(failed) == 1
    assert len(succeeded) == 1
    for message in failed + succeeded:
        assert 'username: "editor"' in message
        assert f'ip_address: "{HOME}"' in message
    assert "wrong-passphrase" not in caplog.text
    assert PASSWORD not in caplog.text


def test_behind_a_proxy_a_forged_forwarded_for_does_not_dodge_the_lockout(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{n + 1}"
        log_in(client, "wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, {HOME}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}
    assert log_in(client, PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=HOME).status_code == (
        429
    )


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", "127.0.0.1"),  # no proxy: the header is the client's word
        (1, f"192.0.2.1, {HOME}", HOME),
        (2, f"192.0.2.1, {HOME}, 10.0.0.2", HOME),
        (1, "", "127.0.0.1"),  # not through the proxy
        (1, "not-an-address", "127.0.0.1"),
    ],
)
def test_client_address_is_the_one_the_nearest_trusted_proxy_saw(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post(
        LOGIN, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for
    )
    assert client_ip(request) == expected
