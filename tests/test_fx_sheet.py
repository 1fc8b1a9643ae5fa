"""A finance team's FX sheet read through the data map (tables.fx) gives exactly the rates fx.csv would
(SPEC 6.3: units of the plan's currency per 1 unit of the pay currency, per quarter): a monthly sheet by
its declared rule (the quarter's last month, or the mean of its three), a quarterly one as given, or one
fixed rate; either direction of the pair, turned once the plan's currency is known.

The folder: two CSMs (C1 paid in EUR, C2 in USD) with one flat account each in 2025Q3, an export per
table, and the sheet under test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cscomp_cli.core.errors import DataError, MapError
from cscomp_cli.core.strict_yaml import load_yaml
from cscomp_cli.inputs.datamap import DataMap, map_json_schema
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.inputs.exports import stage_fx
from cscomp_cli.inputs.fx_rates import load_fx
from cscomp_cli.inputs.fx_sheet import load_rates, rates_for

from .conftest import (
    FLAT_ACCOUNTS,
    NRR_ONLY_YAML,
    PAID_AT_TARGET,
    REPO,
    run,
    write_files,
)

CRM = """\
    Quarter,Account,Owner,Start ARR,Expansion,Contraction,Churn
    2025Q3,A1,C1,100000,0,0,0
    2025Q3,A2,C2,100000,0,0,0
    """
HR = """\
    Employee ID,Name,Segment,Base,Variable
    C1,Ana,Enterprise,80000,20000
    C2,Bo,SMB,100000,20000
    """
PAYROLL = "Quarter,Employee ID,Amount\n2025Q3,C1,5000\n2025Q3,C2,5000\n"
TABLES = """\
version: 1
{fiscal}tables:
  accounts:
    files: crm.csv
    columns: {{quarter: Quarter, account_id: Account, csm_id: Owner, arr_start: Start ARR, expansion: Expansion,
              contraction: Contraction, churn: Churn}}
  roster:
    files: hr.csv
    columns: {{csm_id: Employee ID, name: Name, segment: Segment, annual_base: Base, annual_variable: Variable}}
  payouts:
    files: payroll.csv
    columns: {{quarter: Quarter, csm_id: Employee ID, amount: Amount}}
"""
# Finance's monthly EURUSD sheet (US dollars per 1 euro) for 2025Q3.
MONTHLY = "Month,EURUSD\n2025-07,1.1650\n2025-08,1.1580\n2025-09,1.1700\n"
MONTHLY_FX = """\
  fx:
    files: fx_rates.csv
    columns: {month: Month, rate: EURUSD}
    pair: EURUSD
    rule: quarter_end
"""


def _folder(tmp_path: Path, fx: str = MONTHLY_FX, sheet: str | None = MONTHLY, fiscal: str = "",
            crm: str = CRM, payroll: str = PAYROLL) -> Path:
    files = {"crm.csv": crm, "hr.csv": HR, "payroll.csv": payroll,
             "cscomp-data.yaml": TABLES.format(fiscal=fiscal) + fx}
    if sheet is not None:
        files["fx_rates.csv"] = sheet
    return write_files(tmp_path / "data", **files)


def _rates(folder: Path, plan_currency: str = "USD") -> list[list]:
    return load_dataset(folder).fx_rates(plan_currency)[["quarter", "currency", "rate"]].values.tolist()


def _validate(tmp_path: Path, folder: Path, plan: str = NRR_ONLY_YAML):
    plan_file = write_files(tmp_path / "plan", **{"plan.yaml": plan}) / "plan.yaml"
    return run("validate", plan_file, "--data", folder)


def _refused(result, *fragments: str) -> None:
    """validate exits 2 and lists an error naming every fragment, with no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    said = result.stdout + result.stderr
    assert "Traceback" not in said
    for fragment in fragments:
        assert fragment in said, f"{fragment!r} not in {said!r}"


# --- the rules --------------------------------------------------------------------------------------


