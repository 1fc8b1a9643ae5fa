"""Owners as exports write them, turned into the roster's csm_ids: people's names (First Last, or
Last, First as HR and payroll systems print them) and work e-mail addresses, looked up in the roster
the data map staged first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, report
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.datamap import MAP_FILE, Source
from cscomp_cli.inputs.files import DATA_DOC, Origin, Staged


@dataclass
class Names:
    """The roster's names, folded (case, accents, spaces ignored) -> csm_ids, and as the roster spells
    them; and its e-mail addresses (trimmed, any case) -> csm_ids, likewise."""

    ids: dict[str, list[str]]
    spelled: dict[str, str]
    emails: dict[str, list[str]] = field(default_factory=dict)
    mail_spelled: dict[str, str] = field(default_factory=dict)


def mail_key(address: str) -> str:
    """An e-mail address as cscomp compares it: trimmed, in any case (Ana.Perez@X.com is ana.perez@x.com)."""
    return str(address).strip().casefold()


def roster_names(roster: Staged) -> Names:
    """The staged roster's names and e-mails, for the other tables' owners to be looked up in."""
    table = roster.table
    if "name" not in table or "csm_id" not in table:
        return Names({}, {})
    ids, spelled = _grouped(table, "name", folded)
    emails, mail_spelled = _grouped(table, "email", mail_key) if "email" in table else ({}, {})
    return Names(ids, spelled, emails, mail_spelled)


def _grouped(table: pd.DataFrame, column: str, key) -> tuple[dict[str, list[str]], dict[str, str]]:
    pairs = table.loc[(table[column] != "") & (table["csm_id"] != ""), [column, "csm_id"]].drop_duplicates()
    keys = pairs[column].map(key)
    ids = pairs.groupby(keys)["csm_id"].agg(lambda found: sorted(set(found))).to_dict()
    return ids, dict(zip(keys, pairs[column]))


def first_last(name: str) -> str | None:
    """'Pérez, Ana María' as the roster writes it ('Ana María Pérez'); None unless the name has exactly
    one comma with words on both sides."""
    if name.count(",") != 1:
        return None
    last, first = (part.strip() for part in name.split(","))
    return f"{first} {last}" if first and last else None


def ids_from_owners(values: pd.Series, source: Source, roster: Names, header: str, cells: pd.DataFrame,
                    origin: Origin, where: str, *, others_are_not_csms: bool = False) -> tuple[pd.Series, pd.Series]:
    """Owners written as people's names (match: name) or e-mail addresses (match: email), turned into the
    roster's csm_ids; and which rows' owners were reported (matching no roster row, or two).

    ``others_are_not_csms``: an owner matching no roster row is not an error but someone who is not a
    CSM (payroll's other staff), kept as written."""
    by_mail = source.match == "email"
    known = roster.emails if by_mail else roster.ids
    key = mail_key if by_mail else folded
    lookup = {owner: ids[0] for owner, ids in known.items() if len(ids) == 1}
    for alias, csm_id in (source.aliases or {}).items():
        lookup[key(alias)] = csm_id
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = np.array([str(v) for v in distinct], dtype=object)
    keys = [key(v) for v in distinct]  # a few hundred owners, however many rows
    if not by_mail:
        # Last, First (one comma) is the roster's First Last, when the name as written is no roster name.
        keys = [k if k in lookup or k in known or first_last(k) is None else folded(first_last(k)) for k in keys]
    ids = np.array([lookup.get(k, "") for k in keys], dtype=object)
    reported = np.zeros(len(distinct), dtype=bool)
    what = "e-mail" if by_mail else "name"
    for i, owner in enumerate(distinct):
        if owner == "" or ids[i] != "":
            continue
        rows = codes == i
        first = cells.index[rows][0]
        twins = known.get(keys[i], [])
        if len(twins) <= 1 and others_are_not_csms:
            ids[i] = owner
            continue
        reported[i] = True
        if len(twins) > 1:
            message = f"'{owner}' is the {what} of {len(twins)} people on the roster ({', '.join(twins)})"
            hint = f"say which one this export means under {where}.aliases, e.g. \"{owner}\": {twins[0]}"
        else:
            close = _closest(keys[i], known, roster.mail_spelled if by_mail else roster.spelled)
            message = f"'{owner}' matches no {what} on the roster" + (f" (closest: {close})" if close else "")
            hint = (f"add the spelling under {where}.aliases in {MAP_FILE}, e.g. \"{owner}\": <csm_id>, or correct the "
                    "roster")
        more = int(rows.sum()) - 1
        report(DataError(message + (f" ({more} more row{'s' if more > 1 else ''} with this {what})" if more else ""),
                         **origin.at(cells.at[first, "line"], header), hint=f"{hint}; see {DATA_DOC}"))
    empty = np.array([], dtype=object)
    return (pd.Series(ids[codes] if len(distinct) else empty, index=values.index, dtype=object),
            pd.Series(reported[codes] if len(distinct) else np.array([], dtype=bool), index=values.index))


def _closest(wanted: str, known: dict[str, list[str]], spelled: dict[str, str]) -> str:
    import difflib

    close = difflib.get_close_matches(wanted, list(known), n=2, cutoff=0.75)
    return ", ".join(f"'{spelled[c]}' ({', '.join(known[c])})" for c in close)
