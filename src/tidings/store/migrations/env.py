"""Alembic's entry point: runs migrations on the connection tidings hands over."""

from alembic import context

from tidings.store.schema import include_object, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_object=include_object,  # the search index exists only in migrations
    # SQLite cannot ALTER most things; batch mode rebuilds tables where needed.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
