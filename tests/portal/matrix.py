"""Permission-matrix entries for Mijn Wat telt (see tests/matrix.py): staff are refused,
anonymous goes to the portal's sign-in, each resident reaches only their own."""

from __future__ import annotations

from tests.matrix import Entry, everyone, portal, team_read, team_write

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
    # --- The resident's pages: plan, progress, who looked, consents, privacy ---
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
    extra: dict = {}
    # (prepare) rosa's preparation, sent to the team.
    from wattelt.instrument.forms import ChoiceInput
    from wattelt.instrument.preparation import PreparationInput, save_preparation

    extra["preparation"] = save_preparation(
        world["trajectory"], PreparationInput({"wonen": ChoiceInput(resident=40)}, "Huur"), True
    )
    return extra
