"""The plan language (SPEC section 3): a YAML document validated into typed, frozen models.

Loading is strict on purpose: unknown keys, duplicate keys, wrong types and impossible curves are
refused with the key path and, where a close spelling exists, a "did you mean". The JSON Schema
served by `cscomp schema` comes from the same models, so editors and cscomp agree.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import PlanError
from .quarters import parse_quarter
from .text import UNPRINTABLE, did_you_mean
from .units import PERCENT_PATTERN, read_percent_strings, shortened

METRICS = (
    "start_arr", "expansion_arr", "cross_sell_arr", "gross_expansion", "contraction_arr", "churn_arr",
    "net_expansion", "retained_arr", "renewed_arr", "nrr", "grr", "logo_retention", "renewal_rate",
    "nps", "health", "accounts",
)
COMMISSION_METRICS = (
    "expansion_arr", "cross_sell_arr", "gross_expansion", "net_expansion", "renewed_arr", "retained_arr",
)
MAX_PLAN_BYTES = 1_000_000
_TOO_LARGE = f"plan is larger than {MAX_PLAN_BYTES:,} bytes"
_TOO_LARGE_HINT = "a plan is a short YAML document; check you passed the right file"
MAX_EXTENDS_DEPTH = 20  # plans extending plans: a real chain is two or three deep
MAX_PLAN_NUMBER = 1e12  # a trillion: beyond any rate, weight, target or cap
# A currency is a code (USD) or a short symbol (€, kr, R$): no space, markup or control character.
CURRENCY = re.compile(r"[A-Z]{3}" + f"|[^\\s{UNPRINTABLE}" + r"""<>&"'`\[\]\\|]{1,3}""")
MAX_PLAN_NODES = 100_000  # far beyond any real plan; stops a YAML alias bomb from expanding
# A plan nests five or six levels (components, one, its target, by segment, values); the limit keeps
# every step that walks a plan (the YAML composer first) far from Python's recursion limit.
MAX_PLAN_DEPTH = 64
# Characters in one number: a plan number is at most 13 digits and some decimals. Python refuses to
# read an integer of more than 4,300 digits, and YAML's 1:2:3 (base 60) form grows quadratically.
MAX_NUMBER_CHARACTERS = 100

