"""The plan language's words: the built-in metrics, how a metric of the plan's own may be named,
the scopes and aggregates, the limits on what a plan holds, and the strict base every plan model shares.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from cscomp_cli.core.text import UNPRINTABLE

METRICS = (
    "start_arr", "expansion_arr", "cross_sell_arr", "gross_expansion", "contraction_arr", "churn_arr",
    "net_expansion", "retained_arr", "renewed_arr", "nrr", "grr", "logo_retention", "renewal_rate",
    "nps", "health", "accounts",
)
COMMISSION_METRICS = (
    "expansion_arr", "cross_sell_arr", "gross_expansion", "net_expansion", "renewed_arr", "retained_arr",
)
# A currency is a code (USD) or a short symbol (€, kr, R$): no space, markup or control character.
CURRENCY = re.compile(r"[A-Z]{3}" + f"|[^\\s{UNPRINTABLE}" + r"""<>&"'`\[\]\\|]{1,3}""")

# Built-in metrics and the plan's own (under metrics:) share one name space; which names exist is
# checked once the whole plan is read (plan/references.py), so a typo gets a "did you mean".
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_NAME_SCHEMA = {"anyOf": [{"enum": list(METRICS)}, {"type": "string", "pattern": NAME_PATTERN,
                                                     "description": "a metric defined under the plan's metrics:"}]}
Metric = Annotated[str, WithJsonSchema(_NAME_SCHEMA), Field(
    json_schema_extra={"examples": ["nrr", "grr", "csat"]},
    description="a built-in metric (" + ", ".join(METRICS) + ") or one defined under the plan's metrics:")]
CommissionMetric = Annotated[str, WithJsonSchema({"anyOf": [{"enum": list(COMMISSION_METRICS)},
                                                            _NAME_SCHEMA["anyOf"][1]]}), Field(
    description="an amount metric (" + ", ".join(COMMISSION_METRICS) + "), or one of the plan's metrics: built "
    "on one of them or with aggregate: sum")]
AGGREGATES = ("mean", "sum", "min", "max", "count", "arr_weighted_mean", "share")
MAX_WINDOW = 12
Scope = Literal["csm", "team", "segment", "company"]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
QuarterLabel = Annotated[str, Field(description="a quarter such as 2026Q1, or a fiscal quarter such as FY2027Q1")]


# How every payout is rounded (a curve's, a commission's, the cap's limit), in the words explain, the
# JSON Schema and docs/plans.md all use.
PAYOUT_ROUNDING = "rounded to 6 decimal places, then to the cent, halves away from zero each time"


class StrictModel(BaseModel):
    """Every plan model: unknown keys refused, values never coerced (\"5\" is not 5), frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
