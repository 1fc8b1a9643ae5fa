"""`cscomp sweep`: replay a plan once per value of one setting, to see where it breaks.

`--set components.retention.target=0.95:1.05:0.01` sets the retention component's target to
0.95, 0.96, … 1.05 in turn. Paths address components and modifiers by id and lists by position:

    cap                                   pay_mix.variable_pct       pay_mix.variable_pct.SMB
    components.retention.target           components.retention.weight
    components.retention.curve.2.1        (point 2, its payout; .0 is its x)
    components.retention.target.values.Enterprise
    components.upsell.rate                components.upsell.tiers.0.rate
    modifiers.nps_gate.multiply           credit.cross_sell
    components.retention.weight.values.SMB   (a weight by segment: SMB's only)
    metrics.happy.where.at_least          metrics.nrr_ttm.window (whole numbers 1 to 12)
    metrics.cgrr.filter.0.at_least        performance.nrr (a weight of a combined score)
    advance                               guarantee.floor            guarantee.quarters (1 to 40)
    ramp.floor                            ramp.quarters (1 to 8)
    components.upsell.clawback.share      components.upsell.clawback.within (1 to 8)

period and recover are words (year, false): compare plans that differ in them with `cscomp compare`.
A floor or a clawback the plan does not have is not invented: add the block, then sweep its numbers.

Sweeping a curve component's weight rescales the other curve components active in the same
quarters, in proportion, so the weights still sum to 1; sweeping one segment's weight does the same
for that segment alone. The data is loaded once for all values.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cscomp_cli.analyses.shocks import shocks_applied
from cscomp_cli.analyses.stress_test import floor_totals
from cscomp_cli.core.errors import DataError, PlanError, UsageError
from cscomp_cli.core.quarters import parse_quarter
from cscomp_cli.core.rounding import cents_to_amount
from cscomp_cli.core.strict_yaml import MAX_PLAN_NUMBER
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.core.units import percent_decimal
from cscomp_cli.engine.currencies import check_currencies
from cscomp_cli.engine.paid_quarters import quarter_notes, select_quarters
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.plan.loading import plan_from_document
from cscomp_cli.plan.vocabulary import MAX_WINDOW

MAX_VALUES = 10_000
_SETTING = re.compile(r"^\s*(?P<path>[A-Za-z0-9_.\- ]+?)\s*=\s*(?P<values>.+?)\s*$")


@dataclass(frozen=True)
class Setting:
    """One plan setting and the values to try."""

    path: tuple[str, ...]
    values: tuple[float, ...]

    @property
    def label(self) -> str:
        return ".".join(self.path)


def parse_setting(text: str) -> Setting:
    """'components.retention.target=0.95:1.05:0.01' (start:stop:step, inclusive) or '=0.9,1.0,1.1'."""
    match = _SETTING.match(text)
    if not match:
        raise UsageError(f"--set '{text}' is not PATH=VALUES", hint="e.g. --set components.retention.target=0.95:1.05:0.01")
    path = tuple(part for part in match["path"].split(".") if part)
    if path in (("period",), ("recover",)):
        raise UsageError(f"{path[0]} is {'quarter, half or year' if path == ('period',) else 'true or false'}, "
                         "not a number a sweep can try values of",
                         hint=f"write a plan that extends this one with {path[0]}: "
                         f"{'year' if path == ('period',) else 'false'} and compare the two: cscomp compare "
                         "PLAN OTHER_PLAN")
    spec = match["values"]
    percent_unit = "variable_pct" in path  # "20%" there means 20, as in the plan
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise UsageError(f"--set '{text}': a range is start:stop:step", hint="e.g. 0.95:1.05:0.01")
            start, stop, step = (_number(p, percent_unit) for p in parts)
            if step <= 0 or stop < start:
                raise UsageError(f"--set '{text}': the step must be > 0 and stop ≥ start")
            # Compared before dividing: a step of 1e-999999999 would overflow the division.
            if stop - start >= step * MAX_VALUES:
                raise _too_many(f"--set '{text}' asks for more values than a sweep tries")
            count = int((stop - start) / step) + 1
            # Decimal steps so 0.95 + 3 × 0.01 is exactly 0.98, not 0.9799999….
            values = tuple(float(start + i * step) for i in range(count))
        else:
            if spec.count(",") >= MAX_VALUES:  # the setting alone named: the list itself is too long to repeat
                raise _too_many(f"--set {'.'.join(path)}= gives {spec.count(',') + 1:,} values, more than a sweep tries")
            values = tuple(float(_number(v, percent_unit)) for v in spec.split(","))
    except _Unusable as error:
        raise UsageError(f"--set '{text}': '{error}' is not a usable value (sweep values are finite and at most "
                         f"{MAX_PLAN_NUMBER:,.0f} in size, as in a plan)", hint="e.g. 0.95:1.05:0.01 or 0.9,1.0,1.1") from None
    except (InvalidOperation, ValueError):
        raise UsageError(f"--set '{text}': values must be numbers", hint="e.g. 0.95:1.05:0.01, 0.9,1.0,1.1 or "
                         "95%:105%:1%") from None
    if not all(math.isfinite(v) for v in values):
        raise UsageError(f"--set '{text}': values must be finite numbers")
    if _is_window(path) and not all(v == int(v) and 1 <= v <= MAX_WINDOW for v in values):
        raise UsageError(f"--set '{text}': a window is a whole number of quarters from 1 to {MAX_WINDOW}",
                         hint=f"e.g. --set {'.'.join(path)}=2:8:1 or =1,4,8")
    most = _whole_quarters(path)
    if most is not None and not all(v == int(v) and 1 <= v <= most for v in values):
        raise UsageError(f"--set '{text}': {'.'.join(path[-2:])} is a whole number of quarters from 1 to {most}",
                         hint=f"e.g. --set {'.'.join(path)}=1:{min(most, 4)}:1")
    return Setting(path=path, values=values)


def _is_window(path: tuple[str, ...]) -> bool:
    return len(path) == 3 and path[0] == "metrics" and path[2] == "window"


def _whole_quarters(path: tuple[str, ...]) -> int | None:
    """The largest value of a setting that counts quarters (ramp.quarters: 8), or None for any other setting."""
    if path == ("ramp", "quarters"):
        return 8
    if path == ("guarantee", "quarters"):
        return 40
    if _is_clawback(path) and path[-1] == "within":
        return 8
    return None


def _is_clawback(path: tuple[str, ...]) -> bool:
    """components.ID.clawback.within or .share: a commission's clawback."""
    return len(path) == 4 and path[0] == "components" and path[2] == "clawback"


