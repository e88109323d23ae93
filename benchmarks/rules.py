"""What rules cost: a refresh with 0, 20 and 200 rules per user, and a rule's preview.

    .venv/bin/python benchmarks/rules.py [--feeds 1000] [--users 10] [--databases sqlite,postgresql]
        [--mixes typical,stress] [--rules 0,20,200] [--repeat 3]

1. Refresh: `--feeds` loopback feeds of 30 items (benchmarks/feedserver.py, in a process of its
   own), every feed new, `--users` users subscribed to every feed, with 0, 20 and 200 enabled
   rules each; one `refresh_due` of a Refresher with default settings on a fresh database each
   time. A user's rules are a mix: a fifth over all their feeds (title regular expressions, words,
   author and content terms, a label test), the rest scoped to one feed each (as Miniflux's
   per-feed block and keep lists are); actions block, read, star and label. Goal: 200 rules cost
   under 15% of the refresh time. Two sets of rules (`--mixes`), the same queries with other
   words: "typical", where a word of a rule is one the feeds use one time in three (else a word
   no feed has), so that a rule acts on about 2% of the (entry, user) pairs, as block lists and
   topic labels do; and "stress", where every word is one of the feeds' 34, so that rules act on
   one pair in seven (every user's every seventh entry blocked, starred or labelled): that mix
   measures writing outcomes more than deciding them. The table counts the pairs with an
   outcome. Then a later round on the same database, as a server's rounds are most of the day:
   one feed in ten has one new item, the others answer 304; timed in a Refresher's second
   round, as a running server's are (its own table).
2. Preview: 100,000 stored entries (1,000 feeds of 100), one user subscribed to all, analyzed
   on PostgreSQL as autovacuum would; the p50 and p95 of 20 previews of each of several rule
   queries. Goal: p50 under 100 ms on both databases.
3. The same queries as a list's search (a saved search's page, the Miniflux API's `search=`):
   the p50 of the newest 100 matches and of counting them, on the same entries.
4. The needle scan on real text: the generated feeds use 34 words, on which RE2's automaton
   stays small; over the entries of the real-world parse corpus (tests/data/corpus), the time
   an entry to find which of 2,000 or 15,000 needles (words and word pairs of those entries, as
   rules' words would be) its text holds, in one RE2 set and in the sets the RuleBook makes
   (`engine.needle_chunks`).
5. Deciding on real text: the same corpus's entries, 30 a feed, for `--users` users with 20 and
   200 rules each of the refresh's kinds, their words any of the corpus's words of four letters
   or more (most of them rare: the rules seldom act, as block lists' and topics' seldom do);
   µs an entry for a new RuleBook's first pass and its second. About half of these entries are
   not ASCII, which the generated feeds always are: folding them is measured here.

`--parts refresh,preview,needles,deciding` chooses the tables (all by default).

Each refresh runs `--repeat` times (default 3), the rule counts in turn, and the medians are
shown: one run of each was too noisy to compare on a 2-core machine.

Prints a Markdown table per part. PostgreSQL: a scratch schema on TIDINGS_BENCH_POSTGRES_URL
(default: the local test database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scratch import POSTGRES, scratch_database  # noqa: E402

from refresh import control, cpu_seconds, feed_server, feed_urls  # noqa: E402
from tidings.config import load_settings  # noqa: E402
from tidings.model import EntryData, FeedUpdate  # noqa: E402
from tidings.reading.filters import EntryFilter  # noqa: E402
from tidings.refresh.run import Refresher  # noqa: E402
from tidings.rules import engine  # noqa: E402
from tidings.rules.engine import NewEntry, compiled_query  # noqa: E402
from tidings.rules.model import RuleDraft, checked_rule  # noqa: E402
from tidings.search_query import parse_query  # noqa: E402
from tidings.store import Store  # noqa: E402
from tidings.store.rules import rule_values  # noqa: E402
from tidings.store.schema import feeds, rules, subscriptions, users  # noqa: E402
from tidings.store.updates import Retention, UpdateBatch  # noqa: E402

WORDS = [
    "council",
    "budget",
    "harbour",
    "festival",
    "library",
    "transport",
    "housing",
    "school",
    "river",
    "market",
]
PREVIEW_QUERIES = [
    "title:/harbour|festival/i",
    "budget",
    '"city plan"',
    "content:school -title:river",
    "author:/^Author [0-3]$/",
    "title:/zebra crossing/i",  # matches nothing: every entry is read
    "title:/zebra|walrus/i",  # the same, an alternation
]


# Words no generated feed has (benchmarks/feedserver.py writes its 34 and "Author n").
ABSENT = (  # noqa: SIM905
    "walrus zeppelin quasar mango violin tundra glacier saffron falcon lantern obsidian meadow"
).split()
MIXES = {"typical": 1 / 3, "stress": 1.0}  # how often a rule's word is one the feeds use
PARTS = ("refresh", "preview", "needles", "deciding")  # the tables `--parts` chooses from


def rule_drafts(
    count: int,
    feed_ids: list[int],
    rng: random.Random,
    mix: str = "stress",
    vocabulary: list[str] | None = None,
) -> list[RuleDraft]:
    """`count` rules: a fifth over every feed, the rest over one feed each; their words are the
    feeds' with the `mix`'s odds, else words no feed has; or, given a `vocabulary`, any of its
    words, each as likely."""
    if not count:
        return []
    odds = MIXES[mix]

    def pick() -> str:
        if vocabulary is not None:
            return rng.choice(vocabulary)
        if odds >= 1:  # no draw for the odds: the stress mix's rules are the earlier tables'
            return rng.choice(WORDS)
        return rng.choice(WORDS) if rng.random() < odds else rng.choice(ABSENT)

    drafts = []
    for n in range(count):
        word = pick()
        kind = n % 5
        other = pick()
        query = [
            f"title:/{word} {other}/i",
            f'"{word} {other}" -{pick()}',
            f"author:/^Author {5 + n}$/",
            f'content:"{other} {word} {pick()}"',
            f"label:seen-{n % 3} title:{word}",
        ][kind]
        action = ["block", "read", "star", "label", "read"][n % 5]
        scoped = n % 5 != 0
        drafts.append(
            checked_rule(
                RuleDraft(
                    name=f"r{n}",
                    query=query,
                    scope="feed" if scoped else "all",
                    scope_id=rng.choice(feed_ids) if scoped else None,
                    actions=(action,),  # type: ignore[arg-type]
                    labels=(f"seen-{n % 3}",) if action == "label" else (),
                ),
                is_admin=False,
            )
        )
    return drafts


def prepare(store: Store, urls: list[str], user_count: int, rule_count: int, mix: str) -> None:
    now = datetime.now(UTC)
    rng = random.Random(7)
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(feeds), [{"url": u, "created_at": now, "next_check_at": now} for u in urls]
        )
        feed_ids = [row.id for row in conn.execute(sa.select(feeds.c.id))]
        user_ids = [
            conn.execute(
                sa.insert(users)
                .values(name=f"user{n}", password_hash="!", created_at=now)
                .returning(users.c.id)
            ).scalar_one()
            for n in range(user_count)
        ]
        conn.execute(
            sa.insert(subscriptions),
            [{"user_id": u, "feed_id": f, "created_at": now} for u in user_ids for f in feed_ids],
        )
        rows = []
        for user_id in user_ids:
            for position, draft in enumerate(rule_drafts(rule_count, feed_ids, rng, mix)):
                rows.append(
                    {
                        "user_id": user_id,
                        "position": position,
                        "created_at": now,
                        "updated_at": now,
                        **rule_values(draft),
                    }
                )
        if rows:
            conn.execute(sa.insert(rules), rows)


@dataclass(frozen=True)
class Refresh:
    """What one `refresh_once` measured."""

    wall: float  # s, the first refresh
    main_cpu: float  # s of CPU of this process (every thread, no parse process) in it
    new: int  # new entries
    applying: float  # s of wall in UpdateBatch._apply_rules
    acted_on: int  # (entry, user) pairs with an outcome
    later: float  # s, the later round's wall


def _main_cpu() -> float:
    return cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))


def refresh_once(
    url: str, urls: list[str], users_: int, rules_: int, mix: str, workdir: str, port: int
) -> Refresh:
    """One refresh of every feed on a fresh database, then a later round.

    The main process's CPU is shown beside the wall time: on two shared CPUs the wall time of
    the same code moves by ±10% from run to run, this process's CPU by much less, and what the
    rules add runs in this process (see docs/rules.md).

    The later round is what a server does most of the day: one feed in ten has a new item
    (the others answer 304), every feed is checked again, by a Refresher that has done a round
    already (its parse processes started, the rules read and compiled), as a running server's
    has."""
    store = Store.open(url)
    store.migrate()
    prepare(store, urls, users_, rules_, mix)
    settings = load_settings(environ={}, allow_private_networks=True, data_dir=workdir)
    # Every refresh compiles its rules as a new server's first round does: the queries compiled
    # by an earlier refresh of this process are forgotten (a server's later rounds reuse them).
    compiled_query.cache_clear()
    engine.forget_rule_book()  # the same: no book of an earlier refresh is reused

    async def run() -> int:
        async with Refresher(store, settings) as refresher:
            summary = await refresher.refresh_due()
        return summary.new_entries

    def due_again() -> None:
        control(port, "bump?every=10")
        with store.engine.begin() as conn:
            conn.execute(sa.update(feeds).values(next_check_at=datetime.now(UTC)))

    async def later_rounds() -> tuple[int, float]:
        # One Refresher for both, as a server has: the first starts its parse processes and
        # reads the rules, the second is timed.
        async with Refresher(store, settings) as refresher:
            await asyncio.to_thread(due_again)
            await refresher.refresh_due()
            await asyncio.to_thread(due_again)
            began = time.perf_counter()
            summary = await refresher.refresh_due()
            return summary.new_entries, time.perf_counter() - began

    def later_round() -> float:
        new, took = asyncio.run(later_rounds())
        control(port, "reset")  # the next refresh reads the same documents
        if new != len(urls) // 10:
            raise RuntimeError(f"the later round found {new} new entries")
        return took

    spent = [0.0]
    original = UpdateBatch._apply_rules

    def timed(self: UpdateBatch, *args: Any) -> None:
        began = time.perf_counter()
        original(self, *args)
        spent[0] += time.perf_counter() - began

    UpdateBatch._apply_rules = timed  # type: ignore[method-assign]
    cpu = _main_cpu()
    started = time.perf_counter()
    try:
        new = asyncio.run(run())
    finally:
        UpdateBatch._apply_rules = original  # type: ignore[method-assign]
    wall = time.perf_counter() - started
    cpu = _main_cpu() - cpu
    with store.engine.connect() as conn:
        acted_on = conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT user_id, entry_id FROM entry_states"
            " UNION SELECT user_id, entry_id FROM entry_labels) AS pairs"
        ).scalar_one()
    later = later_round()
    store.close()
    return Refresh(wall, cpu, new, spent[0], acted_on, later)


def fill_for_preview(store: Store, feeds_: int, per_feed: int) -> int:
    """`feeds_` feeds of `per_feed` entries written as the refresher writes them; a user subscribed
    to all; the user's id."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(feeds),
            [{"url": f"https://f{i}.example/", "created_at": now} for i in range(feeds_)],
        )
        feed_ids = [row.id for row in conn.execute(sa.select(feeds.c.id))]
        user_id = conn.execute(
            sa.insert(users)
            .values(name="reader", password_hash="!", created_at=now)
            .returning(users.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(subscriptions),
            [{"user_id": user_id, "feed_id": f, "created_at": now} for f in feed_ids],
        )
    with store.updates.batch() as batch:
        for feed_id in feed_ids:
            feed = store.feeds.get(feed_id)
            new = tuple(
                EntryData(
                    key=f"{feed_id}-{n}",
                    title=" ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
                    author=f"Author {n % 7}",
                    summary="<p>"
                    + " ".join(rng.choice([*WORDS, "city plan"]) for _ in range(60))
                    + "</p>",
                    published_at=now - timedelta(hours=n),
                    content_hash=str(n),
                )
                for n in range(per_feed)
            )
            batch.apply(
                FeedUpdate(feed=feed, new_entries=new), owner=None, now=now, retention=Retention()
            )
    if store.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk write: without statistics the planner
        # takes 100,000 fresh rows for a few and plans every preview as a full scan.
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return int(user_id)


def preview_times(store: Store, user_id: int, query_text: str, runs: int) -> list[float]:
    query = parse_query(query_text, require_terms=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        store.rules.preview(user_id, query, "all", None)
        times.append(time.perf_counter() - started)
    return times


def list_times(store: Store, user_id: int, query_text: str, runs: int) -> tuple[float, float, int]:
    """The p50 ms of the newest 100 of the user's entries the query selects (a saved search's
    page, the Miniflux API's `search=`), the p50 ms of counting them, and the count."""
    where = EntryFilter("all", search=parse_query(query_text, require_terms=False))
    pages, counts = [], []
    for _ in range(runs):
        started = time.perf_counter()
        store.reading.entries(user_id, where, limit=100)
        pages.append(time.perf_counter() - started)
    for _ in range(max(1, runs // 4)):
        started = time.perf_counter()
        total = store.reading.count_entries(user_id, where)
        counts.append(time.perf_counter() - started)
    return statistics.median(pages) * 1000, statistics.median(counts) * 1000, total


def corpus_entries() -> list[NewEntry]:
    """The entries of the real-world parse corpus (tests/data/corpus) as the refresher gives
    them to the rules, numbered from 1 in the corpus's order."""
    from fidelity import corpus_files

    from tidings.parse import FeedParseError, parse_feed
    from tidings.plaintext import html_text

    entries: list[NewEntry] = []
    for path in corpus_files():
        try:
            parsed = parse_feed(path.read_bytes(), "https://corpus.example/feed")
        except FeedParseError:
            continue
        for e in parsed.entries:
            entries.append(
                NewEntry(
                    len(entries) + 1,
                    e.title,
                    html_text(e.summary or "") or "",
                    html_text(e.content or "") or "",
                    e.author or "",
                    e.link or "",
                    None,
                )
            )
    return entries


def needle_scan_times(count: int) -> tuple[int, float | None, float]:
    """(entries, µs an entry with one RE2 set or None when RE2 compiles none, µs an entry with
    the RuleBook's sets) to find which of `count` needles each corpus entry holds. The second
    pass over the entries is timed: the automata are built as they scan."""
    import re2

    from tidings.rules.engine import needle_chunks, needle_set
    from tidings.rules.matcher import fold, tokens

    texts = [
        fold("\n".join((e.title, e.summary_text, e.content_text, e.author))).encode()
        for e in corpus_entries()
    ]
    words = [t for text in texts for t in tokens(text.decode()) if len(t) >= 3]
    rng = random.Random(2)
    chosen: set[str] = set()
    while len(chosen) < count:
        at = rng.randrange(len(words) - 1)
        chosen.add(words[at] if rng.random() < 0.6 else f"{words[at]} {words[at + 1]}")
    needles = sorted(re2.escape(needle) for needle in chosen)  # as literal patterns

    def timed(sets: list[Any]) -> float:
        for text in texts:  # warm
            for found in sets:
                found.Match(text)
        started = time.perf_counter()
        for text in texts:
            for found in sets:
                found.Match(text)
        return (time.perf_counter() - started) / len(texts) * 1e6

    try:
        one: float | None = timed([needle_set(needles)])
    except re2.error:  # "failed to compile Set": past what one set holds
        one = None
    return len(texts), one, timed([needle_set(chunk) for chunk in needle_chunks(needles)])


def real_text_deciding(users: int, count: int) -> tuple[int, int, float, float]:
    """(entries, outcomes, µs an entry cold, µs an entry warm) to decide the real-world parse
    corpus's entries (tests/data/corpus; 30 a feed) for `users` users subscribed to every feed,
    each with `count` rules of the refresh's kinds whose words are any of the corpus's words of
    four letters or more (most of them rare, as a block list's or a topic's are). Cold: a new
    RuleBook's first pass, whose RE2 automata are built as they scan; warm: its second. The
    best of three books each. The generated feeds are ASCII; about half of these entries are
    not (accents, curly quotes), which folding must handle."""
    from tidings.rules.engine import RuleBook, Subscriber
    from tidings.rules.matcher import tokens
    from tidings.rules.model import Rule

    entries = corpus_entries()
    feeds = [entries[at : at + 30] for at in range(0, len(entries), 30)]
    feed_ids = list(range(1, len(feeds) + 1))
    vocabulary = sorted(
        {
            token
            for e in entries
            for token in tokens(f"{e.title} {e.summary_text} {e.content_text}")
            if len(token) >= 4
        }
    )
    rng = random.Random(3)
    now = datetime.now(UTC)
    rules_: list[Rule] = []
    for user in range(users):
        for position, draft in enumerate(rule_drafts(count, feed_ids, rng, vocabulary=vocabulary)):
            rules_.append(
                Rule(
                    id=1000 + len(rules_) * 7,  # ids that are no user's or position's
                    user_id=50 + user * 3,
                    position=position,
                    created_at=now,
                    updated_at=now,
                    **asdict(draft),  # the draft stored as it is
                )
            )
    subscribers = [Subscriber(50 + user * 3, ("A feed",)) for user in range(users)]

    def decided(book: RuleBook) -> tuple[float, int]:
        started = time.perf_counter()
        outcomes = sum(
            len(book.outcomes(feed_id, subscribers, new))
            for feed_id, new in zip(feed_ids, feeds, strict=True)
        )
        return (time.perf_counter() - started) / len(entries) * 1e6, outcomes

    cold = warm = float("inf")
    outcomes = 0
    for _ in range(3):
        engine.forget_rule_book()
        compiled_query.cache_clear()  # compiled anew, as a new process's first round
        book = RuleBook(rules_)
        first, outcomes = decided(book)
        second, _ = decided(book)
        cold, warm = min(cold, first), min(warm, second)
    return len(entries), outcomes, cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rules", default="0,20,200")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--mixes", default="typical,stress", help="rule sets, see above")
    parser.add_argument("--preview-entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="refreshes per rule count, interleaved; the medians are shown",
    )
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"which tables, of {', '.join(PARTS)} (the docstring's parts 1, 2-3, 4, 5)",
    )
    args = parser.parse_args()
    server = os.environ.get("TIDINGS_BENCH_POSTGRES_URL", POSTGRES)
    databases = args.databases.split(",")
    print(
        f"{args.feeds} feeds x 30 items, {args.users} users subscribed to all; "
        f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}",
        file=sys.stderr,
    )

    parts = args.parts.split(",")
    if "refresh" in parts:
        print(
            "| database | rules | rules per user | refresh wall s | new entries "
            "| (entry, user) pairs acted on | vs no rules | applying rules, s (share of wall) "
            "| main process CPU s | vs no rules |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        later_rows: list[str] = []
        with feed_server(args.feeds, 30, 100, "python") as (port, _control):
            urls = feed_urls(port, args.feeds, 100)
            counts = [int(n) for n in args.rules.split(",")]
            # Without rules the mix makes no difference: one baseline for every mix.
            cases = [(mix, count) for mix in args.mixes.split(",") for count in counts if count]
            cases[:0] = [("none", 0)] if 0 in counts else []
            for database in databases:
                # Rounds over every case, so the machine's drift touches each alike.
                runs: dict[tuple[str, int], list[Refresh]] = {case: [] for case in cases}
                for _ in range(args.repeat):
                    for mix, count in cases:
                        with (
                            scratch_database(
                                server if database == "postgresql" else None, "bench_rules"
                            ) as url,
                            tempfile.TemporaryDirectory() as workdir,
                        ):
                            runs[mix, count].append(
                                refresh_once(url, urls, args.users, count, mix, workdir, port)
                            )
                base = later_base = cpu_base = None
                for mix, count in cases:
                    done = runs[mix, count]
                    wall = statistics.median(run.wall for run in done)
                    cpu = statistics.median(run.main_cpu for run in done)
                    spent = statistics.median(run.applying for run in done)
                    new, acted_on = done[0].new, done[0].acted_on
                    pairs = new * args.users
                    base = wall if base is None else base
                    cpu_base = cpu if cpu_base is None else cpu_base
                    print(
                        f"| {database} | {mix} | {count} | {wall:.2f} | {new} "
                        f"| {acted_on:,} ({100 * acted_on / max(1, pairs):.1f}%) "
                        f"| {100 * (wall / base - 1):+.0f}% "
                        f"| {spent:.2f} ({100 * spent / wall:.0f}%) "
                        f"| {cpu:.2f} | {100 * (cpu / cpu_base - 1):+.0f}% |",
                        flush=True,
                    )
                    later = statistics.median(run.later for run in done)
                    later_base = later if later_base is None else later_base
                    later_rows.append(
                        f"| {database} | {mix} | {count} | {later:.2f} "
                        f"| {100 * (later / later_base - 1):+.0f}% |"
                    )

        print()
        print(
            "| database | rules | rules per user | later round wall s "
            f"(1 feed in 10 has a new item, {len(urls) // 10} new entries) | vs no rules |"
        )
        print("|---|---|---:|---:|---:|")
        print("\n".join(later_rows))

    if "preview" in parts:
        print()
        print(
            f"| database | preview query ({args.preview_entries:,} stored entries) "
            "| p50 ms | p95 ms | matches |"
        )
        print("|---|---|---:|---:|---:|")
        lists: list[tuple[str, str, float, float, int]] = []
        for database in databases:
            with scratch_database(
                server if database == "postgresql" else None, "bench_preview"
            ) as url:
                store = Store.open(url)
                store.migrate()
                user_id = fill_for_preview(store, 1000, args.preview_entries // 1000)
                for text in PREVIEW_QUERIES:
                    times = sorted(preview_times(store, user_id, text, args.runs))
                    total = store.rules.preview(
                        user_id, parse_query(text, require_terms=False), "all", None
                    ).total
                    p50 = statistics.median(times) * 1000
                    p95 = times[int(0.95 * (len(times) - 1))] * 1000
                    print(
                        f"| {database} | `{text}` | {p50:.0f} | {p95:.0f} | {total} |", flush=True
                    )
                    lists.append((database, text, *list_times(store, user_id, text, args.runs)))
                store.close()

        print()
        print(
            f"| database | the query as a list's search ({args.preview_entries:,} stored entries) "
            "| page of 100, p50 ms | count, p50 ms | matches |"
        )
        print("|---|---|---:|---:|---:|")
        for database, text, page, counting, total in lists:
            print(f"| {database} | `{text}` | {page:.1f} | {counting:.0f} | {total} |")

    if "needles" in parts:
        print()
        print("| needles | corpus entries | one RE2 set, µs an entry | the RuleBook's sets |")
        print("|---:|---:|---:|---:|")
        for count in (2_000, 15_000):
            entries_, one, chunked = needle_scan_times(count)
            shown = "does not compile" if one is None else f"{one:.1f}"
            print(f"| {count:,} | {entries_:,} | {shown} | {chunked:.1f} |", flush=True)

    if "deciding" in parts:
        print()
        print(
            "| users | rules per user | corpus entries | outcomes "
            "| deciding, µs an entry, cold | warm |"
        )
        print("|---:|---:|---:|---:|---:|---:|")
        for per_user in (20, 200):
            entries_, outcomes, cold, warm = real_text_deciding(args.users, per_user)
            print(
                f"| {args.users} | {per_user} | {entries_:,} | {outcomes} "
                f"| {cold:.1f} | {warm:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
