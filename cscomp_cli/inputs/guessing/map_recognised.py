"""Writing what recognition found beyond a header per column: the evidence behind each guess, the
columns left open between two headers, monthly amounts scaled to annual, a payroll line's text naming
its quarter (named_in), the roster's compensation history and the FX sheet.
"""

from __future__ import annotations

import re

import pandas as pd

from cscomp_cli.inputs.datamap import monthly_word
from cscomp_cli.inputs.files import DATA_DOC
from cscomp_cli.inputs.guessing.classify import Export, recognition
from cscomp_cli.inputs.guessing.conventions import nonblank
from cscomp_cli.inputs.guessing.profiles import (
    amounts,
    dates,
    monthly_against,
    typical_monthly,
)
from cscomp_cli.inputs.guessing.reading import files_value
from cscomp_cli.inputs.guessing.undecided import Undecided

_QUARTER_NAMED = r"(?i)\bq[1-4]\b"
SEGMENT_WORDS = (r"(?i)enterprise|mid[- ]?market|smb|small business|commercial|strategic|corporate|growth|"
                 r"key accounts?|majors?|emerging|scale|startup|public sector|emea|apac|latam|na|amer|americas")


def _word_prefix(values: list[str]) -> str:
    """The words every value starts with ('Customer Success - ' of 'Customer Success - Enterprise')."""
    words = [v.split(" ") for v in values]
    shared = []
    for group in zip(*words):
        if len(set(group)) != 1:
            break
        shared.append(group[0])
    return " ".join(shared) + " " if shared else ""


