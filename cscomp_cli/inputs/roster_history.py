"""A roster read from two HR exports: the worker list (who each CSM is: name, segment, team, dates) and a
compensation-history report (one row per raise, transfer or new hire's first pay, with its effective date),
joined by csm_id into the roster's effective_date rows (SPEC 6.2; the data map's tables.roster.history).

Each history row becomes one roster row: its effective_date, base, variable (and currency) from the
history, the person's name, segment, team, dates and e-mail from their worker-list row. A worker with no
history row keeps the worker list's own pay, in force from the beginning (a blank effective_date). A
message about a cell names the export that cell came from: the history's file and line for its pay,
the worker list's for the name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, MapError, report
from cscomp_cli.inputs.datamap import HISTORY_REQUIRED, MAP_FILE, WORKER_COLUMNS
from cscomp_cli.inputs.files import DATA_DOC, Origin, Staged

# What a history row brings itself; every other roster column it takes from its worker's row.
_FROM_HISTORY = (*HISTORY_REQUIRED, "currency")


def join_history(workers: Staged, history: Staged, label: str) -> Staged:
    """The roster: one row per history row joined to its worker, and the worker's own row for each worker
    with no history row. A csm_id on two worker-list rows, or a history row for no worker, is an error."""
    people, history_rows = workers.table, history.table
    offset = len(workers.origin.lines) if workers.origin.lines is not None else int(people["line"].max(initial=0))
    people = _one_row_each(people, workers.origin)
    history_rows = _known_workers(history_rows, people, history.origin, label)
    taken = [c for c in WORKER_COLUMNS if c in people]
    if "currency" not in history_rows and "currency" in people:
        taken.append("currency")  # the history names no currency: each person's, from the worker list
    joined = history_rows.drop(columns=[c for c in history_rows if c not in (*_FROM_HISTORY, "line")]).merge(
        people[["csm_id", "line", *taken]].rename(columns={"line": "lender"}), on="csm_id", how="left",
        validate="many_to_one")
    joined["line"] = joined["line"].to_numpy(dtype="int64") + offset
    alone = people[~people["csm_id"].isin(history_rows["csm_id"])].assign(effective_date="")
    alone = alone.assign(lender=alone["line"])
    table = pd.concat([alone, joined], ignore_index=True)
    for column in table:
        if column not in ("line", "lender"):
            table[column] = table[column].fillna("")
    lenders = np.arange(1, offset + len(history.origin.lines) + 1, dtype="int64")
    lenders[table["line"].to_numpy(dtype="int64") - 1] = table["lender"].to_numpy(dtype="int64")
    table = table.drop(columns="lender")
    table.index = table["line"].to_numpy()
    table.attrs["written"] = workers.table.attrs.get("written", ())
    return Staged(table=table, origin=_joined_origin(workers.origin, history.origin, offset, set(taken), lenders),
                  decimal=_number_style(workers, history, label),
                  delimiter=workers.delimiter, left_out={**workers.left_out, **history.left_out})


def _number_style(workers: Staged, history: Staged, label: str) -> str | None:
    """The joined roster's decimal mark: the one the map states for either export (the cells are read together)."""
    if workers.decimal is not None and history.decimal is not None and workers.decimal != history.decimal:
        raise MapError("the worker list and its pay history write numbers with different decimal marks, which "
                       "cscomp reads as one table", file=label, location="tables.roster.history.numbers",
                       hint=f"export both with the same number style; see {DATA_DOC}")
    return workers.decimal or history.decimal


def _joined_origin(workers: Origin, history: Origin, offset: int, taken: set[str], lenders: np.ndarray) -> Origin:
    """Where the joined roster's rows came from: the worker list's files, then the history's (its row keys
    moved past the worker list's), each with its own headers and scales."""
    parts = len(workers.files) or 1
    history_parts = len(history.files) or 1
    lines = np.concatenate([np.asarray(workers.lines, dtype="int64"), np.asarray(history.lines, dtype="int64")])
    headers = {**workers.headers, **{c: h for c, h in history.headers.items() if c in _FROM_HISTORY}}
    return Origin(workers.path, files=(*workers.files, *history.files),
                  starts=(*workers.starts, *(start + offset for start in history.starts)), lines=lines,
                  headers=headers, places=(*workers.places, *history.places), zero_key=workers.zero_key,
                  part_headers=(workers.headers,) * parts + (history.headers,) * history_parts,
                  part_scales=(workers.scales,) * parts + (history.scales,) * history_parts,
                  lent=frozenset(taken), lenders=lenders)


def _one_row_each(people: pd.DataFrame, origin: Origin) -> pd.DataFrame:
    """The worker list's rows, one per csm_id: a history is joined to a person, not to one of two rows."""
    named = people[people["csm_id"] != ""]
    twice = named["csm_id"].duplicated()
    if bool(twice.any()):
        second = named.index[twice.to_numpy()][0]
        csm_id = named.at[second, "csm_id"]
        first = named.index[(named["csm_id"] == csm_id).to_numpy()][0]
        report(DataError(
            f"csm_id '{csm_id}' is on two rows of the worker list ({origin.place(named.at[first, 'line'])} and this "
            "one): with a pay history, the worker list has one row per person",
            **origin.at(named.at[second, "line"], "csm_id"),
            hint=f"keep one row per person in the worker list (their raises and transfers go in the history); "
            f"see {DATA_DOC}"))
        people = people.drop(index=named.index[twice.to_numpy()])
    return people


def _known_workers(rows: pd.DataFrame, people: pd.DataFrame, origin: Origin, label: str) -> pd.DataFrame:
    """The history rows whose csm_id is on the worker list; each other one is an error (a history for
    someone the roster does not have, or a row with no csm_id), named by the history's file and line."""
    stranger = ~rows["csm_id"].isin(people["csm_id"][people["csm_id"] != ""])
    if not bool(stranger.any()):
        return rows
    strangers = rows.loc[stranger, "csm_id"]
    first = strangers.index[0]
    csm_id = strangers.iloc[0]
    more = len(strangers.drop_duplicates()) - 1
    report(DataError(
        (f"the pay history has a row for csm_id '{csm_id}', who is on no row of the worker list" if csm_id
         else "this pay history row has no csm_id") + (f" (and {more} more like it)" if more > 0 else ""),
        **origin.at(rows.at[first, "line"], "csm_id"),
        hint=f"add the person to the worker list, or correct the csm_id; the worker list's rows filter "
        f"(tables.roster.rows in {MAP_FILE}) may have left them out; see {DATA_DOC}"))
    return rows[~stranger]
