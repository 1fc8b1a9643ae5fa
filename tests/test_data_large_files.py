"""The vectorised reading of large accounts files (issue 13): the byte-level passes only ever decide that
a cell is certainly plain, so one odd cell among thousands of plain ones is read or refused exactly as
it would be alone, with its own line and column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cscomp_cli.core.errors import DataError
from cscomp_cli.inputs.tables import load_accounts

HEADER = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn,nps,risk\n"
ROWS = 3000


def accounts(tmp_path, odd: dict[int, dict[str, str]] | None = None, *, header: str = HEADER, sep: str = ",",
             decimal: str = ".") -> object:
    """ROWS plain rows (account A<i> of C<i % 7>); ``odd`` replaces some cells (row number -> column -> cell)."""
    names = header.strip().split(sep)
    lines = [header]
    for i in range(ROWS):
        cells = {"quarter": "2026Q1", "account_id": f"A{i:05d}", "csm_id": f"C{i % 7}",
                                    "arr_start": str(1000 + i), "expansion": "10", "contraction": "0", "churn": "0",
                                    "nps": str(i % 11), "risk": f"0{decimal}{i % 10}"}
        cells.update((odd or {}).get(i, {}))
        lines.append(sep.join(f'"{c}"' if sep in c else c for c in (cells.get(n, "") for n in names)) + "\n")
    path = tmp_path / "accounts.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def error(path) -> DataError:
    with pytest.raises(DataError) as caught:
        load_accounts(path)
    return caught.value


def test_one_bad_cell_among_thousands_of_plain_ones_names_its_line_and_column(tmp_path):
    # Row 2500 is line 2500 + 2 (the header is line 1).
    found = error(accounts(tmp_path, {2500: {"expansion": "n/a"}}))
    assert found.message == "'n/a' is not an amount"
    assert found.location == "line 2502, column expansion"


def test_two_bad_cells_are_counted_from_the_first(tmp_path):
    found = error(accounts(tmp_path, {10: {"churn": "12..5"}, 2999: {"churn": "7.5.1"}}))
    assert found.message == "'12..5' is not an amount (and 1 more row like it)"
    assert found.location == "line 12, column churn"


@pytest.mark.parametrize("cell", ["1e5", "inf", "nan", "+5", "5-", "-", ".", "1 000", "1_000", "0x10"])
def test_a_cell_a_pyarrow_cast_would_read_is_still_refused_as_an_amount(tmp_path, cell):
    found = error(accounts(tmp_path, {1500: {"arr_start": cell}}))
    assert found.message == f"'{cell}' is not an amount"
    assert found.location == "line 1502, column arr_start"


@pytest.mark.parametrize(("cell", "value"), [("$1,234.50", 1234.5), ("1,234", 1234.0), (" 77 ", 77.0),
                                             ("\u00a01234", 1234.0), (".5", 0.5), ("5.", 5.0)])
def test_an_odd_but_valid_amount_among_plain_ones_reads_as_it_would_alone(tmp_path, cell, value):
    table = load_accounts(accounts(tmp_path, {2000: {"arr_start": cell}}))
    assert table["arr_start"].iloc[2000] == value
    assert table["arr_start"].iloc[1999] == 1000 + 1999  # its plain neighbours are read as written


@pytest.mark.parametrize(("column", "cell", "value"), [("risk", "5e-1", 0.5), ("nps", "1e1", 10.0), ("risk", "0.", 0.0),
                                                       ("risk", ".5", 0.5), ("nps", " 7", 7.0)])
def test_a_score_the_plain_pass_leaves_goes_through_the_forgiving_parser(tmp_path, column, cell, value):
    table = load_accounts(accounts(tmp_path, {100: {column: cell}}))
    assert table[column].iloc[100] == value


@pytest.mark.parametrize("cell", ["seven", "0x7", "1,5"])
def test_a_score_that_is_not_a_number_is_refused_on_its_line(tmp_path, cell):
    found = error(accounts(tmp_path, {2998: {"nps": cell}}))
    assert found.message == f"'{cell}' is not a whole number"
    assert found.location == "line 3000, column nps"


@pytest.mark.parametrize("cell", ["inf", "1e9"])
def test_an_infinite_or_huge_score_is_outside_its_range(tmp_path, cell):
    found = error(accounts(tmp_path, {2998: {"nps": cell}}))
    assert found.message == f"nps {cell} is outside 0–10"


def test_a_negative_score_among_plain_ones_is_outside_its_range(tmp_path):
    found = error(accounts(tmp_path, {5: {"risk": "-0.5"}}))
    assert found.message == "risk -0.5 is outside 0–1"
    assert found.location == "line 7, column risk"


def test_decimal_commas_among_thousands_of_rows(tmp_path):
    # A semicolon file whose cells write 1234,5: ',' is the decimal separator, '.' the thousands one.
    path = accounts(tmp_path, {7: {"arr_start": "1.234,50"}, 8: {"arr_start": "99,25"}},
                    header=HEADER.replace(",", ";"), sep=";", decimal=",")
    table = load_accounts(path)
    assert table["arr_start"].iloc[7] == 1234.5
    assert table["arr_start"].iloc[8] == 99.25
    assert table["risk"].iloc[3] == 0.3  # '0,3'
    assert table["arr_start"].iloc[9] == 1009


def test_a_duplicate_account_among_thousands_is_named_with_where_it_was_first_seen(tmp_path):
    # Rows 2000 and 2990 repeat row 40's account (A00040) in the same quarter.
    found = error(accounts(tmp_path, {2000: {"account_id": "A00040"}, 2990: {"account_id": "A00040"}}))
    assert found.message == ("an account appears twice in one quarter: quarter 2026Q1, account_id A00040 "
                             "(first seen on line 42) (and 1 more duplicate row)")
    assert found.location == "line 2002, column account_id"


def test_the_same_account_in_two_quarters_is_no_duplicate(tmp_path):
    table = load_accounts(accounts(tmp_path, {i: {"quarter": "2026Q2", "account_id": "A00000"} for i in range(1, 2)}))
    assert len(table) == ROWS


def test_account_id_is_a_categorical_with_sorted_categories(tmp_path):
    # Written in descending order: the categories still sort as text (A00000 first), the rows keep their order.
    path = accounts(tmp_path, {i: {"account_id": f"A{ROWS - 1 - i:05d}"} for i in range(ROWS)})
    ids = load_accounts(path)["account_id"]
    assert ids.dtype == "category"
    assert list(ids.cat.categories[:2]) == ["A00000", "A00001"]
    assert ids.iloc[0] == f"A{ROWS - 1:05d}"
    assert ids.astype(str).tolist() == [f"A{ROWS - 1 - i:05d}" for i in range(ROWS)]


def test_a_blank_row_among_many_is_skipped_and_lines_still_count_it(tmp_path):
    blank = {c: "" for c in HEADER.strip().split(",")}
    found = error(accounts(tmp_path, {3: blank, 2400: {"contraction": "lots"}}))
    assert found.location == "line 2402, column contraction"


@pytest.mark.parametrize("cells", [["b", "a", "", "c", "a"], ["x"], [""], ["", ""], [],
                                   ["Zeta", "alpha", "Äbc", "ábc", "é", "e", " ", "a\u00a0b", "日本", "ß"]])
@pytest.mark.parametrize("blank_missing", [True, False])
def test_ids_encoded_by_pyarrow_are_the_categories_pandas_would_make(cells, blank_missing):
    # Account ids are dictionary-encoded and sorted by pyarrow (bytewise UTF-8); that must be the order,
    # the codes and the missing cells of astype("category") over the same text, accents and CJK included.
    from cscomp_cli.inputs.cell_bytes import arrow_categorical

    column = pd.Series(cells, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    fast = arrow_categorical(column, blank_missing=blank_missing)
    expected = column.astype(object)
    if blank_missing:
        expected = expected.where(expected != "", None)
    expected = expected.astype("category")
    assert list(fast.cat.categories) == list(expected.cat.categories)
    assert fast.cat.codes.tolist() == expected.cat.codes.tolist()
    assert fast.isna().tolist() == expected.isna().tolist()


def test_the_header_survives_parsing_every_column(tmp_path):
    # The loader lets go of each text column once parsed; the header it reports (which columns the export
    # has, so a plan is not told "accounts.csv has no nps column") must still be the whole header.
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.inputs.files import ACCOUNTS

    (tmp_path / "accounts.csv").write_text(
        "quarter,account_id,csm_id,segment,arr_start,expansion,cross_sell,contraction,churn,arr_end,"
        "renewal_due,renewed,nps,health,risk,csat\n"
        "2026Q1,A1,C1,SMB,1000,0,0,0,0,1000,yes,yes,9,80,0.2,4\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text("csm_id,name,segment,annual_base,annual_variable\nC1,Ana,SMB,100000,20000\n",
                                         encoding="utf-8")
    (tmp_path / "payouts.csv").write_text("quarter,csm_id,amount\n2026Q1,C1,5000\n", encoding="utf-8")
    dataset = load_dataset(tmp_path, columns={"csat": {"number"}})
    assert dataset.columns[ACCOUNTS] >= {"quarter", "account_id", "csm_id", "segment", "arr_start", "expansion",
                                         "cross_sell", "contraction", "churn", "arr_end", "renewal_due", "renewed",
                                         "nps", "health", "risk", "csat"}
    assert dataset.headers[ACCOUNTS][:3] == ("quarter", "account_id", "csm_id")
