"""The canonical tables (accounts.csv, roster.csv, payouts.csv, quotas.csv): each one's columns and rules, read from a file or from a data map's staged export, and the extra accounts columns a plan's own metrics name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, report
from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.inputs.cells import (
    MAX_AMOUNT,
    amount_column,
    boolean_column,
    date_column,
    extra_column_values,
    fail_duplicates,
    quarter_column,
    score_column,
    text_column,
)
from cscomp_cli.inputs.csv_reading import open_table
from cscomp_cli.inputs.currency_cells import (
    CurrencyMark,
    currency_column,
    currency_marks,
    row_currencies,
)
from cscomp_cli.inputs.files import (
    ACCOUNTS,
    DATA_DOC,
    PAYOUTS,
    QUOTAS,
    ROSTER,
    Origin,
    Staged,
    fail_where,
)
from cscomp_cli.inputs.pay_history import check_pay_history

# Every payout line of a file together (clawbacks counted as paid): a quadrillion keeps every sum of
# integer cents, over any CSMs and quarters, a hundred times inside int64.
MAX_FILE_TOTAL = 1e15


def header_columns(tables: dict[str, pd.DataFrame | None]) -> dict[str, frozenset[str]]:
    """The header columns each loaded table came with (the loaders leave them in ``attrs``)."""
    return {name: table.attrs.pop("header") for name, table in tables.items()
            if table is not None and "header" in table.attrs}


def written_headers(tables: dict[str, pd.DataFrame | None]) -> dict[str, tuple[str, ...]]:
    """Each loaded table's whole header as its file writes it (the loaders leave it in ``attrs``)."""
    return {name: table.attrs.pop("written") for name, table in tables.items()
            if table is not None and "written" in table.attrs}


ACCOUNT_COLUMNS = ("quarter", "account_id", "csm_id", "arr_start", "expansion", "contraction", "churn",
                   "cross_sell", "new_arr", "arr_end", "renewal_due", "renewed", "segment", "nps", "health", "risk")


# How a plan's metrics may read each built-in accounts column (SPEC 5.3: custom metrics and filters).
BUILTIN_READS = {
    **{c: {"number"} for c in ("arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end",
                               "nps", "health", "risk")},
    "renewal_due": {"flag", "number"}, "renewed": {"flag", "number"},
    **{c: {"text"} for c in ("quarter", "account_id", "csm_id", "segment")},
}


def column_key(column: str) -> str:
    """A column name as cscomp compares it, like a CSV header: trimmed, in any case (CSAT is csat)."""
    return str(column).strip().lower()


def extra_column(column: str, kind: str) -> str:
    """Where the accounts frame keeps a plan's own column read one way: 'number:csat', 'text:churn_reason'."""
    return f"{kind}:{column_key(column)}"


def merged_columns(wanted: list[dict[str, set[str]]]) -> dict[str, set[str]]:
    """Several plans' account_columns() as one (compare replays them all on one dataset): each column
    read every way one of them reads it, under its compared name."""
    merged: dict[str, set[str]] = {}
    for columns in wanted:
        for name, kinds in (columns or {}).items():
            merged.setdefault(column_key(name), set()).update(kinds)
    return merged


def account_column(accounts: pd.DataFrame, column: str, kind: str) -> np.ndarray | None:
    """An accounts column read as ``kind``: number (float, NaN blank), flag (1.0 / 0.0, NaN blank) or text
    (trimmed and case-folded, None blank); None when the data has no such column.

    A built-in column is read from its parsed values; a plan's own column from what the loader kept
    for it (load_accounts' ``extra``). Raises KeyError when a built-in column cannot be read that way
    (BUILTIN_READS says how each can).
    """
    column = column_key(column)
    if column in BUILTIN_READS:
        if kind not in BUILTIN_READS[column]:
            raise KeyError(column)
        values = accounts[column]
        if kind == "text":
            if isinstance(values.dtype, pd.CategoricalDtype):
                # A few segments or quarters over millions of rows: each category folded once.
                folded = np.array([str(c).strip().casefold() for c in values.cat.categories] + [None], dtype=object)
                return folded[values.cat.codes.to_numpy()]
            text = values.astype(object)
            return np.asarray(text.where(text.notna(), None).map(lambda v: None if v is None else str(v).casefold()),
                              dtype=object)
        return values.to_numpy(dtype="float64")
    name = extra_column(column, kind)
    if name not in accounts:
        return None
    values = accounts[name]
    if kind == "text":
        return np.asarray(values.astype(object).where(values.notna(), None), dtype=object)
    return values.to_numpy(dtype="float64")


