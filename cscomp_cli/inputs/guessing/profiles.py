"""What a column holds, read from its sample cells: e-mail addresses, people's names (First Last or
"Last, First"), ids, dates (and whether they sit on quarter boundaries), quarter labels, money, status or
RAG words, health emoji, earning codes, currency codes and FX pairs.

Each reading runs over a column's distinct values (a loop over distinct values, weighted by how often
each occurs) and says how many cells fit, so a comment can give the evidence ("412 of 412 cells are
e-mail addresses").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cscomp_cli.core.quarters import parse_quarter

# The currencies a CS org pays in (ISO 4217); a code outside the list is not taken for one.
CURRENCIES = frozenset("USD EUR GBP CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF JPY CNY HKD SGD INR ILS ZAR BRL MXN "
                       "ARS CLP COP AED SAR TRY KRW TWD THB MYR IDR PHP RON BGN ISK".split())

_EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'.-]*"
_FIRST_LAST = rf"{_WORD}(?: {_WORD}){{1,3}}"
_LAST_FIRST = rf"{_WORD}(?: {_WORD})*, {_WORD}(?: {_WORD})*"
_MONEY = r"[-(]?\s*(?:[A-Z]{3}\s?)?[$€£¥]?\s*-?[0-9][0-9.,\s\u00a0\u202f]*(?:\s?[A-Z]{3})?\s*\)?"
_STATUS = r"(?i)^(renewed|churned|not renewed|downgraded|upgraded|expanded|lost|won|closed won|closed lost|" \
          r"cancell?ed|active|at risk|pending|open|renewal|non.?renewal)$"
_RAG = {"green": "green", "amber": "amber", "yellow": "yellow", "red": "red", "🟢": "green", "🟡": "yellow",
        "🟠": "amber", "🔴": "red", "g": "green", "a": "amber", "r": "red"}
_EARNING = r"(?i)^(reg|regular|ot|overtime|bonus|bon|qbon|comm|commission|spiff?|claw(back)?|sal|salary|hol|pto|" \
           r"vac|sick|retro|var|inc|incentive|adj|exp|reimb)$"
_CODE = r"[A-Z][A-Z0-9_]{1,7}"  # an upper-case payroll code (QBON, SPIF, E01)
_DATE_FORMATS = {"%Y-%m-%d": r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", "%m/%d/%Y": r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}",
                 "%d.%m.%Y": r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"}


@dataclass
class Profile:
    """What a column's cells are: the kind most of them fit, how many, and the evidence in words."""

    kind: str  # month, email, name, name_last_first, id, date, quarter, money, number, status, rag, code, currency, pair, text, blank
    fit: int  # cells of that kind
    total: int  # non-blank cells
    evidence: str = ""
    leading_zeros: bool = False
    quarter_ends: float = 0.0  # share of dates on a quarter's first or last day (dates only)

    @property
    def share(self) -> float:
        return self.fit / self.total if self.total else 0.0


_BLANKS = frozenset(["", "-", "–", "—", "n/a", "N/A", "null", "NULL", "None", "nan"])


class Cells:
    """A column's distinct non-blank values and how many cells hold each."""

    def __init__(self, cells: pd.Series):
        counts = cells.astype(str).str.strip().value_counts(sort=False)
        pairs = [(v, int(c)) for v, c in zip(counts.index.tolist(), counts.to_numpy().tolist()) if v not in _BLANKS]
        self.values = [v for v, _ in pairs]
        self.counts = [c for _, c in pairs]
        self.total = sum(self.counts)

    def count(self, test) -> int:
        """Cells whose value passes test."""
        return sum(c for v, c in zip(self.values, self.counts) if test(v))


def _full(pattern: str):
    compiled = re.compile(pattern)
    return lambda v: compiled.fullmatch(v) is not None


def _cells(cells) -> Cells:
    return cells if isinstance(cells, Cells) else Cells(pd.Series(cells, dtype=object))


def nonblank(cells: pd.Series) -> pd.Series:
    """The cells that hold something: blanks and the dashes reports write for zero or none left out."""
    cells = cells.astype(str).str.strip()
    return cells[~cells.isin(list(_BLANKS))]


_is_email = _full(_EMAIL)


def emails(cells) -> int:
    """Cells that are e-mail addresses."""
    return _cells(cells).count(_is_email)


# Words of job titles, earnings, teams and companies: a cell holding one is not a person's name.
_NOT_A_NAME = re.compile(
    r"(?i)\b(?:manager|engineer|director|customer|success|sales|senior|junior|lead|head|vp|chief|officer|"
    r"analyst|specialist|executive|account|regular|salary|bonus|overtime|pay|commission|spiff|team|"
    r"inc|ltd|llc|gmbh|corp|corporation|company|group|enterprise|market|segment|east|west|north|south|"
    r"quarterly|annual|monthly|variable|incentive|award|clawback|holiday|reimbursement|q[1-4])\b")
