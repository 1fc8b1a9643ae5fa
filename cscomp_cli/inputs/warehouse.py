"""Reading a data map table from a SQL database (PostgreSQL, Snowflake, BigQuery, SQLite) through SQLAlchemy:
the map's one SELECT run read-only, within a time limit, streamed in batches within the size budget a
Parquet file has, and its result turned into the text cells an export file gives, so every check after
it (amounts, dates, value maps, names) is the one files go through and every message names the query's
row and column.

No password is ever shown: the url is named with its password hidden, and a password (the url's, one
from PGPASSWORD, or a url_env's whole url) that a driver's message repeats is masked.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, MapError
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.datamap import MAP_FILE, Table
from cscomp_cli.inputs.export_cells import ARROW_TEXT, ExportCells
from cscomp_cli.inputs.export_reading import referenced_headers
from cscomp_cli.inputs.files import DATA_DOC, Origin, refuse_controls
from cscomp_cli.inputs.parquet_files import MAX_CELLS, MAX_TEXT_BYTES
from cscomp_cli.inputs.query_cells import column_text, read_only_problem

BATCH_ROWS = 20_000  # rows fetched at a time: the driver never holds the whole result
CONNECT_SECONDS = 15
# The optional install that brings each database's driver (pyproject.toml's extras).
EXTRAS = {"postgresql": "postgres", "snowflake": "snowflake", "bigquery": "bigquery", "sqlite": "warehouse"}
_SECTION = f"{DATA_DOC} (Reading from a warehouse)"


def read_query(folder: Path, name: str, table: Table, label: str, skip: set[str] = frozenset(),
               optional: list[str] = ()) -> ExportCells:
    """The table's cells from its query, as read_export gives a file's: the columns the map names (but those
    of ``skip``) and those of ``optional`` the result has, each row keyed 1, 2, … in the query's order."""
    source = table.database
    where = f"tables.{name}.source"
    problem = read_only_problem(source.query)
    if problem is not None:
        raise MapError(f"the query must be a single SELECT (or WITH ... SELECT): {problem}", file=label,
                       location=f"{where}.query",
                       hint=f"cscomp only reads: write the one SELECT that returns the table's rows, and connect as a "
                       f"role that may only read; see {_SECTION}")
    wanted = referenced_headers(name, table, skip)
    optional = [spelling for column in optional for spelling in dict.fromkeys([column, column.replace("_", " ")])]
    secrets = _Secrets()
    url_text = _url_text(source, where, label, secrets)
    sqlalchemy = _sqlalchemy(url_text, where, label, secrets)
    url = _parsed(sqlalchemy, url_text, folder, where, label, secrets, named=source.url_env)
    engine = _engine(sqlalchemy, url, where, label, secrets)
    try:
        header, picked, rows, dated = _run(sqlalchemy, engine, url, source, wanted, optional, name, label, secrets,
                                           decimal=table.decimal or ".")
    finally:
        engine.dispose()
    cells = pd.DataFrame({want: pd.Series(column, dtype=ARROW_TEXT) for want, column in picked.items()})
    cells.index = pd.RangeIndex(1, rows + 1)
    cells["line"] = cells.index.to_numpy()
    # One part, as one file is, so a roster joined from a query and a history file names each row's own place.
    origin = Origin(Path(label), files=(Path(label),), starts=(1,), lines=np.arange(1, rows + 1, dtype="int64"),
                    places=("row",), query=where)
    export = ExportCells(cells, origin, ",", header,
                         {want: pd.Series(mask, index=cells.index) for want, mask in dated.items()})
    headers = [c for c in cells.columns if c != "line"]
    refuse_controls(origin, cells, headers)
    # A row whose every named cell is blank holds nothing to read, as a spacer line in a file.
    blank = (cells[headers] == "").all(axis=1) if headers else pd.Series(False, index=cells.index)
    export.cells = cells.loc[~blank]
    return export