def test_quarter_end_takes_the_rate_of_the_quarters_last_month(tmp_path):
    # 2025Q3 is July–September: September's 1.1700, US dollars per euro, is the euro's rate into USD.
    assert _rates(_folder(tmp_path)) == [["2025Q3", "EUR", 1.17]]


def test_quarter_average_is_the_unrounded_mean_of_the_quarters_three_months(tmp_path):
    folder = _folder(tmp_path, MONTHLY_FX.replace("quarter_end", "quarter_average"))
    ((quarter, currency, rate),) = _rates(folder)
    assert (quarter, currency) == ("2025Q3", "EUR")
    assert rate == pytest.approx((1.1650 + 1.1580 + 1.1700) / 3, rel=1e-15)  # 3.4930 / 3 = 1.164333…


def test_a_pair_quoted_the_other_way_is_turned_into_the_plans_currency_unrounded(tmp_path):
    # USDEUR 0.8500 is euros per US dollar: one euro is worth 1 / 0.85 = 1.176470588… dollars, not rounded.
    sheet = "Month,USDEUR\n2025-07,0.8600\n2025-08,0.8640\n2025-09,0.8500\n"
    fx = MONTHLY_FX.replace("EURUSD", "USDEUR")
    assert _rates(_folder(tmp_path, fx, sheet)) == [["2025Q3", "EUR", 1 / 0.85]]


def test_a_plan_in_the_pairs_base_currency_reads_the_quote_currency_at_the_inverse(tmp_path):
    # A euro plan paying a dollar CSM: one dollar is 1 / 1.17 euros.
    assert _rates(_folder(tmp_path), "EUR") == [["2025Q3", "USD", 1 / 1.17]]


def test_every_quarter_of_a_year_long_sheet_takes_its_own_last_month(tmp_path):
    sheet = "Month,EURUSD\n" + "".join(f"2025-{m:02d},1.{1500 + m}\n" for m in range(1, 13))
    folder = _folder(tmp_path, sheet=sheet)
    assert _rates(folder) == [["2025Q1", "EUR", 1.1503], ["2025Q2", "EUR", 1.1506], ["2025Q3", "EUR", 1.1509],
                              ["2025Q4", "EUR", 1.1512]]  # March, June, September, December


@pytest.mark.parametrize("jul, aug, sep", [("Jul 2025", "August 2025", "2025-09-01"), ("2025/07", "07/2025", "Sep-25"),
                                           ("Jul-25", "2025-08", "September 2025")])
def test_months_may_be_written_as_finance_sheets_write_them(tmp_path, jul, aug, sep):
    sheet = f"Month,EURUSD\n{jul},1.1650\n{aug.replace('07', '08')},1.1580\n{sep},1.1700\n"
    fx = MONTHLY_FX.replace("quarter_end", "quarter_average")
    ((_, _, rate),) = _rates(_folder(tmp_path, fx, sheet))
    assert rate == pytest.approx((1.1650 + 1.1580 + 1.1700) / 3, rel=1e-15)


def test_on_a_fiscal_calendar_the_quarter_ends_in_the_fiscal_quarters_last_month(tmp_path):
    # Fiscal years from February, named for the year they end in: FY2026Q3 is August–October 2025, so its
    # rate is October's 1.1620 (not September's 1.1700, the calendar quarter's end).
    sheet = "Month,EURUSD\n2025-08,1.1580\n2025-09,1.1700\n2025-10,1.1620\n"
    crm = CRM.replace("2025Q3", "FY2026Q3")
    payroll = PAYROLL.replace("2025Q3", "FY2026Q3")
    folder = _folder(tmp_path, sheet=sheet, fiscal="fiscal_year: {first_month: 2}\n", crm=crm, payroll=payroll)
    assert _rates(folder) == [["FY2026Q3", "EUR", 1.1620]]
    average = _folder(tmp_path / "avg", MONTHLY_FX.replace("quarter_end", "quarter_average"), sheet,
                      fiscal="fiscal_year: {first_month: 2}\n", crm=crm, payroll=payroll)
    assert _rates(average)[0][2] == pytest.approx((1.1580 + 1.1700 + 1.1620) / 3, rel=1e-15)


