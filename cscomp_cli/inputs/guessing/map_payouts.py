"""Writing the payroll's columns: the quarter a pay date pays for (the payroll's lag, a fiscal year's
pay dates, a line's text naming its quarter), who was paid, and the components of the plan's pay.
"""

from __future__ import annotations

import pandas as pd

from cscomp_cli.core.quarters import fiscal_evidence
from cscomp_cli.inputs.files import DATA_DOC
from cscomp_cli.inputs.guessing.conventions import (
    date_convention,
    nonblank,
    payroll_lag,
)

# A currency column is read, not trusted: every code in it must be its row's currency (engine/currencies.py).
_CURRENCY_COMMENT = f"each row's currency (ISO 4217); every code must be the plan's currency, see {DATA_DOC}"


class PayoutColumns:
    """MapWriter's writing of the payouts table's columns (mixed into MapWriter)."""

    def _payouts_columns(self, export, columns, cells, roster_names, path) -> None:
        if "quarter" in columns or "_pay_date" not in columns:
            self._quarter(export, columns, cells, path)
        else:
            self._pay_quarter(export, columns, cells, path)
        self._owner(columns, cells, roster_names, path)
        self._source(columns, "amount")
        self._source(columns, "currency", _CURRENCY_COMMENT)
        if "component" in columns:
            self._components(columns, cells)
        elif "amount" in columns and "quarter" not in columns and "_pay_date" in columns:
            # Only a payroll journal (lines by pay date) has runs without a bonus; in a table of payouts by
            # quarter a 0 is a quarter's payout of 0.
            self._zero_payouts(columns["amount"], cells, path)

    def _pay_quarter(self, export, columns, cells, path) -> None:
        header = columns["_pay_date"]
        values = nonblank(cells[header])
        style, _why, _decided = date_convention(values)
        formats = {"YYYY-MM-DD": "%Y-%m-%d", "MM/DD/YYYY": "%m/%d/%Y", "DD/MM/YYYY": "%d/%m/%Y",
                   "DD.MM.YYYY": "%d.%m.%Y"}
        chosen = self.date_styles.get("payouts", style)
        dates = pd.to_datetime(values, format=formats.get(chosen or "", "%Y-%m-%d"), errors="coerce").dropna()
        months = list(pd.unique(dates.sort_values().dt.strftime("%b")))
        source = {"column": header, "from": "date", "paid_months_after": 1}
        named = self._named_in(columns, cells)
        if named is not None:
            source["named_in"] = named[0]
        if self.fiscal:
            found = fiscal_evidence(dates.to_numpy(), pay_dates=True)
            if found is not None:
                self.fiscal_evidence = (found, header)
                self.entry(6, "quarter", source, f"every pay date is {found.seen()}, the day after a quarter "
                           "closes: 1 month back is the quarter that closed")
                return
            self.entry(6, "quarter", source, f"pay dates in {', '.join(months)}",
                       undecided="months between a fiscal quarter's close and its pay date: 1 is a guess, "
                       "the fiscal year's first month decides it", path=f"{path}.quarter.paid_months_after")
            return
        lag = payroll_lag(dates, self.quarters) if self.quarters and not dates.empty else None
        if lag is None:
            self.entry(6, "quarter", source, f"pay dates in {', '.join(months) or 'no readable date'}",
                       undecided="how many months after a quarter closes is its bonus paid? 1 is a guess",
                       path=f"{path}.quarter.paid_months_after")
            return
        source["paid_months_after"] = lag[0]
        self.entry(6, "quarter", source, f"pay dates in {', '.join(months)}; {lag[0]} month{'s' * (lag[0] != 1)} "
                   f"back, {lag[1]}" + (f"; {named[1]}" if named else ""))

    def _components(self, columns, cells) -> None:
        header = columns["component"]
        codes = cells[header].astype(str).str.strip()
        descriptions = cells[columns["_description"]].astype(str).str.strip() if "_description" in columns else codes
        values = {}
        for code in pd.unique(codes):
            text = f"{code} {descriptions[codes == code].mode().iloc[0]}".lower()
            values[code] = ("spiff" if "spif" in text else "clawback" if "claw" in text
                            else "discretionary" if "discretion" in text else "")
        if not any(values.values()):
            return  # every code is the plan's own bonus: no component to tell apart
        self.entry(6, "component", {"column": header, "values": values},
                   "the plan's own bonus has no component (reconcile compares it with the plan's total); "
                   "SPIFs and clawbacks are payments outside the plan")

