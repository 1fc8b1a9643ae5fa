"""Which export header feeds which of cscomp's columns, by meaning: the header's name (the words cscomp
knows and the default headers of the common tools, vocabulary/) weighed with what its cells hold
(profiles.py). Every decision keeps its evidence; a column two headers could feed equally well, or
one whose only candidate is a generic word its cells do not confirm, is left open with its candidates:
a wrong confident guess is worse than a question.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

import pandas as pd

from cscomp_cli.inputs.guessing.profiles import CURRENCIES, Profile, profile


def fx_pair_header(header: str) -> bool:
    """A header that is a currency pair (EURUSD, GBP/USD)."""
    text = str(header).strip().upper().replace("/", "")
    return len(text) == 6 and text[:3] in CURRENCIES and text[3:] in CURRENCIES and text[:3] != text[3:]
from cscomp_cli.inputs.guessing.vocabulary.registry import vocabulary
from cscomp_cli.inputs.guessing.words import SYNONYMS, header_key

# The kinds of cells each column may hold; a candidate whose cells are another kind is not taken.
_ID = {"id", "text", "number", "blank", "code"}
_AMOUNT = {"money", "number", "blank"}
_DATE = {"date", "blank"}
_TEXT = {"text", "code", "status", "blank", "name", "id", "quarter", "rag"}
EXPECTED: dict[str, set[str]] = {
    "account_id": _ID, "csm_id": _ID | {"email", "name", "name_last_first"},
    "arr_start": _AMOUNT, "arr_end": _AMOUNT, "expansion": _AMOUNT, "cross_sell": _AMOUNT,
    "contraction": _AMOUNT, "churn": _AMOUNT, "new_arr": _AMOUNT, "annual_base": _AMOUNT,
    "annual_variable": _AMOUNT, "amount": _AMOUNT, "target": _AMOUNT, "rate": {"number", "money"},
    "start_date": _DATE, "end_date": _DATE, "effective_date": _DATE, "_pay_date": _DATE, "renewal_due": _TEXT | {"date"},
    "quarter": {"quarter", "text", "blank", "date"}, "currency": {"currency", "blank"}, "_pair": {"pair"},
    "email": {"email", "blank"}, "name": {"name", "text", "name_last_first"}, "_first": {"text", "name"},
    "_last": {"text", "name"}, "nps": {"number", "blank"}, "health": {"number", "rag", "text", "blank"},
    "risk": {"number", "blank", "money"}, "_status": {"status", "text", "blank"},
    "segment": {"text", "code", "blank"}, "team": {"text", "code", "blank"},
    "_month": {"date", "text", "quarter", "month"}, "_snapshot": {"date"},
}

# Extra tables recognition knows beside cscomp's four: a compensation history (tables.roster.history)
# and an FX sheet (tables.fx).
EXTRA_SYNONYMS: dict[str, dict[str, list[str]]] = {
    "history": {
        "csm_id": ["employee id", "worker id", "employee number", "employee", "csm id", "id"],
        "effective_date": ["effective date", "effective from", "change date", "valid from", "effective"],
        "annual_base": ["annual base salary", "base salary", "annual base", "base pay", "salary", "base"],
        "annual_variable": ["annual target incentive", "target incentive", "target bonus", "annual variable",
                            "variable target", "target variable", "target"],
        "currency": ["currency", "currency code", "pay currency"],
        "_reason": ["reason", "change reason"],
    },
    "fx": {"quarter": ["quarter"], "_month": ["month", "date"], "_pair": ["pair", "currency pair"],
           "currency": ["currency"], "rate": ["rate", "fx rate", "exchange rate"]},
}


@dataclass
class Candidate:
    header: str
    strong: bool  # the header names the column on its own (not a generic word)
    rank: int  # position among the names that fit: lower is the more specific name
    why: str  # "a Salesforce default header", "close to 'beginning arr'", ...
    canonical_name: bool = False  # the header is cscomp's own column name (csm_id, arr_start)


@dataclass
class Recognition:
    """One export read as one table: the headers taken, the evidence for each, the choices left open."""

    table: str
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header
    evidence: dict[str, str] = field(default_factory=dict)  # canonical -> why (name and cells)
    open: dict[str, list[str]] = field(default_factory=dict)  # canonical -> candidate headers, none taken
    profiles: dict[str, Profile] = field(default_factory=dict)  # header -> what its cells hold
    join: list[str] | None = None  # roster name from First + Last


@functools.cache
def _names(table: str) -> dict[str, list[tuple[str, bool, str]]]:
    """canonical -> [(name as compared, strong, why)], cscomp's own words first, then the tools'."""
    own = SYNONYMS.get(table) or EXTRA_SYNONYMS.get(table, {})
    found: dict[str, list[tuple[str, bool, str]]] = {}
    tools = vocabulary(table)
    weak_words = {header_key(h) for c in tools.values() for h, (strong, _) in c.items() if not strong}
    for canonical, names in own.items():
        found[canonical] = [(n, n not in weak_words, "a header cscomp knows") for n in names]
    for canonical, headers in tools.items():
        slot = found.setdefault(canonical, [])
        known = {n for n, _, _ in slot}
        for header, (strong, tool) in headers.items():
            key = header_key(header)
            if key not in known:
                slot.append((key, strong, f"{tool}'s default header"))
                known.add(key)
    return found


PROFILE_CELLS = 5_000  # cells of a column read for its profile: every row sampled (reading.SAMPLE_ROWS), so counts are of them


def column_profiles(cells: pd.DataFrame) -> dict[str, Profile]:
    """What each column holds, from its first PROFILE_CELLS cells that are not blank."""
    found = {}
    for h in cells.columns:
        column = cells[h].astype(str).str.strip()
        found[str(h)] = profile(column[column != ""].head(PROFILE_CELLS))
    return found


def recognise(headers: list[str], cells: pd.DataFrame | None, table: str,
              profiles: dict[str, Profile] | None = None) -> Recognition:
    """The columns of table in an export with these headers (and, when given, these sample cells or
    their profiles)."""
    result = Recognition(table)
    normalised: dict[str, str] = {}
    for h in headers:
        normalised.setdefault(header_key(h), h)
    if profiles is None:
        profiles = column_profiles(cells) if cells is not None else {}
    result.profiles = profiles
    used: set[str] = set()
    names = _names(table)
    for canonical, spelled in names.items():
        candidates: list[Candidate] = []
        seen: set[str] = set()
        for rank, (name, strong, why) in enumerate(spelled):
            header = normalised.get(name)
            if header is not None and header not in seen:
                candidates.append(Candidate(header, strong, rank, why, name == canonical.replace("_", " ")))
                seen.add(header)
        if not candidates:
            # A near spelling (Beginnng ARR) is weak evidence: taken only alone and with agreeing cells.
            for rank, (name, strong, _why) in enumerate(spelled):
                close = difflib.get_close_matches(name, [n for n in normalised if normalised[n] not in used],
                                                  n=1, cutoff=0.88)
                if close and normalised[close[0]] not in seen and strong:
                    candidates.append(Candidate(normalised[close[0]], False, rank, f"close to '{name}'"))
                    seen.add(normalised[close[0]])
        candidates = [c for c in candidates if c.header not in used]
        fitting, refused = [], []
        for c in candidates:
            kind = profiles[c.header].kind if c.header in profiles else None
            if kind is None or kind in EXPECTED.get(canonical, {kind}):
                fitting.append(c)
            else:
                refused.append(c)
        if not fitting:
            continue
        choice = _choose(fitting)
        if choice is not None and not confirmed(choice, profiles[choice.header].kind if choice.header in profiles
                                                 else ("" if cells is None else None), canonical):
            choice = None
        if choice is None:
            result.open[canonical] = [c.header for c in fitting]
            used.update(c.header for c in fitting)
            continue
        result.columns[canonical] = choice.header
        used.add(choice.header)
        cell_note = profiles[choice.header].evidence if choice.header in profiles else ""
        result.evidence[canonical] = f"'{choice.header}': {choice.why}" + (f"; {cell_note}" if cell_note else "")
        if refused:
            result.evidence[canonical] += "; not " + ", ".join(
                f"'{c.header}' ({profiles[c.header].evidence})" for c in refused)
    if table == "fx" and "rate" not in result.columns and "rate" not in result.open:
        # A finance sheet names its rate column for the pair (EURUSD: USD per 1 EUR).
        pairs = [h for h in headers if h not in used and fx_pair_header(h)
                 and (h not in profiles or profiles[h].kind in ("number", "money"))]
        if len(pairs) == 1:
            result.columns["rate"] = pairs[0]
            result.evidence["rate"] = f"'{pairs[0]}': the header is a currency pair; " + (
                profiles[pairs[0]].evidence if pairs[0] in profiles else "")
        elif pairs:
            result.open["rate"] = pairs
    if table == "roster" and "name" not in result.columns and "name" not in result.open:
        first, last = result.columns.get("_first"), result.columns.get("_last")
        if first and last:
            result.join = [first, last]
            result.evidence["name"] = f"no full-name column: '{first}' and '{last}' joined with a space"
    return result


def _choose(fitting: list[Candidate]) -> Candidate | None:
    """The candidate to take, or None when two are equally good (a person chooses)."""
    strong = [c for c in fitting if c.strong]
    if len(strong) == 1:
        return strong[0]
    if len(strong) > 1:
        strong.sort(key=lambda c: c.rank)
        # Two specific names for one column: the more specific one (earlier in cscomp's own list) wins
        # only when it is cscomp's own word and the other a tool's; two of one kind are a question.
        first, second = strong[0], strong[1]
        if first.why == "a header cscomp knows" and second.why != first.why:
            return first
        # Two of cscomp's own names (Employee ID and Worker ID): equally good, a person says which; but
        # the canonical name itself (csm_id) is the column.
        if first.why == second.why == "a header cscomp knows" and first.canonical_name:
            return first
        return None
    return fitting[0] if len(fitting) == 1 else None


# Columns whose cells are free text by nature: text cells confirm a generic header for them.
TEXTUAL = {"name", "_profile", "_description", "_reason", "health", "_first", "_last", "component"}


def confirmed(choice: Candidate, kind: str | None, canonical: str) -> bool:
    """A generic header alone is taken only when its cells are the kind the column holds (not blank)."""
    if choice.strong:
        return True
    return kind not in (None, "blank") and (kind != "text" or canonical in TEXTUAL)
