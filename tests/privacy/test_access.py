"""Only the privacy officer of the resident's own organisation reaches these screens,
and only after confirming password and code again."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for, staff_with_role
from wattelt.audit.models import AccessLog
from wattelt.organisations.models import Role, Staff
from wattelt.privacy import services
from wattelt.privacy.models import ErasureRequest
from wattelt.residents.models import Resident, Trajectory


@pytest.fixture
def erasure_request(trajectory: Trajectory, privacy_officer: Staff) -> ErasureRequest:
    return services.register_erasure_request(trajectory.resident, privacy_officer)


def every_privacy_url(resident: Resident, request: ErasureRequest) -> list[tuple[str, str]]:
    """(method, url) for every privacy screen and action."""
    on_resident = ["privacy:resident", "privacy:inzage_pdf", "privacy:inzage_json"]
    on_request = ["privacy:decide", "privacy:execute"]
    return [
        ("post", reverse("privacy:start")),
        *[("get", reverse(name, args=[resident.pk])) for name in on_resident],
        ("get", reverse("privacy:register_erasure", args=[resident.pk])),
        ("post", reverse("privacy:register_erasure", args=[resident.pk])),
        ("get", reverse("privacy:erasure", args=[request.pk])),
        *[("post", reverse(name, args=[request.pk])) for name in on_request],
    ]


def visit(client: Client, method: str, url: str) -> int:
    post = {"decision": "granted", "confirm": "on", "received_on": "2020-01-01"}
    response = client.post(url, post) if method == "post" else client.get(url)
    return response.status_code


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "other_privacy_officer"])
def test_everyone_but_the_own_privacy_officer_gets_404_everywhere(
    request, trajectory, erasure_request, municipality, who
):
    if who == "other_privacy_officer":
        other = request.getfixturevalue("charlie").organisation
        user = staff_with_role("olga", other, Role.Name.PRIVACY_OFFICER)
    else:
        user = request.getfixturevalue(who)
    client = client_for(user, sudo=True)
    start, *others = every_privacy_url(trajectory.resident, erasure_request)
    for method, url in others:
        assert visit(client, method, url) == 404, (who, method, url)
    erasure_request.refresh_from_db()
    assert erasure_request.is_pending
    assert not AccessLog.objects.filter(
        resident_id=trajectory.resident_id, purpose__startswith="avg-"
    ).exists()
    if who == "other_privacy_officer":
        # Their own start page, without our residents or requests.
        page = client.get(start[1]).content.decode()
        assert reverse("privacy:resident", args=[trajectory.resident_id]) not in page
        assert erasure_request.reference not in page
    else:
        assert visit(client, *start) == 404


def test_privacy_officer_must_confirm_password_and_code_again(
    trajectory, erasure_request, privacy_officer
):
    client = client_for(privacy_officer)
    for method, url in every_privacy_url(trajectory.resident, erasure_request):
        response = client.post(url, {}) if method == "post" else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("reauthenticate")), url
    erasure_request.refresh_from_db()
    assert erasure_request.is_pending


def test_anonymous_visitor_is_sent_to_login(trajectory, erasure_request):
    for method, url in every_privacy_url(trajectory.resident, erasure_request):
        response = visit(Client(), method, url)
        assert response == 302, url


def test_privacy_officer_reaches_every_screen(trajectory, erasure_request, privacy_officer):
    client = client_for(privacy_officer, sudo=True)
    gets = [u for m, u in every_privacy_url(trajectory.resident, erasure_request) if m == "get"]
    for url in gets:
        assert client.get(url).status_code == 200, url


def test_search_finds_only_residents_of_the_own_organisation(
    trajectory, privacy_officer, charlie, district
):
    Resident.objects.create(
        organisation=charlie.organisation,
        first_name="Fatma",
        last_name="Yilmaz",
        date_of_birth=trajectory.resident.date_of_birth,
        district=district,
    )
    client = client_for(privacy_officer, sudo=True)
    page = client.post(reverse("privacy:start"), {"q": "Yilmaz"}).content.decode()
    assert "Fatima Yilmaz" in page
    assert "Fatma" not in page
    by_bsn = client.post(reverse("privacy:start"), {"q": "111222333"}).content.decode()
    assert reverse("privacy:resident", args=[trajectory.resident_id]) in by_bsn
    searches = AccessLog.objects.filter(action="search", purpose="avg-inzage")
    assert {(s.resident_id, s.username) for s in searches} == {(trajectory.resident_id, "priya")}


def test_pages_have_no_inline_scripts_or_styles(trajectory, erasure_request, privacy_officer):
    client = client_for(privacy_officer, sudo=True)
    for method, url in every_privacy_url(trajectory.resident, erasure_request):
        if method == "get" and not url.endswith((".pdf", ".json")):
            page = client.get(url).content.decode()
            assert "style=" not in page, url
            assert "<script>" not in page, url
