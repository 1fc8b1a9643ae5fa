"""The quarter a pay line's own words name ('Bonus - Q3 CS Variable (correction)', 'Q4 2025 bonus'): a
correction paid months late counts for the quarter it corrects, not the one its pay date gives (the data
map's named_in).

The rule (docs/data.md): a label with its year (Q4 2025, 2025-Q4, FY2026Q1) is that quarter. A bare
quarter (Q3) is that quarter of the year of the quarter the pay date gives (paid_months_after counted
back), and of the year before when that would put it after the quarter the pay date falls in.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, note, report
from cscomp_cli.core.quarters import (
    Calendar,
    label_in_text,
    ordinal_label,
    quarter_ordinals,
)
from cscomp_cli.inputs.datamap import MAP_FILE
from cscomp_cli.inputs.files import DATA_DOC, Origin

_BARE = re.compile(r"(?i)(?<![a-z0-9])Q([1-4])(?![0-9])")


def _named(text: str, calendar: Calendar) -> tuple[str, object]:
    """What a text names: ('', None) nothing; ('label', 2025Q4) a quarter with its year; ('quarter', 3) a
    bare quarter; ('two', 'Q3, Q4') more than one; ('fiscal', FY2026Q1) an FY label no fiscal year explains."""
    quarters = sorted(set(_BARE.findall(text)))
    if len(quarters) > 1:
        return "two", ", ".join(f"Q{q}" for q in quarters)
    found = label_in_text(text)
    if found is not None:
        if found.startswith("FY") and not calendar.reads_fiscal_labels:
            return "fiscal", found
        label = calendar.canonical(found)
        if label is not None:
            return "label", label
    return ("quarter", int(quarters[0])) if quarters else ("", None)


def named_quarters(labels: np.ndarray, days: np.ndarray, known: np.ndarray, texts: pd.Series, calendar: Calendar,
                   header: str, lines: pd.Series, origin: Origin) -> np.ndarray:
    """Each row's quarter (``labels``, from its pay date ``days`` where ``known``), moved to the quarter its
    ``texts`` cell names, if any (the rule of this module's docstring)."""
    codes, distinct = pd.factorize(texts.astype(object), use_na_sentinel=False)
    read = [_named(str(text), calendar) for text in distinct]  # a few dozen pay line descriptions
    kinds = np.array([kind for kind, _ in read] + [""], dtype=object)[codes]
    out = labels.copy()
    for i, (kind, what) in enumerate(read):
        if kind not in ("two", "fiscal"):
            continue
        rows = np.flatnonzero(codes == i)
        first = lines.iloc[rows[0]]
        if kind == "two":
            note(DataWarning(f"'{distinct[i]}' names more than one quarter ({what}): the line counts for the quarter "
                             "its pay date gives", **origin.at(first, header),
                             hint=f"name one quarter in the line's text, or correct the line; see {DATA_DOC}"))
        else:
            report(DataError(f"'{distinct[i]}' names a fiscal quarter ({what}), but the map sets no fiscal year",
                             **origin.at(first, header),
                             hint="add fiscal_year: {first_month: 2} (the month your fiscal year starts) to "
                             f"{MAP_FILE}, or fiscal_year: {{first_month: 1}} if FY labels are calendar years; "
                             f"see {DATA_DOC}"))
    labelled = known & (kinds == "label")
    if labelled.any():
        explicit = np.array([what if kind == "label" else "" for kind, what in read] + [""], dtype=object)[codes]
        out[labelled] = explicit[labelled]
    bare = known & (kinds == "quarter")
    if bare.any():
        quarter = np.array([what if kind == "quarter" else 0 for kind, what in read] + [0], dtype=np.int64)[codes][bare]
        given = quarter_ordinals(pd.Series(labels[bare], dtype=object))
        own = quarter_ordinals(pd.Series(calendar.quarter_of(days[bare[known]]), dtype=object))
        # The named quarter of the year the pay date's quarter (counted back) is in; the year before when
        # that quarter is still to come on the pay date.
        named = given // 4 * 4 + quarter - 1
        named = np.where(named > own, named - 4, named)
        like = str(labels[bare][0])
        distinct_named, inverse = np.unique(named, return_inverse=True)
        spelled = np.array([ordinal_label(int(o), like) for o in distinct_named.tolist()], dtype=object)
        out[bare] = spelled[inverse.reshape(-1)]
    return out
