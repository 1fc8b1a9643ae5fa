"""Load and validate the data folder (SPEC section 1): accounts, roster, payouts, quotas.

Every format detail lives here: encodings, header spelling, quarter labels, amounts, booleans,
dates. Each loader returns a typed pandas DataFrame with a ``line`` column (the CSV line the row
came from) so later checks can still point at the row. Problems raise DataError naming the file,
the line and the column, and saying how to fix it.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, report
from .numbers import round_half_away
from .quarters import QUARTER_PATTERN

ACCOUNTS = "accounts.csv"
ROSTER = "roster.csv"
PAYOUTS = "payouts.csv"
QUOTAS = "quotas.csv"

# A plain or thousands-grouped number with an optional currency sign, minus sign or accounting
# parentheses: 1234.5, 1,234.50, $1,234.50, €1234, -1,200.00, ($1,200.00). ASCII digits only: \d
# would also match other scripts' digits (１２３), which float() then reads or refuses unpredictably.
_AMOUNT = (
    r"^(?P<open>\()?\s*(?P<sign>-)?\s*[$€£]?\s*(?P<sign2>-)?\s*"
    r"(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<close>\))?$"
)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}
# A trillion: larger amounts are export errors, and would overflow the integer cents payouts are summed in.
MAX_AMOUNT = 1e12
_AMOUNT_HINT = "write amounts like 1234.50, 1,234.50 or $1,234.50"


@dataclass(frozen=True)
class Dataset:
    """The validated contents of one data folder."""

    folder: Path
    accounts: pd.DataFrame
    roster: pd.DataFrame
    payouts: pd.DataFrame | None
    quotas: pd.DataFrame | None

    def path(self, name: str) -> Path:
        return self.folder / name


def load_dataset(folder: Path, *, require_payouts: bool = True) -> Dataset:
    """Read and validate every CSV of a data folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(
            "data folder not found",
            file=folder,
            hint="pass --data DIR (or set CSCOMP_DATA) to the folder holding accounts.csv and roster.csv",
        )
    payouts_path = folder / PAYOUTS
    quotas_path = folder / QUOTAS
    return Dataset(
        folder=folder,
        accounts=load_accounts(folder / ACCOUNTS),
        roster=load_roster(folder / ROSTER),
        payouts=load_payouts(payouts_path) if require_payouts or payouts_path.exists() else None,
        quotas=load_quotas(quotas_path) if quotas_path.exists() else None,
    )


# --- one loader per input ------------------------------------------------------------------


def load_accounts(path: Path) -> pd.DataFrame:
    """accounts.csv: one row per account per quarter, the CSMs' books."""
    table = _read_csv(
        path,
        required=["quarter", "account_id", "csm_id", "arr_start", "expansion", "contraction", "churn"],
        optional=["cross_sell", "arr_end", "renewal_due", "renewed", "segment", "nps", "health", "risk"],
    )
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = _quarters(table, path)
    out["account_id"] = _text(table, path, "account_id", required=True, as_objects=False)
    out["csm_id"] = _text(table, path, "csm_id", required=True, as_objects=False)
    for column in ("arr_start", "expansion", "contraction", "churn"):
        out[column] = _amounts(table, path, column, required=True, negative=False)
    out["cross_sell"] = _amounts(table, path, "cross_sell", required=False, negative=False).fillna(0.0)
    out["renewal_due"] = _booleans(table, path, "renewal_due")
    out["renewed"] = _booleans(table, path, "renewed")
    out["segment"] = _cells(table, "segment").replace("", np.nan)  # informational; a category below
    out["nps"] = _scores(table, path, "nps", 0, 10, integer=True)
    out["health"] = _scores(table, path, "health", 0, 100)
    out["risk"] = _scores(table, path, "risk", 0, 1)

    gained = out["arr_start"] + out["expansion"] + out["cross_sell"]
    lost = out["contraction"] + out["churn"]
    _fail_where(
        lost > gained + 1e-6,
        out,
        path,
        "contraction",
        lambda r: f"contraction + churn ({r.contraction + r.churn:,.2f}) exceeds arr_start + expansion + "
        f"cross_sell ({r.arr_start + r.expansion + r.cross_sell:,.2f})",
        "an account cannot lose more ARR than it had; check the contraction and churn columns",
    )
    derived = gained - lost
    arr_end = _amounts(table, path, "arr_end", required=False, negative=False)
    out["arr_end"] = arr_end
    _fail_where(
        arr_end.notna() & ((arr_end - derived).abs() > 0.01 + 1e-9),
        out.assign(derived=derived),
        path,
        "arr_end",
        lambda r: f"arr_end {r.arr_end:,.2f} does not equal arr_start + expansion + cross_sell − "
        f"contraction − churn = {r.derived:,.2f}",
        "fix the movement columns or leave arr_end blank to have it derived",
    )
    # Derived in exact arithmetic, as a person would: 0.1 + 0.2 − 0.3 is 0 (a churned logo), not 5.6e-17.
    out["arr_end"] = arr_end.fillna(pd.Series(round_half_away(derived.to_numpy()), index=derived.index))
    _fail_duplicates(out, path, ["quarter", "account_id"], "account_id", "an account appears twice in one quarter")
    # A few quarters and a few thousand CSMs repeat over millions of rows: categories hold each once
    # and give the group-bys of the metrics their codes for free.
    for column in ("quarter", "csm_id", "segment"):
        out[column] = out[column].astype("category")
    return out.reset_index(drop=True)


