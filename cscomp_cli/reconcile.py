"""`cscomp reconcile`: does replaying the plan in force reproduce what was actually paid?

A leader runs this before trusting any stress test: if the plan as encoded and the exported data
reproduce payroll to the cent (apart from payments made outside the plan, such as a SPIFF), the
comparison with a proposal is a fair one.

Each CSM–quarter's paid amount is compared with the plan's computed payout. Where they differ,
the difference is broken down by payouts.csv `component`: lines named after a plan component (or
`cap_adjustment`) are compared with what the plan computed for them; lines with any other name
are payments outside the plan and explain their own amount. Whatever is left is unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .data import Dataset
from .engine import Replay, replay
from .numbers import to_cents
from .plan import Plan

CAP_LINE = "cap_adjustment"
NO_COMPONENT = "(no component)"


@dataclass
class Reconciliation:
    """The plan in force replayed against payroll, CSM–quarter by CSM–quarter."""

    replay: Replay
    lines: pd.DataFrame  # one row per differing CSM–quarter and payout line, amounts in cents
    differing: pd.DataFrame  # one row per differing CSM–quarter, amounts in cents
    csm_quarters: int

    @property
    def reproduced(self) -> int:
        return self.csm_quarters - len(self.differing)

    @property
    def unexplained_cents(self) -> int:
        return int(self.differing["unexplained_cents"].abs().sum())

    def outside_plan(self) -> dict[str, int]:
        """Net cents paid outside the plan, per payouts.csv component, largest first."""
        outside = self.lines[self.lines["outside_plan"]]
        totals = outside.groupby("component", sort=True)["difference_cents"].sum()
        return {name: int(cents) for name, cents in totals.sort_values(key=abs, ascending=False, kind="stable").items()}

    def warnings(self) -> list[str]:
        """A SPIFF is rare; a component outside the plan paid to most CSMs means the wrong plan."""
        outside = self.lines[self.lines["outside_plan"]]
        counts = outside.groupby("component")["csm_id"].size()
        common = sorted(counts[counts * 2 >= max(self.csm_quarters, 1)].index)
        if not common:
            return []
        return [f"payouts.csv component{'s' if len(common) > 1 else ''} {', '.join(common)} "
                f"{'are' if len(common) > 1 else 'is'} paid in most CSM-quarters but not part of this plan: "
                "reconcile the plan in force (the one payroll ran), not a proposal"]


def reconcile(plan: Plan, dataset: Dataset, quarters: int | None = None) -> Reconciliation:
    """Replay ``plan`` over the last ``quarters`` quarters and compare it with payouts.csv."""
    result = replay(plan, dataset, quarters)
    rows = result.rows
    differs = rows["proposed_cents"].to_numpy() != rows["actual_cents"].to_numpy()
    differing = rows.loc[differs, ["quarter", "csm_id", "name", "proposed_cents", "actual_cents"]]
    differing = differing.rename(columns={"proposed_cents": "computed_cents", "actual_cents": "paid_cents"})
    differing = differing.reset_index(drop=True)
    differing["difference_cents"] = differing["paid_cents"] - differing["computed_cents"]

    keys = pd.MultiIndex.from_frame(differing[["quarter", "csm_id"]])
    paid = _paid_lines(dataset, result.quarters)
    paid = paid[pd.MultiIndex.from_frame(paid[["quarter", "csm_id"]]).isin(keys)]
    # Payroll itemised by component is compared line by line; a payment without one only in total.
    named = paid[paid["component"] != NO_COMPONENT]
    itemised = keys.isin(pd.MultiIndex.from_frame(named[["quarter", "csm_id"]]))
    computed = pd.concat([
        _computed_lines(plan, rows[differs][itemised]),
        differing.loc[~itemised, ["quarter", "csm_id", "computed_cents"]].assign(component=NO_COMPONENT),
    ], ignore_index=True)
    lines = computed.merge(paid, on=["quarter", "csm_id", "component"], how="outer")
    lines[["computed_cents", "paid_cents"]] = lines[["computed_cents", "paid_cents"]].fillna(0).astype("int64")
    lines["difference_cents"] = lines["paid_cents"] - lines["computed_cents"]
    # A line named neither after a plan component nor left blank is a payment outside the plan.
    lines["outside_plan"] = ~lines["component"].isin({c.id for c in plan.components} | {CAP_LINE, NO_COMPONENT})
    lines = lines[lines["difference_cents"] != 0].merge(differing[["quarter", "csm_id", "name"]], how="left")
    lines = lines.sort_values(["quarter", "csm_id", "outside_plan", "component"], kind="stable")
    lines = lines.reset_index(drop=True)[["quarter", "csm_id", "name", "component", "outside_plan",
                                          "computed_cents", "paid_cents", "difference_cents"]]

    outside = lines[lines["outside_plan"]].groupby(["quarter", "csm_id"])["difference_cents"].sum()
    differing["explained_cents"] = outside.reindex(keys, fill_value=0).to_numpy(dtype="int64")
    differing["unexplained_cents"] = differing["difference_cents"] - differing["explained_cents"]
    return Reconciliation(replay=result, lines=lines, differing=differing, csm_quarters=len(rows))


def _computed_lines(plan: Plan, rows: pd.DataFrame) -> pd.DataFrame:
    """What the plan computed per component (and the cap), long format."""
    frames = [
        pd.DataFrame({"quarter": rows["quarter"], "csm_id": rows["csm_id"], "component": component.id,
                      "computed_cents": rows[f"{component.id}_payout_cents"]})
        for component in plan.components
    ]
    frames.append(pd.DataFrame({"quarter": rows["quarter"], "csm_id": rows["csm_id"], "component": CAP_LINE,
                                "computed_cents": rows["cap_adjustment_cents"]}))
    return pd.concat(frames, ignore_index=True)


def _paid_lines(dataset: Dataset, quarters: list[str]) -> pd.DataFrame:
    """What payouts.csv says was paid per component (rows without one share a line)."""
    payouts = dataset.payouts
    if payouts is None:
        return pd.DataFrame({"quarter": [], "csm_id": [], "component": [], "paid_cents": []})
    payouts = payouts[payouts["quarter"].isin(quarters)]
    cents = pd.Series(to_cents(payouts["amount"].to_numpy()), index=payouts.index)
    component = payouts["component"].fillna(NO_COMPONENT)
    paid = cents.groupby([payouts["quarter"], payouts["csm_id"], component]).sum()
    paid.index.names = ["quarter", "csm_id", "component"]
    return paid.rename("paid_cents").reset_index()
