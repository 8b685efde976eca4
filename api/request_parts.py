"""What /graphql takes, checked before strawberry reads a byte of it, and its refusals.

A request is GET or POST. A POST is one JSON object of at most MAX_BODY_BYTES, sent as
application/json (no batches, no forms); a GET's `variables` and `extensions` are JSON with
the same bounds. Every part strawberry reads (query, operationName, variables, extensions)
must then be text a database could store: a lone UTF-16 surrogate ("\\ud800" escaped in the
JSON) cannot even be encoded into the error that names it. Each refusal is a JSON answer in
the one error shape, naming the part; strawberry's own (plain text) become the same shape.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from strawberry.schema.exceptions import InvalidOperationTypeError

from api import json_body
from api.schema.text_rules import MESSAGE as TEXT_MESSAGE
from api.schema.text_rules import unstorable_path

METHODS = ("GET", "POST")
MAX_BODY_BYTES = 1024 * 1024
"""The largest POST body: far above any document under the token limit with its variables."""
PARTS = ("query", "operationName", "variables", "extensions")
"""The parts of a request strawberry reads; a body's other members are ignored unread."""
JSON_PARTS = ("variables", "extensions")
"""The parts a GET sends as JSON in its query string."""
JSON_OBJECT_HINT = 'the body must be a JSON object such as {"query": "...", "variables": {...}}'

_STATUS_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def graphql_error(
    status: int,
    message: str,
    code: str,
    *,
    extensions: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        {
            "data": None,
            "errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}],
        },
        status_code=status,
        headers=headers,
    )


async def refusal(request: Request) -> Response | None:
    """The answer refusing a request /graphql does not take, else None.

    Reads a POST's body (so strawberry reads it from memory), at most MAX_BODY_BYTES of it.
    """
    if request.method not in METHODS:
        return graphql_error(
            405,
            f"{request.method} /graphql is not supported: send GET or POST",
            "METHOD_NOT_ALLOWED",
            headers={"Allow": ", ".join(METHODS)},
        )
    parts = _query_string_parts(request) if request.method == "GET" else await _body_parts(request)
    if isinstance(parts, Response):
        return parts
    for name in PARTS:
        where = unstorable_path(parts.get(name), name)
        if where is not None:
            message = f"{where} {TEXT_MESSAGE}"
            return graphql_error(400, message, "VALIDATION", extensions={"field": where})
    request.state.query = parts.get("query")
    return None


def reads_only(request: Request) -> bool:
    """Whether the request's document surely only reads: it is text without the word
    `mutation`, which every operation that writes begins with (a document that has it
    anywhere, in a name, a string or a comment, is taken to write). Known before it is
    parsed, so before its first statement (api/db.read_sessions)."""
    query = getattr(request.state, "query", None)
    return isinstance(query, str) and "mutation" not in query


def _query_string_parts(request: Request) -> dict[str, object] | Response:
    parts: dict[str, object] = dict(request.query_params)
    for name in JSON_PARTS:
        raw = request.query_params.get(name)
        if raw is not None:
            try:
                parts[name] = json_body.decode(raw, name)
            except json_body.BadJSON as error:
                return _bad_json(error, name)
    return parts


async def _body_parts(request: Request) -> dict[str, object] | Response:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        shown = f"'{media_type}'" if media_type else "none"
        return graphql_error(
            415,
            f"POST /graphql takes a JSON body with Content-Type: application/json (got {shown})",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    _normalise_content_type(request)
    body = await _bounded_body(request)
    if isinstance(body, Response):
        return body
    request._body = body  # what Request.body() keeps; strawberry reads it from there
    if body.lstrip()[:1] == b"[":
        return graphql_error(
            400,
            "batched requests are not supported: send one operation per request",
            "BATCHING_NOT_SUPPORTED",
        )
    try:
        decoded = json_body.decode(body, "body")
    except json_body.BadJSON as error:
        return _bad_json(error, "body")
    if not isinstance(decoded, dict):
        return graphql_error(400, JSON_OBJECT_HINT, "BAD_REQUEST")
    return decoded


async def _bounded_body(request: Request) -> bytes | Response:
    too_large = graphql_error(
        413, f"the request body is over {MAX_BODY_BYTES} bytes", "PAYLOAD_TOO_LARGE"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return too_large
            chunks.append(chunk)
    except ClientDisconnect:
        return Response(status_code=400)
    return b"".join(chunks)


def _normalise_content_type(request: Request) -> None:
    """Media types are case-insensitive; strawberry compares them as written."""
    request.scope["headers"] = [
        (name, b"application/json") if name == b"content-type" else (name, value)
        for name, value in request.scope["headers"]
    ]
    request.__dict__.pop("_headers", None)


def _bad_json(error: json_body.BadJSON, what: str) -> Response:
    """A 400 naming what is wrong with a JSON request part (the body, `variables`...)."""
    hint = f"; {JSON_OBJECT_HINT}" if what == "body" else ""
    return graphql_error(400, f"{error}{hint}", "BAD_REQUEST", extensions={"field": what})


def error_codes(body: bytes | memoryview) -> tuple[str, ...]:
    """The codes of an error answer's GraphQL errors, for the log and the metrics."""
    try:
        errors = orjson.loads(body).get("errors") or []
        return tuple(str(error["extensions"]["code"]) for error in errors)
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError):
        return ()


def refused(request: Request, error: HTTPException) -> Response:
    """Strawberry's refusals (plain text there) as GraphQL errors in JSON."""
    if isinstance(error.__cause__, InvalidOperationTypeError) and request.method == "GET":
        return graphql_error(
            405,
            f"{error.reason}: send it with POST",
            "METHOD_NOT_ALLOWED",
            headers={"Allow": "POST"},
        )
    code = _STATUS_CODES.get(error.status_code, "BAD_REQUEST")
    return graphql_error(error.status_code, error.reason, code)
