"""Invitations to Mijn Wat telt and the passkeys made with them (a software passkey
stands in for the phone; tests/browser/test_portal_signin.py does it in Chromium)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.portal.softkey import SoftPasskey
from wattelt.audit.models import AccessLog
from wattelt.implementation import services as implementation
from wattelt.organisations.models import OrganisationPolicy
from wattelt.portal import invitations
from wattelt.portal.models import Invitation, LastSignIn, Passkey
from wattelt.portal.session import RESIDENT_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def invite_on_screen(client: Client, resident) -> tuple[str, str]:
    """The professional presses the button; returns (link path, code) from the screen."""
    response = client.post(reverse("portal:invite", args=[resident.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    code = re.search(r'invitation-code__digits" dir="ltr">(\d{3}) (\d{3})<', page)
    link = re.search(r"http://testserver(/mijn/uitnodiging/[^/]+/)", page)
    assert code and link
    return link.group(1), code.group(1) + code.group(2)


def make_passkey(client: Client, link: str, code: str, key: SoftPasskey) -> dict:
    assert client.post(link, {"code": code}).status_code == 302
    options = client.post(reverse("portal:passkey_registration_options")).json()
    response = client.post(
        reverse("portal:passkey_register"), key.create(options), content_type="application/json"
    )
    return response.json()


def sign_in_with(client: Client, key: SoftPasskey):
    options = client.post(reverse("portal:passkey_options")).json()
    return client.post(
        reverse("portal:passkey_sign_in"), key.get(options), content_type="application/json"
    )


def test_the_professional_invites_and_the_resident_makes_a_passkey_and_signs_in(
    alice, resident, trajectory
):
    link, code = invite_on_screen(client_for(alice), resident)
    stored = Invitation.objects.get(resident=resident)
    assert link.split("/")[-2] not in (stored.token_hash, stored.code_hash)
    assert code not in stored.code_hash
    created = AccessLog.objects.get(object_type="portal_invitation")
    assert (created.action, created.resident_id, created.user_id) == (
        "create",
        resident.pk,
        alice.pk,
    )

    phone = Client()
    answer = make_passkey(phone, link, code, SoftPasskey())
    assert answer == {"next": reverse("portal:home")}
    assert phone.session[RESIDENT_KEY] == resident.pk
    assert Passkey.objects.owned_by(resident).active().count() == 1
    assert LastSignIn.objects.get(resident=resident).method == "passkey"
    assert phone.get(reverse("portal:home")).status_code == 200


def test_the_passkey_signs_the_resident_in_again_without_a_user_name(alice, resident, trajectory):
    link, code = invite_on_screen(client_for(alice), resident)
    key = SoftPasskey()
    make_passkey(Client(), link, code, key)
    later = Client()
    response = sign_in_with(later, key)
    assert response.json() == {"next": reverse("portal:home")}
    assert later.session[RESIDENT_KEY] == resident.pk


def test_an_unknown_passkey_does_not_sign_in(resident):
    client = Client()
    response = sign_in_with(client, SoftPasskey())
    assert response.status_code == 400
    assert "werkt niet (meer)" in response.json()["error"]
    assert RESIDENT_KEY not in client.session


def test_an_invitation_works_once(alice, resident, trajectory):
    link, code = invite_on_screen(client_for(alice), resident)
    make_passkey(Client(), link, code, SoftPasskey())
    again = Client().get(link)
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()


def test_an_expired_invitation_is_refused(alice, resident, trajectory):
    link, _code = invite_on_screen(client_for(alice), resident)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get(link)
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()


def test_an_invitation_is_valid_fourteen_days(alice, resident, trajectory):
    invite_on_screen(client_for(alice), resident)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=14)


def test_a_wrong_code_is_counted_and_the_fifth_voids_the_invitation(alice, resident, trajectory):
    link, code = invite_on_screen(client_for(alice), resident)
    wrong = "000000" if code != "000000" else "111111"
    phone = Client()
    first = phone.post(link, {"code": wrong})
    assert first.status_code == 200
    assert "nog 4 pogingen" in first.content.decode()
    for _ in range(4):
        last = phone.post(link, {"code": wrong})
    assert "te vaak fout" in last.content.decode()
    assert Invitation.objects.get().voided_at is not None
    assert Client().post(link, {"code": code}).status_code == 410


def test_one_address_may_try_only_so_many_codes(alice, resident, trajectory, monkeypatch):
    monkeypatch.setattr(invitations, "ADDRESS_ATTEMPTS", 2)
    link, code = invite_on_screen(client_for(alice), resident)
    phone = Client()
    phone.post(link, {"code": "999999" if code != "999999" else "888888"})
    phone.post(link, {"code": "999999" if code != "999999" else "888888"})
    refused = phone.post(link, {"code": code})
    assert "Te veel pogingen" in refused.content.decode()
    assert RESIDENT_KEY not in phone.session


def test_a_new_invitation_voids_the_open_one_and_revokes_the_old_passkey_when_used(
    alice, resident, trajectory
):
    professional = client_for(alice)
    link, code = invite_on_screen(professional, resident)
    old_phone = SoftPasskey()
    make_passkey(Client(), link, code, old_phone)
    unused_link, _unused = invite_on_screen(professional, resident)
    new_link, new_code = invite_on_screen(professional, resident)
    assert Client().get(unused_link).status_code == 410
    assert sign_in_with(Client(), old_phone).status_code == 200  # not yet used: still works
    make_passkey(Client(), new_link, new_code, SoftPasskey())
    assert sign_in_with(Client(), old_phone).status_code == 400
    assert Passkey.objects.owned_by(resident).active().count() == 1


def test_the_professional_sees_the_access_and_revokes_it(alice, resident, trajectory):
    professional = client_for(alice)
    link, code = invite_on_screen(professional, resident)
    key = SoftPasskey()
    make_passkey(Client(), link, code, key)
    page = professional.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    assert "1 actieve passkey" in page
    response = professional.post(reverse("portal:revoke", args=[resident.pk]))
    assert response.status_code == 302
    assert sign_in_with(Client(), key).status_code == 400
    assert AccessLog.objects.filter(object_type="portal_access", action="delete").exists()


def test_the_team_coach_reads_but_cannot_invite(bob, resident, trajectory):
    coach = client_for(bob)
    assert (
        "Invite to Mijn Wat telt"
        not in coach.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    )
    assert coach.post(reverse("portal:invite", args=[resident.pk])).status_code == 403
    assert not Invitation.objects.exists()


def test_an_outsider_cannot_invite(charlie, resident, trajectory):
    assert client_for(charlie).post(reverse("portal:invite", args=[resident.pk])).status_code == 404
    assert not Invitation.objects.exists()


def test_a_resident_under_the_organisations_minimum_age_is_not_invited(alice, resident, trajectory):
    OrganisationPolicy.objects.create(organisation=resident.organisation, portal_minimum_age=18)
    resident.date_of_birth = timezone.localdate() - dt.timedelta(days=365 * 17)
    resident.save()
    professional = client_for(alice)
    page = professional.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    assert "vanaf 18 jaar" in page
    assert "Uitnodigen voor Mijn Wat telt" not in page
    response = professional.post(reverse("portal:invite", args=[resident.pk]), follow=True)
    assert "vanaf 18 jaar" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_minimum_age_defaults_to_16_and_is_part_of_the_policy(organisation, alice):
    current = implementation.current_policy(organisation)
    assert current.portal_minimum_age == 16
    current.portal_minimum_age = 14
    changes = implementation.change_policy(organisation, alice, current)
    assert [change.field for change in changes] == ["portal_minimum_age"]
    assert implementation.current_policy(organisation).portal_minimum_age == 14
    current.portal_minimum_age = 30
    with pytest.raises(ValidationError) as refused:
        implementation.change_policy(organisation, alice, current)
    assert "portal_minimum_age" in refused.value.error_dict


def test_the_registration_needs_a_confirmed_code(alice, resident, trajectory):
    invite_on_screen(client_for(alice), resident)
    response = Client().post(reverse("portal:passkey_registration_options"))
    assert response.status_code == 400
    assert json.loads(response.content)["error"]
