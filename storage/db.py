"""The database engine: SQLAlchemy 2 Core statements; SQLite through aiosqlite, PostgreSQL through AsyncEngine.

SQLite (the embedded default) runs in `AiosqliteEngine`: two aiosqlite connections, each with its own thread —
a writer for units of work and a reader for everything else — and one *hop* (one call into a connection's
thread) per unit of work where possible:

* a write whose result nobody needs (`await conn.write(stmt, params)`) is queued, not sent;
* a statement whose result is needed (RETURNING, rowcount, a read inside the transaction) sends what is queued
  and itself in one hop;
* commit sends what is queued and COMMIT in one hop; the first hop of a unit starts with `BEGIN IMMEDIATE`.

So a wizard step (save the draft, move the conversation) is one hop at most. Its two writes are `Prepared`
statements: compiled once, run on the sqlite3 connection without SQLAlchemy's per-statement execution context.

Commits are pipelined and grouped. Units of work run one at a time up to their commit (an asyncio lock), but a
unit does not hold that lock while its commit travels: the next unit begins at once, and the hops run in the
thread in the order they were made. A unit whose writes were all queued (a wizard step) is committed together
with the others that finish in the same turn of the event loop, or while the group before it is on its way (one
group hop in flight at a time): one hop, one transaction (`batch_hop`). The group's keyed writes (`Prepared.update`
/ `Prepared.upsert`) go as one multi-row statement each; if anything fails, the group is undone and run again
with a savepoint per unit, so only the failing unit is rolled back. The writer's thread needs the GIL back after
every SQLite call, and while the event loop is busy it waits for it (bot/runtime.py shortens that wait): fewer
calls a group is what makes commits land sooner under load. Until a commit lands, its write-through cache
values are *pending*: later units see them, reads outside a transaction do not, and a unit that read one is
refused (`EarlierCommitFailed`, a `DatabaseBusy`) if that commit fails. Each caller still returns only once its
own commit has landed, so a reply is never sent for something that is not in the database.
Waiting for another process's write lock happens in the writer's thread (busy timeout `BUSY_TIMEOUT_MS`),
never on the event loop: other people keep being answered. If the lock is not released in time,
`DatabaseBusy` is raised and nothing was written.

Why not SQLAlchemy's AsyncEngine over aiosqlite: measured here it costs about 1 ms a step (a hop per
statement plus the greenlet bridge) and reports "database is locked" under load. Why not sqlite3 on the event
loop (the previous engine): a foreign write lock froze every user for the whole busy timeout, and an automatic
checkpoint after a large write froze it for 0.4-0.9 s.

Inside each thread the statements run on a SQLAlchemy *sync* Connection built over that thread's sqlite3
connection, so the Core statements and type processors (UTCDateTime) are the same on both backends. The
function is run in the thread with aiosqlite's private `Connection._execute(fn, *args)`; aiosqlite's version
range is pinned in pyproject.toml and tests/storage/test_db.py fails if that call changes.

Queries stay portable: the only dialect-specific construct is the upsert, chosen here by dialect name
(SQLite and PostgreSQL both speak ON CONFLICT ... DO UPDATE).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

import aiosqlite
from sqlalchemy import DateTime, Table, TypeDecorator, bindparam
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import update as sa_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Dialect, make_url
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

BUSY_TIMEOUT_MS = 5000  # another process's write lock is waited out this long, in the writer's thread
SQLITE_BUSY = 5


class DatabaseBusy(Exception):
    """Another process held the database's write lock longer than the busy timeout; nothing was written."""


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- results that cross from a connection's thread to the event loop --------------------------------------


