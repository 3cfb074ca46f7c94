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
    # Signing in (portal/signin.py): the invitation's code and passkey, the printed handout.
    "portal/invitation.html",
    "portal/_invitation_handout.html",
    "portal/_passkey_button.html",
    "portal/welcome_base.html",
    # Mijn Wat telt: plan, progress, who looked, sharing, privacy (helper "pages").
    "portal/_icon.html",
    "portal/_contact.html",
    "portal/_messages.html",
    "portal/_face.html",
    "portal/_goals.html",
    "portal/_board_in_time.html",
    "portal/plan.html",
    "portal/progress.html",
    "portal/looked.html",
    "portal/consents.html",
    "portal/withdraw.html",
    "portal/privacy.html",
    "instrument/_changes.html",
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
    # portal/invitations.py, passkeys.py, digid.py, signin.py: signing in to Mijn Wat telt
    "This invitation does not exist. Check the link, or ask your professional.",
    "This invitation has already been used. Ask your professional for a new one.",
    "This invitation no longer works. Ask your professional for a new one.",
    "This invitation has expired. Ask your professional for a new one.",
    "Too many attempts. Wait a quarter of an hour and try again.",
    "The code was wrong too often, so this invitation no longer works. "
    "Ask your professional for a new one.",
    "That code is not right. Check the 6 digits and try again (%(left)s tries left).",
    "This page was open too long. Please try again.",
    "This page was open too long. Please start again with your invitation.",
    "Your phone's passkey could not be saved. Please try again.",
    "This passkey does not work (any more). Ask your professional for a new invitation.",
    "Signing in with DigiD did not work. Please try again.",
    "We do not know you in Mijn Wat telt yet. Ask your professional for an invitation.",
    "You are known to us more than once, so we cannot sign you in with DigiD. "
    "Ask your professional for an invitation.",
    "Mijn Wat telt is not yet open to you because of your age. Ask your professional.",
    "Mijn Wat telt needs DigiD with assurance level %(level)s or higher: sign in with the "
    "DigiD app and check your identity document in it.",
    # portal/page_views.py, portal/menu.py, portal/looked.py: Mijn Wat telt's own words
    "My plan",
    "How it is going",
    "Prepare our next talk",
    "Who looked at my file",
    "Sharing my data",
    "What did you think?",
    "My privacy",
    "Who looked",
    "Sharing",
    "Privacy",
    "This permission had already ended.",
    "You withdrew your permission. %(organisation)s can no longer see your data.",
    "your details",
    "your support",
    "your board",
    "your goals",
    "your plan",
    "your permission to share",
    "your permissions to share",
    "your file",
    "your request to see your data",
    "your request to erase your data",
    "looked",
    "searched",
    "added something",
    "changed something",
    "removed something",
    "printed",
    "exported",
    "for your support",
    "to check the quality of the work",
    "for your request to see your data",
    "for your request to erase your data",
    "to protect your privacy",
    "for anonymous figures",
    "professional",
    "team coach",
    "quality officer",
    "administrator",
    "privacy officer",
    "analyst",
    "staff member",
    "a connected system",
    "a staff member",
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