class _Secrets:
    """The passwords this read may come across, masked in every message a database or its driver writes."""

    def __init__(self) -> None:
        self.known = [s for s in (os.environ.get("PGPASSWORD"),) if s]

    def add(self, *secrets: str | None) -> None:
        self.known += [s for s in secrets if s]

    def masked(self, text: str) -> str:
        for secret in sorted(self.known, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _url_text(source, where: str, label: str, secrets: _Secrets) -> str:
    if source.url is not None:
        return source.url
    url = os.environ.get(source.url_env, "").strip()
    if not url:
        raise MapError(f"the environment variable {source.url_env} (url_env) is not set", file=label,
                       location=f"{where}.url_env",
                       hint=f"set {source.url_env} to the database's url before running cscomp, e.g. export "
                       f"{source.url_env}='postgresql+psycopg://reader@db.example.com/revops'; see {_SECTION}")
    secrets.add(url)
    return url


def _backend(url_text: str) -> str:
    return re.split(r"[+:]", url_text, maxsplit=1)[0].strip().lower()


def _install_hint(backend: str) -> str:
    extra = EXTRAS.get(backend)
    if extra is None:
        return f"install SQLAlchemy's dialect for {backend} (its driver package); see {_SECTION}"
    return f"pip install 'cscomp[{extra}]'; see {_SECTION}"


def _sqlalchemy(url_text: str, where: str, label: str, secrets: _Secrets):
    """SQLAlchemy, imported only when a map reads a database (it adds a fifth of a second to a start)."""
    try:
        import sqlalchemy
        import sqlalchemy.exc  # noqa: F401  (the errors caught below)
    except ImportError:
        raise MapError("reads a table from a database, which needs SQLAlchemy, and it is not installed", file=label,
                       location=where, hint=_install_hint(_backend(url_text))) from None
    return sqlalchemy


def _parsed(sqlalchemy, url_text: str, folder: Path, where: str, label: str, secrets: _Secrets, named: str | None):
    key = f"{where}.url_env" if named else f"{where}.url"
    try:
        url = sqlalchemy.engine.make_url(url_text)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        # SQLAlchemy's own message repeats the url, which may hold a password: never shown.
        raise MapError(f"{'the url in ' + named if named else 'the url'} is not a database url", file=label,
                       location=key, hint="write it as dialect+driver://user@host:port/database, e.g. "
                       f"postgresql+psycopg://reader@db.example.com/revops or sqlite:///warehouse.db; see {_SECTION}"
                       ) from None
    secrets.add(url.password if isinstance(url.password, str) else None)
    backend = url.get_backend_name()
    if url.drivername == "postgresql":  # SQLAlchemy's default PostgreSQL driver is psycopg2; cscomp installs psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        path = Path(url.database).expanduser()
        path = path if path.is_absolute() else Path(folder) / path  # as files: are, relative to the data folder
        if not path.is_file():
            # Connecting would create an empty database and read no rows from it.
            raise DataError(f"has no SQLite database {path}", file=label, location=key,
                            hint="a relative path in sqlite:///name.db is read from the data folder; name the database "
                            f"file as it is; see {_SECTION}")
        url = url.set(database=str(path))
    return url


def _shown(url, named: str | None = None) -> str:
    shown = url.render_as_string(hide_password=True)
    return f"{shown} (from {named})" if named else shown


def _engine(sqlalchemy, url, where: str, label: str, secrets: _Secrets):
    backend = url.get_backend_name()
    connect_args = {}
    if backend == "postgresql":
        connect_args = {key: value for key, value in (("connect_timeout", CONNECT_SECONDS),
                                                      ("application_name", "cscomp")) if key not in url.query}
    try:
        return sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool, connect_args=connect_args)
    except (sqlalchemy.exc.NoSuchModuleError, ImportError) as exc:
        driver = getattr(exc, "name", None)
        raise MapError(f"cannot read a {backend} database: {'its driver ' + driver if driver else 'its driver'} is "
                       "not installed", file=label, location=where, hint=_install_hint(backend)) from None
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise MapError(f"cannot open the database: {_reason(exc, secrets)}", file=label, location=where,
                       hint=f"see {_SECTION}") from None


def _reason(exc: BaseException, secrets: _Secrets) -> str:
    """What went wrong, from the driver's own message (SQLAlchemy's wrapper adds the SQL and a link), on one
    line, every password masked."""
    inner = getattr(exc, "orig", None) or exc
    text = " ".join(str(inner).split()) or type(inner).__name__
    text = secrets.masked(text)
    return text if len(text) <= 300 else text[:300] + "…"


def _prepare(connection, backend: str, seconds: int) -> float:
    """The session made read-only and given its time limit where the database has one; the deadline."""
    deadline = time.monotonic() + seconds
    if backend == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds) * 1000}")
    elif backend == "snowflake":
        connection.exec_driver_sql(f"ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = {int(seconds)}")
    elif backend == "sqlite":
        raw = connection.connection.dbapi_connection
        raw.execute("PRAGMA query_only = ON")
        # SQLite has no statement timeout: the query is interrupted once past its deadline.
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    return deadline


