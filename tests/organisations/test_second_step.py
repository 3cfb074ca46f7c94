"""The second step of the login: a new session id once the code is in, and nothing about
the account (name, menu, search) on any page before it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, client_for


def password_login(user) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def with_session(key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def test_session_id_is_renewed_after_the_code(alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client = password_login(alice)
    client.get(reverse("two_factor_verify"))
    before = client.session.session_key
    csrf_before = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    after = client.session.session_key
    assert before != after
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != csrf_before, "new CSRF token"
    assert client.get(reverse("start")).status_code == 200
    assert not SessionStore().exists(before), "the old id is deleted"
    stale = with_session(before).get(reverse("start"))
    assert stale["Location"].startswith(reverse("login")), "the old id opens nothing"


def test_session_id_is_renewed_after_enrolling_the_authenticator(alice):
    client = password_login(alice)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    before = client.session.session_key
    done = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    assert done.status_code == 200
    assert client.session.session_key != before
    assert with_session(before).get(reverse("start"))["Location"].startswith(reverse("login"))


def test_session_id_is_renewed_after_sudo_mode(alice):
    client = client_for(alice)
    device = TOTPDevice.objects.get(user=alice)
    before = client.session.session_key
    response = client.post(
        reverse("reauthenticate"), {"password": PASSWORD, "code": current_code(device)}
    )
    assert response.status_code == 302
    assert client.session.session_key != before
    assert not SessionStore().exists(before)


def assert_nothing_personal(page: str) -> None:
    assert "Alice" not in page, "no name"
    assert 'class="site-nav"' not in page, "no menu"
    assert 'role="search"' not in page and "site-search" not in page, "no search box"
    assert reverse("residents:register") not in page


def test_nothing_personal_before_the_code(alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client = password_login(alice)
    pages = [
        client.get(reverse("two_factor_verify")),
        client.get(reverse("start"), follow=True),
        client.get(reverse("residents:search"), follow=True),
        client.get(reverse("reauthenticate"), follow=True),
        client.get("/inloggen/bestaat-niet/"),
    ]
    for response in pages:
        assert response.status_code in (200, 404)
        page = response.content.decode()
        assert_nothing_personal(page)
        assert reverse("logout") in page, "logging out stays possible"


def test_nothing_personal_while_enrolling_the_authenticator(alice):
    client = password_login(alice)
    for response in [
        client.get(reverse("two_factor_enrol")),
        client.get(reverse("start"), follow=True),
    ]:
        assert response.status_code == 200
        assert_nothing_personal(response.content.decode())


def test_name_menu_and_search_appear_after_the_code(alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client = password_login(alice)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    page = client.get(reverse("start")).content.decode()
    assert "Alice Test" in page
    assert 'class="site-nav"' in page
    assert 'role="search"' in page


def test_sudo_mode_needs_the_second_step_of_the_login_first(alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client = password_login(alice)
    response = client.get(reverse("reauthenticate"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