class Rows:
    """A statement's result, fetched completely in the connection's thread: the part of SQLAlchemy's Result
    the repositories use."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: Sequence[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise MultipleResultsFound("more than one row where at most one was expected")
        return self.first()

    def one(self) -> Any:
        if not self._rows:
            raise NoResultFound("no row where exactly one was expected")
        return self.one_or_none()

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self) -> Rows:
        return Rows([(r[0],) for r in self._rows], self.rowcount)  # .all()/.first() then give rows; use .scalar*


class Prepared:
    """A write that runs the same statement every time with new values (a draft saved at every step, the
    conversation state): on SQLite it is compiled once and run straight on the sqlite3 connection. SQLAlchemy
    builds an execution context for every statement, about as much CPU as the write itself; the statement,
    its placeholders and its type processors (UTCDateTime) are the same each time. Elsewhere (PostgreSQL)
    the statement runs through SQLAlchemy as any other.

    Only for statements whose every value is a named `bindparam` given at execution (no Python-side column
    defaults, no RETURNING): checked when first compiled.

    Made with `Prepared.update` or `Prepared.upsert`, it is a *keyed* write: one row of one table, named by its
    key parameters, every value from the parameters. In a group commit on SQLite the runs of one keyed write
    across the units are merged into one statement of many rows (`run_rows`), the last run for a key standing
    for the earlier ones: each SQLite call makes the writer's thread wait for the event loop's GIL again, and a
    wizard step's two writes were two calls each."""

    __slots__ = ("_compiled", "_key", "_many", "_params", "statement", "table")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: tuple[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]] | None = None
        self.table: Table | None = None  # keyed writes only: the table written
        self._key: tuple[str, ...] = ()  # the parameters that name the row
        self._params: tuple[str, ...] = ()  # the parameters of one row of the merged statement, in order
        self._many: Callable[[int], str] | None = None

    @classmethod
    def update(cls, table: Table, *, where: dict[str, str], values: dict[str, str]) -> Prepared:
        """UPDATE table SET column = :param ... WHERE column = :param AND ... (`where` names the row)."""
        statement = (
            sa_update(table)
            .where(*(table.c[column] == bindparam(param) for column, param in where.items()))
            .values({column: bindparam(param) for column, param in values.items()})
        )
        prepared = cls(statement)
        prepared._keyed(table, key=tuple(where.values()), params=(*where.values(), *values.values()))
        q = sqlite.dialect().identifier_preparer.quote
        name = q(table.name)
        columns = ", ".join(f"p{i}" for i in range(len(prepared._params)))
        sets = ", ".join(f"{q(column)} = v.p{len(where) + i}" for i, column in enumerate(values))
        matches = " AND ".join(f"{name}.{q(column)} = v.p{i}" for i, column in enumerate(where))
        row = "(" + ", ".join("?" * len(prepared._params)) + ")"
        if sqlite3.sqlite_version_info >= (3, 33, 0):  # UPDATE ... FROM
            prepared._many = lambda n: (
                f"WITH v({columns}) AS (VALUES {', '.join([row] * n)}) UPDATE {name} SET {sets} FROM v WHERE {matches}"
            )
        return prepared

    @classmethod
    def upsert(
        cls, dialect_name: str, table: Table, values: dict[str, str], key: list[str], update: list[str]
    ) -> Prepared:
        """INSERT ... ON CONFLICT (key) DO UPDATE SET the `update` columns (`values`: column -> parameter)."""
        prepared = cls(upsert(dialect_name, table, {c: bindparam(p) for c, p in values.items()}, key, update))
        prepared._keyed(table, key=tuple(values[c] for c in key), params=tuple(values.values()))
        q = sqlite.dialect().identifier_preparer.quote
        row = "(" + ", ".join("?" * len(values)) + ")"
        head = f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in values)}) VALUES "
        conflict = f" ON CONFLICT ({', '.join(q(c) for c in key)}) DO UPDATE SET " + ", ".join(
            f"{q(c)} = excluded.{q(c)}" for c in update
        )
        # The last run for a key decides the row only if a conflict rewrites every column the insert gives:
        # DO NOTHING keeps the first run, a partial update keeps the first run's other columns. Not merged.
        if set(update) == set(values) - set(key):
            prepared._many = lambda n: head + ", ".join([row] * n) + conflict
        return prepared

    def _keyed(self, table: Table, *, key: tuple[str, ...], params: tuple[str, ...]) -> None:
        self.table, self._key, self._params = table, key, params

    def row_key(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(parameters[p] for p in self._key)

    @property
    def mergeable(self) -> bool:
        return self._many is not None

    def sqlite(self, dialect: Dialect) -> tuple[str, tuple[tuple[str, Callable[[Any], Any] | None], ...]]:
        if self._compiled is None:
            compiled: Any = self.statement.compile(dialect=dialect)
            names = tuple(compiled.positiontup or ())
            if (compiled.returning or compiled.insert_prefetch or compiled.update_prefetch
                    or any(not compiled.binds[n].required for n in names)):
                raise ValueError(f"not a plain parameterised write: {compiled.string}")
            processors = compiled._bind_processors
            self._compiled = (compiled.string, tuple((n, processors.get(n)) for n in names))
        return self._compiled

    def run_rows(self, sa: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Several runs of this keyed write (their keys distinct) as one statement, `MERGE_ROWS` rows at most."""
        assert self._many is not None
        processors = dict(self.sqlite(sa.dialect)[1])
        binds = tuple((p, processors.get(p)) for p in self._params)
        for start in range(0, len(rows), MERGE_ROWS):
            chunk = rows[start:start + MERGE_ROWS]
            values = [row[n] if process is None else process(row[n]) for row in chunk for n, process in binds]
            sa.connection.dbapi_connection.execute(self._many(len(chunk)), values)  # type: ignore[union-attr]


MERGE_ROWS = 32  # rows in one merged statement: a few distinct statements for sqlite3's statement cache


def _merged(queues: Iterable[list[tuple[Any, Any]]]) -> list[tuple[Prepared, list[Any]]] | None:
    """The writes of several units as one list of rows per keyed write, or None when they cannot be merged:
    a write that is not keyed, or two keyed writes of one table (their order could matter). Keyed writes of
    different tables commute (each writes only its own row, from its parameters; the schema has no triggers),
    and of two runs for one key the later one decides the row, so it stands for both."""
    writes: dict[Prepared, dict[tuple[Any, ...], Any]] = {}
    tables: dict[Any, Prepared] = {}
    for queued in queues:
        for statement, parameters in queued:
            if not isinstance(statement, Prepared) or not statement.mergeable:
                return None
            if tables.setdefault(statement.table, statement) is not statement:
                return None
            rows = writes.setdefault(statement, {})
            key = statement.row_key(parameters)
            rows.pop(key, None)  # the later run goes where the later one would have gone
            rows[key] = parameters
    return [(statement, list(rows.values())) for statement, rows in writes.items()]


def _run(sa: Connection, statement: Any, parameters: Any) -> Rows:
    if isinstance(statement, Prepared):
        sql, binds = statement.sqlite(sa.dialect)
        cursor = sa.connection.dbapi_connection.execute(  # type: ignore[union-attr]
            sql, [parameters[n] if process is None else process(parameters[n]) for n, process in binds]
        )
        return Rows((), cursor.rowcount)
    result = sa.execute(statement) if parameters is None else sa.execute(statement, parameters)
    rows = result.all() if result.returns_rows else ()
    return Rows(rows, result.rowcount)


def _is_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    return (code & 0xFF) == SQLITE_BUSY if code is not None else "locked" in str(orig)


# --- the unit of work --------------------------------------------------------------------------------------


class Landing:
    """A unit of work whose commit is on its way to the database: until it lands, its cached values are seen
    by the units of work that begin after it ("pending"), not by reads outside a transaction. `failed` is set
    in the writer's thread when its commit fails, before any later hop runs there, so a unit that read one of
    its values is refused there before it can commit."""

    __slots__ = ("failed", "landed")

    def __init__(self) -> None:
        self.failed = False
        self.landed: asyncio.Future[None] | None = None  # the commit's future, once it is sent


def _earlier_failed(deps: Iterable[Landing]) -> EarlierCommitFailed | None:
    """A unit read a value of a commit that failed: it must not go on as if that value were stored."""
    if any(d.failed for d in deps):
        return EarlierCommitFailed("a value this unit read was not committed")
    return None


class _UnitFailed(Exception):
    """In a group commit without savepoints, one unit's writes failed: the group is tried again with them."""


class EarlierCommitFailed(DatabaseBusy):
    """This unit read a value that another unit had written and was committing, and that commit failed: this
    unit was rolled back too (nothing of it was written). As for a busy database: try again."""


class Unit:
    """What `transaction(...)` yields: run statements in one transaction; its cached values are published once
    it has committed."""

    dialect: Dialect

    def __init__(self) -> None:
        # WriteThroughCache values of this transaction, by (cache, key); _DROPPED for a deleted key
        self.staged: dict[tuple[WriteThroughCache[Any, Any], Any], Any] = {}
        self.deps: set[Landing] = set()  # commits still in flight whose values this unit read

    def _committed(self) -> None:
        for (cache, key), value in self.staged.items():
            cache._publish(key, value)

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        raise NotImplementedError

    async def write(self, statement: Any, parameters: Any = None) -> None:
        """A write whose result is not needed: it may be sent later, with the next statement or the commit."""
        await self.execute(statement, parameters)


class _SqliteThread:
    """One aiosqlite connection (its own thread) and a SQLAlchemy Connection over its sqlite3 connection,
    touched only in that thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.hops = 0  # calls into the thread: what the one-hop design is measured by
        self.batches = 0  # commit hops that carried more than one unit of work
        self._flying = 0  # group-commit hops sent and not landed yet
        self._batch: list[tuple[list[tuple[Any, Any]], tuple[Landing, ...], Landing, asyncio.Future[None]]] = []
        self.aio: aiosqlite.Connection | None = None
        self.sa: Connection | None = None
        self.raw: sqlite3.Connection | None = None

    async def open(self) -> None:
        aio = aiosqlite.connect(self.path, isolation_level=None)  # we issue BEGIN ourselves
        aio._thread.daemon = True  # a forgotten dispose() must not keep the process from exiting
        self.aio = await aio
        await self.aio._execute(self._setup)

    def _setup(self) -> None:
        assert self.aio is not None
        raw = self.aio._conn
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, not left in free pages: an erasure leaves nothing readable
        # (Debian's SQLite does this by default, other builds do not).
        raw.execute("PRAGMA secure_delete=ON")
        self.raw = raw
        engine = sa_create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
        self.sa = engine.connect()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        assert self.aio is not None
        if self._batch:
            self.flush()  # the commits waiting to be sent go first: hops run in the order they were made
        self.hops += 1
        return await self.landed(self.aio._execute(fn, *args))

    def commit_later(
        self, queued: list[tuple[Any, Any]], deps: tuple[Landing, ...], landing: Landing
    ) -> asyncio.Future[None]:
        """A unit of work whose writes were all queued (nothing of it has reached the thread yet): its commit
        is sent with the others that finish in the same turn of the event loop, as one transaction in one hop
        (group commit; one failing unit does not undo the others). While a group's hop is on its way, the
        units that finish meanwhile wait and go together when it lands: one hop in flight, not a queue of
        small ones. Under load the thread waits for the event loop's GIL at every SQLite call, so a queue of
        hops only grew; one hop carrying all of them waits once."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        if not self._batch and not self._flying:
            loop.call_soon(self.flush)
        self._batch.append((queued, deps, landing, future))
        return future

    def flush(self) -> None:
        """Send the commits waiting in `commit_later`, in one hop."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            if len(batch) == 1:
                queued, deps, landing, _ = batch[0]
                hop: asyncio.Future[Any] = self.submit(self.unit_hop, queued, None, True, deps, landing)
            else:
                self.batches += 1
                hop = self.submit(self.batch_hop, [unit[:3] for unit in batch])
        except BaseException as exc:  # the connection is closed: nothing was sent
            for *_, landing, future in batch:
                landing.failed = True
                future.set_exception(exc)
            return
        self._flying += 1
        hop.add_done_callback(partial(self._landed, [future for *_, future in batch]))

    def _landed(self, futures: list[asyncio.Future[None]], hop: asyncio.Future[Any]) -> None:
        """A group's hop landed: its units get their results, and the units that finished meanwhile go."""
        self._flying -= 1
        self._distribute(futures, hop)
        if self._batch and not self._flying:
            self.flush()

    @staticmethod
    def _distribute(futures: list[asyncio.Future[None]], hop: asyncio.Future[Any]) -> None:
        """Each unit's commit result, in the order of the units (their caches are published in that order)."""
        if hop.cancelled():
            for future in futures:
                future.cancel()
            return
        error = hop.exception()
        results = [error] * len(futures) if error is not None or len(futures) == 1 else hop.result()
        for future, result in zip(futures, results, strict=True):
            if result is None:
                future.set_result(None)
            else:
                future.set_exception(result)

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Send `fn(*args)` to the thread and return its future, as `Connection._execute` does without
        awaiting it: a commit is awaited through `asyncio.shield` without a Task of its own."""
        assert self.aio is not None
        if self._batch:
            self.flush()
        self.hops += 1
        if not self.aio._running or not self.aio._connection:
            raise ValueError("Connection closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.aio._tx.put_nowait((future, partial(fn, *args)))
        return future

    @staticmethod
    async def landed(pending: Awaitable[T]) -> T:
        """The result of a hop; another process's write lock held past the busy timeout is `DatabaseBusy`."""
        try:
            return await pending
        except (sqlite3.OperationalError, SAOperationalError) as exc:
            if _is_busy(exc):
                raise DatabaseBusy("the database is locked by another process") from exc
            raise

    def _close(self) -> None:
        if self.sa is not None:
            self.sa.close()
            self.sa.engine.dispose()
            self.sa = None

    async def close(self) -> None:
        if self.aio is not None:
            self.flush()  # commits waiting to be sent go before the close
            await self.aio._execute(self._close)
            await self.aio.close()
            self.aio = None

    # in the thread --------------------------------------------------------------------------------------

    def unit_hop(
        self, queued: list[tuple[Any, Any]], then: Callable[[Connection], T] | None, commit: bool,
        deps: tuple[Landing, ...] = (), landing: Landing | None = None,
    ) -> T | None:
        """Start the transaction if it is not started, run the queued writes and `then`, commit if asked.
        A failing commit hop rolls back before it returns, so nothing is left half-done (and marks its
        `landing` failed). A unit that read a value of a commit that failed (`deps`) is rolled back: the hops
        run in order, so every commit this unit depends on has been tried by now."""
        sa, raw = self.sa, self.raw
        assert sa is not None and raw is not None
        try:
            if deps and (refused := _earlier_failed(deps)):
                raise refused
            if not raw.in_transaction:
                raw.execute("BEGIN IMMEDIATE")  # on sqlite3 itself, cheaper than through an execution context,
                sa.begin()  # and SQLAlchemy told, so that it commits or rolls back that transaction (and Alembic
                # runs the migrations inside it)
            for statement, parameters in queued:
                _run(sa, statement, parameters)
            result = then(sa) if then is not None else None
            if commit:
                sa.commit()
            return result
        except BaseException:
            if landing is not None:
                landing.failed = True
            if commit or not raw.in_transaction:
                self.rollback_hop()
            raise

    def batch_hop(self, units: list[tuple[list[tuple[Any, Any]], tuple[Landing, ...], Landing]]) -> list[Any]:
        """Several units of work in one transaction: a unit whose writes fail (or that read a value of a commit
        that failed) is rolled back alone and gets its exception; the rest commit together. If the transaction
        itself fails (another process's lock past the busy timeout, the disk), all fail.

        Tried first without savepoints, and with the units' keyed writes merged into one statement each
        (`Prepared`; each SQLite call makes this thread wait for the event loop's GIL again, a savepoint costs
        two): if a write fails, the whole transaction is undone and tried again unit by unit, a savepoint each,
        so only the failing unit is undone."""
        try:
            return self._batch_attempt(units, savepoints=False)
        except _UnitFailed:
            return self._batch_attempt(units, savepoints=True)

    def _batch_attempt(
        self, units: list[tuple[list[tuple[Any, Any]], tuple[Landing, ...], Landing]], *, savepoints: bool
    ) -> list[Any]:
        sa, raw = self.sa, self.raw
        assert sa is not None and raw is not None and not raw.in_transaction
        try:
            raw.execute("BEGIN IMMEDIATE")
            sa.begin()
            results: list[Any] = []
            for queued, deps, landing in units:  # in order: a unit may have read a value of one before it here
                refused = _earlier_failed(deps) if deps else None
                if refused is not None:
                    landing.failed = True
                    results.append(refused)
                else:
                    results.append(self._in_savepoint(sa, raw, queued, landing) if savepoints else None)
            if not savepoints:  # the units' writes, all at once (a failing one sends the group to savepoints)
                live = [queued for (queued, *_), refused in zip(units, results, strict=True) if refused is None]
                try:
                    merged = _merged(live) if len(live) > 1 else None
                    if merged is None:
                        for queued in live:
                            for statement, parameters in queued:
                                _run(sa, statement, parameters)
                    else:
                        for statement, rows in merged:
                            if len(rows) == 1:
                                _run(sa, statement, rows[0])
                            else:
                                statement.run_rows(sa, rows)
                except Exception as exc:
                    raise _UnitFailed from exc
            sa.commit()
        except _UnitFailed:
            self.rollback_hop()  # nothing of the group is written; it is tried again, a savepoint a unit
            raise
        except BaseException:
            for *_, landing in units:
                landing.failed = True
            self.rollback_hop()
            raise
        return results

    @staticmethod
    def _in_savepoint(sa: Connection, raw: sqlite3.Connection, queued: list[tuple[Any, Any]], landing: Landing) -> Any:
        """One unit's writes in a savepoint: None, or its exception once they are undone."""
        raw.execute("SAVEPOINT emk_unit")
        try:
            for statement, parameters in queued:
                _run(sa, statement, parameters)
        except Exception as exc:
            try:
                raw.execute("ROLLBACK TO emk_unit")
                raw.execute("RELEASE emk_unit")
            except sqlite3.Error as undo:  # SQLite rolled back the whole transaction (disk, I/O): all fail
                raise exc from undo
            landing.failed = True
            return exc
        raw.execute("RELEASE emk_unit")
        return None

    def rollback_hop(self) -> None:
        assert self.sa is not None and self.raw is not None
        self.sa.rollback()
        if self.raw.in_transaction:  # begun on sqlite3 before SQLAlchemy was told (a failing sa.begin())
            self.raw.rollback()

    def checkpoint_hop(self) -> None:
        assert self.raw is not None
        self.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def read_hop(self, then: Callable[[Connection], T]) -> T:
        assert self.sa is not None
        return then(self.sa)  # autocommit: each statement sees the latest commit, holds no lock afterwards


def _settle(unit: Unit, landing: Landing, commit: asyncio.Future[None]) -> None:
    """A commit landed (in commit order: the thread runs them in order and the loop gets their results in
    order): publish its cached values, or drop them when it failed."""
    ok = not commit.cancelled() and commit.exception() is None
    if not ok:
        landing.failed = True  # set in the thread already; also for a commit that never ran
    for cache, key in unit.staged:
        cache._unpend(key, landing)
    if ok:
        unit._committed()


def _statement(statement: Any, parameters: Any) -> Callable[[Connection], Rows]:
    return lambda sa: _run(sa, statement, parameters)


class SqliteUnit(Unit):
    """A unit of work on the writer connection: writes are queued; a statement whose result is needed, and
    the commit, carry what is queued into the thread in the same hop."""

    def __init__(self, writer: _SqliteThread, dialect: Dialect) -> None:
        super().__init__()
        self._writer = writer
        self.dialect = dialect
        self._queue: list[tuple[Any, Any]] = []
        self.sent = False

    def _deps(self) -> tuple[Landing, ...]:
        return tuple(self.deps) if self.deps else ()  # a copy: the thread reads it while the loop runs on

    def _take(self) -> list[tuple[Any, Any]]:
        queued, self._queue = self._queue, []
        return queued

    async def _hop(self, then: Callable[[Connection], T] | None, commit: bool = False) -> T | None:
        self.sent = True
        return await self._writer.call(self._writer.unit_hop, self._take(), then, commit, self._deps())

    async def write(self, statement: Any, parameters: Any = None) -> None:
        self._queue.append((statement, parameters))

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return await self._hop(_statement(statement, parameters))

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result = await self._hop(lambda sa: fn(sa, *args, **kwargs))
        return result  # type: ignore[return-value]

    def _commit(self, landing: Landing) -> asyncio.Future[None] | None:
        """The commit, sent: its future (None: nothing was written or read, no hop at all). A unit that has
        not reached the thread yet (all its writes queued) commits together with others (`commit_later`)."""
        if not self.sent:
            if not self._queue:
                return None
            self.sent = True
            return self._writer.commit_later(self._take(), self._deps(), landing)
        return self._writer.submit(self._writer.unit_hop, self._take(), None, True, self._deps(), landing)

    async def _rollback(self) -> None:
        self._queue.clear()
        if self.sent:
            await self._writer.call(self._writer.rollback_hop)


class SqliteReader:
    """Reads on the reader connection: one hop a statement, never blocked by a writer (WAL)."""

    def __init__(self, reader: _SqliteThread, dialect: Dialect) -> None:
        self._reader = reader
        self.dialect = dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        return await self._reader.call(self._reader.read_hop, _statement(statement, parameters))

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self._reader.call(self._reader.read_hop, lambda sa: fn(sa, *args, **kwargs))


def _private(path: str) -> None:
    """The database and its -wal/-shm files readable by the owner only (SQLite gives -wal/-shm the mode of
    the database file, so creating that one 0600 is enough; older files are tightened)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for name in (path, path + "-wal", path + "-shm"):
        if os.path.exists(name) and os.stat(name).st_mode & 0o077:
            os.chmod(name, 0o600)


class AiosqliteEngine:
    """SQLite through aiosqlite: a writer connection for units of work, a reader connection for reads."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.url: URL = parsed
        database = parsed.database or ":memory:"
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _private(database)
        self._path = database
        self.dialect: Dialect = sqlite.dialect()  # replaced by the writer's own once it is open
        self.writer = _SqliteThread(database)
        self.reader = _SqliteThread(database)
        self._write_lock = asyncio.Lock()  # one unit of work at a time on the writer connection
        self._open: asyncio.Lock | None = None
        self._opened = False

    async def _ensure_open(self) -> None:
        if self._opened:
            return
        if self._open is None:
            self._open = asyncio.Lock()
        async with self._open:
            if not self._opened:
                await self.writer.open()  # the writer first: it switches the file to WAL
                await self.reader.open()
                assert self.writer.sa is not None
                self.dialect = self.writer.sa.dialect
                self._opened = True

    @property
    def hops(self) -> int:
        return self.writer.hops + self.reader.hops

    def begin(self) -> _SqliteTransaction:
        """A unit of work. Units run one at a time up to their commit; the commit is sent, the next unit may
        begin, and this one returns once its commit has landed (pipelined: the writer's thread commits one
        unit while the loop prepares the next, in order). Until it lands, the unit's cached values are
        visible as pending; a later unit that read one is refused if this commit fails."""
        return _SqliteTransaction(self)

    def connect(self) -> _SqliteReading:
        return _SqliteReading(self)

    async def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it (after an erasure: no earlier page image of the erased
        rows stays in the -wal file). Waits for the write lock; another process's reader may make it partial."""
        await self._ensure_open()
        async with self._write_lock:
            await self.writer.call(self.writer.checkpoint_hop)

    async def dispose(self) -> None:
        if self._opened:
            async with self._write_lock:
                await self.reader.close()
                await self.writer.close()
                self._opened = False


class _SqliteTransaction:
    """`AiosqliteEngine.begin()`: a class rather than an @asynccontextmanager, which costs an async generator,
    its finalizer hook and contextlib's wrapper on every wizard step."""

    __slots__ = ("_engine", "_unit")

    def __init__(self, engine: AiosqliteEngine) -> None:
        self._engine = engine
        self._unit: SqliteUnit | None = None

    async def __aenter__(self) -> SqliteUnit:
        engine = self._engine
        await engine._ensure_open()
        await engine._write_lock.acquire()
        try:
            self._unit = SqliteUnit(engine.writer, engine.dialect)
        except BaseException:
            engine._write_lock.release()
            raise
        return self._unit

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        engine, unit = self._engine, self._unit
        assert unit is not None
        if exc_type is not None:
            try:
                await unit._rollback()
            finally:
                engine._write_lock.release()
            return  # the exception goes on
        try:
            landing = Landing()
            commit = unit._commit(landing)
            if commit is not None:
                landing.landed = commit
                for (cache, key), value in unit.staged.items():
                    cache._pend(key, value, landing)
                commit.add_done_callback(partial(_settle, unit, landing))
        finally:
            engine._write_lock.release()
        if commit is None:
            # Nothing to commit, but what it read may be another unit's value still on its way: its answer
            # stands only once that has landed.
            waiting = [d.landed for d in unit.deps if d.landed is not None and not d.landed.done()]
            if waiting:
                await asyncio.wait(waiting)
            if refused := _earlier_failed(unit.deps):
                raise refused
            unit._committed()
            return
        # A cancelled caller leaves the commit running in the thread; the caches follow it when it lands.
        await engine.writer.landed(asyncio.shield(commit))


class _SqliteReading:
    """`AiosqliteEngine.connect()`: reads on the reader connection."""

    __slots__ = ("_engine",)

    def __init__(self, engine: AiosqliteEngine) -> None:
        self._engine = engine

    async def __aenter__(self) -> SqliteReader:
        await self._engine._ensure_open()
        return SqliteReader(self._engine.reader, self._engine.dialect)

    async def __aexit__(self, *exc: Any) -> None:
        return None


class AsyncUnit(Unit):
    """A unit of work (or a reading connection) on SQLAlchemy's AsyncEngine: every statement runs at once."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__()
        self.connection = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if isinstance(statement, Prepared):
            statement = statement.statement
        if parameters is None:
            return await self.connection.execute(statement)
        return await self.connection.execute(statement, parameters)

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.connection.run_sync(fn, *args, **kwargs)


class AsyncSqlEngine:
    """PostgreSQL (or any other SQLAlchemy async URL) through SQLAlchemy's AsyncEngine, behind the same API."""

    def __init__(self, url: str) -> None:
        self.async_engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True)

    @property
    def dialect(self) -> Dialect:
        return self.async_engine.dialect

    @property
    def url(self) -> URL:
        return self.async_engine.url

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncUnit]:
        async with self.async_engine.begin() as conn:
            unit = AsyncUnit(conn)
            yield unit
        unit._committed()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncUnit]:
        async with self.async_engine.connect() as conn:
            yield AsyncUnit(conn)

    async def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL's own WAL and VACUUM are the operator's (see the README)."""

    async def dispose(self) -> None:
        await self.async_engine.dispose()


DbEngine = AiosqliteEngine | AsyncSqlEngine


def create_engine(url: str) -> DbEngine:
    """The engine for DATABASE_URL: SQLite (`sqlite+aiosqlite:///...` or `sqlite:///...`) runs through
    `AiosqliteEngine`; PostgreSQL (`postgresql+asyncpg://...`) through SQLAlchemy's AsyncEngine."""
    if make_url(url).get_backend_name() == "sqlite":
        return AiosqliteEngine(url)
    return AsyncSqlEngine(url)