# A floor or clawback the plan lacks: what to add before sweeping one of its numbers.
_BLOCKS = {"guarantee": "guarantee: {floor: 0.9, quarters: 2}", "ramp": "ramp: {quarters: 2, floor: 1.0}",
           "clawback": "clawback: {within: 2, share: 1.0} to the commission"}


class _Unusable(Exception):
    """A --set value that reads as a number but is not one a plan could hold."""


def _too_many(message: str) -> UsageError:
    # Each value is a replay of the whole history: 10,000 of them already take a while on a large org.
    return UsageError(f"{message} (at most {MAX_VALUES:,})",
                      hint="use a larger step or fewer values")


def _number(text: str, percent_unit: bool) -> Decimal:
    """A value of --set: a decimal number, or a percentage string read as in a plan ("95%" is 0.95)."""
    if "%" in text:
        # Decimal all the way, so 95%:105%:1% steps exactly like 0.95:1.05:0.01.
        number = percent_decimal(text, already_percent=percent_unit)
        if number is None:
            raise InvalidOperation(text)
    else:
        number = Decimal(text.strip())
    # Bounded like a plan's numbers before any arithmetic: 1e999999999 would overflow it, NaN slip past it.
    # (compared, not abs(): abs() rounds to the context and would overflow too)
    if not number.is_finite() or not -MAX_PLAN_NUMBER <= number <= MAX_PLAN_NUMBER:
        raise _Unusable(text.strip())
    return number


