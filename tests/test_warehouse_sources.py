"""Reading the data map's tables from a SQL database (tables.NAME.source: {url | url_env, query}): SQLite
(a file made here with Python's sqlite3) and a real PostgreSQL server (bash .ci/run starts one and sets
CSCOMP_TEST_POSTGRES_URL), never a mock. A table read from a query replays exactly as the same rows
written as CSV, its errors name the query's row and column, only a SELECT is run, and no password is
ever shown.

The org (the two CSMs of test_datamap_sources), under QUOTA_PLAN (curve [[0.9, 0], [1, 1], [1.1, 1.5]],
target from quotas):
- C1 (Ana Pérez): nrr (100,000 + 10,000) / 100,000 = 1.1, quota 1.0 -> attainment 1.1 -> fraction 1.5;
  TV 20,000 / 4 = 5,000 -> 7,500.00
- C2 (Bo Chen), hired 2026-02-15: employed 14 + 31 = 45 of Q1's 31 + 28 + 31 = 90 days -> TV 2,500;
  nrr (100,000 − 4,000) / 100,000 = 0.96, quota 0.8 -> attainment 1.2, past the last point -> 1.5 -> 3,750.00
- paid (payroll, REG rows left out by the query): C1 6,250.45; C2 1,500.10 bonus − 200.05 clawback = 1,300.05
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import assert_user_error, run, write_files

QUOTA_PLAN = """\
name: nrr on quotas
components:
  - id: retention
    metric: nrr
    weight: 1.0
    target: quotas
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
"""
EXPECTED = {"C1": (5000.0, 7500.0, 6250.45), "C2": (2500.0, 3750.0, 1300.05)}  # worked in the docstring

CANONICAL = {
    "accounts": """\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn
        2026Q1,A1,C1,100000,10000,0,0
        2026Q1,A2,C2,100000,0,4000,0
        """,
    "roster": """\
        csm_id,name,segment,annual_base,annual_variable,start_date
        C1,Ana Pérez,Enterprise,100000,20000,2021-01-04
        C2,Bo Chen,SMB,100000,20000,2026-02-15
        """,
    "payouts": """\
        quarter,csm_id,amount,component
        2026Q1,C1,6250.45,bonus
        2026Q1,C2,1500.10,bonus
        2026Q1,C2,-200.05,clawback
        """,
    "quotas": """\
        quarter,csm_id,component,target
        2026Q1,C1,retention,1.0
        2026Q1,C2,retention,0.8
        """,
}

# The same rows as the warehouse holds them: the CRM's owner names, the HR system's own column names,
# payroll by pay date (a quarter's bonus paid the month after it closes) with its salary rows.
ROWS = {
    "crm_accounts": ("account_id TEXT, owner TEXT, period TEXT, beginning_arr {money}, upsell {money}, "
                     "downsell {money}, churned {money}",
                     [("A1", "Ana Pérez", "2026Q1", "100000.00", "10000.00", "0", "0"),
                      ("A2", "Bo Chen", "2026Q1", "100000.00", "0", "4000.00", "0")]),
    "hr_workers": ("employee_id TEXT, full_name TEXT, segment TEXT, base_salary {money}, target_incentive {money}, "
                   "hired {date}",
                   [("C1", "Ana Pérez", "Enterprise", "100000.00", "20000.00", "2021-01-04"),
                    ("C2", "Bo Chen", "SMB", "100000.00", "20000.00", "2026-02-15")]),
    "payroll": ("paid_on {date}, employee_id TEXT, code TEXT, amount_usd {money}",
                [("2026-04-15", "C1", "QBON", "6250.45"), ("2026-04-15", "C2", "QBON", "1500.10"),
                 ("2026-04-15", "C2", "REG", "8333.33"), ("2026-04-30", "C2", "CLAW", "-200.05")]),
    "quota_sheet": ("period TEXT, employee_id TEXT, component TEXT, quota {money}",
                    [("2026Q1", "C1", "retention", "1.0"), ("2026Q1", "C2", "retention", "0.8")]),
}


def map_text(source: str, schema: str = "") -> str:
    """A map reading all four tables from one database; ``source`` is the url line (url: or url_env:)."""
    at = f"{schema}." if schema else ""
    return textwrap.dedent(f"""\
        version: 1
        tables:
          accounts:
            source:
              {source}
              query: SELECT account_id, owner, period, beginning_arr, upsell, downsell, churned FROM {at}crm_accounts
            columns:
              quarter: period
              account_id: account_id
              csm_id: {{column: owner, match: name}}
              arr_start: beginning_arr
              expansion: upsell
              contraction: downsell
              churn: churned
          roster:
            source:
              {source}
              query: SELECT employee_id, full_name, segment, base_salary, target_incentive, hired FROM {at}hr_workers
            columns:
              csm_id: employee_id
              name: full_name
              segment: segment
              annual_base: base_salary
              annual_variable: target_incentive
              start_date: hired
          payouts:
            source:
              {source}
              query: |
                -- bonuses only: salary (REG) is not variable pay
                WITH variable AS (SELECT * FROM {at}payroll WHERE code <> 'REG')
                SELECT paid_on, employee_id, code, amount_usd FROM variable ORDER BY paid_on, employee_id;
            columns:
              quarter: {{column: paid_on, from: date, paid_months_after: 1}}
              csm_id: employee_id
              amount: amount_usd
              component: {{column: code, values: {{QBON: bonus, CLAW: clawback}}}}
          quotas:
            source:
              {source}
              query: SELECT period, employee_id, component, quota FROM {at}quota_sheet
            columns:
              quarter: period
              csm_id: employee_id
              component: component
              target: quota
        """)


def sqlite_db(path: Path, rows: dict = ROWS) -> Path:
    """The warehouse as a SQLite file: amounts as NUMERIC (SQLite keeps 6250.45 as a REAL, 0 as an INTEGER)."""
    with sqlite3.connect(path) as db:
        for table, (columns, values) in rows.items():
            db.execute(f"CREATE TABLE {table} ({columns.format(money='NUMERIC', date='DATE')})")
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values[0]))})",
                           [tuple(_sqlite_value(v) for v in row) for row in values])
    return path


def _sqlite_value(value: str):
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def sqlite_folder(tmp_path: Path, rows: dict = ROWS, **map_changes: str) -> Path:
    folder = tmp_path / "warehouse"
    folder.mkdir()
    sqlite_db(folder / "revops.db", rows)
    text = map_text("url: sqlite:///revops.db")
    for old, new in map_changes.items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "cscomp-data.yaml").write_text(text)
    return folder


def plan_file(tmp_path: Path) -> Path:
    return write_files(tmp_path, **{"plan.yaml": QUOTA_PLAN}) / "plan.yaml"


def replay(folder: Path, tmp_path: Path, env: dict | None = None) -> dict:
    result = run("stress-test", plan_file(tmp_path), "--data", folder, "--quarters", "1", "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def payouts(document: dict) -> dict:
    return {row["csm_id"]: (row["target_variable"], row["proposed"], row["actual"]) for row in document["rows"]}


def test_the_canonical_csv_folder_pays_what_the_arithmetic_says(tmp_path):
    document = replay(write_files(tmp_path / "canonical", **CANONICAL), tmp_path)
    assert payouts(document) == EXPECTED


def test_every_table_read_from_sqlite_replays_exactly_as_the_same_rows_in_csv(tmp_path):
    from_db = replay(sqlite_folder(tmp_path), tmp_path)
    from_csv = replay(write_files(tmp_path / "canonical", **CANONICAL), tmp_path)
    assert payouts(from_db) == EXPECTED
    assert from_db["rows"] == from_csv["rows"]
    assert from_db["summary"] == from_csv["summary"]


def test_validate_says_each_table_came_from_its_query(tmp_path):
    result = run("validate", plan_file(tmp_path), "--data", sqlite_folder(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    checked = json.loads(result.stdout)["checked"]
    assert {name: checked[name]["from"] for name in ("accounts.csv", "payouts.csv", "quotas.csv")} == {
        "accounts.csv": "the query in tables.accounts.source", "payouts.csv": "the query in tables.payouts.source",
        "quotas.csv": "the query in tables.quotas.source"}
    assert checked["payouts.csv"]["rows"] == 3  # the REG row left out by the query's WHERE


def test_a_bad_amount_names_the_query_row_and_column(tmp_path):
    rows = dict(ROWS)
    columns, values = ROWS["payroll"]
    # Row 3 of the query's result (ordered by pay date, then employee): C2's clawback on 2026-04-30.
    rows["payroll"] = (columns, [*values[:3], ("2026-04-30", "C2", "CLAW", "lots")])
    result = run("stress-test", plan_file(tmp_path), "--data", sqlite_folder(tmp_path, rows))
    assert_user_error(result, "cscomp-data.yaml", "row 3 of the query in tables.payouts.source",
                      "column amount_usd", "'lots' is not an amount")


def test_a_column_the_query_does_not_return_is_named_with_the_columns_it_does(tmp_path):
    folder = sqlite_folder(tmp_path, **{"amount: amount_usd": "amount: amount_eur"})
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.payouts.source.query",
                      "no column 'amount_eur'", "paid_on, employee_id, code, amount_usd")


@pytest.mark.parametrize("query, said", [
    ("DELETE FROM payroll", "starts with DELETE"),
    ("SELECT * FROM payroll; DROP TABLE payroll", "more than one statement"),
    ("WITH gone AS (DELETE FROM payroll RETURNING *) SELECT * FROM gone", "holds DELETE"),
    ("SELECT * INTO payroll_copy FROM payroll", "holds INTO"),
    ("PRAGMA writable_schema = ON", "starts with PRAGMA"),
])
def test_only_a_single_select_is_run(tmp_path, query, said):
    folder = sqlite_folder(tmp_path)
    text = (folder / "cscomp-data.yaml").read_text()
    start = text.index("      query: |")
    end = text.index("    columns:", start)
    (folder / "cscomp-data.yaml").write_text(text[:start] + f"      query: {query}\n" + text[end:])
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.payouts.source.query",
                      "must be a single SELECT", said)
    with sqlite3.connect(folder / "revops.db") as db:  # the database is as it was
        assert db.execute("SELECT count(*) FROM payroll").fetchone() == (4,)


def test_a_query_past_its_timeout_is_stopped(tmp_path):
    folder = sqlite_folder(tmp_path, **{
        "SELECT period, employee_id, component, quota FROM quota_sheet":
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) AS period FROM n",
        "    columns:\n      quarter: period\n      csm_id: employee_id\n      component: component":
            "      timeout: 1\n    columns:\n      quarter: period\n      csm_id: employee_id\n      component: component"})
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.quotas.source.query",
                      "took longer than its 1 s", "tables.quotas.source.timeout")


def test_a_missing_sqlite_file_is_said_and_not_created(tmp_path):
    folder = sqlite_folder(tmp_path)
    (folder / "revops.db").unlink()
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.roster.source.url",
                      "has no SQLite database", "revops.db")
    assert not (folder / "revops.db").exists()


def test_a_table_with_both_files_and_source_is_refused(tmp_path):
    folder = sqlite_folder(tmp_path, **{"  roster:\n    source:": "  roster:\n    files: roster.csv\n    source:"})
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.roster",
                      "exactly one of files or source (got both)")


def test_file_keys_do_not_apply_to_a_query(tmp_path):
    folder = sqlite_folder(tmp_path, **{"  roster:\n    source:": "  roster:\n    delimiter: ';'\n    source:"})
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.roster",
                      "delimiter applies to files")


def test_a_password_written_in_the_url_is_refused_and_not_repeated(tmp_path):
    folder = sqlite_folder(tmp_path)
    (folder / "cscomp-data.yaml").write_text(map_text("url: postgresql://reader:hunter2-xyzzy@db.example.com/revops"))
    result = run("stress-test", plan_file(tmp_path), "--data", folder)
    assert_user_error(result, "tables.accounts.source.url", "holds a password", "PGPASSWORD", "~/.pgpass", "url_env")
    assert "hunter2-xyzzy" not in result.stderr + result.stdout


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SECRET = "S3cret-never-shown-7f1d"


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://reader:{SECRET}@127.0.0.1:{{port}}/revops",  # nothing listens: connection refused
    f"postgresql+psycopg://reader@127.0.0.1:{{port}}/revops?password={SECRET}",
    f"not a url {SECRET}",
])
def test_a_url_env_password_is_never_shown_even_when_the_connection_fails(tmp_path, url):
    folder = sqlite_folder(tmp_path)
    (folder / "cscomp-data.yaml").write_text(map_text("url_env: REVOPS_DB_URL"))
    env = {"REVOPS_DB_URL": url.format(port=_closed_port())}
    result = run("stress-test", plan_file(tmp_path), "--data", folder, env=env)
    assert_user_error(result, "tables.roster.source")  # the roster is read first: names are matched to it
    assert "REVOPS_DB_URL" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    listed = run("validate", plan_file(tmp_path), "--data", folder, "--format", "json", env=env)
    assert listed.exit_code == 2 and json.loads(listed.stdout)["errors"]
    assert SECRET not in listed.stdout + listed.stderr


def test_an_unset_url_env_is_named(tmp_path):
    folder = sqlite_folder(tmp_path)
    (folder / "cscomp-data.yaml").write_text(map_text("url_env: REVOPS_DB_URL"))
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder, env={"REVOPS_DB_URL": None}),
                      "tables.roster.source.url_env", "REVOPS_DB_URL", "is not set")


def test_a_database_whose_driver_is_not_installed_says_which_extra_to_install(tmp_path):
    import importlib.util

    if importlib.util.find_spec("snowflake") is not None:
        pytest.skip("snowflake-sqlalchemy is installed here")
    folder = sqlite_folder(tmp_path)
    (folder / "cscomp-data.yaml").write_text(map_text("url: snowflake://reader@acme-eu/revops/public"))
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder), "tables.roster.source",
                      "snowflake", "pip install 'cscomp[snowflake]'")


def test_database_numbers_and_dates_become_exact_text():
    import datetime as dt

    from cscomp_cli.inputs.query_cells import column_text

    cells, dated = column_text([Decimal("6250.45"), Decimal("1E+3"), None, Decimal("-200.05")])
    assert list(cells) == ["6250.45", "1000.00", "", "-200.05"] and dated is None
    # A float is written as its shortest exact form, never with an exponent (1e16 is ten quadrillion).
    assert list(column_text([6250.45, 1e16, 0.1, 5e-7])[0]) == ["6250.45", "10000000000000000", "0.1", "0.0000005"]
    # SQLite lets a column mix kinds: each value written as its own kind writes it.
    assert list(column_text([100000, 1500.1, "lots", True, None])[0]) == ["100000", "1500.1", "lots", "true", ""]
    cells, dated = column_text([dt.date(2026, 2, 15), None, dt.datetime(2026, 4, 30, 12, 5)])
    assert list(cells) == ["2026-02-15", "", "2026-04-30"] and list(dated) == [True, False, True]
    assert list(column_text([Decimal("1234.50")], decimal=",")[0]) == ["1234,50"]


def test_a_map_without_source_never_imports_sqlalchemy(tmp_path):
    # SQLAlchemy costs about 0.2 s to import: only a map that reads a database pays for it.
    folder = write_files(tmp_path / "canonical", **CANONICAL)
    code = ("import sys\nfrom cscomp_cli.cli import main\n"
            f"sys.argv = ['cscomp', 'validate', {str(plan_file(tmp_path))!r}, '--data', {str(folder)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('sqlalchemy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_the_map_schema_describes_source():
    from cscomp_cli.inputs.datamap import map_json_schema

    schema = map_json_schema()
    assert "source" in schema["$defs"]["Table"]["properties"]
    assert set(schema["$defs"]["Query"]["properties"]) == {"url", "url_env", "query", "timeout"}


# --- PostgreSQL: a real server ------------------------------------------------------------------------


@pytest.fixture
def postgres(tmp_path):
    """A schema of its own on the server bash .ci/run started, holding ROWS with NUMERIC(12, 2) amounts and
    DATE columns; yields (url without password, password, schema)."""
    url = os.environ.get("CSCOMP_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CSCOMP_TEST_POSTGRES") == "required":
            pytest.fail("bash .ci/run found PostgreSQL but could not start it (its output says why)")
        pytest.skip("no PostgreSQL server: bash .ci/run installs and starts one and sets CSCOMP_TEST_POSTGRES_URL")
    import sqlalchemy

    password = os.environ["CSCOMP_TEST_POSTGRES_PASSWORD"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(url, connect_args={"password": password}, poolclass=sqlalchemy.pool.NullPool)
    with engine.begin() as db:
        db.exec_driver_sql(f"CREATE SCHEMA {schema}")
        for table, (columns, values) in ROWS.items():
            db.exec_driver_sql(f"CREATE TABLE {schema}.{table} ({columns.format(money='NUMERIC(12, 2)', date='DATE')})")
            marks = ", ".join(["%s"] * len(values[0]))
            for row in values:
                db.exec_driver_sql(f"INSERT INTO {schema}.{table} VALUES ({marks})", tuple(row))
    try:
        yield url, password, schema
    finally:
        with engine.begin() as db:
            db.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _postgres_folder(tmp_path: Path, source: str, schema: str) -> Path:
    folder = tmp_path / "postgres"
    folder.mkdir(exist_ok=True)
    (folder / "cscomp-data.yaml").write_text(map_text(source, schema))
    return folder


def test_postgres_numeric_and_date_columns_replay_exactly_as_the_csv(tmp_path, postgres):
    url, password, schema = postgres
    folder = _postgres_folder(tmp_path, f"url: {url}", schema)
    # Password authentication (scram over TCP), the password from libpq's PGPASSWORD only.
    from_db = replay(folder, tmp_path, env={"PGPASSWORD": password})
    from_csv = replay(write_files(tmp_path / "canonical", **CANONICAL), tmp_path)
    assert payouts(from_db) == EXPECTED
    assert from_db["rows"] == from_csv["rows"]
    assert from_db["summary"] == from_csv["summary"]


def test_postgres_reads_the_password_from_a_pgpass_file(tmp_path, postgres):
    import sqlalchemy

    url, password, schema = postgres
    parts = sqlalchemy.engine.make_url(url)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{parts.host}:{parts.port}:{parts.database}:{parts.username}:{password}\n")
    pgpass.chmod(0o600)
    document = replay(_postgres_folder(tmp_path, f"url: {url}", schema), tmp_path,
                      env={"PGPASSWORD": None, "PGPASSFILE": str(pgpass)})
    assert payouts(document) == EXPECTED


def test_postgres_url_env_with_its_password_works_and_a_wrong_one_is_never_shown(tmp_path, postgres):
    import sqlalchemy

    url, password, schema = postgres
    folder = _postgres_folder(tmp_path, "url_env: REVOPS_DB_URL", schema)
    with_password = sqlalchemy.engine.make_url(url).set(password=password).render_as_string(hide_password=False)
    document = replay(folder, tmp_path, env={"REVOPS_DB_URL": with_password, "PGPASSWORD": None})
    assert payouts(document) == EXPECTED
    wrong = sqlalchemy.engine.make_url(url).set(password=SECRET).render_as_string(hide_password=False)
    result = run("stress-test", plan_file(tmp_path), "--data", folder,
                 env={"REVOPS_DB_URL": wrong, "PGPASSWORD": None})
    assert_user_error(result, "tables.roster.source", "cannot connect", "password authentication failed")
    assert SECRET not in result.stderr + result.stdout


def test_postgres_wrong_pgpassword_is_said_without_it(tmp_path, postgres):
    url, _, schema = postgres
    result = run("stress-test", plan_file(tmp_path), "--data", _postgres_folder(tmp_path, f"url: {url}", schema),
                 env={"PGPASSWORD": SECRET})
    assert_user_error(result, "cannot connect", "password authentication failed", "PGPASSWORD")
    assert SECRET not in result.stderr + result.stdout


def test_postgres_runs_the_query_read_only_and_within_its_timeout(tmp_path, postgres):
    url, password, schema = postgres
    folder = _postgres_folder(tmp_path, f"url: {url}", schema)
    text = (folder / "cscomp-data.yaml").read_text()
    quotas = f"SELECT period, employee_id, component, quota FROM {schema}.quota_sheet"
    # nextval writes (it moves the sequence): the read-only transaction refuses what the word check lets by.
    import sqlalchemy

    engine = sqlalchemy.create_engine(url, connect_args={"password": password}, poolclass=sqlalchemy.pool.NullPool)
    with engine.begin() as db:
        db.exec_driver_sql(f"CREATE SEQUENCE {schema}.ticket")
    engine.dispose()
    (folder / "cscomp-data.yaml").write_text(text.replace(
        quotas, f"SELECT period, employee_id, component, quota, nextval('{schema}.ticket') AS n FROM {schema}.quota_sheet"))
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder, env={"PGPASSWORD": password}),
                      "tables.quotas.source.query", "refused the query as a write", "read-only transaction")
    slow = text.replace(quotas, f"SELECT period, employee_id, component, quota FROM {schema}.quota_sheet, pg_sleep(5)")
    (folder / "cscomp-data.yaml").write_text(slow.replace("  quotas:\n    source:\n",
                                                          "  quotas:\n    source:\n      timeout: 1\n"))
    assert_user_error(run("stress-test", plan_file(tmp_path), "--data", folder, env={"PGPASSWORD": password}),
                      "tables.quotas.source.query", "took longer than its 1 s")
