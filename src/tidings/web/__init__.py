"""The web: public news pages, output feeds, OPML and administration, as one ASGI app.

`tidings.web.app.create_app` builds it, mounting the client APIs (tidings.api) too. The web
owns pages, sessions and forms; the rules it shares with the APIs live below both
(tidings.reading, tidings.app), and the APIs import nothing of it.
"""

from tidings.web import ids as _ids  # noqa: F401 (registers the routes' {name:id} first)
