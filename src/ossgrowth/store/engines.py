"""Build SQLAlchemy engines for the supported store URLs and translate driver errors.

SQLite: WAL journal, a busy timeout, foreign keys on, and ``BEGIN IMMEDIATE`` for write
transactions so concurrent writers queue instead of failing. PostgreSQL (psycopg 3): each
environment lives in its own schema, selected with ``search_path`` on every connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ossgrowth.config import mask_url_password
from ossgrowth.errors import (
    ConfigError,
    OssgrowthError,
    StoreError,
    StoreUnreachable,
    StoreUnwritable,
)

__all__ = [
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "READ_OPTION",
    "WRITE_OPTION",
    "create_store_engine",
    "read_options",
    "describe_url",
    "translated_errors",
]

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
READ_OPTION = "ossgrowth_read"
"""Execution option marking a one-statement read: no transaction is opened for it."""
WRITE_OPTION = "ossgrowth_write"
"""Execution option marking a connection whose transaction writes (SQLite: BEGIN IMMEDIATE)."""

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def describe_url(url: str) -> str:
    """Where a store URL points, password hidden, for messages."""
    if url.split(":", 1)[0].lower() == "dynamodb":
        from ossgrowth.store.dynamo_tables import DynamoLocation

        try:
            where = DynamoLocation.parse(url)
        except OssgrowthError:
            return mask_url_password(url)
        place = where.endpoint or f"region {where.region or '(from the AWS configuration)'}"
        prefix = f", tables {where.table_prefix}…" if where.table_prefix else ""
        return f"DynamoDB at {place}{prefix}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return mask_url_password(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{host}{port}/{parsed.database or ''}"


def create_store_engine(url: str, *, schema: str) -> Engine:
    """An engine for ``url``; ``schema`` is the PostgreSQL schema of the environment.

    Raises:
        ConfigError: the URL is malformed or names an unsupported database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"store URL {mask_url_password(url)!r} is not a URL; use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/DATABASE"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed.database)
    if backend == "postgresql":
        if parsed.get_driver_name() not in {"psycopg", "psycopg2"} or "+" not in parsed.drivername:
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_driver_name() != "psycopg":
            raise ConfigError("PostgreSQL stores use the psycopg 3 driver: postgresql+psycopg://…")
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(f"PostgreSQL schema {schema!r} is not a plain lower-case name")
        return _postgres_engine(parsed.render_as_string(hide_password=False), schema)
    if backend == "dynamodb":
        raise ConfigError("the DynamoDB store is not available in this version")
    raise ConfigError(
        f"unsupported store URL {mask_url_password(url)!r}; use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST:PORT/DATABASE"
    )


def _sqlite_engine(database: str | None) -> Engine:
    if database and database != ":memory:":
        path = Path(database).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"cannot create the folder of {path}: {error.strerror}") from None
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
    else:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )

    if database and database != ":memory:":
        _guard_file_identity(engine, Path(database).expanduser())

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(READ_OPTION):
            return  # one-statement reads run in SQLite's own autocommit
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")

    return engine