def load_accounts(path: Path | Staged, *, calendar: Calendar = CALENDAR,
                  extra: dict[str, set[str]] | None = None) -> pd.DataFrame:
    """accounts.csv: one row per account per quarter, the CSMs' books.

    ``extra``: columns a plan's own metrics read beyond the built-in ones, each with how it is read
    (number, text, flag); only these are kept, so unused export columns cost no memory.
    """
    amounts = ["arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end"]
    # "line" is the row key every table carries, never an export's column.
    extra = {name: kinds for name, kinds in merged_columns([extra]).items() if name not in BUILTIN_READS
             and name != "line"}
    table, numbers, origin = open_table(path,
        required=["quarter", "account_id", "csm_id", "arr_start", "expansion", "contraction", "churn"],
        optional=["cross_sell", "new_arr", "arr_end", "renewal_due", "renewed", "segment", "nps", "health", "risk", *extra],
        # A plan's own number column tells the file's decimal separator as well as the amounts do (4,5).
        numbers=[*amounts, "health", "risk", *(c for c, kinds in extra.items() if "number" in kinds)],
    )
    out = pd.DataFrame({"line": table["line"]})
    header = table.head(0)  # the header as read, for _with_header: cells are let go of below as they are parsed
    marks: list[CurrencyMark] = []  # where a currency code is written beside an amount

    def parsed(*columns: str) -> None:
        # Each text column is dropped once its values are parsed, so millions of cells are never held
        # twice over (as text and as numbers): the peak memory of loading a 2 M-row export.
        nonlocal table
        table = table.drop(columns=[c for c in columns if c in table.columns])

    def amount(column: str, *, required: bool) -> pd.Series:
        codes: dict[str, pd.Series] = {}
        values = amount_column(table, origin, column, required=required, negative=False, numbers=numbers,
                               codes=codes)
        marks.extend(currency_marks(ACCOUNTS, table, codes))  # before the cells are let go of
        return values
    # A few quarters and a few thousand CSMs repeat over millions of rows: categories hold each once
    # and give the group-bys of the metrics (and the duplicate check) their codes for free.
    out["quarter"] = quarter_column(table, origin, calendar=calendar, categorical=True)
    out["account_id"] = text_column(table, origin, "account_id", required=True, categorical=True)
    out["csm_id"] = text_column(table, origin, "csm_id", required=True, categorical=True)
    parsed("quarter", "account_id", "csm_id")
    for column in ("arr_start", "expansion", "contraction", "churn"):
        out[column] = amount(column, required=True)
        parsed(column)
    out["cross_sell"] = amount("cross_sell", required=False).fillna(0.0)
    landing = "new_arr" in table.columns  # the messages name new_arr only to a file that has it
    out["new_arr"] = _new_business(amount("new_arr", required=False).fillna(0.0), out, origin)
    out["renewal_due"] = boolean_column(table, origin, "renewal_due")
    out["renewed"] = boolean_column(table, origin, "renewed")
    out["segment"] = text_column(table, origin, "segment", required=False, categorical=True)  # informational
    out["nps"] = score_column(table, origin, "nps", 0, 10, integer=True, numbers=numbers)
    out["health"] = score_column(table, origin, "health", 0, 100, numbers=numbers)
    out["risk"] = score_column(table, origin, "risk", 0, 1, numbers=numbers)
    parsed("cross_sell", "new_arr", "renewal_due", "renewed", "segment", "nps", "health", "risk")

    # SPEC 6.7: a new logo's landed ARR is part of what the account holds at the end, like a movement.
    gained = out["arr_start"] + out["new_arr"] + out["expansion"] + out["cross_sell"]
    lost = out["contraction"] + out["churn"]
    gains = "arr_start + new_arr + expansion + cross_sell" if landing else "arr_start + expansion + cross_sell"
    fail_where(
        lost > gained + 1e-6,
        out.assign(gained=gained),
        origin,
        "contraction",
        lambda r: f"contraction + churn ({r.contraction + r.churn:,.2f}) exceeds {gains} ({r.gained:,.2f})",
        "an account cannot lose more ARR than it had; check the contraction and churn columns",
    )
    derived = gained - lost
    arr_end = amount("arr_end", required=False)
    out["arr_end"] = arr_end
    parsed("arr_end")
    fail_where(
        arr_end.notna() & ((arr_end - derived).abs() > 0.01 + 1e-9),
        out.assign(derived=derived),
        origin,
        "arr_end",
        lambda r: f"arr_end {r.arr_end:,.2f} does not equal {gains} − contraction − churn = {r.derived:,.2f}",
        "fix the movement columns or leave arr_end blank to have it derived",
    )
    # Derived in exact arithmetic, as a person would: 0.1 + 0.2 − 0.3 is 0 (a churned logo), not 5.6e-17.
    out["arr_end"] = arr_end.fillna(pd.Series(round_half_away(derived.to_numpy()), index=derived.index))
    for column, kinds in extra.items():
        if column in table:
            for kind in sorted(kinds):
                codes: dict[str, pd.Series] = {}
                out[extra_column(column, kind)] = extra_column_values(table, origin, column, kind, numbers, codes)
                marks.extend(currency_marks(ACCOUNTS, table, codes))
            parsed(column)
    fail_duplicates(out, origin, ["quarter", "account_id"], "account_id", "an account appears twice in one quarter")
    _bound_book_totals(out, origin, ["arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn"])
    return _with_currencies(_with_header(out.reset_index(drop=True), header), marks)


