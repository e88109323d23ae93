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
    path = request.url.path
    if path.startswith(_PLAIN_API_PATHS):
        # A client app reads the answer, not a person: in its API's kind, not the site's page.
        if path.startswith("/v1/"):
            response: Response = JSONResponse({"error_message": "internal server error"}, 500)
        else:
            response = PlainTextResponse("Internal Server Error\n", 500)
        response.headers["Cache-Control"] = "no-store"
        add_security_headers(response.headers)
        return response
    return error_page(request, 500, "The error was logged. Please try again later.")


# The client APIs' paths (Miniflux, Google Reader, Fever), whose server errors are no page.
_PLAIN_API_PATHS = ("/v1/", "/reader/api/", "/accounts/ClientLogin", "/fever")