_first_last, _last_first = _full(_FIRST_LAST), _full(_LAST_FIRST)


def person_names(cells) -> tuple[int, int]:
    """(cells written First Last, cells written Last, First); titles and earnings words are not names."""
    found = _cells(cells)
    person = lambda v: _NOT_A_NAME.search(v) is None  # noqa: E731
    return found.count(lambda v: person(v) and _first_last(v)), found.count(lambda v: person(v) and _last_first(v))


_ID = re.compile(r"[A-Za-z]{0,6}[-_]?[0-9]{1,18}[A-Za-z0-9]{0,4}|[0-9A-Za-z]{15,18}")


def ids(cells) -> tuple[int, bool]:
    """(cells that look like record ids: digits, or letters and digits with at most a dash, no spaces;
    whether some start with a zero: an id kept as text, never read as a number)."""
    found = _cells(cells)
    n = found.count(lambda v: _ID.fullmatch(v) is not None and any(ch.isdigit() for ch in v))
    return n, any(re.fullmatch(r"0[0-9]+", v) for v in found.values)


_DATE_PARTS = [(re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"), (0, 1, 2), "YYYY-MM-DD"),
               (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), (2, 0, 1), "MM/DD/YYYY"),
               (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), (2, 1, 0), "DD/MM/YYYY"),
               (re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})"), (2, 1, 0), "DD.MM.YYYY")]


def _date_of(value: str, pattern, order) -> date | None:
    match = pattern.fullmatch(value[:10])
    if match is None:
        return None
    parts = [int(g) for g in match.groups()]
    try:
        return date(parts[order[0]], parts[order[1]], parts[order[2]])
    except ValueError:
        return None


def dates(cells) -> tuple[dict[str, date], str | None]:
    """Each value read as a date in the format most of the cells use, and that format."""
    found = _cells(cells)
    best: dict[str, date] = {}
    best_name = None
    best_count = 0
    for pattern, order, name in _DATE_PARTS:
        read = {v: d for v in found.values if (d := _date_of(v, pattern, order)) is not None}
        count = sum(c for v, c in zip(found.values, found.counts) if v in read)
        if count > best_count:
            best, best_name, best_count = read, name, count
    return best, best_name


def _boundary(d: date) -> bool:
    if d.month in (1, 4, 7, 10) and d.day == 1:
        return True
    return d.month in (3, 12) and d.day == 31 or d.month in (6, 9) and d.day == 30


def quarter_boundaries(cells) -> float:
    """The share of date cells on a quarter's first or last day (snapshot and effective dates)."""
    found = _cells(cells)
    read, _ = dates(found)
    total = found.count(lambda v: v in read)
    return found.count(lambda v: v in read and _boundary(read[v])) / total if total else 0.0


def quarter_labels(cells) -> int:
    """Cells that are quarter labels (2026Q1, Q1 2026, FY27 Q1, ...)."""
    return _cells(cells).count(lambda v: re.search(r"(?i)q[1-4]|[1-4]q", v) is not None and parse_quarter(v) is not None)


_is_money = _full(_MONEY)
_is_month = _full(r"[0-9]{4}-(?:0[1-9]|1[0-2])|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* [0-9]{4}")


def money(cells) -> tuple[int, str | None]:
    """(cells that are amounts, with or without a sign or an ISO code; the code or sign most carry)."""
    found = _cells(cells)
    n = found.count(lambda v: _is_money(v) and any(ch.isdigit() for ch in v))
    marks: dict[str, int] = {}
    for v, c in zip(found.values, found.counts):
        code = next((m for m in re.findall(r"[A-Z]{3}", v) if m in CURRENCIES), None)
        sign = re.search(r"[$€£¥]", v)
        mark = code or (sign.group(0) if sign else None)
        if mark:
            marks[mark] = marks.get(mark, 0) + c
    return n, max(marks, key=marks.get) if marks else None


def amount_of(value: str) -> float | None:
    """A cell as a number (either decimal convention; None when not a number), for magnitudes only."""
    text = str(value).strip()
    negative = text.startswith(("(", "-"))
    digits = re.sub(r"[^0-9.,]", "", text)
    if re.search(r",[0-9]{1,2}$", digits):
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", "")
    try:
        number = float(digits)
    except ValueError:
        return None
    return -number if negative else number


def amounts(cells: pd.Series) -> pd.Series:
    """The cells as numbers (NaN where not a number)."""
    return cells.astype(str).map(amount_of).astype(float)


def monthly_against(monthly: pd.Series, annual: pd.Series) -> float:
    """The share of rows (both cells non-zero) whose first amount ×12 is the second's within 1 %: a
    column of MRR beside the ARR of the same rows."""
    m, a = amounts(monthly), amounts(annual)
    both = m.notna() & a.notna() & (m != 0) & (a != 0)
    if both.sum() == 0:
        return 0.0
    return float(((m[both] * 12 - a[both]).abs() <= a[both].abs() * 0.01).mean())