def upsert(dialect_name: str, table: Table, values: dict[str, Any], key: list[str], update: list[str]) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET update-columns, for SQLite and PostgreSQL."""
    module: Any = postgresql if dialect_name == "postgresql" else sqlite
    stmt = module.insert(table).values(**values)
    if not update:
        return stmt.on_conflict_do_nothing(index_elements=key)
    return stmt.on_conflict_do_update(index_elements=key, set_={c: stmt.excluded[c] for c in update})


# --- one transaction per unit of work ------------------------------------------------------------------
#
# Repositories write through `transaction(engine)` and read through `reading(engine)`. Inside an
# outer `transaction(...)` block (a use case saving a draft and moving the conversation to the next step)
# they all join the same unit: one commit instead of several, and the draft and the conversation state can
# never disagree after a crash. Reads inside a transaction see its own writes.

_current: ContextVar[Unit | None] = ContextVar("emk_db_unit", default=None)


class _Joined:
    """`transaction(...)` / `reading(...)`: join the unit of work already open in this task, or open one (a
    transaction on `engine.begin()`, a reading connection on `engine.connect()`). A class rather than an
    @asynccontextmanager: a wizard step enters three of them (the use case's, the repository's, the FSM
    storage's), and a generator-based context manager costs several times as much to enter and leave."""

    __slots__ = ("_engine", "_outer", "_token", "_write")

    def __init__(self, engine: Any, write: bool) -> None:
        self._engine = engine
        self._write = write
        self._outer: Any = None
        self._token: Any = None

    async def __aenter__(self) -> Any:
        current = _current.get()
        if current is not None:
            return current
        if not self._write:
            self._outer = self._engine.connect()
            return await self._outer.__aenter__()
        self._outer = self._engine.begin()
        conn = await self._outer.__aenter__()
        self._token = _current.set(conn)
        return conn

    async def __aexit__(self, *exc: Any) -> bool | None:
        if self._outer is None:
            return None
        if self._token is not None:
            _current.reset(self._token)
        result: bool | None = await self._outer.__aexit__(*exc)
        return result


def transaction(engine: Any) -> _Joined:
    return _Joined(engine, write=True)


def reading(engine: Any) -> _Joined:
    return _Joined(engine, write=False)


# --- write-through caches that never run ahead of the database ---------------------------------------------

_MISSING: Any = object()
_DROPPED: Any = object()  # staged or pending: the key was deleted


class WriteThroughCache(Generic[K, V]):
    """What the database holds for keys this process owns (its users, profiles, conversations).

    A transaction's writes are staged on its unit (`put`, `drop`): the transaction itself sees its own staged
    values, a rollback leaves the cache as it was. Once its commit is sent, they are *pending*: the units of
    work that begin before it lands see them (they will find them in the database), and a unit that reads one
    depends on that commit (AiosqliteEngine refuses it if that commit fails); reads outside a transaction see
    only what has landed. When the commit lands they are published, or dropped if it failed. A value read outside a
    transaction (`fill`) is kept only if nothing was published while it was being read, so a slow read cannot
    overwrite a newer commit.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._data: dict[K, V] = {}
        self._pending: dict[K, tuple[Any, Landing]] = {}  # the latest commit in flight for the key
        self._size = size
        self._version = 0

    def get(self, key: K) -> V | None:
        unit = _current.get()
        if unit is not None:
            if unit.staged:
                staged = unit.staged.get((self, key), _MISSING)
                if staged is not _MISSING:
                    return None if staged is _DROPPED else staged
            if self._pending:
                pending = self._pending.get(key)
                if pending is not None:
                    value, landing = pending
                    unit.deps.add(landing)
                    return None if value is _DROPPED else value
        return self._data.get(key)

    def token(self) -> int:
        """Take before reading from the database; give to `fill`."""
        return self._version

    def fill(self, key: K, value: V, token: int) -> V:
        """A value just read from the database."""
        if _current.get() is not None:
            self.put(key, value)  # read inside a transaction: true once it commits
        elif token == self._version:
            self._store(key, value)
        return value

    def put(self, key: K, value: V) -> V:
        """A value just written in the current transaction: visible to others once it commits."""
        unit = _current.get()
        if unit is None:
            raise RuntimeError("WriteThroughCache.put outside a transaction")
        unit.staged[(self, key)] = value
        return value

    def drop(self, key: K) -> None:
        """A value deleted in the current transaction: forgotten once it commits (a rollback keeps it)."""
        unit = _current.get()
        if unit is None:
            raise RuntimeError("WriteThroughCache.drop outside a transaction")
        unit.staged[(self, key)] = _DROPPED  # read as 'not cached' for the rest of this transaction

    def clear(self) -> None:
        self._data.clear()
        self._version += 1

    def _pend(self, key: K, value: Any, landing: Landing) -> None:
        self._pending[key] = (value, landing)

    def _unpend(self, key: K, landing: Landing) -> None:
        pending = self._pending.get(key)
        if pending is not None and pending[1] is landing:
            del self._pending[key]

    def _publish(self, key: K, value: Any) -> None:
        self._version += 1
        if value is _DROPPED:
            self._data.pop(key, None)
        else:
            self._store(key, value)

    def _store(self, key: K, value: V) -> None:
        if key not in self._data and len(self._data) >= self._size:
            self._data.pop(next(iter(self._data)))
        self._data[key] = value
