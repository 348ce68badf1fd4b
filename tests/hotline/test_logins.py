"""Logins are rate limited (django-axes): a username is locked out from an address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "pw-12345-test"


def log_in(client, password, address="10.0.0.1", username="reviewer", **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(client, times, **kwargs):
    for _ in range(times):
        assert log_in(client, "wrong", **kwargs).status_code == 200


def lock(client, **kwargs):
    """Four failures are refused as wrong passwords; the fifth locks the username out."""
    fail(client, 4, **kwargs)
    return log_in(client, "wrong", **kwargs)


def test_five_failures_lock_the_account_out_with_a_clear_message(client, reviewer_user):
    assert lock(client).status_code == 429
    response = log_in(client, PASSWORD)  # even the right password, while locked
    assert response.status_code == 429
    page = response.content.decode()
    with translation.override("zh-hans"):
        message = translation.ngettext(
            "Too many failed logins: this account is locked from your address for "
            "%(counter)s minute.",
            "Too many failed logins: this account is locked from your address for "
            "%(counter)s minutes.",
            30,
        ) % {"counter": 30}
    assert message in page
    assert "_auth_user_id" not in client.session


def test_the_message_is_in_english_for_an_english_reader(client, reviewer_user):
    client.cookies["django_language"] = "en"
    lock(client)
    page = log_in(client, PASSWORD).content.decode()
    assert "locked from your address for 30 minutes" in page


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client, reviewer_user):
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_is_for_the_username_from_that_address(client, reviewer_user, data_entry_user):
    lock(client)
    assert log_in(client, PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert log_in(client, PASSWORD, username="clerk").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, reviewer_user):
    lock(client)
    assert log_in(client, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="reviewer")
    attempt.attempt_time -= timedelta(minutes=31)
    attempt.save()
    assert log_in(client, PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, reviewer_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever a client claims on the left, the proxy appends the address it really saw.
    for n in range(4):
        fail(client, 1, address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 10.9.9.9")
    locked = log_in(client, "wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert locked.status_code == 429
    other = log_in(client, PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.8.8")
    assert other.status_code == 302
