"""What a curve component's attainment is measured against (SPEC 3.2): a number, a quota per CSM,
a value per segment or a percentage of the book's start ARR.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from cscomp_cli.plan.vocabulary import (
    NonNegative,
    Positive,
    StrictModel,
)


class BySegment(StrictModel):
    """A target per roster segment, with an optional default."""

    by: Literal["segment"] = Field(description="what the values are chosen by: the CSM's roster segment",
                                   examples=["segment"])
    values: dict[str, Positive] = Field(description="a value per roster segment name",
                                        examples=[{"Enterprise": 1.05, "Mid-Market": 1.02, "SMB": 0.95}])
    default: Positive | None = Field(default=None, description="the value for a segment not listed in values "
                                     "(without it, such a segment is an error)", examples=[1.0])


class SegmentWeights(StrictModel):
    """A curve component's weight per roster segment: one plan, different mixes for high- and low-touch teams."""

    by: Literal["segment"] = Field(description="what the weights are chosen by: the CSM's roster segment",
                                   examples=["segment"])
    values: dict[str, NonNegative] = Field(description="a weight per roster segment name (0 pays nothing)",
                                           examples=[{"Enterprise": 0.5, "SMB": 0.2}])
    default: NonNegative | None = Field(default=None, description="the weight for a segment not listed in "
                                        "values (without it, such a segment is an error)", examples=[0])

    @model_validator(mode="after")
    def _names_a_weight(self):
        if not self.values and self.default is None:
            raise ValueError("values: {} names no segment and there is no default, so no CSM has a weight; list "
                             "the segments, e.g. values: {Enterprise: 0.5, SMB: 0.2}, or give default:")
        return self


class PctOfStartArr(StrictModel):
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