def _guard_file_identity(engine: Engine, path: Path) -> None:
    """Refuse to go on once the SQLite file is deleted or replaced under a running process.

    SQLite keeps writing into a deleted file through the handles it holds, and a new
    connection would make a new, empty file at the same path: either way what is written is
    lost. Each checkout compares the file at ``path`` with the one first opened (a ``stat``:
    about a microsecond) and raises :class:`StoreUnreachable` when it differs, which the API
    answers with 503 and ``/ready`` reports.
    """
    opened: list[tuple[int, int]] = []
    lost: list[bool] = []  # once lost, for good: a new file may even reuse the old inode

    @event.listens_for(engine, "checkout")
    def _same_file(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        try:
            found = path.stat()
        except FileNotFoundError:
            found = None
        identity = None if found is None else (found.st_dev, found.st_ino)
        if not opened and identity is not None:
            opened.append(identity)
        if lost or identity is None or identity != opened[0]:
            lost.append(True)
            raise StoreUnreachable(
                f"the store file {path} was deleted or replaced while this process had it "
                "open; nothing more is written to it: restore the file and restart"
            )


def read_options(engine: Engine) -> dict[str, Any]:
    """Execution options for reads: no BEGIN/ROLLBACK round trips around a single SELECT."""
    if engine.dialect.name == "postgresql":
        return {"isolation_level": "AUTOCOMMIT"}
    return {READ_OPTION: True}


def _postgres_engine(url: str, schema: str) -> Engine:
    # JIT compilation off: every statement of the store is an index seek or range, and a
    # range whose size the planner cannot know (a recent stretch) looks costly enough to it to
    # spend ~100 ms compiling a plan that then runs in less.
    return create_engine(
        url,
        connect_args={"options": f"-c search_path={schema} -c jit=off", "connect_timeout": 5},
    )


def ensure_postgres_schema(engine: Engine, schema: str) -> None:
    """Create the environment's schema when it does not exist yet."""
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


@contextmanager
def translated_errors(engine: Engine) -> Iterator[None]:
    """Turn driver errors into StoreUnreachable / StoreError with one clear line."""
    try:
        yield
    except NoSuchModuleError as error:
        raise ConfigError(f"the database driver is not installed: {error}") from None
    except DBAPIError as error:
        driver_error = error.orig if error.orig is not None else error
        raise _translated(engine, driver_error, error.connection_invalidated) from None
    except SQLAlchemyError as error:
        raise StoreError(f"store error: {_first_line(error)}") from None
    except engine.dialect.loaded_dbapi.Error as error:  # raised by the driver on a raw cursor
        raise _translated(engine, error, invalidated=False) from None


UNWRITABLE_PHRASES = (
    "disk is full",
    "no space left",
    "readonly database",
    "read-only transaction",
    "read-only file system",
)
"""What SQLite and PostgreSQL say when they answer but cannot write."""


def is_unwritable(error: BaseException) -> bool:
    """Whether ``error`` says the store is full or read-only."""
    message = str(getattr(error, "orig", None) or error).lower()
    return any(phrase in message for phrase in UNWRITABLE_PHRASES)


def _translated(engine: Engine, error: BaseException, invalidated: bool) -> StoreError:
    """One line naming where the store is and what the driver said; passwords hidden."""
    where = describe_url(engine.url.render_as_string(hide_password=True))
    if is_unwritable(error):
        return StoreUnwritable(
            f"the store at {where} refuses writes: {_first_line(error)} (free disk space, "
            "or make it writable; nothing was written)"
        )
    if invalidated or _is_connection_failure(error, engine):
        name = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
        return StoreUnreachable(f"cannot reach {name} at {where}: {_first_line(error)}")
    return StoreError(f"store error at {where}: {_first_line(error)}")


def _is_connection_failure(orig: BaseException | None, engine: Engine) -> bool:
    if isinstance(orig, engine.dialect.loaded_dbapi.OperationalError):
        message = str(orig).lower()
        return any(
            phrase in message
            for phrase in (
                "connection",
                "could not connect",
                "unable to open database",
                "does not exist",
                "timeout expired",
                "authentication failed",
                "no password supplied",
            )
        )
    return False


def _first_line(error: object) -> str:
    text_of_error = str(error).strip()
    return text_of_error.splitlines()[0] if text_of_error else type(error).__name__


def positional_sql(statement: Any, engine: Engine) -> str:
    """Compile ``statement`` for ``engine``'s driver with positional parameters in bind order.

    The order is the order in which bind parameters appear in the statement; callers pass their
    values in that order.
    """
    dialect = engine.dialect
    compiled = statement.compile(dialect=dialect)
    if compiled.positiontup is not None:  # qmark / format paramstyles are positional already
        return str(compiled)
    names = list(compiled.binds)
    sql = str(compiled)
    positions = sorted(names, key=lambda name: sql.index(f"%({name})s"))
    if positions != names:
        raise StoreError(f"bind parameters out of order in: {sql}")
    return sql % {name: "%s" for name in names}


_PINNED: ContextVar[tuple[object, Connection] | None] = ContextVar(
    "ossgrowth_pinned_read", default=None
)
"""The store whose reads go through one connection (its snapshot), and that connection."""


@contextmanager
def pinned_reads(owner: object, connection: Connection) -> Iterator[None]:
    """Reads of ``owner`` in this context go through ``connection`` (see ``SqlStore.snapshot``)."""
    token = _PINNED.set((owner, connection))
    try:
        yield
    finally:
        _PINNED.reset(token)


def pinned_connection(owner: object) -> Connection | None:
    """The connection ``owner``'s reads are pinned to here, or ``None``."""
    pinned = _PINNED.get()
    return pinned[1] if pinned is not None and pinned[0] is owner else None
