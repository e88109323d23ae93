"""Support code shared by the test suites: live servers, Chromium, app fixtures, entry writers.

Import it as the suites import their own helpers (`tests/` is on sys.path through the root
conftest): `from support.live_server import LiveServer`. Fixtures in `support.fixtures` are
taken into a suite by importing them into its conftest.py.
"""
