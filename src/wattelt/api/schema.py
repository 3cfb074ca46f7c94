"""The OpenAPI document: the NL API Design Rules' conventions added to what
drf-spectacular generates (an API-Version header on every success, problem+json on every
error, the OAuth 2.0 client-credentials scheme with each operation's scope)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from .models import SCOPES
from .scopes import scope_of

TOKEN_URL = "https://wattelt.nl/oauth/token"
ERRORS_EVERYWHERE = {
    "400": "The request is not valid; `invalidParams` names every invalid field.",
    "401": "No valid access token (missing, expired or revoked).",
    "403": "The token lacks the scope, or the client may read but not change this.",
    "404": "No such resource, or not visible to this client.",
    "405": "Method not allowed.",
    "406": "The requested format is not available (only JSON).",
    "500": "Server error.",
}
ERRORS_ON_WRITE = {
    "409": "The Idempotency-Key was used with another request, or a draft is open.",
    "415": "The body is not JSON.",
    "422": "The request cannot be carried out in the resource's current state.",
}
SCOPE_WORDS = {
    "measurements:read": "Read residents, trajectories, measurements, goals and consents.",
    "measurements:write": "Record confirmed measurements.",
    "figures:read": "Read the published monitoring figures.",
}
assert set(SCOPE_WORDS) == set(SCOPES)


class ApiSchema(AutoSchema):
    """Operation ids in camelCase, tagged by resource."""

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        head, *rest = operation_id.replace("-", "_").split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)


class ClientCredentialsScheme(OpenApiAuthenticationExtension):
    target_class = "wattelt.api.authentication.ClientCredentials"
    name = "oauth2"

    def get_security_requirement(self, auto_schema: AutoSchema) -> dict[str, list[str]]:
        return {self.name: [scope_of(auto_schema.view)]}

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials; tokens live 10 minutes.",
            "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": SCOPE_WORDS}},
        }


PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/InvalidParam"},
        },
    },
}
INVALID_PARAM = {
    "type": "object",
    "required": ["name", "code", "reason"],
    "properties": {
        "name": {"type": "string", "description": "The field, e.g. `doelen.0.eigenWoorden`."},
        "code": {"type": "string"},
        "reason": {"type": "string"},
    },
}
API_VERSION_HEADER = {
    "description": "The full version of the API (semantic versioning).",
    "schema": {"type": "string", "example": "1.0.0"},
}


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def nl_api_conventions(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(Problem=PROBLEM, InvalidParam=INVALID_PARAM)
    components.setdefault("headers", {})["API-Version"] = API_VERSION_HEADER
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                if code.startswith(("2", "3")):
                    response.setdefault("headers", {})["API-Version"] = {
                        "$ref": "#/components/headers/API-Version"
                    }
            errors = dict(ERRORS_EVERYWHERE)
            if method in ("post", "put", "patch"):
                errors.update(ERRORS_ON_WRITE)
            for code, description in errors.items():
                responses.setdefault(code, _problem_response(description))
            operation["responses"] = dict(sorted(responses.items()))
    return result