def apply_setting(document: dict, path: tuple[str, ...], value: float) -> dict:
    """A copy of the plan document with the value at path (components and modifiers by id)."""
    changed = copy.deepcopy(document)
    if _is_window(path) or _whole_quarters(path) is not None:
        value = int(value)  # a window counts quarters: 4, not 4.0
    node = changed
    where: list[str] = []
    for depth, key in enumerate(path[:-1]):
        where.append(key)
        node = _child(node, key, where, depth)
    last = path[-1]
    if isinstance(node, list):
        index = _index(node, last, where)
        _refuse_text(path, node[index])
        node[index] = value
    elif isinstance(node, dict):
        if last not in node and not _may_add(path):
            raise UsageError(f"the plan has no {'.'.join(path)}", hint=_keys_there(node))
        _refuse_text(path, node.get(last))
        if path == ("guarantee", "quarters") and isinstance(node.get(last), list):
            raise UsageError(f"guarantee.quarters lists quarter labels ({', '.join(map(str, node[last]))}), not a "
                             "number of quarters a sweep can try values of",
                             hint="write quarters: 2 (the first 2 replayed quarters) to sweep how many are guaranteed")
        node[last] = value
    elif path[0] == "performance" and len(path) == 2:
        raise _one_performance_metric(str(node))
    else:
        raise UsageError(f"{'.'.join(where)} is a single value; {'.'.join(path)} does not exist")
    if len(path) == 3 and path[0] == "components" and last == "weight":
        _rebalance(changed, path[1], value)
    elif _is_segment_weight(path):
        _rebalance_segment(changed, path[1], path[4], value)
    return changed


def _one_performance_metric(metric: str) -> UsageError:
    return UsageError(f"performance is one metric ({metric}), not a map of metrics to weights",
                      hint="to sweep the weights of a combined score, write performance: {nrr: 0.7, csat: 0.3} "
                      "and --set performance.nrr=0.5:0.9:0.1")


def _keys_there(node: dict) -> str:
    return f"keys there: {', '.join(map(str, node))}" if node else "there are no keys there"


# Keys holding words (a metric's name, an aggregate): a number there is no sweep, just a broken plan.
_TEXT_KEYS = {"id", "kind", "metric", "scope", "measure", "interpolate", "on_missing", "tiering", "column",
              "aggregate", "from", "by", "hold", "name", "currency", "extends"}


def _refuse_text(path: tuple[str, ...], current) -> None:
    if path[-1] in _TEXT_KEYS and (isinstance(current, str) or current is None):
        raise UsageError(f"{'.'.join(path)} is {'text' if current is None else repr(current)}, not a number a sweep "
                         "can try values of", hint="sweep a number: a target, a weight, a curve point, a rate, a "
                         "threshold, a window, …; see `cscomp sweep --help`")


def _is_segment_weight(path: tuple[str, ...]) -> bool:
    """components.ID.weight.values.SEGMENT: one segment's weight of a curve component."""
    return len(path) == 5 and path[0] == "components" and path[2] == "weight" and path[3] == "values"


