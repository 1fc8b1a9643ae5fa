"""`cscomp reconcile`: does replaying the plan in force reproduce what was actually paid?

A leader runs this before trusting any stress test: if the plan as encoded and the exported data
reproduce payroll to the cent (apart from payments made outside the plan, such as a SPIFF), the
comparison with a proposal is a fair one.

Each CSM–quarter's paid amount is compared with the plan's computed payout. Where they differ,
the difference is broken down into payout lines by payouts.csv `component`, and every line falls
in exactly one category:

- OUTSIDE_PLAN: a line with a name that is neither a plan component nor `cap_adjustment` (a SPIFF,
  a bonus, a clawback). It is a payment outside the plan and explains its own amount.
- UNEXPLAINED: a plan component line, the `cap_adjustment` line, or the line of payroll paid with no
  component, whose amount differs from what the plan computed for it.

Payroll lines with no component are compared in total with whatever the plan computed that no
line named after a plan component covers: tagging a SPIFF does not oblige payroll to tag the rest.

The pay rules of SPEC 6.4-6.6 are plan lines too, so the lines of a CSM-quarter always add up to what
the plan computed: `advance_adjustment` in a period plan (a payroll line named `true_up` is the same
line), `ramp_adjustment` and `guarantee_adjustment` when the plan has that floor. A component with a
clawback is one line, its payout after the clawback; where payroll books the clawback on a line of its
own named `<id>_clawback`, the plan's figure is split the same way (the component before the clawback,
and minus the clawback on that line).

Every figure sums like with like: the net difference (paid − computed) is the net outside the plan
plus the net unexplained; absolute differences are reported separately and never against a net.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cscomp_cli.core.formatting import counted, money
from cscomp_cli.core.rounding import cents_to_amount, to_cents
from cscomp_cli.engine.conversion import paid_in_plan_currency
from cscomp_cli.engine.replay import Replay, replay
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.plan.model import Plan

CAP_LINE = "cap_adjustment"
NO_COMPONENT = "(no component)"
ADVANCE_LINE = "advance_adjustment"
TRUE_UP_LINE = "true_up"  # what payroll often calls the advance line of a period's last quarter
FLOOR_LINES = ("ramp_adjustment", "guarantee_adjustment")
GUARANTEE_WARNING = ("the plan's guarantee pays at least its floor × what payouts.csv says was paid, which is the pay "
                     "reconcile checks: its guarantee_adjustment is computed from that pay, so a quarter it protects "
                     "reproduces only when the guarantee did not bind; reconcile the plan in force without its "
                     "guarantee to check the rest (see 'Ramps and guarantees' in docs/plans.md)")

# The two categories of a differing payout line; every output labels lines with these words.
UNEXPLAINED = "unexplained"
OUTSIDE_PLAN = "outside the plan"
CATEGORIES = (UNEXPLAINED, OUTSIDE_PLAN)


@dataclass
class Reconciliation:
    """The plan in force replayed against payroll, CSM–quarter by CSM–quarter."""

    replay: Replay
    # one row per differing payout line of a differing CSM–quarter, amounts in cents, with its category
    lines: pd.DataFrame
    # one row per differing CSM–quarter: computed, paid, difference and its split by category, in cents
    differing: pd.DataFrame
    csm_quarters: int

    @property
    def reproduced(self) -> int:
        return self.csm_quarters - len(self.differing)

    @property
    def net_difference_cents(self) -> int:
        """Paid − computed over every replayed CSM–quarter (those reproduced add 0)."""
        return int(self.differing["difference_cents"].sum())

    def _category(self, category: str) -> pd.DataFrame:
        return self.lines[self.lines["category"] == category]

    def totals(self) -> dict[str, dict[str, int]]:
        """Per category: how many lines, their net and their absolute differences, in cents.

        The nets add up to the net difference and the absolute differences to those of every line.
        """
        totals = {}
        for category in CATEGORIES:
            differences = self._category(category)["difference_cents"]
            totals[category] = {"lines": len(differences), "net_cents": int(differences.sum()),
                                "absolute_cents": int(differences.abs().sum())}
        return totals

    @property
    def outside_plan_cents(self) -> int:
        """Net of the lines outside the plan."""
        return self.totals()[OUTSIDE_PLAN]["net_cents"]

    @property
    def unexplained_cents(self) -> int:
        """Net of the unexplained lines: net difference − net outside the plan."""
        return self.totals()[UNEXPLAINED]["net_cents"]

    @property
    def unexplained_absolute_cents(self) -> int:
        """Sum of the unexplained lines' absolute differences: an over- and an underpayment both count."""
        return self.totals()[UNEXPLAINED]["absolute_cents"]

    @property
    def unexplained_lines(self) -> int:
        return self.totals()[UNEXPLAINED]["lines"]

    @property
    def explained(self) -> bool:
        """True when every difference is a payment outside the plan (what --strict asks)."""
        return self.unexplained_lines == 0

    def outside_plan(self) -> dict[str, int]:
        """Net cents paid outside the plan, per payouts.csv component, largest first."""
        totals = self._category(OUTSIDE_PLAN).groupby("component", sort=True)["difference_cents"].sum()
        return {name: int(cents) for name, cents in totals.sort_values(key=abs, ascending=False, kind="stable").items()}

    def warnings(self) -> list[str]:
        """A SPIFF is rare; a component outside the plan paid to most CSMs means the wrong plan. A guarantee
        measures pay against the very payroll being checked."""
        said = [GUARANTEE_WARNING] if self.replay.plan.guarantee is not None else []
        counts = self._category(OUTSIDE_PLAN).groupby("component")["csm_id"].size()
        common = sorted(counts[counts * 2 >= max(self.csm_quarters, 1)].index)
        if not common:
            return said
        return [*said, f"payouts.csv component{'s' if len(common) > 1 else ''} {', '.join(common)} "
                f"{'are' if len(common) > 1 else 'is'} paid in most CSM-quarters but not part of this plan: "
                "reconcile the plan in force (the one payroll ran), not a proposal"]