def test_a_quarterly_sheet_is_read_as_given_with_rule_quarter(tmp_path):
    sheet = "Quarter,GBPUSD\n2025 Q3,1.2700\n2025 Q4,1.2500\n"
    fx = "  fx:\n    files: fx_rates.csv\n    columns: {quarter: Quarter, rate: GBPUSD}\n    pair: GBPUSD\n" \
         "    rule: quarter\n"
    assert _rates(_folder(tmp_path, fx, sheet)) == [["2025Q3", "GBP", 1.27], ["2025Q4", "GBP", 1.25]]


def test_a_fixed_plan_rate_written_in_the_map_holds_in_every_quarter_of_the_data(tmp_path):
    crm = CRM + "    2025Q4,A1,C1,100000,0,0,0\n"
    fx = "  fx:\n    pair: EURUSD\n    rule: fixed\n    rate: 1.15\n"
    folder = _folder(tmp_path, fx, sheet=None, crm=crm)
    assert _rates(folder) == [["2025Q3", "EUR", 1.15], ["2025Q4", "EUR", 1.15]]


def test_a_fixed_rate_may_be_the_one_row_of_a_sheet(tmp_path):
    fx = "  fx:\n    files: fx_rates.csv\n    columns: {rate: Budget rate}\n    pair: EURUSD\n    rule: fixed\n"
    assert _rates(_folder(tmp_path, fx, "Budget rate\n1.15\n")) == [["2025Q3", "EUR", 1.15]]


def test_a_sheet_that_stops_inside_its_last_quarter_leaves_that_quarter_out_with_a_warning(tmp_path):
    # Finance has published July–September and October: 2025Q4's December is not out yet.
    dataset = load_dataset(_folder(tmp_path, sheet=MONTHLY + "2025-10,1.1620\n"))
    assert dataset.fx_rates("USD")[["quarter", "rate"]].values.tolist() == [["2025Q3", 1.17]]
    assert any("2025Q4 has no rate yet" in w and "December 2025" in w for w in dataset.warnings)


# --- the tool-export sets: their maps give exactly their hand conversion's fx.csv -------------------------

SETS = REPO / "tests" / "tool_exports"


@pytest.mark.parametrize("shape", ["gainsight_hibob_deel", "planhat_paychex_gbp"])
def test_the_tool_export_sets_fx_sheets_give_their_hand_converted_fx_csv(shape, tmp_path):
    folder = tmp_path / shape
    shutil.copytree(SETS / shape / "raw", folder)
    label = str(folder / "cscomp-data.yaml")
    data_map = DataMap.model_validate(load_yaml((SETS / shape / "cscomp-data.yaml.expected").read_text(), label))
    rates, pair = load_rates(stage_fx(folder, data_map, data_map.calendar, label), data_map.tables.fx, label,
                             data_map.calendar, [])
    got = rates_for(rates, pair, "USD")[["quarter", "currency", "rate"]]
    want = load_fx(SETS / shape / "canonical" / "fx.csv")[["quarter", "currency", "rate"]]
    assert got.values.tolist() == want.values.tolist()


def test_the_gbp_set_loads_whole_through_its_map_with_its_rates(tmp_path):
    folder = tmp_path / "gbp"
    shutil.copytree(SETS / "planhat_paychex_gbp" / "raw", folder)
    shutil.copy(SETS / "planhat_paychex_gbp" / "cscomp-data.yaml.expected", folder / "cscomp-data.yaml")
    dataset = load_dataset(folder)
    # GBPUSD 1.2700 (2025 Q3): one pound is worth 1.27 dollars; a pound plan reads a dollar at 1 / 1.27.
    assert dataset.fx_rates("USD")[["quarter", "currency", "rate"]].values.tolist()[0] == ["2025Q3", "GBP", 1.27]
    assert dataset.fx_rates("GBP")[["quarter", "currency", "rate"]].values.tolist()[0] == ["2025Q3", "USD", 1 / 1.27]
    assert dataset.called("fx.csv") == "FX_GBPUSD_quarterly.csv (the fx table)"


