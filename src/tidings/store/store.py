"""The Store: an engine plus one query object per entity."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.store.database import (
    StorageError,
    create_engine,
    migrate,
    read_transaction,
    schema_is_current,
)
from tidings.store.schema import categories, entries, feed_categories, feeds

if TYPE_CHECKING:
    from tidings.store.apikeys import ApiKeyQueries
    from tidings.store.apipasswords import ApiPasswordQueries
    from tidings.store.articles import ArticleQueries
    from tidings.store.categories import CategoryQueries
    from tidings.store.entries import EntryQueries
    from tidings.store.feeds import FeedQueries
    from tidings.store.feedtokens import FeedTokenQueries
    from tidings.store.icons import IconQueries
    from tidings.store.integrations import IntegrationQueries
    from tidings.store.labels import LabelQueries
    from tidings.store.progressions import MediaProgressionQueries
    from tidings.store.reading import ReadingQueries
    from tidings.store.rules import RuleQueries
    from tidings.store.savedsearches import SavedSearchQueries
    from tidings.store.search import SearchQueries
    from tidings.store.sessions import SessionQueries
    from tidings.store.site_settings import SiteSettingQueries
    from tidings.store.updates import UpdateQueries
    from tidings.store.users import UserQueries
    from tidings.store.websub import WebSubQueries


class Store:
    """The database of one tidings site."""

    # Each query object is made, and its module imported, on first use: a command that lists
    # feeds need not import the reading queries, search, or argon2 (for API passwords). Together
    # they took ~0.15 s to import, a third of `tidings list`. (The objects hold only the engine:
    # two threads that race to make one get equal objects, and one is kept.)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @cached_property
    def feeds(self) -> FeedQueries:
        from tidings.store.feeds import FeedQueries

        return FeedQueries(self.engine)

    @cached_property
    def entries(self) -> EntryQueries:
        from tidings.store.entries import EntryQueries

        return EntryQueries(self.engine)

    @cached_property
    def categories(self) -> CategoryQueries:
        from tidings.store.categories import CategoryQueries

        return CategoryQueries(self.engine)

    @cached_property
    def users(self) -> UserQueries:
        from tidings.store.users import UserQueries

        return UserQueries(self.engine)

    @cached_property
    def api_keys(self) -> ApiKeyQueries:
        from tidings.store.apikeys import ApiKeyQueries

        return ApiKeyQueries(self.engine)

    @cached_property
    def api_passwords(self) -> ApiPasswordQueries:
        from tidings.store.apipasswords import ApiPasswordQueries

        return ApiPasswordQueries(self.engine)

    @cached_property
    def labels(self) -> LabelQueries:
        from tidings.store.labels import LabelQueries

        return LabelQueries(self.engine)

    @cached_property
    def media_progressions(self) -> MediaProgressionQueries:
        from tidings.store.progressions import MediaProgressionQueries

        return MediaProgressionQueries(self.engine)

    @cached_property
    def integrations(self) -> IntegrationQueries:
        from tidings.store.integrations import IntegrationQueries

        return IntegrationQueries(self.engine)

    @cached_property
    def rules(self) -> RuleQueries:
        from tidings.store.rules import RuleQueries

        return RuleQueries(self.engine)

    @cached_property
    def saved_searches(self) -> SavedSearchQueries:
        from tidings.store.savedsearches import SavedSearchQueries

        return SavedSearchQueries(self.engine)

    @cached_property
    def sessions(self) -> SessionQueries:
        from tidings.store.sessions import SessionQueries

        return SessionQueries(self.engine)

    @cached_property
    def feed_tokens(self) -> FeedTokenQueries:
        from tidings.store.feedtokens import FeedTokenQueries

        return FeedTokenQueries(self.engine)

    @cached_property
    def articles(self) -> ArticleQueries:
        from tidings.store.articles import ArticleQueries

        return ArticleQueries(self.engine)

    @cached_property
    def icons(self) -> IconQueries:
        from tidings.store.icons import IconQueries

        return IconQueries(self.engine)

    @cached_property
    def updates(self) -> UpdateQueries:
        from tidings.store.updates import UpdateQueries

        return UpdateQueries(self.engine)

    @cached_property
    def reading(self) -> ReadingQueries:
        from tidings.store.reading import ReadingQueries

        return ReadingQueries(self.engine)

    @cached_property
    def search(self) -> SearchQueries:
        from tidings.store.search import SearchQueries

        return SearchQueries(self.engine)

    @cached_property
    def site_settings(self) -> SiteSettingQueries:
        from tidings.store.site_settings import SiteSettingQueries

        return SiteSettingQueries(self.engine)

    @cached_property
    def websub(self) -> WebSubQueries:
        from tidings.store.websub import WebSubQueries

        return WebSubQueries(self.engine)

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