def _new_business(new_arr: pd.Series, out: pd.DataFrame, origin: Origin) -> pd.Series:
    """new_arr (SPEC 6.7), which only a new logo's row may carry: landed ARR on a customer that already
    had ARR is expansion, and read as new business it would leave every retention metric."""
    fail_where(
        (new_arr > 0) & (out["arr_start"] > 0),
        out.assign(new_arr=new_arr),
        origin,
        "new_arr",
        lambda r: f"new_arr {r.new_arr:,.2f} on a row with arr_start {r.arr_start:,.2f}: only a new logo "
        "(arr_start 0) lands new business",
        "a new logo's landed ARR goes on its first row, with arr_start 0; ARR added to an existing customer is "
        f"expansion (or cross_sell); see {DATA_DOC}",
    )
    return new_arr


def load_roster(path: Path | Staged, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """roster.csv: the CSMs, optionally one row per quarter or a pay history (rows with an effective_date)."""
    table, numbers, origin = open_table(path,
        required=["csm_id", "name", "segment", "annual_base", "annual_variable"],
        optional=["team", "quarter", "start_date", "end_date", "currency", "email", "effective_date"],
        numbers=["annual_base", "annual_variable"],
    )
    out = pd.DataFrame({"line": table["line"]})
    out["csm_id"] = text_column(table, origin, "csm_id", required=True)
    out["name"] = text_column(table, origin, "name", required=True)
    out["segment"] = text_column(table, origin, "segment", required=True)
    out["team"] = text_column(table, origin, "team", required=False)
    codes: dict[str, pd.Series] = {}
    out["annual_base"] = amount_column(table, origin, "annual_base", required=True, negative=False, numbers=numbers,
                                       codes=codes)
    out["annual_variable"] = amount_column(table, origin, "annual_variable", required=True, negative=False,
                                           numbers=numbers, codes=codes)
    stated = currency_column(table, origin)
    out = out.join(row_currencies(table, origin, codes, stated))
    marks = currency_marks(ROSTER, table, codes)
    if "quarter" in table and (table["quarter"].str.strip() != "").any():
        # A roster's quarter rows are the few quarters a raise or a transfer falls in: years apart is normal.
        out["quarter"] = quarter_column(table, origin, required=False, calendar=calendar, far=False)
    else:
        out["quarter"] = pd.Series(None, index=table.index, dtype="object")
    out["start_date"] = date_column(table, origin, "start_date")
    out["end_date"] = date_column(table, origin, "end_date")
    # The roster row's date a raise or transfer takes effect (SPEC 6.2): passed through, read by the engine.
    out["effective_date"] = date_column(table, origin, "effective_date")
    out["email"] = text_column(table, origin, "email", required=False)
    _refuse_shared_emails(out, origin)
    fail_where(
        out["start_date"].notna() & out["end_date"].notna() & (out["end_date"] < out["start_date"]),
        out,
        origin,
        "end_date",
        lambda r: f"end_date {r.end_date.date()} is before start_date {r.start_date.date()}",
        "swap the dates or correct the one that is wrong",
    )
    if out["effective_date"].notna().any():
        check_pay_history(out, origin)
    else:
        fail_duplicates(
            out.assign(quarter=out["quarter"].fillna("(every quarter)")),
            origin,
            ["csm_id", "quarter"],
            "csm_id",
            "the same CSM has two roster rows for one quarter",
        )
    return _with_currencies(_with_header(out.reset_index(drop=True), table), marks)


def _refuse_shared_emails(out: pd.DataFrame, origin: Origin) -> None:
    """One e-mail address on the rows of two CSMs: an owner written as that address (match: email) could be
    either, so it is refused (addresses compared trimmed, in any case)."""
    written = out["email"].dropna()
    if written.empty:
        return
    keys = written.str.strip().str.casefold()
    people = out.loc[written.index, "csm_id"].groupby(keys.to_numpy()).nunique()
    shared = people[people > 1]
    if shared.empty:
        return
    key = shared.index[0]
    rows = written.index[(keys == key).to_numpy()]
    ids = list(dict.fromkeys(out.loc[rows, "csm_id"]))
    second = next(row for row in rows if out.at[row, "csm_id"] != ids[0])
    report(DataError(f"the e-mail '{written[second]}' is on the rows of two CSMs ({ids[0]} and {ids[1]})",
                     **origin.at(out.at[second, "line"], "email"),
                     hint=f"each CSM has their own e-mail address; correct the roster; see {DATA_DOC}"))


def load_payouts(path: Path | Staged, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """payouts.csv: what was actually paid; amounts may be negative (clawbacks)."""
    table, numbers, origin = open_table(path, required=["quarter", "csm_id", "amount"],
                                        optional=["component", "currency"], allow_empty=True, numbers=["amount"])
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = quarter_column(table, origin, calendar=calendar)
    out["csm_id"] = text_column(table, origin, "csm_id", required=True)
    codes: dict[str, pd.Series] = {}
    out["amount"] = amount_column(table, origin, "amount", required=True, negative=True, numbers=numbers, codes=codes)
    out["component"] = text_column(table, origin, "component", required=False)
    stated = currency_column(table, origin)
    out = out.join(row_currencies(table, origin, codes, stated))
    marks = currency_marks(PAYOUTS, table, codes)
    _bound_payout_totals(out, origin)
    return _with_currencies(_with_header(out.reset_index(drop=True), table), marks)


def load_quotas(path: Path | Staged, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """quotas.csv: per-CSM targets for components whose target is `quotas`."""
    table, numbers, origin = open_table(path, required=["quarter", "csm_id", "component", "target"], allow_empty=True,
                               numbers=["target"])
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = quarter_column(table, origin, calendar=calendar)
    out["csm_id"] = text_column(table, origin, "csm_id", required=True)
    out["component"] = text_column(table, origin, "component", required=True)
    codes: dict[str, pd.Series] = {}
    out["target"] = amount_column(table, origin, "target", required=True, negative=False, numbers=numbers,
                                  codes=codes)
    marks = currency_marks(QUOTAS, table, codes)
    fail_where(
        out["target"] <= 0,
        out,
        origin,
        "target",
        lambda r: f"target must be greater than 0, got {r.target:g}",
        "a quota of 0 makes attainment meaningless; remove the row or give the real quota",
    )
    fail_duplicates(
        out, origin, ["quarter", "csm_id", "component"], "component", "two quotas for one CSM, quarter and component"
    )
    return _with_currencies(_with_header(out.reset_index(drop=True), table), marks)


def _bound_payout_totals(out: pd.DataFrame, origin: Origin) -> None:
    """Refuse a CSM-quarter paid more than MAX_AMOUNT in all, and a file paying more than MAX_FILE_TOTAL."""
    amounts = out["amount"].fillna(0.0)
    totals = amounts.groupby([out["quarter"], out["csm_id"]], sort=False).transform("sum")
    over = totals.abs() > MAX_AMOUNT
    if bool(over.any()):
        first = out.loc[over].iloc[0]
        books = out.loc[over, ["quarter", "csm_id"]].drop_duplicates()
        more = f" (and {len(books) - 1} more CSM-quarter{'s' if len(books) > 2 else ''} like it)" if len(books) > 1 else ""
        report(DataError(
            f"the payouts to {first.csm_id} in {first.quarter} add up to {_total(totals[over].iloc[0])}, more than "
            f"{MAX_AMOUNT:,.0f}{more}",
            **origin.at(first['line'], 'amount'),
            hint="no CSM is paid that much in a quarter: check the export for repeated lines or a misplaced digit "
            f"or separator; see {DATA_DOC}"))
        out.loc[over, "amount"] = np.nan  # validate goes on without them
    paid = float(out["amount"].abs().sum())
    if paid > MAX_FILE_TOTAL:
        report(DataError(
            f"the payout lines add up to {_total(paid)} (clawbacks counted as paid), more than {MAX_FILE_TOTAL:,.0f}",
            file=origin.path, location=f"column {origin.column('amount')}",
            hint=f"no payroll pays that much: check that this is the right file; see {DATA_DOC}"))
        out["amount"] = np.nan


def _total(value: float) -> str:
    """A sum as a person reads it: to the cent while a float holds cents exactly, else to three digits."""
    if abs(value) < 2**53 / 100:
        return f"{value:,.2f}"
    return f"about {float(f'{value:.3g}'):,.0f}"


# Each cell is at most MAX_AMOUNT, but a million of them are not: payouts are summed in integer
# cents, and 100,000 lines of 999,999,999,999.99 wrap int64 round to a negative total. Totals are
# bounded where they are summed, in floats first, so no later integer sum can overflow.
def _bound_book_totals(out: pd.DataFrame, origin: Origin, columns: list[str]) -> None:
    """Refuse a CSM's book (one quarter) whose column adds up to more than MAX_AMOUNT."""
    quarter, csm = out["quarter"].cat.codes.to_numpy(), out["csm_id"].cat.codes.to_numpy()
    known = (quarter >= 0) & (csm >= 0)
    csms = max(len(out["csm_id"].cat.categories), 1)
    books = np.where(known, quarter.astype("int64") * csms + csm, 0)
    size = len(out["quarter"].cat.categories) * csms
    if size > 50_000_000:  # hundreds of quarters × a million CSMs: number the books present instead
        _, books = np.unique(books, return_inverse=True)
        size = int(books.max()) + 1 if len(books) else 0
    for column in columns:
        values = out[column].to_numpy(dtype="float64")
        totals = np.bincount(books, weights=np.where(known & (values == values), values, 0.0), minlength=size)
        if not bool((totals > MAX_AMOUNT).any()):
            continue
        over = known & (totals[books] > MAX_AMOUNT)
        first = out.loc[over].iloc[0]
        count = len(np.unique(books[over]))
        more = f" (and {count - 1} more book{'s' if count > 2 else ''} like it)" if count > 1 else ""
        report(DataError(
            f"the book of {first.csm_id} in {first.quarter} adds up to {_total(totals[books[over][0]])} of {column}, "
            f"more than {MAX_AMOUNT:,.0f}{more}",
            **origin.at(first['line'], column),
            hint="no CSM's book is that large: check the export for repeated rows or a misplaced digit or "
            f"separator; see {DATA_DOC}"))
        out.loc[over, column] = np.nan  # validate goes on without them


def _with_currencies(out: pd.DataFrame, marks: list[CurrencyMark]) -> pd.DataFrame:
    """Leave where the table names a currency on the frame, for load_dataset to pick up."""
    out.attrs["currencies"] = marks
    return out


def table_currencies(tables: dict[str, pd.DataFrame | None]) -> tuple[CurrencyMark, ...]:
    """Where each loaded table names a currency (the loaders leave it in ``attrs``), table by table."""
    return tuple(mark for table in tables.values() if table is not None
                 for mark in table.attrs.pop("currencies", []))


def _with_header(out: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Leave the columns the file's header had on the frame (those cscomp reads, and the whole header as
    written), for load_dataset to pick up."""
    out.attrs["header"] = frozenset(c for c in table.columns if c != "line")
    out.attrs["written"] = tuple(table.attrs.get("written", out.attrs["header"]))
    return out
