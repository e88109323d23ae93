"""The web: public news pages, output feeds, OPML and administration, as one ASGI app."""

from tidings.web.app import create_app

__all__ = ["create_app"]
