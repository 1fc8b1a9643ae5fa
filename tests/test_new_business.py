"""New business is not expansion (SPEC 6.7): accounts.csv's optional new_arr is the ARR a new logo landed,
sold by Sales. It is part of arr_end and of nothing else: no metric of section 2 counts it, a window's folded
row sums it like the other movements, and a column metric may still name it. Every expected number is worked
by hand in the comments."""

from __future__ import annotations

import math

import pytest
import yaml

from cscomp_cli.core.errors import DataError, MapError
from cscomp_cli.engine.replay import replay
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import plan_from_document

from .conftest import DEFAULT_ROSTER, assert_user_error, run, write_files

# C1 holds A1 (an existing customer: 100,000 at the start, 10,000 upsell) and A2 (a new logo this quarter:
# arr_start 0, Sales landed 50,000; its arr_end 50,000 is given and must be accepted).
LANDED = """\
quarter,account_id,csm_id,arr_start,new_arr,expansion,contraction,churn,arr_end
2026Q1,A1,C1,100000,,10000,0,0,110000
2026Q1,A2,C1,0,50000,0,0,0,50000
2026Q1,A3,C2,100000,0,0,0,0,
"""
PAID = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,5000\n"


def loaded(tmp_path, accounts: str, metrics: dict | None = None, quarters: int = 1):
    folder = write_files(tmp_path / "data", accounts=accounts, roster=DEFAULT_ROSTER)
    plan = plan_from_document({"name": "n", "metrics": metrics or {}, "components": [
        {"id": "pay", "metric": "accounts", "weight": 1.0, "target": 1.0, "curve": [[0, 0], [2, 2]]}]})
    dataset = load_dataset(folder, columns=plan.account_columns(), require_payouts=False)
    return dataset, replay(plan, dataset, quarters)


def at(result, name: str, scope: str = "csm") -> dict:
    raw = result.books.value(name, scope, "test")
    return {(q, c): (None if math.isnan(v) else float(v))
            for q, c, v in zip(result.rows["quarter"], result.rows["csm_id"], raw)}


def test_a_new_logos_landed_arr_is_neither_expansion_nor_retention(tmp_path):
    dataset, result = loaded(tmp_path, LANDED)
    accounts = dataset.accounts.set_index("account_id")
    # The blank new_arr of A1 is 0; A2's 50,000 is read; arr_end 50,000 = 0 + 50,000 + 0 − 0 − 0 accepted.
    assert accounts.loc["A1", "new_arr"] == 0.0 and accounts.loc["A2", "new_arr"] == 50000.0
    assert accounts.loc["A2", "arr_end"] == 50000.0
    # A3 has no arr_end: derived 100,000 + 0 + 0 − 0 − 0 = 100,000.
    assert accounts.loc["A3", "arr_end"] == 100000.0
    q1 = ("2026Q1", "C1")
    # The base is A1 alone (arr_start > 0): nrr = (100,000 + 10,000) / 100,000 = 1.10, not 160,000 / 100,000.
    assert at(result, "nrr")[q1] == 1.10
    # expansion_arr = 1 × 10,000 (the landed 50,000 is not expansion); gross_expansion the same.
    assert at(result, "expansion_arr")[q1] == 10000.0
    assert at(result, "gross_expansion")[q1] == 10000.0
    assert at(result, "net_expansion")[q1] == 10000.0
    assert at(result, "start_arr")[q1] == 100000.0
    assert at(result, "retained_arr")[q1] == 100000.0
    assert at(result, "grr")[q1] == 1.0
    # logo_retention over the base: A1 ends with 110,000 > 0 → 1 / 1; A2 is outside the base.
    assert at(result, "logo_retention")[q1] == 1.0
    assert at(result, "accounts")[q1] == 2.0
    # The company: base A1 and A3, nrr = (110,000 + 100,000) / 200,000 = 1.05.
    assert at(result, "nrr", "company")[q1] == 1.05


