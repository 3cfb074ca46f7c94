"""Which scope each endpoint needs: a view names it in `required_scope` (or per action
in `required_scopes`); a token without it gets 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

READ = "measurements:read"
WRITE = "measurements:write"
FIGURES = "figures:read"


def scope_of(view: Any) -> str:
    per_action: dict[str, str] = getattr(view, "required_scopes", {})
    action = getattr(view, "action", None)
    if action in per_action:
        return per_action[action]
    scope: str = view.required_scope
    return scope


class HasScope(BasePermission):
    message = _("The token lacks the scope this needs.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if token is None or not request.user.is_authenticated:
            return False
        return bool(token.allow_scopes([scope_of(view)]))
