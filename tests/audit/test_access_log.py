"""The access log: written for every look, append-only, and readable by the privacy
officer only, after re-authentication."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import client_for, confirmed_measurement
from wattelt.audit.models import AccessLog
from wattelt.audit.services import log_access, log_list_access

NEN_7513_FIELDS = [
    "at",
    "user_id",
    "username",
    "role",
    "organisation_id",
    "resident_id",
    "object_type",
    "object_id",
    "action",
    "purpose",
    "outcome",
    "client_address",
]


def test_log_is_append_only(trajectory, alice):
    client_for(alice).get(reverse("instrument:progress", args=[trajectory.pk]))
    record = AccessLog.objects.get(object_type="trajectory")
    record.purpose = "something else"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()


@pytest.mark.parametrize(
    ("name", "action", "object_type"),
    [
        ("instrument:progress", "read", "trajectory"),
        ("instrument:plan", "read", "plan"),
        ("instrument:plan_pdf", "print", "plan"),
    ],
)
def test_every_page_with_resident_data_logs_the_nen_7513_fields(
    trajectory, alice, name, action, object_type
):
    confirmed_measurement(trajectory, alice)
    client_for(alice).get(reverse(name, args=[trajectory.pk]))
    record = AccessLog.objects.get(object_type=object_type, action=action)
    for field in NEN_7513_FIELDS:
        assert getattr(record, field) not in (None, ""), field
    assert record.resident_id == trajectory.resident_id
    assert record.role == "professional"


def test_a_list_logs_each_row_as_a_single_look_would(trajectory, alice):
    """A list's records (one statement for all rows) hold what a single look's record
    holds, per row its own object and resident; nothing for an empty list."""
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = alice
    single = log_access(request, "read", "trajectory", 1, trajectory.resident_id)
    log_list_access(request, "read", "trajectory", [])
    assert AccessLog.objects.count() == 1
    shown = [(trajectory.pk, trajectory.resident_id), ("x-7", 424242)]
    log_list_access(request, "read", "trajectory", shown)
    listed = list(AccessLog.objects.exclude(pk=single.pk).order_by("pk"))
    assert [(r.object_id, r.resident_id) for r in listed] == [
        (str(trajectory.pk), trajectory.resident_id),
        ("x-7", 424242),
    ]
    for record in listed:
        for field in NEN_7513_FIELDS:
            if field not in ("at", "object_id", "resident_id"):
                assert getattr(record, field) == getattr(single, field), field
        assert record.on_behalf_of == single.on_behalf_of == ""
        assert record.at >= single.at
    assert listed[0].client_address == "192.0.2.7"


def test_board_and_measurement_views_are_logged(trajectory, alice):
    measurement = confirmed_measurement(trajectory, alice)
    client_for(alice).get(reverse("instrument:board", args=[measurement.pk]))
    assert AccessLog.objects.filter(
        object_type="measurement", action="read", object_id=str(measurement.pk)
    ).exists()


def test_privacy_officer_filters_and_exports_after_reauthentication(
    trajectory, alice, privacy_officer
):
    client_for(alice).get(reverse("residents:detail", args=[trajectory.resident_id]))
    client = client_for(privacy_officer)
    url = reverse("audit:access_log")
    assert client.get(url)["Location"].startswith(reverse("reauthenticate"))
    client = client_for(privacy_officer, sudo=True)
    page = client.get(url, {"resident": trajectory.resident_id}).content.decode()
    assert "alice" in page
    export = client.get(reverse("audit:access_log_export"), {"resident": trajectory.resident_id})
    rows = export.content.decode().splitlines()
    assert rows[0].startswith("at,username,role")
    assert any(",alice," in row for row in rows[1:])
    assert AccessLog.objects.filter(
        object_type="access_log", action="export", username="priya"
    ).exists()


def test_others_cannot_read_the_access_log(alice, bob, charlie):
    for user in (alice, bob, charlie):
        client = client_for(user, sudo=True)
        assert client.get(reverse("audit:access_log")).status_code == 404
        assert client.get(reverse("audit:access_log_export")).status_code == 404


def test_bad_filter_shows_a_message_not_an_error(privacy_officer):
    client = client_for(privacy_officer, sudo=True)
    response = client.get(
        reverse("audit:access_log"), {"since": "2026-05-01", "until": "2026-01-01"}
    )
    assert response.status_code == 200
    assert (
        "einddatum" in response.content.decode().lower() or "end date" in response.content.decode()
    )


def test_privacy_officer_sees_refused_attempts_in_words_and_per_user(
    trajectory, alice, charlie, privacy_officer
):
    snooper = client_for(charlie)
    for name in ("instrument:progress", "instrument:plan", "residents:close"):
        assert snooper.get(reverse(name, args=[trajectory.pk])).status_code == 404
    client_for(alice).get(reverse("instrument:progress", args=[trajectory.pk]))
    page = client_for(privacy_officer, sudo=True).get(
        reverse("audit:access_log"), {"outcome": "refused"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert {r.username for r in rows} == {"charlie"} and len(rows) == 3
    assert all(r.resident_id == trajectory.resident_id and r.object_id for r in rows)
    assert page.context["refusals"] == [{"username": "charlie", "refused": 3}]
    # Words, not codes: the role, the object and the outcome in Dutch.
    assert "geweigerd" in html and "traject" in html and "professional" in html
    assert "teamcoach" not in html and "trajectory" not in html