def _run(sqlalchemy, engine, url, source, wanted: list[str], optional: list[str], name: str, label: str,
         secrets: _Secrets, decimal: str):
    """The result's whole header, the named columns' text cells (by the map's spelling), the row count, and
    which rows of each column held a real date."""
    where = f"tables.{name}.source"
    backend = url.get_backend_name()
    shown = _shown(url, source.url_env)
    try:
        connection = engine.connect()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise DataError(f"cannot connect to the database {secrets.masked(shown)}: {_reason(exc, secrets)}",
                        file=label, location=where,
                        hint="check the url, that the server is running and reachable from here, and the password "
                        "(PostgreSQL reads it from PGPASSWORD, PGPASSFILE or ~/.pgpass; never write it in "
                        f"{MAP_FILE}); see {_SECTION}") from None
    columns: dict[str, list] = {}
    dated: dict[str, list] = {}
    rows = 0
    started = time.monotonic()
    try:
        with connection:
            try:
                _prepare(connection, backend, source.timeout)
                result = connection.execution_options(stream_results=True, no_parameters=True,
                                                      yield_per=BATCH_ROWS).exec_driver_sql(source.query)
                header = tuple(str(k).strip() for k in result.keys())
                picked = _pick(header, wanted, optional, where, label)
                columns = {want: [] for want in picked}
                text_bytes = 0
                for batch in result.partitions(BATCH_ROWS):
                    rows += len(batch)
                    if rows * max(len(picked), 1) > MAX_CELLS:
                        raise DataError(f"the query returns more than {MAX_CELLS // max(len(picked), 1):,} rows of "
                                        f"the {len(picked)} columns the map names, more than the {MAX_CELLS:,} cells "
                                        "cscomp reads", file=label, location=f"{where}.query",
                                        hint=f"select only the rows the replay needs (the quarters, the CS team); "
                                        f"see {_SECTION}")
                    by_column = list(zip(*batch)) if batch else []
                    for want, i in picked.items():
                        cells, real = column_text(list(by_column[i]) if by_column else [], decimal)
                        text_bytes += int(cells.str.len().sum()) if len(cells) else 0
                        columns[want].append(cells)
                        if real is not None:
                            dated.setdefault(want, []).append((rows - len(batch), real))
                    if text_bytes > MAX_TEXT_BYTES:
                        raise DataError(f"the columns the map names hold more than {MAX_TEXT_BYTES / 1024**3:g} GB of "
                                        "text", file=label, location=f"{where}.query",
                                        hint=f"select fewer rows or shorter columns; see {_SECTION}")
            finally:
                # Nothing was meant to change: whatever the session did is undone.
                if connection.in_transaction():
                    connection.rollback()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _query_error(exc, backend, source, where, label, secrets, time.monotonic() - started) from None
    joined = {want: pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
              for want, parts in columns.items()}
    marks = {}
    for want, parts in dated.items():
        mask = np.zeros(rows, dtype=bool)
        for start, real in parts:
            mask[start:start + len(real)] = real
        marks[want] = mask
    return header, joined, rows, marks


def _query_error(exc, backend: str, source, where: str, label: str, secrets: _Secrets, spent: float) -> DataError:
    reason = _reason(exc, secrets)
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    timed_out = sqlstate == "57014" or (backend == "sqlite" and "interrupted" in reason.lower())
    if timed_out or (spent >= source.timeout and "timeout" in reason.lower()):
        return DataError(f"the query took longer than its {source.timeout} s and was stopped", file=label,
                         location=f"{where}.query",
                         hint=f"select fewer rows, or give it more time with {where}.timeout (seconds); see {_SECTION}")
    if sqlstate == "25006" or "readonly" in reason.lower().replace("-", "").replace(" ", ""):
        return DataError(f"the database refused the query as a write: {reason}", file=label, location=f"{where}.query",
                         hint=f"cscomp only reads: write a SELECT; see {_SECTION}")
    return DataError(f"the database refused the query: {reason}", file=label, location=f"{where}.query",
                     hint=f"run the query in your SQL client to correct it, then copy it into {MAP_FILE}; see {_SECTION}")


def _pick(header: tuple[str, ...], wanted: list[str], optional: list[str], where: str, label: str) -> dict[str, int]:
    """Each column the map names (and each of ``optional`` the result has) -> its position in the result,
    matched as a file's header is (spaces, case and accents ignored)."""
    spelled: dict[str, list[int]] = {}
    for i, column in enumerate(header):
        spelled.setdefault(folded(column), []).append(i)
    picked = {}
    wanted_folded = {folded(w) for w in wanted}
    for want in [*wanted, *(o for o in optional if folded(o) not in wanted_folded and folded(o) in spelled)]:
        found = spelled.get(folded(want), [])
        if not found:
            shown = ", ".join(header[:12]) + (" …" if len(header) > 12 else "")
            raise DataError(f"the query returns no column '{want}', which the data map names", file=label,
                            location=f"{where}.query",
                            hint=f"its columns are {shown or 'none'}; name one of them in the map, or give the query's "
                            f"column that name (SELECT paid AS \"{want}\"); see {_SECTION}")
        if len(found) > 1:
            raise DataError(f"the query returns two columns named '{header[found[0]]}'", file=label,
                            location=f"{where}.query",
                            hint=f"give one of them another name (AS ...), so the map can say which it means; see "
                            f"{_SECTION}")
        picked[want] = found[0]
    return picked