def test_a_file_without_new_arr_reads_it_as_zero(tmp_path):
    dataset, _ = loaded(tmp_path, "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                                  "2026Q1,A1,C1,100,0,0,0\n2026Q1,A2,C2,100,0,0,0\n")
    assert dataset.accounts["new_arr"].tolist() == [0.0, 0.0]


def test_new_arr_takes_the_amount_formats_of_every_amount(tmp_path):
    dataset, _ = loaded(tmp_path, 'quarter,account_id,csm_id,arr_start,new_arr,expansion,contraction,churn\n'
                                  '2026Q1,A1,C1,100,0,0,0,0\n2026Q1,A2,C1,0,"$1,234.50",0,0,0\n'
                                  '2026Q1,A3,C2,100,0,0,0,0\n')
    assert dataset.accounts.set_index("account_id").loc["A2", ["new_arr", "arr_end"]].tolist() == [1234.5, 1234.5]


def test_new_arr_on_an_existing_customer_is_refused_naming_line_and_column(data_dir):
    accounts = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,new_arr
2026Q1,A1,C1,100000,0,0,0,0
2026Q1,A2,C2,100000,0,0,0,5000
"""
    folder = data_dir(accounts=accounts, payouts=PAID, plan=yaml.safe_dump({
        "name": "nrr", "components": [{"id": "r", "metric": "nrr", "weight": 1, "target": 1,
                                       "curve": [[0.9, 0], [1, 1]]}]}))
    # Line 3 (the header is line 1), column new_arr: A2 had 100,000 at the start.
    result = run("stress-test", folder / "plan.yaml", "--data", folder)
    assert_user_error(result, "accounts.csv", "line 3", "new_arr", "new_arr 5,000.00 on a row with arr_start "
                      "100,000.00", "arr_start 0", "expansion", "docs/data.md")
    checked = run("validate", folder / "plan.yaml", "--data", folder)
    assert checked.exit_code == 2
    assert "line 3" in checked.stdout and "new_arr 5,000.00 on a row with arr_start 100,000.00" in checked.stdout


def test_a_negative_new_arr_is_refused(data_dir):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn,new_arr\n"
                "2026Q1,A1,C1,0,0,0,0,-5\n2026Q1,A2,C2,100,0,0,0,\n")
    folder = data_dir(accounts=accounts, payouts=PAID, plan=yaml.safe_dump({
        "name": "nrr", "components": [{"id": "r", "metric": "nrr", "weight": 1, "target": 1,
                                       "curve": [[0.9, 0], [1, 1]]}]}))
    assert_user_error(run("stress-test", folder / "plan.yaml", "--data", folder), "accounts.csv", "line 2",
                      "new_arr")


def test_the_arr_end_identity_names_new_arr_when_the_file_has_it(data_dir):
    # A2: 0 + 50,000 + 0 − 0 − 0 = 50,000, but the file says 40,000.
    accounts = ("quarter,account_id,csm_id,arr_start,new_arr,expansion,contraction,churn,arr_end\n"
                "2026Q1,A1,C1,100,0,0,0,0,100\n2026Q1,A2,C2,0,50000,0,0,0,40000\n")
    folder = data_dir(accounts=accounts, payouts=PAID, plan=yaml.safe_dump({
        "name": "nrr", "components": [{"id": "r", "metric": "nrr", "weight": 1, "target": 1,
                                       "curve": [[0.9, 0], [1, 1]]}]}))
    assert_user_error(run("stress-test", folder / "plan.yaml", "--data", folder), "line 3", "arr_end",
                      "arr_end 40,000.00 does not equal arr_start + new_arr + expansion + cross_sell − contraction "
                      "− churn = 50,000.00")


def test_without_the_column_the_identity_reads_as_section_1_writes_it(data_dir):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn,arr_end\n"
                "2026Q1,A1,C1,100,0,0,0,90\n2026Q1,A2,C2,100,0,0,0,100\n")
    folder = data_dir(accounts=accounts, payouts=PAID, plan=yaml.safe_dump({
        "name": "nrr", "components": [{"id": "r", "metric": "nrr", "weight": 1, "target": 1,
                                       "curve": [[0.9, 0], [1, 1]]}]}))
    result = run("stress-test", folder / "plan.yaml", "--data", folder)
    assert_user_error(result, "arr_end 90.00 does not equal arr_start + expansion + cross_sell − contraction − "
                      "churn = 100.00")
    assert "new_arr" not in result.stderr


def test_a_new_logo_may_lose_what_it_landed_but_no_more(data_dir):
    # A2 lands 50,000 and loses 10,000 of it in the quarter: 10,000 ≤ 0 + 50,000 is fine. A3 lands 1,000 and
    # churns 2,000: 2,000 > 0 + 1,000 + 0 + 0, refused at its contraction column.
    accounts = ("quarter,account_id,csm_id,arr_start,new_arr,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100,0,0,0,0\n2026Q1,A2,C1,0,50000,0,10000,0\n2026Q1,A3,C2,0,1000,0,0,2000\n")
    folder = data_dir(accounts=accounts, payouts=PAID, plan=yaml.safe_dump({
        "name": "nrr", "components": [{"id": "r", "metric": "nrr", "weight": 1, "target": 1,
                                       "curve": [[0.9, 0], [1, 1]]}]}))
    assert_user_error(run("stress-test", folder / "plan.yaml", "--data", folder), "line 4", "contraction",
                      "contraction + churn (2,000.00) exceeds arr_start + new_arr + expansion + cross_sell (1,000.00)")


def test_a_column_metric_may_sum_new_arr(tmp_path):
    _, result = loaded(tmp_path, LANDED, {"landed": {"column": "new_arr", "aggregate": "sum"},
                                          "new_logos": {"column": "new_arr", "aggregate": "count"}})
    # C1: 0 (A1's blank is 0) + 50,000 = 50,000 over two rows; C2: A3's 0, one row. The company: 50,000.
    assert at(result, "landed") == {("2026Q1", "C1"): 50000.0, ("2026Q1", "C2"): 0.0}
    assert at(result, "new_logos") == {("2026Q1", "C1"): 2.0, ("2026Q1", "C2"): 1.0}
    assert at(result, "landed", "company") == {("2026Q1", "C1"): 50000.0, ("2026Q1", "C2"): 50000.0}


def test_a_window_folds_new_arr_like_the_other_movements(tmp_path):
    # A1: 100 in 2025Q3, churned whole in 2025Q4, won back in 2026Q1 (arr_start 0, new_arr 60), kept in
    # 2026Q2. A2: a new logo landed in 2026Q1 (40), +10 upsell in 2026Q2. A3: 200 all along, −20 in 2026Q2.
    accounts = """\
quarter,account_id,csm_id,arr_start,new_arr,expansion,contraction,churn
2025Q3,A1,C1,100,0,0,0,0
2025Q3,A3,C1,200,0,0,0,0
2025Q4,A1,C1,100,0,0,0,100
2025Q4,A3,C1,200,0,0,0,0
2026Q1,A1,C1,0,60,0,0,0
2026Q1,A2,C1,0,40,0,0,0
2026Q1,A3,C1,200,0,0,0,0
2026Q2,A1,C1,60,0,0,0,0
2026Q2,A2,C1,40,0,10,0,0
2026Q2,A3,C1,200,0,0,20,0
"""
    metrics = {"nrr_ttm": {"from": "nrr", "window": 4}, "logos_ttm": {"from": "logo_retention", "window": 4},
               "grr_ttm": {"from": "grr", "window": 4}, "expansion_ttm": {"from": "expansion_arr", "window": 4},
               "landed_ttm": {"column": "new_arr", "aggregate": "sum", "window": 4}}
    _, result = loaded(tmp_path, accounts, metrics)
    q2 = ("2026Q2", "C1")
    # 2026Q2's window is 2025Q3–2026Q2. Folded rows: A1 starts 100 (2025Q3), churn 100, new_arr 60: arr_end
    # 100 + 60 − 100 = 60 (the win-back ends with ARR). A2 has no 2025Q3 row: start 0, outside the base;
    # new_arr 40, expansion 10. A3 starts 200, contraction 20: arr_end 180.
    # nrr counts no new_arr: (100 − 100 + 200 − 20) / (100 + 200) = 180 / 300 = 0.6.
    assert at(result, "nrr_ttm")[q2] == 0.6
    # grr = (100 − 100 + 200 − 20) / 300 = 0.6 as well.
    assert at(result, "grr_ttm")[q2] == 0.6
    # expansion_arr over the window's book: A2's 10 only (the 60 and the 40 landed are not expansion).
    assert at(result, "expansion_ttm")[q2] == 10.0
    # logo_retention reads the folded arr_end, which sums new_arr: A1 (60 > 0) and A3 (180 > 0) of 2 → 1.0.
    assert at(result, "logos_ttm")[q2] == 1.0
    # The column metric sums every value in the window: 60 + 40 = 100.
    assert at(result, "landed_ttm")[q2] == 100.0


def test_a_window_with_a_new_logo_keeps_it_out_of_the_base(tmp_path):
    # A ttm window over 2025Q3–2026Q2: A1 100 all along with +10 upsell in 2026Q2; A2 lands 50 in 2026Q1.
    accounts = """\
quarter,account_id,csm_id,arr_start,new_arr,expansion,contraction,churn
2025Q3,A1,C1,100,0,0,0,0
2026Q1,A2,C1,0,50,0,0,0
2026Q2,A1,C1,100,0,10,0,0
2026Q2,A2,C1,50,0,0,0,0
"""
    _, result = loaded(tmp_path, accounts, {"nrr_ttm": {"from": "nrr", "window": 4},
                                            "books_ttm": {"from": "accounts", "window": 4}})
    # A1 folds to 100 + 10 = 110 over a start of 100; A2 starts 0 in 2025Q3 (no row), outside the base.
    # nrr = 110 / 100 = 1.1 (not (110 + 50) / 100); two accounts in the windowed book.
    assert at(result, "nrr_ttm")[("2026Q2", "C1")] == 1.1
    assert at(result, "books_ttm")[("2026Q2", "C1")] == 2.0


# --- the data map: a CRM export's one ARR column, new_arr where the Lifecycle Stage says New ---------------

CRM_EXPORT = """\
Quarter,Account,Owner,ARR,Lifecycle Stage,Upsell,Downsell,Churned
2026Q1,A1,C1,100000,Customer,10000,0,0
2026Q1,A2,C1,50000,New,0,0,0
2026Q1,A3,C2,100000,customer,0,0,0
"""


def crm_map(new_arr: dict, arr_start: str = "{column: Beginning}") -> str:
    return f"""\
tables:
  accounts:
    files: crm.csv
    columns:
      quarter: Quarter
      account_id: Account
      csm_id: Owner
      arr_start: {arr_start}
      new_arr: {yaml.safe_dump(new_arr, default_flow_style=True).strip()}
      expansion: Upsell
      contraction: Downsell
      churn: Churned
  roster:
    files: roster.csv
    columns: {{csm_id: csm_id, name: name, segment: segment, annual_base: annual_base,
              annual_variable: annual_variable}}
"""


def crm_folder(tmp_path, new_arr: dict, export: str = CRM_EXPORT):
    # The CRM has ARR at the start in its own column for existing customers: Beginning.
    export = export.replace("Churned\n", "Churned,Beginning\n", 1)
    lines = export.splitlines()
    starts = {"A1": "100000", "A2": "0", "A3": "100000"}
    body = [f"{line},{starts.get(line.split(',')[1], '0')}" for line in lines[1:]]
    return write_files(tmp_path / "data", **{"crm.csv": "\n".join([lines[0], *body]) + "\n",
                                             "roster": DEFAULT_ROSTER, "cscomp-data.yaml": crm_map(new_arr)})


def refusal(folder, kind) -> str:
    """The one-line message of the error loading the folder raises (a user error: exit 2 in every command)."""
    with pytest.raises(kind) as caught:
        load_dataset(folder, require_payouts=False)
    return caught.value.one_line()


def test_a_when_condition_takes_new_arr_from_the_one_arr_column(tmp_path):
    folder = crm_folder(tmp_path, {"column": "ARR", "when": {"column": "Lifecycle Stage", "in": ["New"]}})
    dataset = load_dataset(folder, require_payouts=False)
    accounts = dataset.accounts.set_index("account_id")
    # A2's Lifecycle Stage is New: its ARR 50,000 is new_arr. A1 and A3 (Customer, any case) get 0.
    assert accounts["new_arr"].to_dict() == {"A1": 0.0, "A2": 50000.0, "A3": 0.0}
    # arr_end of A2 = 0 + 50,000 = 50,000; of A1 = 100,000 + 10,000 = 110,000.
    assert accounts["arr_end"].to_dict() == {"A1": 110000.0, "A2": 50000.0, "A3": 100000.0}


def test_a_when_condition_matches_its_values_in_any_case(tmp_path):
    folder = crm_folder(tmp_path, {"column": "ARR", "when": {"column": "lifecycle stage", "in": ["NEW", "new logo"]}})
    accounts = load_dataset(folder, require_payouts=False).accounts.set_index("account_id")
    assert accounts["new_arr"].to_dict() == {"A1": 0.0, "A2": 50000.0, "A3": 0.0}


def test_a_when_condition_on_an_existing_customers_row_is_the_loaders_error(tmp_path):
    # Stage Customer on A1 (arr_start 100,000): its ARR would be new business on an existing customer.
    folder = crm_folder(tmp_path, {"column": "ARR", "when": {"column": "Lifecycle Stage", "in": ["Customer"]}})
    # The export's line 2 (A1), its ARR column (new_arr's source).
    said = refusal(folder, DataError)
    assert "crm.csv" in said and "line 2, column ARR" in said
    assert "new_arr 100,000.00 on a row with arr_start 100,000.00" in said


def test_a_when_condition_column_the_export_lacks_is_named(tmp_path):
    folder = crm_folder(tmp_path, {"column": "ARR", "when": {"column": "Lifecycle", "in": ["New"]}})
    said = refusal(folder, DataError)
    for fragment in ("crm.csv", "'Lifecycle'", "tables.accounts.columns.new_arr.when.column",
                     "did you mean 'Lifecycle Stage'?", "cscomp-data.yaml"):
        assert fragment in said, said


def test_when_applies_to_amount_columns_only(tmp_path):
    folder = crm_folder(tmp_path, {"column": "ARR"})
    text = (folder / "cscomp-data.yaml").read_text().replace(
        "account_id: Account", "account_id: {column: Account, when: {column: Lifecycle Stage, in: [New]}}")
    (folder / "cscomp-data.yaml").write_text(text)
    said = refusal(folder, MapError)
    assert "cscomp-data.yaml, tables.accounts.columns.account_id.when: when applies to amount columns only" in said


def test_when_needs_an_export_column(tmp_path):
    folder = crm_folder(tmp_path, {"value": "0", "when": {"column": "Lifecycle Stage", "in": ["New"]}})
    said = refusal(folder, MapError)
    assert "tables.accounts.columns.new_arr" in said and "when apply to an export column: add column" in said


def test_the_data_map_schema_describes_when():
    import json

    result = run("schema", "--data-map")
    assert result.exit_code == 0, result.stderr
    when = json.loads(result.stdout)["$defs"]["Source"]["properties"]["when"]
    assert "0 on the others" in when["description"]
    assert {"$ref": "#/$defs/RowFilter"} in when["anyOf"]


# --- init: the header names CRMs give a new logo's landed ARR ----------------------------------------------

def _guessed_columns(tmp_path, header: str) -> dict:
    from cscomp_cli.inputs.guessing.guess import guess_map

    crm = ("Account ID,CSM Owner,Fiscal Period,Beginning ARR,Upsell ARR,Downsell,Churned ARR," + header + "\n"
           "A-001,E1,2026-Q1,100000,10000,0,0,0\nA-002,E1,2026-Q1,0,0,0,0,50000\n")
    roster = "Employee ID,Worker,Annual Base Salary,Annual Target Incentive\nE1,Ana,100000,20000\n"
    folder = write_files(tmp_path / header.replace(" ", "_"), **{"crm.csv": crm, "hr.csv": roster})
    return yaml.safe_load(guess_map(folder).text)["tables"]["accounts"]["columns"]


def test_init_maps_a_new_logo_arr_header_to_new_arr(tmp_path):
    for header in ("New Logo ARR", "New Business ARR", "New ARR", "New Bookings"):
        assert _guessed_columns(tmp_path, header).get("new_arr") == header, header


def test_init_does_not_take_net_new_arr_for_new_business(tmp_path):
    # Net new ARR is every movement netted (new + expansion − contraction − churn), not the landed ARR.
    assert "new_arr" not in _guessed_columns(tmp_path, "Net New ARR")


def test_when_on_arr_end_leaves_the_other_rows_derived(tmp_path):
    folder = crm_folder(tmp_path, {"column": "ARR", "when": {"column": "Lifecycle Stage", "in": ["New"]}})
    text = (folder / "cscomp-data.yaml").read_text().replace(
        "churn: Churned\n", "churn: Churned\n      arr_end: {column: ARR, when: {column: Lifecycle Stage, in: [New]}}\n")
    (folder / "cscomp-data.yaml").write_text(text)
    accounts = load_dataset(folder, require_payouts=False).accounts.set_index("account_id")
    # A2 (New): arr_end is its ARR cell, 50,000 = 0 + 50,000. A1 and A3: blank, so derived:
    # 100,000 + 10,000 = 110,000 and 100,000 (not 0, which the identity would refuse).
    assert accounts["arr_end"].to_dict() == {"A1": 110000.0, "A2": 50000.0, "A3": 100000.0}