def reconcile(plan: Plan, dataset: Dataset, quarters: int | None = None, through: str | None = None) -> Reconciliation:
    """Replay ``plan`` over the last ``quarters`` quarters and compare it with payouts.csv."""
    result = replay(plan, dataset, quarters, through=through)
    rows = result.rows
    differs = rows["proposed_cents"].to_numpy() != rows["actual_cents"].to_numpy()
    differing = rows.loc[differs, ["quarter", "csm_id", "name", "proposed_cents", "actual_cents"]]
    differing = differing.rename(columns={"proposed_cents": "computed_cents", "actual_cents": "paid_cents"})
    differing = differing.reset_index(drop=True)
    differing["difference_cents"] = differing["paid_cents"] - differing["computed_cents"]

    key = ["quarter", "csm_id"]
    keys = pd.MultiIndex.from_frame(differing[key])
    paid = _paid_lines(dataset, result.quarters, result.plan.currency, period=plan.period != "quarter")
    paid = paid[pd.MultiIndex.from_frame(paid[key]).isin(keys)]
    plan_lines = plan_line_names(plan, rows)
    tagged = paid[paid["component"].isin(plan_lines)]
    untagged_keys = pd.MultiIndex.from_frame(paid.loc[paid["component"] == NO_COMPONENT, key])
    tagged_keys = pd.MultiIndex.from_frame(tagged[key])

    computed = _computed_lines(plan, rows[differs], paid)
    # A plan line payroll itemised is compared line by line. The rest of what the plan computed is
    # compared in total with the untagged payroll, or, when payroll itemised none of this
    # CSM–quarter's plan lines, shown in total (nothing to compare line by line). Only when payroll
    # itemises the quarter without an untagged line is a plan line it left out a missing line.
    covered = pd.MultiIndex.from_frame(computed[key + ["component"]]).isin(
        pd.MultiIndex.from_frame(tagged[key + ["component"]]))
    computed_keys = pd.MultiIndex.from_frame(computed[key])
    folded = ~covered & (computed_keys.isin(untagged_keys) | ~computed_keys.isin(tagged_keys))
    computed.loc[folded, "component"] = NO_COMPONENT
    computed = computed.groupby(key + ["component"], sort=False, as_index=False)["computed_cents"].sum()

    lines = computed.merge(paid, on=key + ["component"], how="outer")
    lines[["computed_cents", "paid_cents"]] = lines[["computed_cents", "paid_cents"]].fillna(0).astype("int64")
    lines["difference_cents"] = lines["paid_cents"] - lines["computed_cents"]
    # A line named neither after a plan line nor left blank is a payment outside the plan.
    outside = ~lines["component"].isin(plan_lines | {NO_COMPONENT})
    lines["category"] = pd.Categorical(outside.map({True: OUTSIDE_PLAN, False: UNEXPLAINED}),
                                       categories=list(CATEGORIES))
    lines = lines[lines["difference_cents"] != 0].merge(differing[key + ["name"]], how="left")
    lines = lines.sort_values(key + ["category", "component"], kind="stable")
    lines["category"] = lines["category"].astype(str)
    lines = lines.reset_index(drop=True)[key + ["name", "component", "category", "computed_cents", "paid_cents",
                                                "difference_cents"]]

    for category, column in ((OUTSIDE_PLAN, "outside_plan_cents"), (UNEXPLAINED, "unexplained_cents")):
        split = lines[lines["category"] == category].groupby(key)["difference_cents"].sum()
        differing[column] = split.reindex(keys, fill_value=0).to_numpy(dtype="int64")
    return Reconciliation(replay=result, lines=lines, differing=differing, csm_quarters=len(rows))


