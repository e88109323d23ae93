"""Alembic's migrations of the tidings schema (env.py, versions/).

HEAD is the newest revision, known without importing Alembic (~0.3 s): every command compares it
with the database's stored revision at start. tests/store/test_schema.py keeps it equal to the
head of versions/, so a new revision that forgets to move it fails the tests.
"""

HEAD = "0016"
