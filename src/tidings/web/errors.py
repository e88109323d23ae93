"""Error pages: a page in the site's look for every error, never a traceback."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from tidings.web.guards import SignInRequired
from tidings.web.security import add_security_headers
from tidings.web.site import site_of

log = logging.getLogger("tidings.web")

_TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
}


def error_page(request: Request, status: int, message: str) -> Response:
    """The site's error page for `status`, with a sentence saying what happened."""
    site = site_of(request)
    try:
        session = site.session(request)
        page = site.render(
            request,
            "error.html",
            session=session,
            status=status,
            title=_TITLES.get(status, "Error"),
            message=message,
            code=status,
        )
        response: Response = Response(page.body, status_code=status, media_type=page.media_type)
    except Exception:  # the error page must not fail in turn
        log.exception("rendering the error page failed")
        response = PlainTextResponse(f"{status} {_TITLES.get(status, 'Error')}", status)
    response.headers["Cache-Control"] = "no-store"
    add_security_headers(response.headers)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in {204, 304}:
        return Response(status_code=exc.status_code, headers=exc.headers)
    messages = {
        404: "There is nothing at this address.",
        405: "This address does not accept that kind of request.",
    }
    detail = exc.detail if exc.detail and exc.detail not in _TITLES.values() else ""
    response = error_page(request, exc.status_code, detail or messages.get(exc.status_code, ""))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(exc.login_url, status_code=303)


async def server_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the log, for the operator; the reader sees one calm sentence.
    log.error("error serving %s %s", request.method, request.url.path, exc_info=exc)
    reply = client_api_reply(request.url.path, 500, "internal server error")
    if reply is None:
        return error_page(request, 500, "The error was logged. Please try again later.")
    add_security_headers(reply.headers)
    return reply


# The client APIs' paths (Miniflux, Google Reader, Fever): a client app reads what they answer.
_CLIENT_API_PATHS = ("/v1/", "/reader/api/", "/accounts/ClientLogin", "/fever")


def client_api_reply(path: str, status: int, message: str) -> Response | None:
    """An error answered in the kind of the client API whose path this is (Miniflux's JSON
    `error_message`, Google Reader's and Fever's text), not stored; None for the site's own
    paths, which answer with a page."""
    if not path.startswith(_CLIENT_API_PATHS):
        return None
    reply: Response
    if path.startswith("/v1/"):
        reply = JSONResponse({"error_message": message}, status)
    else:
        reply = PlainTextResponse(f"{message}\n", status)
    reply.headers["Cache-Control"] = "no-store"
    return reply