def load_roster(path: Path) -> pd.DataFrame:
    """roster.csv: the CSMs, optionally one row per quarter."""
    table = _read_csv(
        path,
        required=["csm_id", "name", "segment", "annual_base", "annual_variable"],
        optional=["team", "quarter", "start_date", "end_date"],
    )
    out = pd.DataFrame({"line": table["line"]})
    out["csm_id"] = _text(table, path, "csm_id", required=True)
    out["name"] = _text(table, path, "name", required=True)
    out["segment"] = _text(table, path, "segment", required=True)
    out["team"] = _text(table, path, "team", required=False)
    out["annual_base"] = _amounts(table, path, "annual_base", required=True, negative=False)
    out["annual_variable"] = _amounts(table, path, "annual_variable", required=True, negative=False)
    if "quarter" in table and (table["quarter"].str.strip() != "").any():
        out["quarter"] = _quarters(table, path, required=False)
    else:
        out["quarter"] = pd.Series(None, index=table.index, dtype="object")
    out["start_date"] = _dates(table, path, "start_date")
    out["end_date"] = _dates(table, path, "end_date")
    _fail_where(
        out["start_date"].notna() & out["end_date"].notna() & (out["end_date"] < out["start_date"]),
        out,
        path,
        "end_date",
        lambda r: f"end_date {r.end_date.date()} is before start_date {r.start_date.date()}",
        "swap the dates or correct the one that is wrong",
    )
    _fail_duplicates(
        out.assign(quarter=out["quarter"].fillna("(every quarter)")),
        path,
        ["csm_id", "quarter"],
        "csm_id",
        "the same CSM has two roster rows for one quarter",
    )
    return out.reset_index(drop=True)


def load_payouts(path: Path) -> pd.DataFrame:
    """payouts.csv: what was actually paid; amounts may be negative (clawbacks)."""
    table = _read_csv(path, required=["quarter", "csm_id", "amount"], optional=["component"], allow_empty=True)
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = _quarters(table, path)
    out["csm_id"] = _text(table, path, "csm_id", required=True)
    out["amount"] = _amounts(table, path, "amount", required=True, negative=True)
    out["component"] = _text(table, path, "component", required=False)
    return out.reset_index(drop=True)


def load_quotas(path: Path) -> pd.DataFrame:
    """quotas.csv: per-CSM targets for components whose target is `quotas`."""
    table = _read_csv(path, required=["quarter", "csm_id", "component", "target"], allow_empty=True)
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = _quarters(table, path)
    out["csm_id"] = _text(table, path, "csm_id", required=True)
    out["component"] = _text(table, path, "component", required=True)
    out["target"] = _amounts(table, path, "target", required=True, negative=False)
    _fail_where(
        out["target"] <= 0,
        out,
        path,
        "target",
        lambda r: f"target must be greater than 0, got {r.target:g}",
        "a quota of 0 makes attainment meaningless; remove the row or give the real quota",
    )
    _fail_duplicates(
        out, path, ["quarter", "csm_id", "component"], "component", "two quotas for one CSM, quarter and component"
    )
    return out.reset_index(drop=True)


