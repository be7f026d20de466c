"""One error shape for every failure: `{"error": {"code", "message"}}` with the right status, no traces."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from analyzer.errors import (
    AuditlensError,
    ConfigError,
    ConflictError,
    IngestionError,
    InvalidInputError,
    NotFoundError,
    StaleRevisionError,
)

log = logging.getLogger("auditlens.api")

# Codes for plain HTTP statuses raised by the framework (unknown route, wrong method, ...).
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error answer: HTTP status, stable machine code, one-line human message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of every error answer."""
    return {"error": {"code": code, "message": message}}


def _respond(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _domain_status(exc: AuditlensError) -> tuple[int, str]:
    if isinstance(exc, NotFoundError):
        return 404, "not_found"
    if isinstance(exc, StaleRevisionError):
        return 412, "precondition_failed"
    if isinstance(exc, ConflictError):
        return 409, "conflict"
    if isinstance(exc, (InvalidInputError, IngestionError)):
        return 422, "invalid_input"
    if isinstance(exc, ConfigError):
        return 503, "misconfigured"
    return 400, "bad_request"


def _validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid value')}{more}"


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception to the one error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _respond(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(AuditlensError)
    async def _domain_error(_: Request, exc: AuditlensError) -> JSONResponse:
        status, code = _domain_status(exc)
        return _respond(status, code, str(exc) or code.replace("_", " "))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _respond(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
        message = exc.detail if isinstance(exc.detail, str) and exc.detail else code.replace("_", " ")
        return _respond(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with the trace for operators; the client only learns that it was our fault.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _respond(500, "internal_error", f"internal error ({type(exc).__name__}); see the server log")