def _child(node, key: str, where: list[str], depth: int):
    if isinstance(node, list):
        if depth == 1 and where[0] in ("components", "modifiers"):
            for item in node:
                if isinstance(item, dict) and item.get("id") == key:
                    return item
            ids = ", ".join(str(item.get("id")) for item in node if isinstance(item, dict))
            raise UsageError(f"no {where[0][:-1]} with id '{key}'", hint=f"ids: {ids}")
        return node[_index(node, key, where)]
    if isinstance(node, dict):
        if key not in node or (key in _BLOCKS and node[key] is None):
            if key == "pay_mix" or key == "credit":
                node[key] = {}
                return node[key]
            if key in _BLOCKS and (depth == 0 or (depth == 2 and where[0] == "components")):
                owner = "the plan" if depth == 0 else f"component {where[1]}"
                raise UsageError(f"{owner} has no {key}, so {'.'.join(where)} has nothing to sweep",
                                 hint=f"add {_BLOCKS[key]} and sweep it from there; see docs/plans.md")
            if key == "performance" and depth == 0:
                raise _one_performance_metric("nrr, the default")
            raise UsageError(f"the plan has no {'.'.join(where)}", hint=_keys_there(node))
        if key == "weight" and len(where) == 3 and where[0] == "components" and _is_number(node[key]):
            # One segment's weight of a component weighted alike for everybody: the other segments keep it.
            node[key] = {"by": "segment", "values": {}, "default": node[key]}
        return node[key]
    raise UsageError(f"{'.'.join(where[:-1])} is a single value; it has no {key}")


def _index(node: list, key: str, where: list[str]) -> int:
    try:
        index = int(key)
    except ValueError:
        raise UsageError(f"{'.'.join(where)}: '{key}' is not a position in the list") from None
    if not -len(node) <= index < len(node):
        raise UsageError(f"{'.'.join(where)}: position {index} is outside the list of {len(node)}")
    return index


def _may_add(path: tuple[str, ...]) -> bool:
    """Settings a plan may leave out and a sweep may still set."""
    return path in (("cap",), ("pay_mix", "variable_pct"), ("credit", "expansion"), ("credit", "cross_sell"),
                    ("advance",), ("ramp", "floor")) or (_is_clawback(path) and path[-1] == "share") or (
        len(path) == 3 and path[0] == "components" and path[2] in ("risk_adjust", "cap")) or (
        # A segment a weight map leaves to its default; a window; the other side of a where: or filter band.
        _is_segment_weight(path) or _is_window(path)
        or (len(path) == 4 and path[0] == "metrics" and path[2] == "where" and path[3] in ("at_least", "below")))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _rebalance(document: dict, component_id: str, weight: float) -> None:
    """Scale the other curve components active in the same quarters so the weights still sum to 1.

    Peers weighted by segment are scaled segment by segment (and their defaults with the plain weights), so
    each segment's mix still sums to 1.
    """
    peers = _peers(document, component_id)
    for segment in dict.fromkeys(key for peer in peers if isinstance(peer.get("weight"), dict)
                                 and isinstance(peer["weight"].get("values"), dict) for key in peer["weight"]["values"]):
        _rebalance_segment(document, component_id, segment, weight)
    # Plain weights, and the defaults of weights by segment, are the weights of every other segment.
    current = [(peer, _default_weight(peer.get("weight"))) for peer in peers]
    current = [(peer, w) for peer, w in current if w is not None]  # missing: for the plan's own check to report
    others = sum(w for _, w in current)
    if not current or others <= 0:
        return  # nothing to rescale; the plan's own weight check will say what is wrong
    for peer, w in current:
        scaled = w * (1.0 - weight) / others
        if _is_number(peer["weight"]):
            peer["weight"] = scaled
        else:
            peer["weight"] = {**peer["weight"], "default": scaled}


def _peers(document: dict, component_id: str) -> list[dict]:
    """The other curve components active in the same quarters as the swept one."""
    components = [c for c in document.get("components", []) if isinstance(c, dict)]
    swept = next(c for c in components if c.get("id") == component_id)
    return [c for c in components if c is not swept and c.get("kind", "curve") == "curve"
            and _same_quarters(c.get("quarters"), swept.get("quarters"))]


def _default_weight(weight) -> float | None:
    if _is_number(weight):
        return float(weight)
    if isinstance(weight, dict) and _is_number(weight.get("default")):
        return float(weight["default"])
    return None