# --- reading -------------------------------------------------------------------------------


def _read_csv(path: Path, *, required: list[str], optional: list[str] = (), allow_empty: bool = False) -> pd.DataFrame:
    """Read a CSV as text cells with normalised column names and a ``line`` column."""
    if not path.exists():
        raise DataError("file not found", file=path, hint=f"the data folder must contain {path.name}")
    if path.is_dir():
        raise DataError("is a folder, not a CSV file", file=path)
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            text_sample = handle.read(1)
        if text_sample == "":
            raise DataError("file is empty", file=path, hint=f"export {path.name} again with a header row")
        table = _read_fast(path)
        if table is None:
            with warnings.catch_warnings():
                # pandas only warns, and drops the extra cells, when a row has more fields than the header.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                table = pd.read_csv(
                    path,
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    encoding="utf-8-sig",
                    skip_blank_lines=False,
                    # Never take the first column as the index when a row has one field too many:
                    # that would silently shift every column of the file by one.
                    index_col=False,
                    quoting=csv.QUOTE_MINIMAL,
                )
    except UnicodeDecodeError as exc:
        raise DataError(
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})",
            file=path,
            hint="re-export the file as 'CSV UTF-8', or convert it: iconv -f latin1 -t utf-8",
        ) from None
    except pd.errors.ParserWarning:
        line = _first_long_row(path)
        raise DataError("a row has more cells than the header has columns", file=path,
                        location=None if line is None else f"line {line}",
                        hint="check for an extra comma, or quote text that contains commas") from None
    except pd.errors.EmptyDataError:
        raise DataError("file is empty", file=path, hint=f"export {path.name} again with a header row") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise DataError(f"cannot be read as CSV: {str(exc).strip()}", file=path,
                        hint="check for unbalanced quotes or rows with too many commas") from None

    names = [str(c).strip().lower() for c in table.columns]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"column '{name}' appears twice in the header", file=path, location="line 1")
        seen.add(name)
    table.columns = names
    missing = [c for c in required if c not in seen]
    if missing:
        raise DataError(
            f"missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            file=path,
            location="line 1",
            hint=f"the header must contain {', '.join(required)} (any case, any order)",
        )
    keep = [c for c in names if c in set(required) | set(optional)]
    table = table[keep].copy()
    for column in keep:
        # Cells are compared trimmed everywhere ("  1,234.50 " is an amount), so trim them once here.
        table[column] = table[column].fillna("").astype(str).str.strip()
    table["line"] = np.arange(len(table), dtype="int64") + 2
    # Blank lines (every cell empty) are skipped; their line numbers stay counted.
    blank = (table[keep] == "").all(axis=1)
    table = table.loc[~blank]
    if table.empty and not allow_empty:
        raise DataError("has a header but no rows", file=path, hint=f"export {path.name} with its data rows")
    return table


