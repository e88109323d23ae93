"""The web: public news pages, output feeds, OPML and administration, as one ASGI app.

`tidings.web.app.create_app` builds it, mounting the client APIs (tidings.api) too. The web
owns pages, sessions and forms; the rules it shares with the APIs live below both
(tidings.reading, tidings.app), and the APIs import nothing of it.
"""
