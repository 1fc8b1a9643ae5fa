"""Where one of cscomp's columns comes from, as the data map says it: an export column (or several
joined), a constant or the file's name, and how its cells are translated on the way (value maps,
people's names or e-mails to csm_ids, pay dates to quarters, monthly amounts to annual ones).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RowFilter(Strict):
    column: str = Field(description="the export's header name")
    in_: list[str] = Field(alias="in", min_length=1, description="the values (any case)")

    @field_validator("in_", mode="before")
    @classmethod
    def _texts(cls, value):
        return [yaml_text(v) for v in value] if isinstance(value, list) else value


class Source(Strict):
    """Where one of cscomp's columns comes from: an export column, a constant or the file's name."""

    column: str | None = Field(None, description="the export's header name (any case)")
    join: list[str] | None = Field(None, min_length=2, description="instead of column: two or more export columns "
                                   "whose cells are joined with one space, blanks skipped (First Name, Last Name)")
    value: str | None = Field(None, description="a constant for every row, e.g. a segment when the roster has none")
    file_name: Literal["quarter"] | None = Field(None, description="read the quarter label from each file's name")
    values: dict[str, str] | None = Field(None, description="export value -> cscomp value; every value the "
                                          "column holds must be listed (\"\" for a blank cell)")
    match: Literal["name", "id", "email"] | None = Field(
        None, description="csm_id only: name looks the person up by the roster's name column (First Last, or "
        "Last, First), email by the roster's email column (any case)")
    aliases: dict[str, str] | None = Field(None, description="with match: name or email, other spellings -> csm_id")
    from_: Literal["label", "date"] | None = Field(None, alias="from", description="quarter only: the column "
                                                   "holds a quarter label (the default) or a date")
    paid_months_after: int | None = Field(None, ge=0, le=12, description="quarter from a pay date: the bonus "
                                          "for a quarter is paid this many months after it closes")
    named_in: str | None = Field(None, description="quarter from a pay date: an export column (a pay line's "
                                 "description) whose text may name the quarter paid for (Q3), which then wins")
    scale: float | None = Field(None, gt=0, allow_inf_nan=False, description="amount columns: multiply every "
                                "amount by this factor (12 turns monthly MRR into annual ARR)")
    when: RowFilter | None = Field(None, description="an amount column: the cell counts on rows whose column "
                                   "holds one of the values, 0 on the others (new_arr: ARR where Stage is New)")

    @field_validator("values", "aliases", mode="before")
    @classmethod
    def _texts(cls, value):
        # YAML reads yes/no/1 as booleans and numbers: a value map means the text as written.
        if isinstance(value, dict):
            return {yaml_text(k): yaml_text(v) for k, v in value.items()}
        return value

    @field_validator("value", mode="before")
    @classmethod
    def _text(cls, value):
        return yaml_text(value) if isinstance(value, (int, float, bool)) else value

    @field_validator("join", mode="before")
    @classmethod
    def _headers(cls, value):
        return [yaml_text(v) for v in value] if isinstance(value, list) else value

    @field_validator("scale", mode="before")
    @classmethod
    def _factor(cls, value):
        if isinstance(value, bool):  # yes would read as 1.0
            raise ValueError(f"scale is a number, the factor every amount is multiplied by (got {value!r})")
        return value

    @model_validator(mode="after")
    def _one_origin(self):
        given = [key for key in ("column", "join", "value", "file_name") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError("say where the column comes from with exactly one of column, join, value or file_name"
                             + (f" (got {', '.join(given)})" if given else ""))
        read = self.column is not None or self.join is not None
        if not read and (self.values or self.match or self.from_ or self.aliases or self.scale is not None
                         or self.named_in is not None or self.when is not None):
            raise ValueError("values, match, aliases, from, named_in, scale and when apply to an export column: add "
                             "column (or join)")
        if self.aliases and self.match not in ("name", "email"):
            raise ValueError("aliases go with match: name or match: email")
        if self.paid_months_after is not None and self.from_ != "date":
            raise ValueError("paid_months_after goes with from: date")
        if self.named_in is not None and self.from_ != "date":
            raise ValueError("named_in goes with from: date (the pay date says the year, the text the quarter)")
        return self

    @property
    def headers(self) -> list[str]:
        """The export columns this source reads (one, or those it joins)."""
        if self.join is not None:
            return list(self.join)
        return [self.column] if self.column is not None else []

    @property
    def reads_export(self) -> bool:
        return self.column is not None or self.join is not None


def yaml_text(value) -> str:
    """A YAML scalar as the text a person wrote (yes, 1, 2.5), for maps meant as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


ColumnSource = Annotated[Union[str, Source], Field(description="an export header name, or {column: ..., ...}")]


class Rows(Strict):
    keep: RowFilter | None = Field(None, description="keep only rows whose column holds one of the values")
    drop: RowFilter | None = Field(None, description="leave out rows whose column holds one of the values")
