"""Security headers, CSRF, and no personal data in logs or error pages."""

from __future__ import annotations

import logging

from django.test import Client
from django.urls import reverse

from tests.conftest import client_for


def test_strict_headers_on_every_page(trajectory, alice):
    response = client_for(alice).get(reverse("instrument:progress", args=[trajectory.pk]))
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_nonce_differs_per_request(alice):
    client = client_for(alice)
    first = client.get(reverse("start"))["Content-Security-Policy"]
    second = client.get(reverse("start"))["Content-Security-Policy"]
    assert first != second


def test_hsts_and_https_redirect_in_production(settings, alice):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    plain = Client().get(reverse("login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    secure = Client().get(reverse("login"), secure=True)
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


def test_csrf_is_enforced(trajectory, alice):
    client = client_for(alice)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("instrument:new_measurement", args=[trajectory.pk]))
    assert response.status_code == 403
    assert not trajectory.measurements.exists()


def test_bsn_never_in_the_log_output(trajectory, alice, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(alice)
    client.get(reverse("residents:detail", args=[trajectory.resident_id]))
    client.post(reverse("residents:search"), {"q": "111222333"})
    client.get(reverse("instrument:plan", args=[trajectory.pk]))
    assert "111222333" not in caplog.text


def test_error_pages_show_no_personal_data(trajectory, charlie):
    response = client_for(charlie).get(reverse("residents:detail", args=[trajectory.resident_id]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Yilmaz" not in html and "Fatima" not in html


def test_a_forged_client_address_is_not_logged(trajectory, alice, settings):
    from wattelt.audit.models import AccessLog

    client = client_for(alice)
    url = reverse("residents:detail", args=[trajectory.resident_id])
    client.get(url, HTTP_X_REAL_IP="10.1.2.3")
    assert AccessLog.objects.latest("id").client_address == "127.0.0.1", "not trusted by default"
    settings.TRUST_X_REAL_IP = True
    client.get(url, HTTP_X_REAL_IP="10.1.2.3")
    assert AccessLog.objects.latest("id").client_address == "10.1.2.3"
    client.get(url, HTTP_X_REAL_IP="evil")
    assert AccessLog.objects.latest("id").client_address == "127.0.0.1", "invalid: ignored"


def test_null_characters_are_refused_before_anything_is_saved(trajectory, alice):
    client = client_for(alice)
    response = client.post(reverse("residents:search"), {"q": "Yil\x00maz"})
    assert response.status_code == 400
    response = client.post(
        reverse("instrument:not_filled_in", args=[trajectory.pk]),
        {"kind": "start", "reason": "other", "note": "a\x00b"},
    )
    assert response.status_code == 400
    assert not trajectory.not_filled_in.exists()