def _first_long_row(path: Path) -> int | None:
    """The line of the first row with more cells than the header (only read when one exists)."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        for row in reader:
            if len(row) > width:
                return reader.line_num
    return None


def _read_fast(path: Path) -> pd.DataFrame | None:
    """The common case (well-formed UTF-8, no blank lines) read by pyarrow's multithreaded parser.

    None sends the file to pandas' parser instead, which keeps blank lines (so line numbers stay
    right) and words every problem precisely; a large, clean export never needs it.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    raw = path.read_bytes()
    if b"\n\n" in raw or b"\n\r\n" in raw or raw.startswith((b"\n", b"\r\n")):
        return None
    try:
        header = arrow_csv.read_csv(pa.py_buffer(raw[: raw.find(b"\n") + 1] or raw),
                                    read_options=arrow_csv.ReadOptions(encoding="utf8")).column_names
        names = [name.lstrip("\ufeff") for name in header]
        if len(set(names)) != len(names):
            return None  # a repeated column: let the careful path say which
        table = arrow_csv.read_csv(
            pa.py_buffer(raw),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=arrow_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        return None
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


def _fail(path: Path, table: pd.DataFrame, bad: pd.Series, column: str, message, hint: str | None) -> None:
    rows = table.loc[bad]
    first = rows.iloc[0]
    more = len(rows) - 1
    text = message(first) if callable(message) else message
    if more:
        text += f" (and {more} more row{'s' if more > 1 else ''} like it)"
    report(DataError(text, file=path, location=f"line {int(first['line'])}, column {column}", hint=hint))


def _fail_where(bad: pd.Series, table: pd.DataFrame, path: Path, column: str, message, hint: str | None) -> None:
    if bool(bad.any()):
        _fail(path, table, bad, column, message, hint)


def _fail_duplicates(table: pd.DataFrame, path: Path, keys: list[str], column: str, what: str) -> None:
    # Rows with a missing key (already reported while validate collects) are never duplicates.
    table = table[table[keys].notna().all(axis=1)]
    dup = table.duplicated(subset=keys, keep="first")
    if bool(dup.any()):
        first = table.loc[dup].iloc[0]
        original = table.loc[(table[keys] == first[keys]).all(axis=1), "line"].iloc[0]
        described = ", ".join(f"{k} {first[k]}" for k in keys)
        more = int(dup.sum()) - 1
        report(DataError(
            f"{what}: {described} (first seen on line {int(original)})"
            + (f" (and {more} more duplicate row{'s' if more > 1 else ''})" if more else ""),
            file=path,
            location=f"line {int(first['line'])}, column {column}",
            hint="keep one row per " + " and ".join(keys),
        ))


# --- cell formats --------------------------------------------------------------------------


def _cells(table: pd.DataFrame, column: str) -> pd.Series:
    if column in table:
        return table[column]  # already trimmed by _read_csv
    return pd.Series("", index=table.index, dtype="object")


def _text(table: pd.DataFrame, path: Path, column: str, *, required: bool, as_objects: bool = True) -> pd.Series:
    cells = _cells(table, column)
    if required:
        _fail_where(cells == "", table, path, column, f"{column} is blank", f"every row needs a {column}")
        # Millions of account ids are cheaper left as pyarrow strings than made Python objects.
        return cells.astype(object) if as_objects else cells
    # To object first: a pandas string column would turn None back into NaN.
    return cells.astype(object).where(cells != "", None)


def _quarters(table: pd.DataFrame, path: Path, *, required: bool = True) -> pd.Series:
    cells = _cells(table, "quarter")
    # A file holds a handful of distinct labels: parse each once, then map the rows to them.
    codes, distinct = pd.factorize(cells.astype(object))
    parts = pd.Series(distinct, dtype=object).str.extract(QUARTER_PATTERN)
    parsed = (parts[0].fillna(parts[3]) + "Q" + parts[1].fillna(parts[2])).to_numpy(dtype=object)
    labels = pd.Series(parsed[codes] if len(parsed) else np.array([], dtype=object), index=cells.index,
                       dtype=object)
    bad = labels.isna() & ((cells != "") | required)
    _fail_where(
        bad,
        table.assign(cell=cells),
        path,
        "quarter",
        lambda r: f"'{r.cell}' is not a quarter label" if r.cell else "quarter is blank",
        "write quarters like 2026Q1, 2026-Q1, 2026 Q1, Q1 2026 or Q1-2026",
    )
    return labels.where(labels.notna(), None)


def _amounts(table: pd.DataFrame, path: Path, column: str, *, required: bool, negative: bool) -> pd.Series:
    """Parse an amount column; blank cells are NaN (an error when required)."""
    cells = _cells(table, column)
    blank = cells == ""
    # Most exports hold plain numbers: parse those in one vectorised pass, and only send the rest
    # (currency signs, thousands separators, minus signs, parentheses, mistakes) through the regex.
    plain = cells.str.fullmatch(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+").fillna(False).astype(bool)
    values = pd.Series(np.nan, index=cells.index, dtype="float64")
    values[plain] = _to_float(cells[plain])
    rest = ~plain & ~blank
    context = table.assign(cell=cells)
    if rest.any():
        odd = cells[rest].astype(object)
        parts = odd.str.extract(_AMOUNT)
        parens = parts["open"].notna() | parts["close"].notna()
        malformed = (
            parts["number"].isna()
            | (parts["open"].isna() != parts["close"].isna())
            | (parens & (parts["sign"].notna() | parts["sign2"].notna()))
            | (parts["sign"].notna() & parts["sign2"].notna())
        ).reindex(cells.index, fill_value=False)
        _fail_where(malformed, context, path, column, lambda r: f"'{r.cell}' is not an amount", _AMOUNT_HINT)
        number = pd.to_numeric(parts["number"].str.replace(",", "", regex=False), errors="coerce").astype("float64")
        is_negative = parens | parts["sign"].notna() | parts["sign2"].notna()
        values[rest] = number.where(~is_negative, -number)
    if required:
        _fail_where(blank, context, path, column, f"{column} is blank", f"every row needs {column}; write 0 for none")
    _fail_where(
        values.abs() > MAX_AMOUNT,
        context,
        path,
        column,
        lambda r: f"{column} '{r.cell}' is larger than {MAX_AMOUNT:,.0f}",
        "no account, salary or payout is that large; check the export for a misplaced digit or separator",
    )
    values = values.where(values.abs() <= MAX_AMOUNT)
    if not negative:
        _fail_where(
            values < 0,
            context,
            path,
            column,
            lambda r: f"{column} is negative ('{r.cell}')",
            f"{column} must be 0 or more; record a loss in the contraction or churn column",
        )
        values = values.abs()
    return values


def _to_float(cells: pd.Series) -> np.ndarray:
    """Cells already known to be plain numbers, as floats, cast by pyarrow without Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(pa.array(cells.array), pa.float64()).to_numpy(zero_copy_only=False)


def _booleans(table: pd.DataFrame, path: Path, column: str) -> pd.Series:
    cells = _cells(table, column).str.lower()
    bad = ~cells.isin(_TRUE | _FALSE)
    _fail_where(
        bad,
        table.assign(cell=cells),
        path,
        column,
        lambda r: f"'{r.cell}' is not a yes/no value",
        "write true/false, yes/no, y/n or 1/0 (blank means false)",
    )
    return cells.isin(_TRUE)


def _scores(table: pd.DataFrame, path: Path, column: str, low: float, high: float, *, integer: bool = False):
    cells = _cells(table, column)
    # Plain numbers in one vectorised cast; anything else (few cells) through the forgiving parser.
    plain = cells.str.fullmatch(r"-?[0-9]+(?:\.[0-9]*)?").fillna(False).astype(bool)
    values = pd.Series(np.nan, index=cells.index, dtype="float64")
    values[plain] = _to_float(cells[plain])
    other = ~plain & (cells != "")
    if other.any():
        values[other] = pd.to_numeric(cells[other].astype(object), errors="coerce").astype("float64")
    unparsed = (cells != "") & values.isna()
    kind = "a whole number" if integer else "a number"
    context = table.assign(cell=cells)
    _fail_where(unparsed, context, path, column, lambda r: f"'{r.cell}' is not {kind}",
                f"{column} must be {kind} from {low:g} to {high:g}, or blank")
    bad = values.notna() & ((values < low) | (values > high) | (integer & (values != values.round())))
    _fail_where(bad, context, path, column, lambda r: f"{column} {r.cell} is outside {low:g}–{high:g}",
                f"{column} must be {kind} from {low:g} to {high:g}, or blank")
    return values.where(~bad)  # validate carries on past a bad score: treat it as absent, not as inf


def _dates(table: pd.DataFrame, path: Path, column: str) -> pd.Series:
    cells = _cells(table, column)
    values = pd.to_datetime(cells.where(cells != "", None), format="%Y-%m-%d", errors="coerce")
    _fail_where(
        (cells != "") & values.isna(),
        table.assign(cell=cells),
        path,
        column,
        lambda r: f"'{r.cell}' is not a date",
        "write dates as YYYY-MM-DD (e.g. 2026-02-15), or leave blank",
    )
    return values