def plan_line_names(plan: Plan, rows: pd.DataFrame) -> set[str]:
    """The payroll line names that are the plan's own: its components, the cap, the pay rules it has
    (advance_adjustment, the floors) and each clawback's own line."""
    names = {c.id for c in plan.components} | {CAP_LINE}
    names |= {line for line in (ADVANCE_LINE, *FLOOR_LINES) if f"{line}_cents" in rows}
    names |= {f"{c.id}_clawback" for c in plan.components if f"{c.id}_clawback_cents" in rows}
    return names


def _computed_lines(plan: Plan, rows: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """What the plan computed per line, long format: each component, the cap and the pay rules the plan
    has, so a CSM-quarter's lines add up to its proposed pay. A clawback is split onto its own line only
    in the CSM-quarters where payroll itemises ``<id>_clawback``."""
    key = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])

    def line(name: str, cents) -> pd.DataFrame:
        return pd.DataFrame({"quarter": rows["quarter"], "csm_id": rows["csm_id"], "component": name,
                             "computed_cents": cents})

    frames = []
    for component in plan.components:
        payout = rows[f"{component.id}_payout_cents"].to_numpy(dtype="int64")
        clawback_column = f"{component.id}_clawback_cents"
        if clawback_column in rows:
            name = f"{component.id}_clawback"
            booked = key.isin(pd.MultiIndex.from_frame(paid.loc[paid["component"] == name, ["quarter", "csm_id"]]))
            clawback = rows[clawback_column].to_numpy(dtype="int64") * booked
            frames.append(line(name, -clawback))
            payout = payout + clawback  # the component before the clawback payroll books apart
        frames.append(line(component.id, payout))
    frames.append(line(CAP_LINE, rows["cap_adjustment_cents"]))
    frames += [line(name, rows[f"{name}_cents"]) for name in (ADVANCE_LINE, *FLOOR_LINES) if f"{name}_cents" in rows]
    return pd.concat(frames, ignore_index=True)


def _paid_lines(dataset: Dataset, quarters: list[str], currency: str, period: bool = False) -> pd.DataFrame:
    """What payouts.csv says was paid per component (rows without one share a line), in the plan's
    ``currency``: each row converted at its quarter's rate, a line's rows summed, then rounded. Under a
    period plan a ``true_up`` line is the advance_adjustment line."""
    if dataset.payouts is None:
        return pd.DataFrame({"quarter": [], "csm_id": [], "component": [], "paid_cents": []})
    payouts = paid_in_plan_currency(dataset, quarters, currency)
    component = payouts["component"].fillna(NO_COMPONENT)
    if period:
        component = component.where(component != TRUE_UP_LINE, ADVANCE_LINE)
    paid = payouts["amount"].groupby([payouts["quarter"], payouts["csm_id"], component]).sum()
    paid.index.names = ["quarter", "csm_id", "component"]
    return pd.Series(to_cents(paid.to_numpy(dtype="float64")), index=paid.index, name="paid_cents").reset_index()