def _rebalance_segment(document: dict, component_id: str, segment: str, weight: float) -> None:
    """Scale the SMB weights of the other curve components active in the same quarters so SMB's still sum to 1.

    A peer weighted alike for everybody becomes {by: segment, values: {SMB: scaled}, default: its weight}, so
    only the swept segment's mix moves.
    """
    current = [(peer, _segment_weight(peer.get("weight"), segment)) for peer in _peers(document, component_id)]
    # Missing or not a number: the plan's own check names it. A weight of 0 stays 0 as it is written.
    current = [(peer, w) for peer, w in current if w is not None and w > 0]
    others = sum(w for _, w in current)
    if not current:
        return
    for peer, w in current:
        scaled = w * (1.0 - weight) / others
        if _is_number(peer["weight"]):
            peer["weight"] = {"by": "segment", "values": {segment: scaled}, "default": peer["weight"]}
        else:
            peer["weight"] = {**peer["weight"], "values": {**peer["weight"]["values"], segment: scaled}}


def _segment_weight(weight, segment: str) -> float | None:
    """A component's weight for one segment in a plan document (not yet validated), or None when unusable."""
    if _is_number(weight):
        return float(weight)
    if isinstance(weight, dict) and isinstance(weight.get("values"), dict):
        value = weight["values"].get(segment, weight.get("default"))
        return float(value) if _is_number(value) else None
    return None


def _where(warning: str) -> str:
    """Where a warning is (its file and key, before the first ': '): 'metrics.big.filter[0].at_least'."""
    return warning.split(": ", 1)[0]


def _said_once(warnings: list[str], new: list[str], earlier: set[str]) -> list[str]:
    """The warnings of one swept value not yet said: a warning about the swept key itself (at_least 95 on
    a column of fractions) reads differently at every value, but is said once, at the first."""
    return [w for w in dict.fromkeys(new) if w not in warnings and _where(w) not in earlier]


def _same_quarters(one, other) -> bool:
    """Whether two components' quarters lists name the same quarters, however each is spelled.

    FY2027Q1 and 2027Q1 are one quarter under any calendar (a fiscal one reads 2027Q1 as FY2027Q1,
    calendar quarters read FY2027Q1 as 2027Q1), so only the year and quarter count.
    """
    def quarters(value):
        if not isinstance(value, list):
            return value
        labels = [parse_quarter(str(text)) if isinstance(text, str) else None for text in value]
        if any(label is None for label in labels):
            return value  # the plan's own validation says what is wrong
        return sorted({label.removeprefix("FY") for label in labels})

    return quarters(one) == quarters(other)