# --- errors: file, line and header, exit 2 -----------------------------------------------------------


def test_a_missing_month_under_quarter_average_names_the_quarter_and_the_month(tmp_path):
    sheet = "Month,EURUSD\n2025-07,1.1650\n2025-09,1.1700\n2025-10,1.1620\n2025-11,1.1550\n2025-12,1.1600\n"
    folder = _folder(tmp_path, MONTHLY_FX.replace("quarter_end", "quarter_average"), sheet)
    _refused(_validate(tmp_path, folder), "fx_rates.csv", "line 2, column Month", "2025Q3 has no rate for August 2025",
             "July 2025, September 2025")


def test_a_missing_quarter_end_month_before_the_sheets_last_is_an_error(tmp_path):
    sheet = "Month,EURUSD\n2025-07,1.1650\n2025-08,1.1580\n2025-10,1.1620\n2025-11,1.1550\n2025-12,1.1600\n"
    _refused(_validate(tmp_path, _folder(tmp_path, sheet=sheet)), "2025Q3 has no rate for September 2025",
             "its last month")


def test_a_rate_that_is_not_a_number_names_the_file_line_and_header(tmp_path):
    sheet = MONTHLY.replace("1.1580", "n/a")
    _refused(_validate(tmp_path, _folder(tmp_path, sheet=sheet)), "fx_rates.csv", "line 3, column EURUSD",
             "'n/a' is not a rate", "how many USD one EUR is worth")


def test_a_cell_that_is_not_a_month_names_the_file_line_and_header(tmp_path):
    sheet = MONTHLY.replace("2025-08", "Q3")
    _refused(_validate(tmp_path, _folder(tmp_path, sheet=sheet)), "fx_rates.csv", "line 3, column Month",
             "'Q3' is not a month")


def test_two_rates_for_one_month_are_refused(tmp_path):
    sheet = MONTHLY + "2025-09,1.1710\n"
    _refused(_validate(tmp_path, _folder(tmp_path, sheet=sheet)), "line 5", "two rates for one month")


@pytest.mark.parametrize("cell", ["0", "-1.17"])
def test_a_rate_of_zero_or_less_is_refused(tmp_path, cell):
    _refused(_validate(tmp_path, _folder(tmp_path, sheet=MONTHLY.replace("1.1700", cell))), "line 4, column EURUSD",
             f"EURUSD must be greater than 0, got {cell}")


@pytest.mark.parametrize("pair, said", [("EURO", "'EURO' is not a currency pair"),
                                        ("EURXYZ", "XYZ is not an ISO 4217 currency code"),
                                        ("EUREUR", "'EUREUR' is not a currency pair")])
def test_a_pair_that_is_not_two_currency_codes_is_a_map_error_at_its_key(tmp_path, pair, said):
    folder = _folder(tmp_path, MONTHLY_FX.replace("pair: EURUSD", f"pair: {pair}"))
    _refused(_validate(tmp_path, folder), "cscomp-data.yaml", "tables.fx.pair", said)


def test_a_pair_written_with_a_slash_is_the_same_pair(tmp_path):
    assert _rates(_folder(tmp_path, MONTHLY_FX.replace("pair: EURUSD", "pair: EUR/USD"))) == [["2025Q3", "EUR", 1.17]]


def test_a_pair_without_the_plans_currency_is_a_map_error_naming_the_key(tmp_path):
    folder = _folder(tmp_path, MONTHLY_FX.replace("pair: EURUSD", "pair: EURGBP"))
    _refused(_validate(tmp_path, folder), "cscomp-data.yaml", "tables.fx.pair", "quotes EURGBP",
             "the plan reports in USD", "EURUSD or USDEUR")
    with pytest.raises(MapError, match="tables.fx.pair"):
        load_dataset(folder).fx_rates("USD")


