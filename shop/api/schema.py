"""Schema post-processing: every operation documents the errors any request can meet."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string", "description": "One sentence a person can read."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Validation errors only: each refused field with its messages.",
                },
            },
            "required": ["status", "code", "message"],
        },
    },
    "required": ["error"],
}

# Any operation may be refused for these: bad input, authentication, permission, an unknown
# resource, a method it does not have, a body or an address too large to read, a content type
# it does not read, or a throttle.
COMMON_ERRORS = {
    "400": "Bad input: the message says what, `fields` names each refused field.",
    "401": "Not authenticated (or the API token is not valid).",
    "403": "Authenticated, but not allowed (or the CSRF check failed).",
    "404": "No such resource (or not yours).",
    "405": "The resource does not have that method.",
    "406": "The response cannot be given in the asked format.",
    "413": "The request body is larger than the API reads.",
    "414": "The address (path and query string) is longer than the API reads.",
    "415": "The request body is not in a format this operation reads.",
    "429": "Too many requests: wait and retry.",
}


def add_error_responses(result, generator, request, public):
    """Declare the shared error body and add the common errors to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": reference}}})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and "content" not in response:
                    response["content"] = {"application/json": {"schema": reference}}
    return result