def sweep(document: dict, label: str, setting: Setting, dataset: Dataset, quarters: int, progress=None, *,
          data: str | None = None, shocks: list | None = None, through: str | None = None) -> dict:
    """One row per value: cost, delta, CSMs paid more/less, top performers paid less, correlation,
    and total cash (paid more / less are judged on it); ``data`` is the folder read, named in every output."""
    window = select_quarters(dataset, quarters, through)
    # Every swept value reports in the plan's one currency: data in another stops the sweep, not each value.
    check_currencies(str(document.get("currency", "USD")), str(document.get("name") or label), dataset)
    apply_setting(document, setting.path, setting.values[0])  # a path that does not exist stops here
    _check_segment(setting.path, dataset)
    own = _current_value(document, setting.path)
    rows = []
    # What the loaders noticed (a misread export) even if no value replays, then what the data cannot
    # give the plan and the plan's probable unit mistakes at any swept value, each once.
    warnings: list[str] = list(dataset.warnings)
    cache: dict = {}  # who is replayed and every book's metrics, computed for the first value only
    earlier: set[str] = set()  # where the warnings of the values replayed so far are
    for number, value in enumerate(setting.values):
        row: dict = {"value": value, "plan_value": own is not None and math.isclose(value, own, abs_tol=1e-12)}
        try:
            plan = plan_from_document(apply_setting(document, setting.path, value), label)
            result = replay(plan, dataset, window=window, cache=cache)
            warnings.extend(_said_once(warnings, [*result.data_warnings, *result.plan_warnings], earlier))
            earlier.update(_where(w) for w in warnings)
            compared = compare_with_actual(result)
            s = compared.summary
        except (PlanError, DataError) as error:  # this value makes the plan invalid; the others may not
            row.update(error=error.message if not error.location else f"{error.location}: {error.message}")
        else:
            row.update(
                proposed_total=float(cents_to_amount(s["proposed_total_cents"])),
                actual_total=float(cents_to_amount(s["actual_total_cents"])),
                delta=float(cents_to_amount(s["delta_cents"])),
                delta_pct=None if s["delta_pct"] is None or math.isnan(s["delta_pct"]) else s["delta_pct"],
                # Total cash (base + variable): a pay_mix sweep moves base as well as variable.
                moves_base=s["base_moves"],
                proposed_cash_total=float(cents_to_amount(s["proposed_cash_total_cents"])),
                actual_cash_total=float(cents_to_amount(s["actual_cash_total_cents"])),
                cash_delta=float(cents_to_amount(s["cash_delta_cents"])),
                cash_delta_pct=None if math.isnan(s["cash_delta_pct"]) else s["cash_delta_pct"],
                paid_more=s["paid_more"],
                paid_less=s["paid_less"],
                top_performers_paid_less=s["top_performers_paid_less"],
                pay_performance_correlation=s["pay_performance_correlation"]["proposed"],
                error=None,
                # SPEC 6.6: what the floors cost at this value, when the plan has them.
                **floor_totals(compared.rows),
            )
        rows.append(row)
        if progress is not None:
            progress(number + 1, len(setting.values))
    notes = quarter_notes(dataset, window)
    return {"plan": document.get("name"), "setting": setting.label, "quarters": window, "through": notes.through,
            "not_replayed": notes.not_replayed, "plan_value": own,
            "currency": document.get("currency", "USD"),
            "moves_base": any(row.get("moves_base", False) for row in rows), "rows": rows, "warnings": warnings,
            **({"data": data} if data is not None else {}), **shocks_applied(shocks)}


def _check_segment(path: tuple[str, ...], dataset: Dataset) -> None:
    """components.ID.weight.values.SMB names a roster segment: a typo would sweep a weight nobody has."""
    if not (_is_segment_weight(path) or (len(path) == 5 and path[2] == "target" and path[3] == "values")):
        return
    segments = sorted({str(s) for s in dataset.roster.get("segment", []) if isinstance(s, str) and s})
    if segments and path[4] not in segments:
        raise UsageError(f"no CSM of the roster is in segment '{path[4]}', so sweeping {'.'.join(path)} changes "
                         "nothing" + did_you_mean(path[4], segments), hint=f"roster segments: {', '.join(segments)}")


# What a plan that leaves these out runs with (the plan's defaults), so the sweep row at it is the plan's own.
_DEFAULTS = {("advance",): 1.0, ("ramp", "floor"): 1.0}


def _current_value(document: dict, path: tuple[str, ...]) -> float | None:
    written = _written_value(document, path)
    if written is not None:
        return written
    if path in _DEFAULTS or (_is_clawback(path) and path[-1] == "share"):
        # Only where the block holding it exists: advance always does; a floor or a share, with its block.
        holder = _written(document, path[:-1]) if len(path) > 1 else document
        return (_DEFAULTS.get(path, 1.0)) if isinstance(holder, dict) else None
    return None


def _written_value(document: dict, path: tuple[str, ...]) -> float | None:
    node = _written(document, path)
    return float(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def _written(document: dict, path: tuple[str, ...]):
    if _is_segment_weight(path):
        component = next((c for c in document.get("components", []) if isinstance(c, dict)
                          and c.get("id") == path[1]), None)
        return _segment_weight(component.get("weight"), path[4]) if component is not None else None
    node = document
    for depth, key in enumerate(path):
        if isinstance(node, list) and depth == 1 and path[0] in ("components", "modifiers"):
            node = next((item for item in node if isinstance(item, dict) and item.get("id") == key), None)
        elif isinstance(node, list):
            try:
                node = node[int(key)]
            except (ValueError, IndexError):
                return None
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
        if node is None:
            return None
    return node
