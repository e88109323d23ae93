"""The client-app APIs: Miniflux v1 (/v1/), Google Reader (/api/greader.php and /reader/api/0/,
/accounts/ClientLogin) and Fever (/fever/). See docs/api.md.

Mount them in front of the site's routes: `app.router.routes[:0] = api_routes()`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from tidings.api import fever, greader, miniflux, openapi


def api_routes() -> list[BaseRoute]:
    """Every route of the client APIs, in matching order."""
    return [*openapi.routes(), *miniflux.routes(), *greader.routes(), *fever.routes()]


__all__ = ["api_routes"]