class RecognisedColumns:
    """MapWriter's writing of recognition's evidence, open choices and transforms (mixed into MapWriter)."""

    def _evidence(self, canonical: str) -> str | None:
        return self.found.evidence.get(canonical) if self.found is not None else None

    def _open_choices(self, path: str) -> set[str]:
        """Each column two headers could feed: an UNDECIDED line listing them (never one chosen silently)."""
        for canonical, headers in self.found.open.items():
            said = "; ".join(f"'{h}': {self.found.profiles[h].evidence}" if h in self.found.profiles else f"'{h}'"
                             for h in headers)
            choice = " | ".join(headers)
            problem = (f"{canonical}: one of {choice} (equally good by name and cells: {said})" if len(headers) > 1
                       else f"{canonical}: {choice}? only a generic name says so and its cells do not settle it "
                       f"({said}): write {canonical}: {headers[0]} if it is")
            self.comment(6, f"UNDECIDED: {problem}")
            self.undecided.append(Undecided(f"{path}.{canonical}", problem))
        return set(self.found.open)

    def _monthly_scale(self, export: Export, canonical: str, header: str) -> str | None:
        """Why a header that says monthly holds monthly amounts (then scale: 12), or None when only its
        name says so: a name alone is not evidence enough to multiply every amount by 12."""
        cells = export.cells[header]
        word = monthly_word(header)
        for other in export.headers:
            if other == header or not re.search(r"(?i)\barr\b|annual", other) or monthly_word(other):
                continue
            share = monthly_against(cells, export.cells[other])
            if share >= 0.9:
                return (f"'{header}' says monthly ({word}) and ×12 it is '{other}' on {share:.0%} of the rows: "
                        "scale 12 reads it as annual")
        numbers = amounts(nonblank(cells)).dropna()
        numbers = numbers[numbers > 0]
        median = numbers.median() if len(numbers) else 0.0
        if typical_monthly(cells):
            return (f"'{header}' says monthly ({word}) and its amounts are MRR-sized (median {median:,.2f} an "
                    "account): scale 12 reads it as annual")
        # MRR is the standard term for monthly recurring revenue (Gainsight's MRR field): with amounts of an
        # account's month (median under 50,000 over at least 3 accounts) the name is evidence enough.
        if re.search(r"(?i)\bmrr\b", header) and len(numbers) >= 3 and median < 50_000:
            return (f"'{header}' is MRR (monthly recurring revenue) and its amounts fit a month (median "
                    f"{median:,.2f} an account): scale 12 reads it as annual")
        return None

    def _named_in(self, columns: dict[str, str], cells: pd.DataFrame) -> tuple[str, str] | None:
        """The payroll column whose text names the quarter a line pays for (Bonus - Q3 CS Variable), and why."""
        header = columns.get("_description")
        if header is None:
            return None
        text = nonblank(cells[header])
        naming = text[text.str.contains(_QUARTER_NAMED, regex=True)]
        if naming.empty:
            return None
        return header, (f"{len(naming)} of {len(text)} lines name a quarter in '{header}' "
                        f"({naming.iloc[0]!r}): named_in reads it")

    def _snapshot_quarter(self, export: Export, header: str, cells: pd.DataFrame, path: str) -> list[str]:
        """quarter from a snapshot date (9/30/2025): taken when the dates sit on quarters' last (or first) days."""
        found = self.found.profiles.get(header)
        if found is None or found.kind != "date" or found.quarter_ends < 0.9:
            said = found.evidence if found is not None else "no cells"
            problem = f"no quarter column; '{header}' holds {said}, not quarter-end dates: declare where the quarter comes from"
            self.comment(6, f"UNDECIDED: {problem}")
            self.undecided.append(Undecided(f"{path}.quarter", problem))
            return []
        read, _ = dates(nonblank(cells[header]))
        self.entry(6, "quarter", {"column": header, "from": "date"},
                   f"'{header}': {found.evidence}: each row is the quarter its date falls in")
        return sorted({f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in read.values()})

    def _segment_in(self, export: Export, columns: dict[str, str], cells: pd.DataFrame) -> tuple[str, object, str] | None:
        """A roster without a segment column whose team, department or division names the segment
        (Enterprise, Mid-Market; or 'Customer Success - Enterprise' under one prefix): that column."""
        headers = [columns[c] for c in ("team",) if c in columns]
        headers += [h for h in export.headers if re.search(r"(?i)division|department|organi[sz]ation|team|segment",
                                                           h) and h not in headers and h not in columns.values()]
        found = []
        for header in headers:
            values = [v for v in pd.unique(nonblank(cells[header]))]  # the rows the keep filter keeps
            if len(values) < 2:
                continue
            if all(re.fullmatch(SEGMENT_WORDS, v) for v in values):
                found.append((header, header, f"'{header}' holds segment names: {', '.join(values)}"))
                continue
            prefix = _word_prefix(values)
            rest = {v: v[len(prefix):].strip(" -–:/") for v in values}
            if prefix and all(rest.values()) and len(set(rest.values())) == len(values) and any(
                    re.fullmatch(SEGMENT_WORDS, r) or re.fullmatch(r"[A-Z]{2,5}", r) for r in rest.values()):
                found.append((header, {"column": header, "values": rest},
                              f"'{header}' names the segment after '{prefix.strip()}': "
                              + ", ".join(f"{k} -> {v}" for k, v in rest.items())))
        if len(found) != 1:
            return None  # none, or two columns that could each be the segment: the constant All, said
        return found[0]

    def _zero_payouts(self, header: str, cells: pd.DataFrame, path: str) -> None:
        """A payroll journal with a bonus column and no earning code: its lines of 0 pay no bonus."""
        values = cells[header].astype(str).str.strip()
        zero = values[amounts(values).fillna(0) == 0]
        if zero.empty:
            return
        shown = ", ".join(repr(v) for v in pd.unique(zero)[:3])
        problem = (f"{len(zero)} of {len(values)} lines have no '{header}' ({shown}): payroll runs without a bonus. "
                   f"Leave them (a payout of 0) or drop them: rows: {{drop: {{column: {header}, in: [...]}}}}")
        self.comment(6, f"UNDECIDED: {problem}")
        self.undecided.append(Undecided(path.rsplit(".", 1)[0] + ".rows", problem))

    # tables recognition adds

    def _history(self, export: Export) -> None:
        """tables.roster.history: a compensation history (one row per change) joined to the roster by csm_id."""
        found = recognition(export, "history")
        previous, self.found, self.depth = self.found, found, 2
        try:
            columns = found.columns
            base = "tables.roster.history"
            self.entry(4, "history", None, f"{', '.join(export.files)}: one row per pay change, with "
                       f"'{columns.get('effective_date')}' as each row's effective date")
            self.entry(6, "files", files_value(export.files, self.all_files))
            if export.sheet is not None:
                self.entry(6, "sheet", export.sheet, export.notes.get("sheet"))
            if export.header_row > 1:
                self.entry(6, "header_row", export.header_row, "the rows above it are a report's title")
            if export.delimiter is not None:
                self.entry(6, "delimiter", export.delimiter, export.notes.get("delimiter"))
                self.entry(6, "encoding", export.encoding, export.notes.get("encoding"))
            self._numbers("history", export, columns, base)
            self._dates("history", export, columns, base)
            self.entry(6, "columns")
            for canonical in ("csm_id", "effective_date", "annual_base", "annual_variable", "currency", "_reason"):
                if canonical in columns:
                    key = "reason" if canonical == "_reason" else canonical
                    self.entry(8, key, columns[canonical], self._evidence(canonical))
            left = self._open_choices_at(8, f"{base}.columns")
            for canonical in ("csm_id", "effective_date", "annual_base", "annual_variable"):
                if canonical not in columns and canonical not in left:
                    problem = f"no header of {', '.join(export.files)} was taken for {canonical}: write which column holds it"
                    self.comment(8, f"UNDECIDED: {problem}")
                    self.undecided.append(Undecided(f"{base}.columns.{canonical}", problem))
        finally:
            self.found, self.depth = previous, 0

    def _open_choices_at(self, indent: int, path: str) -> set[str]:
        for canonical, headers in self.found.open.items():
            problem = f"{canonical}: one of {' | '.join(headers)} (equally good by name and cells)"
            self.comment(indent, f"UNDECIDED: {problem}")
            self.undecided.append(Undecided(f"{path}.{canonical}", problem))
        return set(self.found.open)

    def _fx(self, export: Export) -> None:
        """tables.fx: a finance team's FX sheet (monthly or quarterly rates, a pair or a currency a row)."""
        found = recognition(export, "fx")
        previous, self.found = self.found, found
        try:
            columns = found.columns
            base = "tables.fx"
            self.entry(2, "fx", None, f"{', '.join(export.files)}: exchange rates")
            self.entry(4, "files", files_value(export.files, self.all_files))
            if export.sheet is not None:
                self.entry(4, "sheet", export.sheet, export.notes.get("sheet"))
            if export.delimiter is not None:
                self.entry(4, "delimiter", export.delimiter, export.notes.get("delimiter"))
                self.entry(4, "encoding", export.encoding, export.notes.get("encoding"))
            self._numbers("fx", export, columns, base)
            self.entry(4, "columns")
            for canonical, key in (("quarter", "quarter"), ("_month", "month"), ("_pair", "pair"),
                                   ("currency", "currency"), ("rate", "rate")):
                if canonical in columns:
                    self.entry(6, key, columns[canonical], self._evidence(canonical))
            self._open_choices_at(6, f"{base}.columns")
            pair = columns.get("rate", "")
            if re.fullmatch(r"[A-Z]{6}", pair):
                self.entry(4, "pair", pair, f"the rate column is named {pair}: {pair[3:]} per 1 {pair[:3]}")
            if "quarter" in columns:
                self.entry(4, "rule", "quarter", "a rate per quarter: each quarter's own")
            else:
                # Rates by month or by day: which one is the quarter's rate is the finance team's rule, not a guess.
                self.comment(4, "UNDECIDED: rule: the quarter's rate from these: quarter_end, quarter_average, or a "
                             f"fixed plan rate (see {DATA_DOC})")
                self.undecided.append(Undecided(f"{base}.rule", "the quarter's rate from monthly rates: quarter end, "
                                                "quarter average or a fixed plan rate"))
        finally:
            self.found = previous