def test_a_quarterly_sheet_under_a_monthly_rule_says_to_use_rule_quarter(tmp_path):
    fx = "  fx:\n    files: fx_rates.csv\n    columns: {quarter: Quarter, rate: GBPUSD}\n    pair: GBPUSD\n" \
         "    rule: quarter_end\n"
    folder = _folder(tmp_path, fx, "Quarter,GBPUSD\n2025 Q3,1.2700\n")
    _refused(_validate(tmp_path, folder), "tables.fx.rule", "write rule: quarter")


def test_a_monthly_sheet_under_rule_quarter_says_to_choose_a_monthly_rule(tmp_path):
    folder = _folder(tmp_path, MONTHLY_FX.replace("quarter_end", "quarter"))
    _refused(_validate(tmp_path, folder), "tables.fx.rule", "quarter_end or quarter_average")


@pytest.mark.parametrize("fx, key, said", [
    ("  fx:\n    pair: EURUSD\n    rule: fixed\n", "tables.fx", "rule: fixed needs its rate"),
    ("  fx:\n    pair: EURUSD\n    rule: quarter_end\n    rate: 1.1\n", "tables.fx.rate", "the one rate of rule: fixed"),
    ("  fx:\n    pair: EURUSD\n    rule: fixed\n    rate: 0\n", "tables.fx.rate", "greater than 0"),
    (MONTHLY_FX.replace("month: Month", "months: Month"), "tables.fx.columns.months", "did you mean 'month'"),
    (MONTHLY_FX.replace("rule: quarter_end", "rule: quarter_last"), "tables.fx.rule", "quarter_end"),
])
def test_a_map_that_says_two_things_about_its_rates_is_refused_at_the_key(tmp_path, fx, key, said):
    _refused(_validate(tmp_path, _folder(tmp_path, fx)), "cscomp-data.yaml", key, said)


def test_a_fixed_rate_sheet_of_several_rows_is_refused(tmp_path):
    fx = "  fx:\n    files: fx_rates.csv\n    columns: {rate: Budget rate}\n    pair: EURUSD\n    rule: fixed\n"
    _refused(_validate(tmp_path, _folder(tmp_path, fx, "Budget rate\n1.15\n1.16\n")), "line 3", "has 2 rows")


def test_fx_csv_beside_a_map_that_reads_an_fx_sheet_is_refused(tmp_path):
    folder = _folder(tmp_path)
    (folder / "fx.csv").write_text("quarter,currency,rate\n2025Q3,EUR,1.17\n")
    _refused(_validate(tmp_path, folder), "tables.fx", "has fx.csv and the map reads an FX sheet")


def test_fx_csv_beside_a_map_without_tables_fx_is_read_as_written(tmp_path):
    folder = _folder(tmp_path, fx="", sheet=None)
    (folder / "fx.csv").write_text("quarter,currency,rate\n2025Q3,EUR,1.17\n")
    assert _rates(folder) == [["2025Q3", "EUR", 1.17]]


def test_fx_csv_refuses_a_plan_currency_rate_other_than_1_once_the_plan_is_known(data_dir):
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET)
    (folder / "fx.csv").write_text("quarter,currency,rate\n2026Q1,USD,1.1\n")
    with pytest.raises(DataError, match="its rate must be 1"):
        load_dataset(folder, require_payouts=False).fx_rates("USD")


def test_a_valid_sheet_validates_cleanly(tmp_path):
    result = _validate(tmp_path, _folder(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert "fx from fx_rates.csv 1 row" in result.stdout  # one quarter's rate, from three months


# --- the schema ------------------------------------------------------------------------------------


def test_the_data_maps_schema_describes_the_fx_sheet_keys():
    schema = map_json_schema()
    fx = schema["$defs"]["FxTable"]["properties"]
    for key in ("files", "columns", "pair", "rule", "rate"):
        assert fx[key].get("description"), key
    assert set(fx["rule"]["enum"]) == {"quarter_end", "quarter_average", "quarter", "fixed"}
    assert "FxTable" in json.dumps(schema["$defs"]["Tables"]["properties"]["fx"])
    result = run("schema", "--data-map")
    assert result.exit_code == 0 and '"pair"' in result.stdout
