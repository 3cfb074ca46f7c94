"""Permission-matrix entries for Mijn Wat telt (see tests/matrix.py): staff are refused,
anonymous goes to the portal's sign-in, each resident reaches only their own."""

from __future__ import annotations

from tests.matrix import OUTSIDERS, Entry, everyone, portal, team_read, team_write
from wattelt.organisations.models import Organisation
from wattelt.residents import services as residents

ENTRIES: dict[str, Entry] = {
    # --- The frame (session, home, language) ---
    "portal:home": Entry(**portal()),  # type: ignore[arg-type]
    "portal:language": Entry(method="post", data={"language": "ar"}, **portal(302, 302)),  # type: ignore[arg-type]
    # Signing in and out is open to everyone; signing out ends any session.
    "portal:sign_in": Entry(expect=everyone(200), anonymous=200, resident=200, other_resident=200),
    "portal:sign_out": Entry(
        method="post", expect=everyone(302), anonymous=302, resident=302, other_resident=302
    ),
    # --- Signing in: invitations, passkeys, DigiD ---
    # The professional invites (the resident's team professionals; the coach reads only).
    "portal:invite": Entry(
        method="post",
        args=lambda ctx: [ctx["trajectory"].resident_id],
        expect={"alice": 200, "bob": 403, **OUTSIDERS},
    ),
    "portal:revoke": Entry(
        method="post", args=lambda ctx: [ctx["trajectory"].resident_id], expect=team_write(302)
    ),
    # (planqr) The plan PDF with the invitation: as invite; the token of rosa's open one.
    "portal:invitation_plan_pdf": Entry(
        method="post",
        args=lambda ctx: [ctx["trajectory"].resident_id],
        data=lambda ctx: {"token": ctx["portal_invitation_token"]},
        expect=team_write(200),
    ),
    # The invitation's link is open to whoever holds it (the code is the second secret).
    "portal:invitation": Entry(
        args=lambda ctx: [ctx["portal_invitation_token"]],
        expect=everyone(200),
        anonymous=200,
        resident=200,
        other_resident=200,
    ),
    # A passkey can be made only after the invitation's code in the same session.
    "portal:passkey_registration_options": Entry(
        method="post", expect=everyone(400), anonymous=400, resident=400, other_resident=400
    ),
    "portal:passkey_register": Entry(
        method="post", expect=everyone(400), anonymous=400, resident=400, other_resident=400
    ),
    "portal:passkey_options": Entry(
        method="post", expect=everyone(200), anonymous=200, resident=200, other_resident=200
    ),
    "portal:passkey_sign_in": Entry(
        method="post", expect=everyone(400), anonymous=400, resident=400, other_resident=400
    ),
    # DigiD is off in the tests: both go back to the sign-in page.
    "portal:digid_start": Entry(
        expect=everyone(302), sign_in="portal:sign_in", resident=302, other_resident=302
    ),
    "portal:digid_callback": Entry(
        expect=everyone(302), sign_in="portal:sign_in", resident=302, other_resident=302
    ),
    # --- The resident's pages: plan, progress, who looked, consents, privacy ---
    "portal:plan": Entry(**portal()),  # type: ignore[arg-type]
    "portal:plan_pdf": Entry(args=lambda ctx: [ctx["trajectory"].pk], **portal(rik=404)),  # type: ignore[arg-type]
    "portal:progress": Entry(**portal()),  # type: ignore[arg-type]
    "portal:looked": Entry(**portal()),  # type: ignore[arg-type]
    "portal:consents": Entry(**portal()),  # type: ignore[arg-type]
    "portal:withdraw": Entry(
        args=lambda ctx: [ctx["portal_active_consent"].pk],
        method="post",
        **portal(rosa=302, rik=404),  # type: ignore[arg-type]
    ),
    "portal:privacy": Entry(**portal()),  # type: ignore[arg-type]
    # --- Preparing the next conversation, feedback ---
    # (prepare) Each resident prepares on their own open trajectory (rik has one too).
    "portal:prepare": Entry(**portal()),  # type: ignore[arg-type]
    # (prepare) The professional reads the resident's preparation and opens it together:
    # the trajectory's door (the measurements' part); the coach reads but cannot open.
    "instrument:preparation": Entry(args=lambda ctx: [ctx["preparation"].pk], expect=team_read()),
    "instrument:open_preparation": Entry(
        args=lambda ctx: [ctx["preparation"].pk], method="post", expect=team_write()
    ),
    # (prepare) The residents' questionnaires of the organisation (rosa and rik: the same).
    "portal:feedback": Entry(**portal()),  # type: ignore[arg-type]
    "portal:feedback_answer": Entry(
        args=lambda ctx: [ctx["resident_questionnaire"].pk],
        **portal(),  # type: ignore[arg-type]
    ),
}


def extend_world(world: dict) -> dict:
    """Objects the portal's URLs need; merged into the world."""
    objects: dict = {}
    # signin: an open invitation for rosa, made by alice.
    from wattelt.portal.invitations import invite

    made = invite(world["trajectory"].resident, world["users"]["alice"])
    objects["portal_invitation_token"] = made.token
    # helper "pages": an active consent of rosa's, for withdrawing it herself; shared with
    # an organisation without staff in the matrix, so no staff member's rights change
    trajectory = world["trajectory"]
    elsewhere = Organisation.objects.create(
        municipality=trajectory.team.organisation.municipality, name="Specialist (portal)"
    )
    objects["portal_active_consent"] = residents.record_consent(
        trajectory,
        world["users"]["alice"],
        residents.ConsentInput(elsewhere, True, True, False, trajectory.started_on),
    )
    # (prepare) rosa's preparation, sent to the team.
    from wattelt.instrument.forms import ChoiceInput
    from wattelt.instrument.preparation import PreparationInput, save_preparation

    objects["preparation"] = save_preparation(
        world["trajectory"], PreparationInput({"wonen": ChoiceInput(resident=40)}, "Huur"), True
    )
    return objects