def cents_in_currency(cents) -> float:
    return float(cents_to_amount(int(cents)))


def verdict(found: Reconciliation) -> str:
    """One line a leader can quote: how many CSM-quarters match, and where the rest went.

    Nets are compared only with nets (net difference = outside the plan + unexplained); the
    unexplained lines' absolute differences are named as such, since over- and underpayments
    can cancel in a net.
    """
    currency = found.replay.plan.currency
    head = f"reproduces {found.reproduced:,} of {found.csm_quarters:,} CSM-quarters to the cent"
    differ = len(found.differing)
    if not differ:
        return head
    net = money(cents_in_currency(found.net_difference_cents), currency, sign=True)
    text = f"{head}; {differ:,} differ{'s' if differ == 1 else ''} by a net {net} (paid − computed)"
    outside = found.outside_plan()
    where = f"component{'s' if len(outside) > 1 else ''} outside the plan"
    listed = ", ".join(f"{name} {money(cents_in_currency(cents), currency, sign=True)}" for name, cents in outside.items())
    unexplained = (f"{money(cents_in_currency(found.unexplained_cents), currency, sign=True)} unexplained on "
                   f"{counted(found.unexplained_lines, 'line')} (absolute differences "
                   f"{money(cents_in_currency(found.unexplained_absolute_cents), currency)})")
    if found.explained:
        return f"{text}, all of it in {where}: {listed}"
    if outside:
        return (f"{text}: {money(cents_in_currency(found.outside_plan_cents), currency, sign=True)} in {where} ({listed})"
                f" and {unexplained}")
    return f"{text}, none of it in a component outside the plan: {unexplained}"


def reconciliation_document(found: Reconciliation, data: str | None = None) -> dict:
    """The JSON form: verdict, the figures it quotes, and every differing CSM–quarter with its lines."""
    groups = {key: group for key, group in found.lines.groupby(["quarter", "csm_id"], sort=False)}
    differing = []
    for row in found.differing.itertuples(index=False):
        group = groups.get((row.quarter, row.csm_id))
        differing.append({
            "quarter": row.quarter, "csm_id": row.csm_id, "name": row.name,
            "computed": cents_in_currency(row.computed_cents), "paid": cents_in_currency(row.paid_cents),
            "difference": cents_in_currency(row.difference_cents), "outside_plan": cents_in_currency(row.outside_plan_cents),
            "unexplained": cents_in_currency(row.unexplained_cents),
            "lines": [] if group is None else [
                {"component": line.component, "category": line.category,
                 "computed": cents_in_currency(line.computed_cents), "paid": cents_in_currency(line.paid_cents),
                 "difference": cents_in_currency(line.difference_cents)}
                for line in group.itertuples(index=False)],
        })
    return {
        "plan": found.replay.plan.name,
        "currency": found.replay.plan.currency,
        "quarters": found.replay.quarters,
        "through": found.replay.through,
        "not_replayed": list(found.replay.not_replayed),
        "verdict": verdict(found),
        "explained": found.explained,
        "csm_quarters": found.csm_quarters,
        "reproduced": found.reproduced,
        "summary": {
            "net_difference": cents_in_currency(found.net_difference_cents),
            "by_category": {category: {"lines": entry["lines"], "net": cents_in_currency(entry["net_cents"]),
                                       "absolute": cents_in_currency(entry["absolute_cents"])}
                            for category, entry in found.totals().items()},
            "outside_plan": {name: cents_in_currency(cents) for name, cents in found.outside_plan().items()},
        },
        "differing": differing,
        "warnings": [*found.replay.warnings, *found.warnings()],  # the replay's first: a misread export
        **({"data": data} if data is not None else {}),  # every output names the folder it read
    }
