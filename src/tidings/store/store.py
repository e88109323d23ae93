"""The Store: an engine plus one query object per entity."""

from __future__ import annotations

from types import TracebackType

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.apikeys import ApiKeyQueries
from tidings.store.apipasswords import ApiPasswordQueries
from tidings.store.categories import CategoryQueries
from tidings.store.database import (
    StorageError,
    create_engine,
    migrate,
    read_transaction,
    schema_is_current,
)
from tidings.store.entries import EntryQueries
from tidings.store.feeds import FeedQueries
from tidings.store.feedtokens import FeedTokenQueries
from tidings.store.reading import ReadingQueries
from tidings.store.schema import categories, entries, feed_categories, feeds
from tidings.store.search import SearchQueries
from tidings.store.sessions import SessionQueries
from tidings.store.site_settings import SiteSettingQueries
from tidings.store.updates import UpdateQueries
from tidings.store.users import UserQueries


class Store:
    """The database of one tidings site."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.feeds = FeedQueries(engine)
        self.entries = EntryQueries(engine)
        self.categories = CategoryQueries(engine)
        self.users = UserQueries(engine)
        self.api_keys = ApiKeyQueries(engine)
        self.api_passwords = ApiPasswordQueries(engine)
        self.sessions = SessionQueries(engine)
        self.feed_tokens = FeedTokenQueries(engine)
        self.updates = UpdateQueries(engine)
        self.reading = ReadingQueries(engine)
        self.search = SearchQueries(engine)
        self.site_settings = SiteSettingQueries(engine)

    @classmethod
    def open(cls, url: str) -> Store:
        """A Store on `url`; raises StorageError with one line when it cannot be reached."""
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except sa.exc.OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StorageError(f"cannot reach the database: {reason}") from None
        return cls(engine)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def migrate(self) -> list[str]:
        """Apply pending migrations; gives back the revisions applied."""
        return migrate(self.engine)

    def check_schema(self) -> None:
        """Raise StorageError when migrations are pending."""
        if not schema_is_current(self.engine):
            raise StorageError("the database schema is not current: run `tidings migrate`")

    def data_version(self) -> tuple[object, ...]:
        """A value that changes whenever what the public pages show may have changed.

        Every write of the refresher sets a feed's `checked_at` to "now", so the newest check
        time moves with each applied check (new, changed or removed entries). New entries also
        move the largest entry id; subscriptions, removals and category changes move the counts.
        Each part is an index lookup or a count over a small table: cheap enough per request.
        """
        query = sa.select(
            sa.select(sa.func.max(entries.c.id)).scalar_subquery(),
            sa.select(sa.func.max(feeds.c.checked_at)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(feeds).scalar_subquery(),
            sa.select(sa.func.max(feeds.c.id)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(categories).scalar_subquery(),
            sa.select(sa.func.count()).select_from(feed_categories).scalar_subquery(),
        )
        with read_transaction(self.engine) as conn:
            return tuple(conn.execute(query).one())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
