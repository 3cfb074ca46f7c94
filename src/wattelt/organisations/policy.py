"""How an organisation uses Wat telt: mandatory or not, and whose views the board offers.
Read here by every app that needs it (the board, closing rules, adoption); changed
through the organisation settings screen (`implementation/services.py: change_policy`),
which keeps the history."""

from __future__ import annotations

from .models import Organisation, OrganisationPolicy


def policy_for(organisation: Organisation) -> OrganisationPolicy:
    """The saved policy, or the defaults (unsaved) for an organisation without one."""
    policy = policy_for_id(organisation.pk)
    policy.organisation = organisation  # already read: not asked again through the policy
    return policy


def policy_for_id(organisation_id: int) -> OrganisationPolicy:
    """The same by the organisation's id, where the organisation itself is not read."""
    policy = OrganisationPolicy.objects.filter(organisation_id=organisation_id).first()
    return policy or OrganisationPolicy(organisation_id=organisation_id)


def offered_perspectives(organisation: Organisation) -> list[str]:
    """Whose chips the board offers: always the resident's, the others as set."""
    policy = policy_for(organisation)
    optional = {"professional": policy.professional_view, "carer": policy.carer_view}
    return ["resident", *(name for name, offered in optional.items() if offered)]
