"""The web: public news pages, output feeds, OPML and administration, as one ASGI app.

`tidings.web.app.create_app` builds it. This package's own init imports nothing, so that the
client APIs (tidings.api), which the app mounts, can use web modules without an import cycle.
"""
