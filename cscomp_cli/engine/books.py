"""Book metrics per scope (SPEC 2, 5.1): every metric of every replayed CSM-quarter measured on their own
book, their team's, their segment's or the company's, each computed once and reused by every component.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import PlanError, report
from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.engine.metrics import (
    STATISTICS,
    book_codes,
    book_risk,
    book_statistics,
    metric,
)
from cscomp_cli.engine.plan_metrics import (
    CustomMetrics,
)
from cscomp_cli.inputs.files import ROSTER
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition, ToDate


class BookMetrics:
    """Metric values for each replayed CSM–quarter, per scope, each computed once and reused."""

    def __init__(self, plan: Plan, accounts: pd.DataFrame, rows: pd.DataFrame, shared: dict | None = None,
                 grouping: tuple | None = None, history: pd.DataFrame | None = None,
                 roster: pd.DataFrame | None = None, calendar: Calendar = CALENDAR, to_date: ToDate | None = None):
        self.plan = plan
        self.rows = rows
        # A period plan measures every metric to date (SPEC 6.4): each is then a window over the period's quarters.
        self.to_date = to_date
        shared = {} if shared is None else shared
        if grouping is None:
            grouping = book_codes(accounts, ["quarter", "csm_id"])
        # The plan's own metrics (SPEC 5.3); a window looks back into every quarter of the data (history).
        self.custom = CustomMetrics(plan, rows, accounts, grouping, accounts if history is None else history, shared,
                                    self.scope_groups, roster, calendar)
        self._groups: dict[str, np.ndarray] = {}
        self._pooled: pd.DataFrame | None = None
        # Book statistics and risk depend only on the data; metric values also on the plan's credit.
        self._stats = shared.setdefault("stats", {})
        self._risk = shared.setdefault("risk", {})
        credit = (plan.credit.expansion, plan.credit.cross_sell)
        self._cache: dict[tuple[str, str], np.ndarray] = shared.setdefault(("values", credit), {})
        if "csm" not in self._stats:
            keys = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])
            csm = book_statistics(accounts, ["quarter", "csm_id"], grouping).reindex(keys, fill_value=0)
            self._stats["csm"] = csm.reset_index(drop=True)

    def statistics(self, scope: str, where: str) -> pd.DataFrame:
        """Book statistics of each row's scope book (team, segment or company union of CSM books)."""
        if scope not in self._stats:
            pooled = self._stats["csm"].groupby(self.scope_groups(scope, where), sort=False).transform("sum")
            self._stats[scope] = pooled[list(STATISTICS)]
        return self._stats[scope]

    def scope_groups(self, scope: str, where: str) -> np.ndarray:
        """A code per row numbering its scope book: its (quarter, team), (quarter, segment) or quarter."""
        if scope not in self._groups:
            if scope == "company":
                group = pd.Series("company", index=self.rows.index)
            else:
                group = self.rows[scope]
                if group.isna().any():
                    first = self.rows[group.isna()].iloc[0]
                    report(PlanError(
                        f"scope: {scope} needs every CSM's {scope}, but {first.csm_id} has none in {first.quarter}",
                        location=where,
                        hint=f"fill the {scope} column of {ROSTER}, or use another scope",
                    ))
                    group = group.fillna("")
            keys = pd.MultiIndex.from_arrays([self.rows["quarter"], group.astype(object)])
            self._groups[scope] = pd.factorize(keys)[0].astype("int64")
        return self._groups[scope]

    def value(self, name: str, scope: str, where: str) -> np.ndarray:
        if self.to_date is not None:
            definition = self.plan.definition(name) if name in self.plan.metrics else Definition(name=name, base=name)
            definition = replace(definition, window=self.to_date)
            key = (f"custom {definition!r}", scope)
            if key not in self._cache:
                self._cache[key] = self.custom.value(definition, scope, where)
            return self._cache[key]
        if name in self.plan.metrics:
            definition = self.plan.definition(name)
            key = (f"custom {definition!r}", scope)
            if key not in self._cache:
                self._cache[key] = self.custom.value(definition, scope, where)
            return self._cache[key]
        key = (name, scope)
        if key not in self._cache:
            self._cache[key] = metric(self.statistics(scope, where), name, self.plan.credit)
        return self._cache[key]

    def pooled(self, name: str) -> pd.Series:
        """A metric per CSM (indexed by csm_id) over the replayed quarters, for the performance measure: the
        formula over the union of their books; a windowed metric, its value in their last replayed quarter."""
        if name in self.plan.metrics:
            return self.custom.pooled(self.plan.definition(name))
        stats = self.csm_statistics()
        return pd.Series(metric(stats, name, self.plan.credit), index=stats.index, dtype="float64")

    def csm_statistics(self) -> pd.DataFrame:
        """Each CSM's books pooled over the replayed quarters (indexed by csm_id): the sums of their
        quarterly books, so no second pass over the accounts."""
        if self._pooled is None:
            quarterly = self.statistics("csm", "performance")
            self._pooled = quarterly.groupby(self.rows["csm_id"].to_numpy(), sort=True).sum()
            self._pooled.index.name = "csm_id"
        return self._pooled

    def risk(self, scope: str, where: str) -> np.ndarray:
        if scope not in self._risk:
            self._risk[scope] = book_risk(self.statistics(scope, where))
        return self._risk[scope]
