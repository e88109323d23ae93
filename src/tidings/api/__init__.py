"""The client-app APIs: Miniflux v1 (/v1/), Google Reader (/api/greader.php and /reader/api/0/,
/accounts/ClientLogin) and Fever (/fever/). See docs/api.md.

Owns translation only: each API's paths, parameters and reply shapes. The request path they
share is endpoint.py (auth, limits, body cap, errors per protocol); the rules are below, in
tidings.reading (filters, limits, subscribing) and the store; what they share with the web
pages (settings, store, sign-in limiter) is tidings.app.context. Nothing here imports tidings.web.

Mount them in front of the site's routes: `app.router.routes[:0] = api_routes()`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from tidings.api import fever, greader, miniflux, openapi


def api_routes() -> list[BaseRoute]:
    """Every route of the client APIs, in matching order."""
    return [*openapi.routes(), *miniflux.routes(), *greader.routes(), *fever.routes()]


__all__ = ["api_routes"]
