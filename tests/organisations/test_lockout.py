"""Lockout (django-axes): per account and address for logins and for sudo mode, and per
address across accounts against password spraying, without locking out an office that
shares one NAT address because one person keeps mistyping."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, client_for, make_staff
from wattelt import settings as project

OFFICE = "198.51.100.7"  # one NAT address for a whole office
ELSEWHERE = "203.0.113.9"


def login_from(address: str, username: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("start")


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def confirm(client: Client, password: str, code: str):
    return client.post(reverse("reauthenticate"), {"password": password, "code": code})


def is_logged_out(client: Client) -> bool:
    return "_auth_user_id" not in client.session


# --- the chosen figures ---------------------------------------------------------------


def test_limits_are_five_per_account_and_thirty_per_address_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 30
    assert settings.LOGIN_LOCKOUT_MINUTES == 15
    for name in [
        "WATTELT_LOGIN_FAILURE_LIMIT",
        "WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT",
        "WATTELT_LOGIN_LOCKOUT_MINUTES",
    ]:
        assert name in project.SETTINGS_DOC, "documented through setting()"


def test_a_limit_below_one_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT", "0")
    # setting() documents what it reads: keep the real reference as it was.
    monkeypatch.setattr(project, "SETTINGS_DOC", dict(project.SETTINGS_DOC))
    with pytest.raises(ImproperlyConfigured, match="WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT"):
        project.setting(
            "WATTELT_LOGIN_ADDRESS_FAILURE_LIMIT", 30, "limit", project._parse_positive_int
        )


# --- sudo mode (re-authentication) ----------------------------------------------------


def test_wrong_passwords_in_sudo_mode_lock_the_account_and_end_the_session(alice):
    client = client_for(alice)
    device = TOTPDevice.objects.get(user=alice)
    for _ in range(4):
        wrong = confirm(client, "wrong-password-here", current_code(device))
        assert wrong.status_code == 200
        assert "niet goed" in wrong.content.decode()
    locked = confirm(client, "wrong-password-here", current_code(device))
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "15 minuten geblokkeerd" in page
    assert "uitgelogd" in page
    assert is_logged_out(client)
    _, again = login_from("127.0.0.1", "alice")
    assert again.status_code == 429, "the login is refused too, even with the right password"


def test_wrong_codes_in_sudo_mode_count_like_wrong_passwords(alice):
    client = client_for(alice)
    responses = [confirm(client, PASSWORD, "000000") for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert is_logged_out(client)
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 5


def test_sudo_mode_refuses_the_right_password_and_code_while_locked_out(alice):
    client = client_for(alice)  # logged in before someone else guessed her password
    device = TOTPDevice.objects.get(user=alice)
    for _ in range(5):
        login_from("127.0.0.1", "alice", "wrong-password-here")
    response = confirm(client, PASSWORD, current_code(device))
    assert response.status_code == 429
    assert is_logged_out(client)


def test_a_good_confirmation_forgets_earlier_failures(alice):
    client = client_for(alice)
    device = TOTPDevice.objects.get(user=alice)
    for _ in range(4):
        confirm(client, "wrong-password-here", "000000")
    good = confirm(client, PASSWORD, current_code(device))
    assert good.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    for _ in range(4):
        assert confirm(client, "wrong-password-here", "000000").status_code == 200
    assert not is_logged_out(client)


def test_sudo_mode_counts_per_address_like_the_login(alice):
    """Failures in sudo mode from one address do not lock the account elsewhere."""
    client = client_for(alice)
    for _ in range(5):
        confirm(client, "wrong-password-here", "000000")
    assert is_logged_out(client)
    _, elsewhere = login_from(ELSEWHERE, "alice")
    assert logged_in(elsewhere)


# --- password spraying from one address -----------------------------------------------


def test_password_spraying_from_one_address_locks_that_address(alice):
    for number in range(30):  # one guess each on 30 accounts, under the account limit
        _, response = login_from(OFFICE, f"colleague{number}", "Welkom01-Welkom01")
    assert response.status_code == 429
    assert "vanaf dit netwerk" in response.content.decode()
    _, refused = login_from(OFFICE, "alice")
    assert refused.status_code == 429, "every account at that address waits"
    _, elsewhere = login_from(ELSEWHERE, "alice")
    assert logged_in(elsewhere), "the accounts themselves are not locked"


def test_a_spray_at_the_office_does_not_end_sessions_in_sudo_mode(alice):
    """Someone else's failures lock the address: the confirmation waits, the session stays."""
    client = client_for(alice)
    client.defaults["REMOTE_ADDR"] = OFFICE
    device = TOTPDevice.objects.get(user=alice)
    for number in range(30):
        login_from(OFFICE, f"colleague{number}", "Welkom01-Welkom01")
    response = confirm(client, PASSWORD, current_code(device))
    assert response.status_code == 429
    assert "vanaf dit netwerk" in response.content.decode()
    assert not is_logged_out(client)
    assert client.get(reverse("start")).status_code == 200


def test_one_person_mistyping_does_not_lock_the_office(alice, organisation, team):
    bob = make_staff("bob", organisation, team, "professional")
    for _ in range(40):  # locked after 5; keeps trying during the lockout
        _, response = login_from(OFFICE, "bob", "wrong-password-here")
    assert response.status_code == 429
    for number in range(20):  # twenty colleagues mistype once, then get in
        colleague = make_staff(f"colleague{number}", organisation, team, "professional")
        login_from(OFFICE, colleague.username, "wrong-password-here")
        assert logged_in(login_from(OFFICE, colleague.username)[1])
    _, response = login_from(OFFICE, "alice")
    assert logged_in(response)
    assert bob.is_active


def test_logging_in_with_ones_own_account_does_not_clear_the_address_count(alice):
    """An insider cannot spray from the office and reset the count by logging in."""
    for number in range(29):
        login_from(OFFICE, f"colleague{number}", "Welkom01-Welkom01")
    assert logged_in(login_from(OFFICE, "alice")[1])
    _, response = login_from(OFFICE, "colleague29", "Welkom01-Welkom01")
    assert response.status_code == 429


def test_behind_our_proxy_the_real_client_address_counts(settings, alice):
    """With WATTELT_TRUST_X_REAL_IP every client behind the TLS proxy has its own count;
    without it they would all share the proxy's address."""
    settings.TRUST_X_REAL_IP = True
    proxy = "10.0.0.1"
    for number in range(30):
        Client(REMOTE_ADDR=proxy, HTTP_X_REAL_IP=OFFICE).post(
            reverse("login"), {"username": f"colleague{number}", "password": "x" * 12}
        )
    someone_else = Client(REMOTE_ADDR=proxy, HTTP_X_REAL_IP=ELSEWHERE)
    response = someone_else.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert logged_in(response)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}