def typical_monthly(cells: pd.Series) -> bool:
    """Per-account amounts whose median is under 5,000 while most are over 100: MRR-sized, not ARR-sized
    (weak evidence alone; recognition uses it only with a name that says monthly)."""
    numbers = amounts(cells).dropna()
    numbers = numbers[numbers > 0]
    return len(numbers) >= 3 and 100 <= numbers.median() < 5_000


_is_status = _full(_STATUS)


def status_words(cells) -> int:
    """Cells that are renewal status words (Renewed, Churned, Downgraded, ...)."""
    return _cells(cells).count(_is_status)


def rag(cells) -> dict[str, str]:
    """Each distinct RAG word or health emoji -> green / amber / yellow / red ({} when a cell is another word)."""
    found = _cells(cells)
    colours = {v: _RAG.get(v.lower()) for v in found.values}
    if not colours or any(colour is None for colour in colours.values()):
        return {}
    return colours  # type: ignore[return-value]


_is_earning, _is_code = _full(_EARNING), _full(_CODE)


def earning_codes(cells) -> int:
    """Cells that look like payroll earning codes (REG, BONUS, COMM, QBON, ...)."""
    return _cells(cells).count(lambda v: _is_earning(v) or _is_code(v))


def currencies(cells) -> int:
    """Cells that are ISO 4217 codes."""
    return _cells(cells).count(lambda v: v.upper() in CURRENCIES)


_PAIR = re.compile(r"([A-Z]{3})[/ -]?([A-Z]{3})")


def fx_pairs(cells) -> int:
    """Cells that are currency pairs (EURUSD, EUR/USD, EUR-USD)."""
    def pair(v: str) -> bool:
        match = _PAIR.fullmatch(v.upper())
        return match is not None and match.group(1) in CURRENCIES and match.group(2) in CURRENCIES
    return _cells(cells).count(pair)


def profile(cells: pd.Series) -> Profile:
    """The kind of values a column holds (the first of the kinds below that fits 90 % of its cells)."""
    found = Cells(cells)
    total = found.total
    if total == 0:
        return Profile("blank", 0, 0, "every cell is blank")
    need = max(1, int(total * 0.9 + 0.999))
    first = found.values[0]

    def said(count: int, what: str) -> str:
        return f"{count} of {total} cells are {what}"

    n = emails(found)
    if n >= need:
        return Profile("email", n, total, said(n, "e-mail addresses"))
    n = fx_pairs(found)
    if n >= need:
        return Profile("pair", n, total, said(n, f"currency pairs ({first})"))
    n = currencies(found)
    if n >= need:
        return Profile("currency", n, total, said(n, "ISO currency codes"))
    colours = rag(found)
    if colours:
        emoji = any(not v.isascii() for v in colours)
        return Profile("rag", total, total, said(total, "health emoji" if emoji else "RAG words"))
    n = quarter_labels(found)
    if n >= need:
        return Profile("quarter", n, total, said(n, f"quarter labels ({first})"))
    n = found.count(_is_month)
    if n >= need:
        return Profile("month", n, total, said(n, f"months ({first})"))
    read, _fmt = dates(found)
    n = found.count(lambda v: v in read)
    if n >= need:
        ends = quarter_boundaries(found)
        where = f"; {ends:.0%} on a quarter's first or last day" if ends else ""
        return Profile("date", n, total, said(n, "dates") + where, quarter_ends=ends)
    n = status_words(found)
    if n >= need:
        return Profile("status", n, total, said(n, "renewal status words"))
    first_last, last_first = person_names(found)
    if last_first >= need:
        return Profile("name_last_first", last_first, total, said(last_first, "names written 'Last, First'"))
    n, mark = money(found)
    numeric = found.count(lambda v: amount_of(v) is not None)
    count_ids, zeros = ids(found)
    if zeros and count_ids >= need:
        return Profile("id", count_ids, total, said(count_ids, "ids") + " (some with leading zeros)", leading_zeros=True)
    if n >= need and (mark or any(re.search(r"[.,][0-9]{2}$|[0-9],[0-9]{3}", v) for v in found.values)):
        return Profile("money", n, total, said(n, "amounts") + (f" in {mark}" if mark else ""))
    if numeric >= need and not any(re.search(r"[A-Za-z]", v) for v in found.values):
        return Profile("number", numeric, total, said(numeric, "numbers"))
    if count_ids >= need and len(found.values) >= min(total, 3) * 0.5:
        return Profile("id", count_ids, total, said(count_ids, "ids"))
    n = earning_codes(found)
    if n >= need and len(found.values) <= 20:
        return Profile("code", n, total, said(n, f"earning codes ({', '.join(found.values[:3])})"))
    if first_last >= need:
        return Profile("name", first_last, total, said(first_last, "people's names"))
    return Profile("text", total, total, f"{total} text cells")
