"""One table of the data map: where it is read from (the org's export files, or a SQL database's query),
how those files are written (delimiter, encoding, numbers, dates), which rows it keeps and where each of
cscomp's columns comes from. The roster's table may add a compensation-history export.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from cscomp_cli.core.currencies import ISO_4217
from cscomp_cli.inputs.database_source import FILE_KEYS, Query
from cscomp_cli.inputs.map_sources import ColumnSource, Rows, Source, Strict, yaml_text

NUMBER_STYLES = {"1,234.56": ".", "1234.56": ".", "1.234,56": ",", "1 234,56": ",", "1234,56": ","}
DATE_STYLES = {"YYYY-MM-DD": "%Y-%m-%d", "MM/DD/YYYY": "%m/%d/%Y", "DD/MM/YYYY": "%d/%m/%Y",
               "DD.MM.YYYY": "%d.%m.%Y", "DD-MM-YYYY": "%d-%m-%Y", "YYYY/MM/DD": "%Y/%m/%d"}
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "|": "|", "comma": ",", "semicolon": ";", "pipe": "|"}
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")


class Table(Strict):
    """One of cscomp's tables, read from the org's own export(s) or a SQL database."""

    files: str | list[str] | None = Field(None, description="a file in the data folder, a glob (accounts_*.csv) or "
                                          "a list")
    database: Query | None = Field(None, alias="source", description="instead of files: a SQL database and the "
                                   "query to read (url or url_env, query)")
    format: Literal["auto", "csv", "tsv", "xlsx", "parquet"] = "auto"
    sheet: str | None = Field(None, description="xlsx: the sheet holding the data (default: the first)")
    header_row: int = Field(1, ge=1, le=1000, description="the row holding the header")
    delimiter: str = Field("auto", description="auto, ',', ';', tab or '|'")
    encoding: str = Field("auto", description="auto (UTF-8, else Windows-1252), utf-8, cp1252, latin-1, utf-16")
    numbers: str = Field("auto", description="auto, 1,234.56 or 1.234,56")
    dates: str = Field("auto", description="auto, YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY or DD.MM.YYYY")
    zero: list[str] = Field(default_factory=list, description="cells meaning 0 in amount columns, e.g. ['-', '']")
    rows: Rows | None = None
    columns: dict[str, ColumnSource] = Field(description="cscomp column -> its source")

    @field_validator("files")
    @classmethod
    def _some_files(cls, value):
        if isinstance(value, list) and not value:
            raise ValueError("name at least one file")
        return value

    @model_validator(mode="after")
    def _files_or_source(self):
        if (self.files is None) == (self.database is None):
            raise ValueError("say where the table is read from with exactly one of files or source "
                             + ("(got both)" if self.files is not None else "(got neither)"))
        written = [key for key in FILE_KEYS if key in self.model_fields_set]
        if self.database is not None and written:
            raise ValueError(f"{', '.join(written)} {'applies' if len(written) == 1 else 'apply'} to files; a table "
                             "read with source: has its columns from the query")
        return self

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value):
        if value != "auto" and value.lower() not in DELIMITERS:
            raise ValueError(f"'{value}' is not a delimiter; write auto, ',', ';', tab or '|'")
        return value if value == "auto" else DELIMITERS[value.lower()]

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value):
        spelled = value.lower().replace("_", "-")
        spelled = {"utf8": "utf-8", "windows-1252": "cp1252", "latin1": "latin-1", "iso-8859-1": "latin-1",
                   "utf16": "utf-16"}.get(spelled, spelled)
        if spelled != "auto" and spelled not in ENCODINGS:
            raise ValueError(f"'{value}' is not an encoding cscomp reads; write auto, {', '.join(ENCODINGS)}")
        return spelled

    @field_validator("numbers")
    @classmethod
    def _numbers(cls, value):
        if value != "auto" and value not in NUMBER_STYLES:
            raise ValueError(f"'{value}' is not a number style; write auto, 1,234.56 or 1.234,56")
        return value

    @field_validator("dates")
    @classmethod
    def _dates(cls, value):
        if value != "auto" and value.upper() not in DATE_STYLES:
            raise ValueError(f"'{value}' is not a date style; write auto or one of {', '.join(DATE_STYLES)}")
        return value if value == "auto" else value.upper()

    @field_validator("zero", mode="before")
    @classmethod
    def _zero(cls, value):
        return [yaml_text(v) for v in value] if isinstance(value, list) else value

    def source(self, column: str) -> Source | None:
        spec = self.columns.get(column)
        return Source(column=spec) if isinstance(spec, str) else spec

    @property
    def file_list(self) -> list[str]:
        """The entries of files: (none for a table read from a database)."""
        if self.files is None:
            return []
        return [self.files] if isinstance(self.files, str) else list(self.files)

    @property
    def decimal(self) -> str | None:
        return None if self.numbers == "auto" else NUMBER_STYLES[self.numbers]


class History(Table):
    """A compensation-history export (one row per raise, transfer or new hire's first pay), joined to the
    roster's worker list by csm_id: the roster's effective_date rows (SPEC 6.2)."""

    columns: dict[str, ColumnSource] = Field(description="csm_id, effective_date, annual_base, annual_variable; "
                                             "optionally currency and reason (read for messages only)")


class RosterTable(Table):
    """The roster: the worker list, and optionally its compensation history."""

    history: History | None = Field(None, description="a compensation-history export joined to the worker list "
                                    "by csm_id: one roster row per history row (all the pay, when the worker "
                                    "list maps none)")


class FxTable(Table):
    """A finance team's FX sheet (SPEC 6.3's fx.csv as finance keeps it): monthly or quarterly rates of one
    currency pair, and the rule giving each quarter its rate (inputs/fx_sheet.py reads it)."""

    files: str | list[str] | None = Field(None, description="the FX sheet (none with rule: fixed and rate:)")
    columns: dict[str, ColumnSource] = Field(default_factory=dict, description="month (a monthly sheet) or "
                                             "quarter (a quarterly one), and rate: the sheet's headers")
    pair: str = Field(description="the pair the rates quote, base then quote currency (EURUSD: US dollars per "
                      "1 euro); one of the two is the plan's currency")
    rule: Literal["quarter_end", "quarter_average", "quarter", "fixed"] = Field(
        description="a quarter's rate: its last month's (quarter_end), the mean of its three months "
        "(quarter_average), the sheet's row for it (quarter), or one rate for every quarter (fixed)")
    rate: float | None = Field(None, gt=0, allow_inf_nan=False, description="rule: fixed without a sheet: the "
                               "one rate, quote units per 1 base, for every quarter")

    @field_validator("pair", mode="before")
    @classmethod
    def _pair(cls, value):
        text = "".join(str(value).split()).replace("/", "").replace("-", "").upper()
        if len(text) != 6 or not text.isalpha() or text[:3] == text[3:]:
            raise ValueError(f"'{value}' is not a currency pair; write the two ISO 4217 codes, base then quote "
                             "(EURUSD: US dollars per 1 euro)")
        unknown = [code for code in (text[:3], text[3:]) if code not in ISO_4217]
        if unknown:
            raise ValueError(f"'{value}': {unknown[0]} is not an ISO 4217 currency code")
        return text

    @model_validator(mode="after")
    def _files_or_source(self):
        # A plan rate fixed for the year needs no sheet at all (rule: fixed with rate:); the sheet reader
        # says what a rate: beside another rule or a fixed rule without one gets wrong.
        if (self.rule == "fixed" or self.rate is not None) and self.files is None and self.database is None:
            return self
        return Table._files_or_source(self)

    @property
    def file_list(self) -> list[str]:
        return [] if self.files is None else super().file_list