Metric = Literal[METRICS]  # type: ignore[valid-type]
CommissionMetric = Literal[COMMISSION_METRICS]  # type: ignore[valid-type]
Scope = Literal["csm", "team", "segment", "company"]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
QuarterLabel = Annotated[str, Field(description="a quarter such as 2026Q1, or a fiscal quarter such as FY2027Q1")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- targets -------------------------------------------------------------------------------


class BySegment(_Strict):
    """A target per roster segment, with an optional default."""

    by: Literal["segment"] = Field(description="what the values are chosen by: the CSM's roster segment",
                                   examples=["segment"])
    values: dict[str, Positive] = Field(description="a value per roster segment name",
                                        examples=[{"Enterprise": 1.05, "Mid-Market": 1.02, "SMB": 0.95}])
    default: Positive | None = Field(default=None, description="the value for a segment not listed in values "
                                     "(without it, such a segment is an error)", examples=[1.0])


class PctOfStartArr(_Strict):
    """A share of the (scope) book's start_arr, for amount metrics."""

    pct_of_start_arr: Positive = Field(description="the target is this share of the book's start_arr "
                                       "(0.05 = 5 % of the ARR the book started the quarter with)",
                                       examples=[0.05, "5%"])


def _target_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "number"
    if value == "quotas":
        return "quotas"
    if isinstance(value, dict):
        if "pct_of_start_arr" in value:
            return "pct"
        if value.keys() & {"by", "values", "default"}:
            return "by_segment"
        # A misspelt key ({pct_of_strat_arr: 0.05}) is judged against the form it is closest to, so the
        # error is about that one key, not about the by: and values: of a form nobody meant.
        close = {key: difflib.get_close_matches(str(key), ["pct_of_start_arr", "by", "values", "default"],
                                                n=1, cutoff=0.6) for key in value}
        return "pct" if any(match == ["pct_of_start_arr"] for match in close.values()) else "by_segment"
    if isinstance(value, BaseModel):
        return "pct" if isinstance(value, PctOfStartArr) else "by_segment"
    return None


Target = Annotated[
    Union[
        Annotated[Positive, Tag("number")],
        Annotated[Literal["quotas"], Tag("quotas")],
        Annotated[BySegment, Tag("by_segment")],
        Annotated[PctOfStartArr, Tag("pct")],
    ],
    Discriminator(
        _target_kind,
        custom_error_type="target",
        custom_error_message="target must be a number > 0, 'quotas', {by: segment, values: …} or {pct_of_start_arr: …}",
    ),
]


# --- components ----------------------------------------------------------------------------


def _canonical_quarters(value: list[str] | None) -> tuple[str, ...] | None:
    # Only the spelling is settled here (FY27 Q1 -> FY2027Q1): which quarter it is depends on the
    # data's calendar, which the engine applies when it replays.
    if value is None:
        return None
    labels = []
    for text in value:
        label = parse_quarter(str(text))
        if label is None:
            raise ValueError(f"'{text}' is not a quarter label (write 2026Q1, or FY2027Q1 for a fiscal quarter)")
        labels.append(label)
    return tuple(labels)


class _Component(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the component's name: lower case letters, digits "
                    "and _, starting with a letter; unique in the plan", examples=["retention"])
    scope: Scope = Field("csm", description="whose book the metric is measured on: the CSM's own (csm), their "
                         "roster team's, their roster segment's, or the whole company's", examples=["csm", "team"])
    target: Target | None = Field(None, description="what 100 % attainment is: a number, quotas (from quotas.csv), "
                                  "{by: segment, values: {...}, default: ...} or {pct_of_start_arr: 0.05}",
                                  examples=[1.0, "quotas", {"by": "segment", "values": {"Enterprise": 1.05},
                                                            "default": 1.0}, {"pct_of_start_arr": 0.05}])
    risk_adjust: float | None = Field(default=None, description="moves the target by k × (book risk − company "
                                      "risk), so a riskier book gets an easier target with a negative k",
                                      examples=[-0.1])
    quarters: tuple[QuarterLabel, ...] | None = Field(default=None, description="the component pays only in these "
                                                      "quarters (a floating or rotating component)",
                                                      examples=[["2026Q1", "2026Q3"]])

    @field_validator("quarters", mode="before")
    @classmethod
    def _parse_quarters(cls, value):
        if isinstance(value, list):
            return _canonical_quarters(value)
        return value

    @model_validator(mode="after")
    def _risk_adjust_needs_target(self):
        if self.risk_adjust is not None and self.target is None:
            raise ValueError("risk_adjust adjusts the target, so this component needs a target")
        return self

    def active_in(self, quarter: str) -> bool:
        return self.quarters is None or quarter in self.quarters


class CurveComponent(_Component):
    """Pays TV × weight × f(x) × modifiers."""

    kind: Literal["curve"] = Field("curve", description="curve (the default): pays target variable × weight × "
                                   "curve(x)", examples=["curve"])
    metric: Metric = Field(description="the metric measured on the scope's book each quarter", examples=["nrr"])
    weight: NonNegative = Field(description="this component's share of the target variable; the weights of the "
                                "curve components paying in a quarter sum to 1", examples=[0.6, "60%"])
    measure: Literal["attainment", "value"] = Field("attainment", description="x on the curve: attainment "
                                                    "(metric ÷ target) or value (the metric itself, no target)",
                                                    examples=["attainment", "value"])
    curve: list[Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        min_length=1, description="[x, payout] points, x strictly increasing and payout never decreasing; the "
        "payout is a multiple of weight × target variable (1 = 100 %)",
        examples=[[[0.9, 0], [1.0, 1.0], [1.1, 1.5]], [["90%", 0], ["100%", "100%"], ["110%", "150%"]]])
    interpolate: Literal["linear", "step"] = Field("linear", description="between points: linear, or step (the "
                                                   "payout of the highest point reached)", examples=["step"])
    uncapped: bool = Field(False, description="true: beyond the last point the last segment's slope continues "
                           "(linear curves of two points or more)", examples=[True])
    on_missing: Literal["zero", "target"] = Field("zero", description="when the metric or attainment is undefined "
                                                  "(an empty book, no renewals due): pay zero or as at target",
                                                  examples=["target"])

    @field_validator("curve")
    @classmethod
    def _check_points(cls, points):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        if any(not math.isfinite(v) for v in xs + ys) or any(y < 0 for y in ys):
            raise ValueError("curve points must be finite numbers and pay 0 or more")
        for i in range(1, len(xs)):
            if not xs[i] > xs[i - 1]:
                raise ValueError(f"curve x must be strictly increasing: point {i + 1} ({xs[i]:g}) "
                                 f"is not above point {i} ({xs[i - 1]:g})")
            if ys[i] < ys[i - 1]:
                raise ValueError(f"curve payout must never decrease: point {i + 1} pays {ys[i]:g}, "
                                 f"less than point {i} ({ys[i - 1]:g})")
        return points

    @model_validator(mode="after")
    def _check_curve(self):
        if self.uncapped and (self.interpolate != "linear" or len(self.curve) < 2):
            raise ValueError("uncapped: true continues the last segment's slope, so it needs "
                             "interpolate: linear and at least two curve points")
        if self.measure == "attainment" and self.target is None:
            raise ValueError("measure: attainment needs a target (or use measure: value)")
        return self


class Tier(_Strict):
    up_to: Positive | None = Field(None, description="the tier's upper bound: a fraction of the target when the "
                                   "component has one, else an amount; the last tier has none", examples=[1.0])
    rate: NonNegative = Field(description="the rate paid on the part of the amount in this tier", examples=[0.04, "4%"])


class CommissionComponent(_Component):
    """Pays a rate (or tiers of rates) on an amount metric, not scaled by TV."""

    kind: Literal["commission"] = Field(description="commission: pays a rate on an amount, not scaled by the "
                                        "target variable", examples=["commission"])
    metric: CommissionMetric = Field(description="the amount the rate is paid on", examples=["cross_sell_arr"])
    rate: NonNegative | None = Field(None, description="one rate on the whole amount (or give tiers)",
                                     examples=[0.05, "5%"])
    tiers: list[Tier] | None = Field(default=None, min_length=1, description="rates by tier of the amount, bounds "
                                     "increasing, the last tier without up_to",
                                     examples=[[{"up_to": 1.0, "rate": 0.04}, {"rate": 0.06}]])
    tiering: Literal["marginal", "retroactive"] = Field("marginal", description="marginal: each tier's rate on the "
                                                        "part inside it; retroactive: the reached tier's rate on "
                                                        "all of it", examples=["retroactive"])
    allow_negative: bool = Field(False, description="true: a negative amount is deducted at the first tier's "
                                 "rate; false: it pays 0", examples=[True])
    cap: NonNegative | None = Field(default=None, description="maximum commission per quarter in currency, "
                                    "before modifiers", examples=[5000])

    @field_validator("tiers")
    @classmethod
    def _check_bounds(cls, tiers):
        if tiers is None:
            return tiers
        *lower, last = tiers
        if last.up_to is not None:
            raise ValueError("the last tier has no up_to (it takes everything above the previous bound)")
        for i, tier in enumerate(lower):
            if tier.up_to is None:
                raise ValueError(f"tier {i + 1} needs up_to (only the last tier has none)")
            if i and not tier.up_to > lower[i - 1].up_to:
                raise ValueError(f"tier bounds must increase: tier {i + 1} up_to {tier.up_to:g} "
                                 f"is not above {lower[i - 1].up_to:g}")
        return tiers

    @model_validator(mode="after")
    def _rate_or_tiers(self):
        if (self.rate is None) == (self.tiers is None):
            raise ValueError("give either rate or tiers (one of them, not both)")
        return self

    @property
    def schedule(self) -> list[Tier]:
        return list(self.tiers) if self.tiers is not None else [Tier(rate=self.rate)]


def _component_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("kind", "curve")
        return kind if kind in ("curve", "commission") else None
    if isinstance(value, BaseModel):
        return value.kind
    return None


Component = Annotated[
    Union[Annotated[CurveComponent, Tag("curve")], Annotated[CommissionComponent, Tag("commission")]],
    Discriminator(
        _component_kind,
        custom_error_type="component",
        custom_error_message="a component is a mapping whose kind is curve (the default) or commission",
    ),
]


# --- the rest of the plan ------------------------------------------------------------------


class Condition(_Strict):
    metric: Metric = Field(description="the metric the condition tests", examples=["nps"])
    scope: Scope = Field("csm", description="whose book the metric is measured on (csm, team, segment, company)",
                         examples=["csm"])
    below: float | None = Field(None, description="holds when the metric is below this", examples=[20])
    at_least: float | None = Field(None, description="holds when the metric is at least this (with below: a band)",
                                   examples=[0.9, "90%"])

    @model_validator(mode="after")
    def _needs_bound(self):
        if self.below is None and self.at_least is None:
            raise ValueError("a condition needs below, at_least, or both")
        if self.below is not None and self.at_least is not None and not self.at_least < self.below:
            raise ValueError(f"at_least {self.at_least:g} must be below {self.below:g}, or the band is empty")
        return self


class Modifier(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the modifier's name, unique among modifiers",
                    examples=["nps_gate"])
    when: Condition = Field(description="the condition on a metric that switches the modifier on",
                            examples=[{"metric": "nps", "below": 20}])
    multiply: NonNegative = Field(description="the factor the payouts it applies to are multiplied by",
                                  examples=[0.5, "50%"])
    applies_to: Literal["all"] | list[str] = Field("all", description="the component ids it multiplies, or all",
                                                   examples=[["expansion"], "all"])


class PayMix(_Strict):
    variable_pct: Annotated[float, Field(ge=0, lt=100)] | dict[str, Annotated[float, Field(ge=0, lt=100)]] = Field(
        description="variable pay as a percentage of OTE (30 = 30 %), for everybody or per roster segment",
        examples=[30, "30%", {"Enterprise": 30, "SMB": 20}])
    hold: Literal["ote", "base"] = Field("ote", description="ote: OTE stays, base moves; base: base stays, OTE moves",
                                         examples=["ote", "base"])


class Credit(_Strict):
    expansion: NonNegative = Field(1.0, description="the share of expansion ARR credited to the CSM",
                                   examples=[1.0, "100%"])
    cross_sell: NonNegative = Field(1.0, description="the share of cross-sell ARR credited to the CSM (0.25: "
                                    "Sales keeps 75 %)", examples=[0.25, "25%"])


class Plan(_Strict):
    """A compensation plan to replay."""

    extends: str | None = Field(default=None, description="a plan file (relative to this one) whose keys this "
                                "plan overrides; components and modifiers merge by id, remove: true drops one",
                                examples=["current.yaml"])
    name: str = Field(min_length=1, description="the plan's name, shown on every report",
                      examples=["FY27 proposal — NRR focus"])
    currency: str = Field("USD", description="the currency of amounts, for display only: a three-letter code "
                          "(ISO 4217) or a symbol of at most 3 characters", examples=["USD", "EUR", "€"])
    performance: Metric = Field("nrr", description="the metric that ranks CSMs to find the top performers",
                                examples=["nrr"])
    credit: Credit = Field(Credit(), description="revenue share: the CSM's credit on expansion and cross-sell ARR",
                           examples=[{"cross_sell": 0.25}])
    pay_mix: PayMix | None = Field(None, description="a new base/variable split (else the roster's)",
                                   examples=[{"variable_pct": 30, "hold": "ote"}])
    cap: Positive | None = Field(default=None, description="total variable pay is at most cap × the target "
                                 "variable each quarter (2 = 200 %)", examples=[2.0, "200%"])
    components: list[Component] = Field(min_length=1, description="what is paid for: curve and commission "
                                        "components", examples=[[{"id": "retention", "metric": "nrr", "weight": 1,
                                                                  "target": 1.0,
                                                                  "curve": [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]}]])
    modifiers: list[Modifier] = Field([], description="multipliers switched on by a condition on a metric",
                                      examples=[[{"id": "nps_gate", "when": {"metric": "nps", "below": 20},
                                                  "multiply": 0.5, "applies_to": ["retention"]}]])

    @field_validator("currency")
    @classmethod
    def _check_currency(cls, currency: str) -> str:
        # Shown beside every amount in every format: markup or a control character here would
        # reach a browser, a spreadsheet or the terminal as code, not as a currency.
        if not CURRENCY.fullmatch(currency):
            raise ValueError(f"'{currency}' is not a currency code or symbol: write a three-letter "
                             "ISO 4217 code such as USD or EUR, or a symbol of at most 3 characters such as €")
        return currency

    @property
    def curve_components(self) -> list[CurveComponent]:
        return [c for c in self.components if isinstance(c, CurveComponent)]

    def multiplier_targets(self, modifier: Modifier) -> list[str]:
        if modifier.applies_to == "all":
            return [c.id for c in self.components]
        return list(modifier.applies_to)


# --- loading -------------------------------------------------------------------------------


def load_plan(source: Path | str) -> Plan:
    """Read, parse and validate a plan file ('-' reads standard input)."""
    document, label = load_plan_document(source)
    return plan_from_document(document, label)


def load_plan_document(source: Path | str) -> tuple[dict, str]:
    """A plan file as plain data with extends resolved, not yet validated (for sweeps), and its label."""
    label = "<stdin>" if str(source) == "-" else str(source)
    if str(source) == "-":
        # read(n) stops at n bytes: an endless standard input costs no more than the cap.
        raw = sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            raise PlanError(_TOO_LARGE, file=label, hint=_TOO_LARGE_HINT)
    else:
        _record_read(Path(source))
        raw = _read_plan_file(Path(source), label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError("is not UTF-8 text", file=label, hint="save the plan as UTF-8") from None
    base = Path.cwd() if str(source) == "-" else Path(os.path.realpath(source)).parent
    chain = () if str(source) == "-" else (Path(os.path.realpath(source)),)
    return _resolved_document(text, label, base, chain), label


# The commands refuse to write their result over any plan file they read, the files of an extends
# chain included; loading records them here while a command collects them.
_plan_files: ContextVar[list[Path] | None] = ContextVar("cscomp_plan_files", default=None)


@contextmanager
def plan_files_read() -> Iterator[list[Path]]:
    """Record in the yielded list every plan file read meanwhile: each plan and its extends chain."""
    found: list[Path] = []
    token = _plan_files.set(found)
    try:
        yield found
    finally:
        _plan_files.reset(token)


def _record_read(path: Path) -> None:
    found = _plan_files.get()
    if found is not None:
        found.append(path)


def _read_plan_file(path: Path, label: str, *, extended_by: str | None = None) -> bytes:
    """A plan file's bytes: a regular file of at most MAX_PLAN_BYTES, never read further than that.

    A FIFO or a device (/dev/zero) would hang or never end: refused before reading. ``extended_by``
    names the plan whose extends: points here, so the message names both.
    """
    def refuse(problem: str, hint: str) -> PlanError:
        if extended_by is None:
            return PlanError(problem, file=label, hint=hint)
        return PlanError(f"the plan it extends, {label}: {problem}", file=extended_by, location="extends",
                         hint=hint)

    try:
        # Non-blocking, so that opening a FIFO returns at once (fstat then refuses it).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise refuse("plan file not found", "give the path of a plan YAML, e.g. plans/nrr_focus.yaml"
                     if extended_by is None else "paths in extends are relative to the extending plan's folder"
                     ) from None
    except OSError as exc:
        raise refuse(f"cannot read the plan file: {exc.strerror}",
                     "check the path and that you may read the file") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PLAN_BYTES:
        os.close(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a folder, not a plan file", "give the path of a plan YAML, e.g. plans/nrr_focus.yaml")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file (a device or a pipe?)", "save the plan as a file and give its path")
        raise refuse(_TOO_LARGE, _TOO_LARGE_HINT)
    with os.fdopen(descriptor, "rb") as handle:
        try:
            raw = handle.read(MAX_PLAN_BYTES + 1)
        except OSError as exc:
            raise refuse(f"cannot read the plan file: {exc.strerror}", "check the disk and the path") from None
    if len(raw) > MAX_PLAN_BYTES:  # it grew since fstat
        raise refuse(_TOO_LARGE, _TOO_LARGE_HINT)
    return raw


def parse_plan(text: str, label: str = "<plan>", *, base: Path | None = None, chain: tuple[Path, ...] = ()) -> Plan:
    """Validate plan YAML text; errors name the key path (or line and column) in `label`.

    ``base`` is the folder an ``extends:`` path is relative to (the plan's own folder); ``chain``
    the plan files already being read, to catch a cycle.
    """
    return plan_from_document(_resolved_document(text, label, base or Path.cwd(), chain), label)


def _resolved_document(text: str, label: str, base: Path, chain: tuple[Path, ...]) -> dict:
    document = _read_document(text, label)
    if "extends" in document:
        document = _resolve_extends(document, label, base, chain)
    else:
        _refuse_stray_removes(document, label)
    # After extends: a child's "95%" replaces its parent's 0.9 like any other value.
    return read_percent_strings(document, label)


def plan_from_document(document: dict, label: str = "<plan>") -> Plan:
    """Validate a plan given as plain data (extends already resolved)."""
    document = read_percent_strings(document, label)
    _check_numbers(document, label)
    try:
        plan = Plan.model_validate(document)
    except ValidationError as exc:
        raise _plan_error(exc, label) from None
    _check_references(plan, label)
    return plan


def _read_document(text: str, label: str) -> dict:
    document = _load_yaml(text, label)
    if not isinstance(document, dict):
        raise PlanError("a plan is a YAML mapping with name and components at the top", file=label,
                        hint="start from one of the files in plans/")
    return document


# --- extends: a plan that states only what changes ----------------------------------------------


def _resolve_extends(child: dict, label: str, base: Path, chain: tuple[Path, ...]) -> dict:
    """The child's parent (read and resolved first), with the child's keys laid over it."""
    reference = child["extends"]
    if not isinstance(reference, str) or not reference.strip():
        raise PlanError("extends names the plan file this one builds on", file=label, location="extends",
                        hint="e.g. extends: current.yaml (relative to this plan's folder)")
    if "\0" in reference:
        raise PlanError("extends names a file with a NUL character in its name", file=label, location="extends",
                        hint="write the parent plan's file name, e.g. extends: current.yaml")
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise PlanError(f"extends chains more than {MAX_EXTENDS_DEPTH} plans deep (from {chain[0].name} on)",
                        file=label, location="extends",
                        hint="a plan needs a parent or two; let one of them stand on its own")
    # realpath, unlike Path.resolve, does not raise on a symlink loop: opening the file then says so.
    path = Path(os.path.realpath(base / reference))
    if path in chain:
        cycle = " → ".join(p.name for p in (*chain, path))
        raise PlanError(f"extends goes round in a circle: {cycle}", file=label, location="extends",
                        hint="one of these plans must stand on its own")
    _record_read(path)
    if not path.exists() and not path.is_symlink():
        raise PlanError(f"the plan it extends, {reference}, is not found (looked for {path})", file=label,
                        location="extends", hint="paths in extends are relative to the extending plan's folder")
    raw = _read_plan_file(path, str(path), extended_by=label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError("is not UTF-8 text", file=str(path), hint="save the plan as UTF-8") from None
    parent = _read_document(text, str(path))
    if "extends" in parent:
        parent = _resolve_extends(parent, str(path), path.parent, (*chain, path))
    else:
        _refuse_stray_removes(parent, str(path))
    merged = _overlay(parent, {k: v for k, v in child.items() if k != "extends"}, label)
    return merged


def _overlay(parent: dict, child: dict, label: str, path: tuple = ()) -> dict:
    """Child keys over parent keys; mappings merge key by key; components and modifiers by id."""
    merged = dict(parent)
    for key, value in child.items():
        here = (*path, key)
        if not path and key in ("components", "modifiers") and isinstance(value, list):
            inherited = parent.get(key)
            merged[key] = _overlay_by_id(inherited if isinstance(inherited, list) else [], value, label, key)
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = _overlay(parent[key], value, label, here)
        else:
            merged[key] = value
    return merged


def _overlay_by_id(parent: list, child: list, label: str, key: str) -> list:
    """Items with a parent's id change it (remove: true drops it); new ids are added at the end."""
    items = [dict(item) if isinstance(item, dict) else item for item in parent]
    index = {item.get("id"): i for i, item in enumerate(items) if isinstance(item, dict)}
    removed: set[int] = set()
    for position, item in enumerate(child):
        if not isinstance(item, dict) or item.get("id") not in index:
            if isinstance(item, dict) and item.get("remove") is True:
                raise PlanError(f"cannot remove '{item.get('id')}': the plan it extends has no such id",
                                file=label, location=f"{key}[{position}].id",
                                hint=f"ids in the parent: {', '.join(str(i) for i in index)}")
            items.append(item)
            continue
        at = index[item["id"]]
        if item.get("remove") is True:
            removed.add(at)
            continue
        changes = {k: v for k, v in item.items() if k != "remove"}
        items[at] = _overlay(items[at], changes, label, (key, at))
    return [item for i, item in enumerate(items) if i not in removed]


def _refuse_stray_removes(document: dict, label: str) -> None:
    for key in ("components", "modifiers"):
        items = document.get(key)
        for position, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "remove" in item:
                raise PlanError("remove: true drops a component or modifier of the plan this one extends, but "
                                "this plan extends none", file=label, location=f"{key}[{position}].remove",
                                hint="add extends: <parent plan>, or delete the item instead")


def _check_references(plan: Plan, label: str) -> None:
    """Ids are unique and every applies_to names a component."""
    for key, items in (("components", plan.components), ("modifiers", plan.modifiers)):
        ids = [item.id for item in items]
        for i, item_id in enumerate(ids):
            if item_id in ids[:i]:
                raise PlanError(f"id '{item_id}' is used twice; ids must be unique", file=label,
                                location=f"{key}[{i}].id", hint="rename one of them")
    component_ids = [c.id for c in plan.components]
    for i, modifier in enumerate(plan.modifiers):
        if modifier.applies_to == "all":
            continue
        for target in modifier.applies_to:
            if target not in component_ids:
                raise PlanError(f"'{target}' is not a component" + did_you_mean(target, component_ids),
                                file=label, location=f"modifiers[{i}].applies_to",
                                hint=f"components are: {', '.join(component_ids)}; or write applies_to: all")


def plan_json_schema() -> dict:
    """The JSON Schema of the plan language."""
    schema = _percent_strings_allowed(Plan.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cscomp plan"
    return schema


_NUMBER_KEYS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _percent_strings_allowed(node: Any) -> Any:
    """Wherever the schema takes a number it also takes a percentage string, as cscomp does."""
    if isinstance(node, list):
        return [_percent_strings_allowed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _percent_strings_allowed(value) for key, value in node.items()}
    if node.get("type") == "number" and "anyOf" not in node:
        number = {key: node.pop(key) for key in _NUMBER_KEYS if key in node}
        node["anyOf"] = [number, {"type": "string", "pattern": PERCENT_PATTERN,
                                  "description": 'a percentage, e.g. "92%" for 0.92'}]
    return node


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one), nesting
    deeper than MAX_PLAN_DEPTH (aliases included) and numbers too long to be plan numbers."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.heights: dict[int, int] = {}  # id(node) → levels from it down to its deepest value

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        self.depth += 1
        try:
            if self.depth > MAX_PLAN_DEPTH:
                raise _too_deep(mark)
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        children = (node.value if isinstance(node, yaml.SequenceNode) else
                    [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        # An alias returns a node composed earlier: it is as deep here as it was there.
        height = self.heights[id(node)] = 1 + max((self.heights.get(id(c), 1) for c in children), default=0)
        if self.depth + height > MAX_PLAN_DEPTH:
            raise _too_deep(mark)
        return node

    def construct_number(self, node):
        if len(node.value) > MAX_NUMBER_CHARACTERS:
            raise PlanError(f"a number written with {len(node.value):,} characters is too large for a plan (plan "
                            f"numbers are at most {MAX_PLAN_NUMBER:,.0f} in size)",
                            location=f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}",
                            hint="check for a typo or a missing decimal point")
        constructor = yaml.SafeLoader.yaml_constructors[node.tag]
        return constructor(self, node)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    mark = key_node.start_mark
                    raise PlanError(
                        f"key '{key}' appears twice in one mapping (first on line {seen[key].line + 1})",
                        location=f"line {mark.line + 1}, column {mark.column + 1}",
                        hint="remove one of them; YAML would otherwise silently keep only the last",
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _too_deep(mark) -> PlanError:
    return PlanError(f"nested more than {MAX_PLAN_DEPTH} levels deep",
                     location=f"line {mark.line + 1}, column {mark.column + 1}",
                     hint="a plan needs only a few levels (a component, its curve, a point); check the brackets "
                     "and indentation around this line")


for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    _StrictLoader.add_constructor(_tag, _StrictLoader.construct_number)

# YAML 1.1 (PyYAML) reads 1e5 as the string "1e5"; people writing a plan mean the number, as YAML 1.2 does.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _check_numbers(node: Any, label: str, path: tuple = ()) -> None:
    """Every number in a plan is finite and at most MAX_PLAN_NUMBER in size.

    No real plan needs more, and a stray 1e308 or .inf would otherwise overflow the integer cents
    every payout is summed in.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            _check_numbers(value, label, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_numbers(value, label, (*path, index))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        # Compare ints as ints: 10**400 is too large for a float, let alone for a plan.
        if (isinstance(node, float) and not math.isfinite(node)) or abs(node) > MAX_PLAN_NUMBER:
            raise PlanError(f"{shortened(repr(node))} is not a usable number (plan numbers are finite and at most "
                            f"{MAX_PLAN_NUMBER:,.0f} in size)", file=label, location=_key_path(path),
                            hint="check for a typo or a missing decimal point")


def _load_yaml(text: str, label: str) -> Any:
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        # The reader refuses control characters before any parsing: say where the byte is.
        before = text[:exc.position]
        where = f"line {before.count(chr(10)) + 1}, column {exc.position - before.rfind(chr(10))}"
        raise PlanError(f"contains a character YAML does not allow (U+{exc.character:04X})", file=label,
                        location=where, hint="remove the character; save the plan as plain UTF-8 text") from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanError("plan is empty", file=label, hint="start from one of the files in plans/")
        if _expanded_size(node, {}) > MAX_PLAN_NODES:
            raise PlanError("plan expands to too many values (a YAML alias bomb?)", file=label,
                            hint="a plan needs only a few hundred values; remove the nested aliases")
        return loader.construct_document(node)
    except PlanError as exc:
        exc.file = label
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(f"YAML syntax error: {problem}", file=label, location=where,
                        hint=_yaml_hint(exc, text)) from None
    finally:
        loader.dispose()


def _yaml_hint(exc: yaml.YAMLError, text: str) -> str:
    """What a YAML parser error usually means in a hand-written plan, naming the line to look at.

    PyYAML's words ("expected <block end>, but found '?'") describe its parser, not the file; nearly
    always the cause is one line indented differently from its neighbours.
    """
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return "check indentation and that every ':' is followed by a space"
    problem = getattr(exc, "problem", None) or ""
    lines = text.splitlines()
    line = mark.line + 1
    context = getattr(exc, "context_mark", None)

    def indent(number: int) -> int | None:
        if not 1 <= number <= len(lines):
            return None
        content = lines[number - 1]
        return len(content) - len(content.lstrip(" "))

    def above(number: int) -> int | None:
        """The nearest line above ``number`` with content (blank and comment lines do not count)."""
        for candidate in range(number - 1, 0, -1):
            stripped = lines[candidate - 1].strip()
            if stripped and not stripped.startswith("#"):
                return candidate
        return None

    same_column = ("keys of one mapping, and the '- ' items of one list, must start in the same column; "
                   "indent with spaces")
    if "'\\t'" in problem:  # PyYAML quotes the tab as '\t'
        return f"line {line} is indented with a tab: YAML indents with spaces only, so replace the tab with spaces"
    previous = above(line)
    if problem.startswith("expected <block end>"):
        if previous is not None and indent(previous) is not None and indent(line) != indent(previous):
            return (f"line {line} starts in column {indent(line) + 1} but line {previous} above it in column "
                    f"{indent(previous) + 1}: {same_column}")
        return f"check the indentation of line {line} and the lines above it: {same_column}"
    if problem.startswith("mapping values are not allowed"):
        if previous is not None and (indent(line) or 0) > (indent(previous) or 0):
            return (f"line {line} is indented further than line {previous}, so YAML reads it as the rest of line "
                    f"{previous}'s value; indent it like line {previous}")
        return (f"line {line} has a second ':' inside one value; put the value in quotes, e.g. name: \"FY27: NRR\", "
                "or check its indentation")
    if problem.startswith("could not find expected ':'") and context is not None:
        start = context.line + 1
        return (f"line {start} has no ':' after its key (write key: value, with a space after the colon), or line "
                f"{line} is not indented like the lines above it")
    if problem.startswith("expected ','") and context is not None:
        return (f"the list or mapping opened on line {context.line + 1} is not closed where YAML expected: check its "
                "brackets and commas")
    return f"check the indentation of line {line} and that every ':' is followed by a space"


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values the node becomes once every alias is expanded (shared nodes counted each time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_PLAN_NODES + 1  # a recursive alias counts as too large
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_PLAN_NODES + 1)
    return memo[key]


_COMPONENT_TAGS = {"curve", "commission"}
_TARGET_TAGS = {"number", "quotas", "by_segment", "pct"}
_UNION_LABEL = re.compile(r"^(constrained-\w+|function-\w+\[.*|literal\[.*|list\[.*|dict\[.*|tuple\[.*"
                          r"|float|int|str|bool)$")
_FIELD_NAMES = sorted(
    {name for model in (Plan, CurveComponent, CommissionComponent, Tier, Condition, Modifier, PayMix, Credit,
                        BySegment, PctOfStartArr) for name in model.model_fields}
)


def _key_path(loc: tuple) -> str:
    """components[0].curve from pydantic's loc, without its union-branch labels."""
    parts: list[str] = []
    previous = None
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif _is_branch_label(item, previous):
            pass
        else:
            parts.append(("." if parts else "") + str(item))
        previous = item
    return "".join(parts) or "(top level)"


def _is_branch_label(item, previous) -> bool:
    # Tagged unions add the tag after the list index (components[0] -> 'curve') or after 'target';
    # plain unions add a type label such as 'constrained-float' or "literal['all']".
    if item in _COMPONENT_TAGS and isinstance(previous, int):
        return True
    if item in _TARGET_TAGS and previous == "target":
        return True
    return bool(_UNION_LABEL.match(str(item)))


def _plan_error(exc: ValidationError, label: str) -> PlanError:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            problems.append((_key_path(loc[:-1]) if len(loc) > 1 else "(top level)",
                             f"unknown key '{key}'" + did_you_mean(key, _FIELD_NAMES)))
        elif kind == "literal_error" and loc and loc[-1] in ("metric", "performance"):
            given = err.get("input")
            choices = COMMISSION_METRICS if "commission" in loc else METRICS
            problems.append((_key_path(loc), f"unknown metric '{given}'" + did_you_mean(given, choices)
                             + f"; choose one of {', '.join(choices)}"))
        elif kind == "missing":
            problems.append((_key_path(loc), f"missing required key '{loc[-1]}'"))
        elif kind == "target" and isinstance(err.get("input"), str):
            given = err["input"]
            problems.append((_key_path(loc), f"'{given}' is not a target" + did_you_mean(given, ["quotas"])
                             + "; " + err["msg"]))
        elif kind == "component":
            given = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
            problems.append((_key_path(loc) + (".kind" if given is not None else ""),
                             (f"unknown kind '{given}'; " if given is not None else "") + err["msg"]))
        else:
            message = err["msg"].removeprefix("Value error, ")
            given = err.get("input")
            if kind.endswith("_type") or kind.startswith(("literal", "greater", "less")):
                message += f" (got {given!r})" if not isinstance(given, (dict, list)) else ""
            if kind in ("float_type", "float_parsing") and isinstance(given, str):
                message += '; write a number such as 0.92, or a percentage such as "92%"'
            problems.append((_key_path(loc), message))
    # A misspelt key is one problem, not two: drop "missing required key 'metric'" when the same
    # mapping has "unknown key 'metirc' (did you mean 'metric'?)".
    typos = {(where, match[1]) for where, message in problems
             if (match := re.search(r"^unknown key .*\(did you mean '(.+)'\?\)$", message))}
    problems = [(where, message) for where, message in problems
                if not (message.startswith("missing required key")
                        and (_parent_path(where), where.rpartition(".")[2]) in typos)]
    # An unknown key usually explains the "missing" one next to it (a typo), so it goes first;
    # otherwise the most specific (longest) path reads best.
    problems.sort(key=lambda p: (not p[1].startswith("unknown"), -p[0].count(".") - p[0].count("[")))
    # A value that fits no branch of a union (a number or a map) is one problem, not one per branch.
    first_per_path = {}
    for where, message in problems:
        first_per_path.setdefault(where, message)
    where, message = problems[0]
    more = len(first_per_path) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''} in the plan)"
    also = [PlanError(text, file=label, location=path, hint=_hint_for(path))
            for path, text in list(first_per_path.items())[1:]]
    return PlanError(message, file=label, location=where, hint=_hint_for(where), also=also)


def _parent_path(where: str) -> str:
    """components[0].target.pct_of_start_arr -> components[0].target (the mapping holding the key)."""
    parent, dot, _ = where.rpartition(".")
    return parent if dot else "(top level)"


def _hint_for(where: str) -> str:
    if "curve" in where:
        return "a curve is a list of [x, payout] points, x strictly increasing, e.g. [[0.9, 0], [1.0, 1], [1.1, 1.5]]"
    if "tiers" in where:
        return "tiers look like [{up_to: 1.0, rate: 0.04}, {rate: 0.06}]"
    if "target" in where:
        return ("target is a number (1.0, or 100%), quotas, {by: segment, values: {...}, default: ...} or "
                "{pct_of_start_arr: 0.05}")
    if where == "currency":
        return "currency is for display only (nothing is converted); see currency in docs/plans.md"
    return "every key of the plan language is described in docs/plans.md, and `cscomp schema` lists them"
