"""Permission-matrix entries for this area (see tests/matrix.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.matrix import OUTSIDERS, Entry, everyone, team_write
from wattelt.feedback import services
from wattelt.feedback.models import FeedbackLink, Questionnaire

ADMIN_ONLY = {**everyone(404), "olga": 200}
# Team members of the organisation; Charlie is one in his own organisation (and sees
# only its questionnaires), the organisation-wide roles have no team.
TEAM_MEMBERS = {**OUTSIDERS, "alice": 200, "bob": 200, "dave": 200}
RESULTS = {**everyone(404), "bob": 200, "quinn": 200, "olga": 200}
RESIDENT_Q = lambda ctx: [ctx["resident_questionnaire"].pk]  # noqa: E731
PROFESSIONAL_Q = lambda ctx: [ctx["professional_questionnaire"].pk]  # noqa: E731

ENTRIES: dict[str, Entry] = {
    "feedback:start": Entry(expect={**TEAM_MEMBERS, "charlie": 200}),
    "feedback:answer": Entry(args=PROFESSIONAL_Q, expect=TEAM_MEMBERS),
    "feedback:hand_over": Entry(
        args=RESIDENT_Q,
        method="post",
        expect={k: 302 if v == 200 else v for k, v in TEAM_MEMBERS.items()},
    ),
    "feedback:make_link": Entry(args=RESIDENT_Q, method="post", expect=TEAM_MEMBERS),
    "feedback:trajectory": Entry(
        args=lambda ctx: [ctx["trajectory"].pk], expect=team_write(owner=200)
    ),
    # Without a hand-over in progress: back to the feedback page.
    "feedback:tablet": Entry(expect=everyone(302)),
    "feedback:tablet_return": Entry(method="post", expect=everyone(302)),
    # A resident without an account: the one-time link works without login.
    "feedback:respond": Entry(
        args=lambda ctx: [ctx["feedback_token"]], expect=everyone(200), anonymous=200
    ),
    "feedback:manage": Entry(expect=ADMIN_ONLY),
    "feedback:create": Entry(expect=ADMIN_ONLY),
    "feedback:edit": Entry(args=RESIDENT_Q, expect=ADMIN_ONLY),
    "feedback:new_version": Entry(
        args=RESIDENT_Q, method="post", expect={**everyone(404), "olga": 302}
    ),
    "feedback:results": Entry(expect=RESULTS),
    "feedback:questionnaire_results": Entry(args=RESIDENT_Q, expect=RESULTS),
}


def extend_world(world: dict) -> dict:
    """Objects this area's URLs need, made once per matrix run; merged into the world."""
    organisation = world["team"].organisation
    olga = world["users"]["olga"]
    opened = timezone.localdate() - dt.timedelta(days=30)
    question = [services.QuestionInput("Hoe tevreden ben je?")]
    resident = services.create_questionnaire(
        organisation,
        olga,
        services.QuestionnaireInput("Wat vond je ervan?", "resident", True, opened),
        question,
    )
    professional = services.create_questionnaire(
        organisation,
        olga,
        services.QuestionnaireInput(
            "Werken met Wat telt", Questionnaire.Audience.PROFESSIONAL, True, opened
        ),
        question,
    )
    token = services.hand_out(resident, world["users"]["alice"], FeedbackLink.Channel.LINK)
    return {
        "resident_questionnaire": resident,
        "professional_questionnaire": professional,
        "feedback_token": token,
    }
