"""A user's labels on entries: many per entry, added by hand (the reader, Google Reader's
edit-tag) or by rules (store.rules writes those). Only entries of the user's feeds get labels."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tidings.errors import InvalidInput
from tidings.reading.limits import MAX_LABELS_PER_USER, label_name
from tidings.store.database import read_transaction, write_transaction
from tidings.store.reading.visibility import insert_for, subscribed_feed_ids, unread_in
from tidings.store.schema import entries, entry_labels, entry_states


@dataclass(frozen=True, slots=True)
class LabelCount:
    name: str
    entries: int
    unread: int


class LabelQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of_user(self, user_id: int) -> list[LabelCount]:
        """The user's labels by name, with how many of their entries carry each, and unread."""
        unread = unread_in(user_id, self._engine.dialect.name)
        query = (
            sa.select(
                entry_labels.c.label,
                sa.func.count(),
                sa.func.count().filter(unread),
            )
            .select_from(
                entry_labels.join(entries, entries.c.id == entry_labels.c.entry_id).outerjoin(
                    entry_states,
                    sa.and_(
                        entry_states.c.entry_id == entries.c.id, entry_states.c.user_id == user_id
                    ),
                )
            )
            .where(
                entry_labels.c.user_id == user_id,
                entries.c.feed_id.in_(subscribed_feed_ids(user_id)),
            )
            .group_by(entry_labels.c.label)
            .order_by(entry_labels.c.label)
        )
        with read_transaction(self._engine) as conn:
            return [LabelCount(name, total, n) for name, total, n in conn.execute(query)]

    def of_entries(self, user_id: int, entry_ids: Collection[int]) -> dict[int, tuple[str, ...]]:
        """The user's labels of each of these entries (those with none left out)."""
        if not entry_ids:
            return {}
        query = (
            sa.select(entry_labels.c.entry_id, entry_labels.c.label)
            .where(entry_labels.c.user_id == user_id, entry_labels.c.entry_id.in_(list(entry_ids)))
            .order_by(entry_labels.c.entry_id, entry_labels.c.label)
        )
        found: dict[int, list[str]] = {}
        with read_transaction(self._engine) as conn:
            for entry_id, label in conn.execute(query):
                found.setdefault(entry_id, []).append(label)
        return {entry_id: tuple(labels) for entry_id, labels in found.items()}

    def add(self, user_id: int, entry_ids: Collection[int], label: str) -> int:
        """Put the label on these entries (those of the user's feeds); how many got it now.
        InvalidInput for a bad name, or a new label past MAX_LABELS_PER_USER."""
        name = label_name(label)
        if not entry_ids:
            return 0
        visible = sa.select(
            sa.literal(user_id, sa.BigInteger).label("user_id"),
            entries.c.id,
            sa.literal(name, sa.Text).label("label"),
        ).where(
            entries.c.id.in_(list(entry_ids)),
            entries.c.feed_id.in_(subscribed_feed_ids(user_id)),
        )
        with write_transaction(self._engine) as conn:
            known = conn.execute(
                sa.select(sa.func.count(sa.distinct(entry_labels.c.label))).where(
                    entry_labels.c.user_id == user_id
                )
            ).scalar_one()
            exists = conn.execute(
                sa.select(entry_labels.c.label)
                .where(entry_labels.c.user_id == user_id, entry_labels.c.label == name)
                .limit(1)
            ).first()
            if exists is None and known >= MAX_LABELS_PER_USER:
                raise InvalidInput(f"a reader has at most {MAX_LABELS_PER_USER} labels")
            insert = (
                insert_for(conn)(entry_labels)
                .from_select(["user_id", "entry_id", "label"], visible)
                .on_conflict_do_nothing()
                .returning(entry_labels.c.entry_id)
            )
            return len(conn.execute(insert).all())

    def remove(self, user_id: int, entry_ids: Collection[int], label: str) -> int:
        """Take the label off these entries; how many had it."""
        if not entry_ids:
            return 0
        query = entry_labels.delete().where(
            entry_labels.c.user_id == user_id,
            entry_labels.c.label == label,
            entry_labels.c.entry_id.in_(list(entry_ids)),
        )
        with write_transaction(self._engine) as conn:
            return int(conn.execute(query).rowcount)

    def delete(self, user_id: int, label: str) -> int:
        """Take the label off every entry of the user's; how many had it."""
        query = entry_labels.delete().where(
            entry_labels.c.user_id == user_id, entry_labels.c.label == label
        )
        with write_transaction(self._engine) as conn:
            return int(conn.execute(query).rowcount)

    def rename(self, user_id: int, label: str, new_name: str) -> int:
        """Rename the user's label (merged into `new_name` where an entry has both); how many
        entries had it (0: the user has no such label). InvalidInput for a bad name."""
        name = label_name(new_name)
        moved = sa.select(
            entry_labels.c.user_id, entry_labels.c.entry_id, sa.literal(name, sa.Text)
        ).where(entry_labels.c.user_id == user_id, entry_labels.c.label == label)
        with write_transaction(self._engine) as conn:
            insert = (
                insert_for(conn)(entry_labels)
                .from_select(["user_id", "entry_id", "label"], moved)
                .on_conflict_do_nothing()
            )
            conn.execute(insert)
            mine = (entry_labels.c.user_id == user_id, entry_labels.c.label == label)
            return int(conn.execute(entry_labels.delete().where(*mine)).rowcount)
