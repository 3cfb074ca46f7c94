"""Logging in: password, then the second factor (enrolled on first login), recovery
codes, lockout after repeated failures, and sudo mode."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, client_for


def password_login(user, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    return client, response


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_first_login_enrols_an_authenticator_and_gives_recovery_codes(alice):
    client, _ = password_login(alice)
    assert client.get(reverse("start"))["Location"].startswith(reverse("two_factor_enrol"))
    page = client.get(reverse("two_factor_enrol"))
    assert "<svg" in page.content.decode(), "a QR code to scan"
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    wrong = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert "niet goed" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down retries after a wrong code; skip the wait
    done = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    codes = re.findall(r"<li><code>([0-9a-f]{10})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("start")).status_code == 200


def test_later_logins_ask_for_the_code(alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client, _ = password_login(alice)
    response = client.get(reverse("start"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("residents:search")).status_code == 302, (
        "nothing else before the code"
    )
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert client.get(reverse("start")).status_code == 200


def test_a_recovery_code_works_once(alice):
    from wattelt.organisations import two_factor

    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    code = two_factor.new_recovery_codes(alice)[0]
    client, _ = password_login(alice)
    client.post(reverse("two_factor_verify"), {"code": code})
    assert client.get(reverse("start")).status_code == 200
    again, _ = password_login(alice)
    response = again.post(reverse("two_factor_verify"), {"code": code})
    assert "niet goed" in response.content.decode()
    assert again.get(reverse("start")).status_code == 302


def test_lockout_after_repeated_failures_with_a_clear_message(alice):
    for _ in range(5):
        password_login(alice, "wrong-password-here")
    client, response = password_login(alice)  # even the right password is refused now
    assert response.status_code == 429
    assert "te veel" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_sudo_mode_asks_for_password_and_code_before_consent_changes(trajectory, alice, charlie):
    client = client_for(alice)
    url = reverse("residents:consents", args=[trajectory.pk])
    response = client.post(url, {"organisation": charlie.organisation_id, "share_plan": "on"})
    assert response["Location"].startswith(reverse("reauthenticate"))
    device = TOTPDevice.objects.get(user=alice)
    bad = client.post(reverse("reauthenticate"), {"password": "nope", "code": current_code(device)})
    assert bad.status_code == 200
    good = client.post(
        reverse("reauthenticate") + f"?next={url}",
        {"password": PASSWORD, "code": current_code(device), "next": url},
    )
    assert good["Location"] == url
    assert client.get(url).status_code == 200


def test_passwords_are_hashed_with_argon2_and_need_12_characters():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from wattelt import settings as project

    assert project.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    for weak in ["kort", "password1234"]:
        try:
            validate_password(weak)
        except ValidationError:
            continue
        raise AssertionError(f"{weak!r} was accepted")
    validate_password("paard-batterij-nietje-correct")
