"""What the resident reads, listed in one place: every template of a resident-facing
screen and every message from code that such a screen shows. tests/test_translations.py
fails when one of their texts lacks a translation in any of the resident's languages
(residents.language.RESIDENT_LANGUAGES). A new resident screen adds its templates here.

Parts of a template that stay in the staff language (`{% language %}` blocks, such as the
professional's progress form inside the plan) are not the resident's and are skipped.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, pgettext_lazy

RESIDENT_TEMPLATES: tuple[str, ...] = (
    "resident_base.html",
    "_resident_language_switch.html",
    "_read_aloud.html",
    # The plan on screen (inside the staff page) and as PDF.
    "instrument/_plan_body.html",
    "instrument/plan_pdf.html",
    # Feedback through a one-time link or on the handed-over tablet.
    "feedback/bare.html",
    "feedback/respond.html",
    "feedback/_answer_form.html",
    "feedback/thanks.html",
    "feedback/link_problem.html",
    "feedback/tablet_locked.html",
    "feedback/_hand_back_button.html",
    # Conversation mode: the board handed to the resident, the summary, "what changed".
    "instrument/conversation.html",
    "instrument/_conversation_header.html",
    "instrument/_board_form.html",
    "instrument/_goal.html",
    "instrument/summary.html",
    "instrument/what_changed.html",
    # Mijn Wat telt: the resident's own pages.
    "portal/base.html",
    "portal/home.html",
    "portal/sign_in.html",
    "portal/staff_refused.html",
    # Mijn Wat telt: preparing the next conversation (the board in preparing mode).
    "portal/prepare.html",
    # Mijn Wat telt: feedback (feedback's answer form with the faces scale).
    "portal/feedback.html",
    "portal/feedback_answer.html",
    "feedback/_face.html",
)

STAFF_TEMPLATES_ON_RESIDENT_SCREENS: tuple[str, ...] = (
    "_field.html",  # the professional's language choice above the plan
    "_form.html",  # the professional unlocks the tablet (instrument/conversation_return.html)
    "feedback/tablet_return.html",  # the professional unlocks the tablet
)
"""Included by a resident screen's page but read by the professional, in their language."""

RESIDENT_MESSAGES: tuple[str, ...] = (
    # feedback/views.py: a one-time link that cannot be used
    "This link does not exist.",
    "Check that you copied the whole link, or ask your professional for a new one.",
    "This link has already been used.",
    "Every link can be used once, and your answers have been received. Thank you!",
    "This link has expired.",
    "Ask your professional for a new link if you still want to give your opinion.",
    "This questionnaire is closed.",
    "Answers can no longer be given. Thank you for your interest.",
    "Too many attempts.",
    "Wait a few minutes and try your link again.",
    # feedback/forms.py and services.py: the answer form and its messages
    "not at all",
    "a little",
    "partly",
    "mostly",
    "completely",
    "(optional)",
    "Question %(n)s needs an answer.",
    "Question %(n)s: choose an answer from %(low)s up to and including %(high)s.",
    "Question %(n)s: the answer is longer than %(max)s characters.",
    # instrument/services.py: what conversation mode says is missing, or changed meanwhile
    "Choose at least one life domain that matters to the resident.",
    "Place the resident's chip for: %(domains)s.",
    "Give a grade from 1 to 10 for quality of life.",
    "Goal %(n)s: write the goal in the resident's own words.",
    "Goal %(n)s: link it to at least one life domain.",
    "Goal %(n)s is linked to a life domain the resident did not choose.",
    "Give the status of the goal “%(goal)s”.",
    "%(who)s changed this measurement at %(when)s, after you opened it. "
    "Your input is still on the screen: save it again to keep yours, or load theirs.",
    # instrument/preparation.py and forms.py: preparing the next conversation at home
    "Choose at least one life domain, or write what you want to talk about.",
    "This support has ended: there is no next conversation to prepare.",
    "What you want to talk about",
    "Unknown life domain: %(keys)s.",
    "The chip for %(domain)s is off the line: it must lie between %(min)s and %(max)s.",
    # instrument/models.py: a goal's status in the plan
    "open",
    "achieved",
    "partly achieved",
    "not achieved",
    "no longer applicable",
    # Django's own month names in the plan's dates ("j F Y", "j b Y"): Django has no
    # Tigrinya, so they are in our catalogue.
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
    gettext_noop("jan"),
    gettext_noop("feb"),
    gettext_noop("mar"),
    gettext_noop("apr"),
    gettext_noop("may"),
    gettext_noop("jun"),
    gettext_noop("jul"),
    gettext_noop("aug"),
    gettext_noop("sep"),
    gettext_noop("oct"),
    gettext_noop("nov"),
    gettext_noop("dec"),
    *(
        f"alt. month\x04{month}"
        for month in (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        )
    ),
)

# The plan writes dates as "j E Y" (a month's name as in a date: "4 grudnia"); these are
# Django's own texts, listed so that makemessages puts them in our catalogue for Tigrinya.
ALT_MONTHS = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
