"""Writing the columns that name people and judge accounts: whose book an account is (the roster's ids,
names, "Last, First" names or work e-mails), renewal status words and RAG health words.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from cscomp_cli.core.text import folded
from cscomp_cli.inputs.guessing.conventions import nonblank
from cscomp_cli.inputs.guessing.profiles import rag
from cscomp_cli.inputs.guessing.undecided import Undecided
from cscomp_cli.inputs.guessing.words import RAG_SCORES, STATUS_WORDS


def first_last(name: str) -> str:
    """A name written "Last, First" as "First Last" (the roster's order); other names as they are."""
    last, comma, first = str(name).partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() and "," not in first else str(name)


class People:
    """The roster's people as the owner columns are matched to them (all rows, before any keep filter)."""

    def __init__(self, ids: list[str], names: list[str], emails: list[str] | None, email_header: str | None):
        self.ids, self.names = ids, names
        self.emails, self.email_header = emails, email_header
        self.by_name: dict[str, list[str]] = {}
        for person_id, name in zip(ids, names):
            # Names compared exactly as the loader's match: name compares them, so an exact match here is one there.
            people = self.by_name.setdefault(folded(name), [])
            if person_id not in people:  # a roster with a row per quarter repeats each person
                people.append(person_id)
        self.by_email: dict[str, set[str]] = {}
        for person_id, email in zip(ids, emails or []):
            if email:
                self.by_email.setdefault(email.strip().casefold(), set()).add(person_id)

    def name_of(self, person_id: str) -> str:
        return self.names[self.ids.index(person_id)]


class AccountColumns:
    """MapWriter's writing of owner, renewal and health columns (mixed into MapWriter)."""

    def _owner(self, columns, cells, roster, path, canonical: str = "csm_id") -> None:
        """csm_id of accounts (or payouts): the roster's ids, or its people's names or e-mails."""
        if canonical not in columns:
            return
        header = columns[canonical]
        owners = nonblank(cells[header])
        distinct = list(pd.unique(owners))
        if path.startswith("tables.accounts"):
            self.owners = {folded(o) for o in distinct} | set(distinct)
        kind = self.found.profiles[header].kind if header in self.found.profiles else None
        said = self.found.profiles[header].evidence if header in self.found.profiles else ""
        if roster is None:
            self.entry(6, canonical, header, f"'{header}': no roster to match its cells against",
                       undecided=None if kind in ("id", "number", None) else
                       f"'{header}' holds {said}: name the roster export so they can be matched",
                       path=f"{path}.{canonical}")
            return
        if not distinct or owners.isin(set(roster.ids)).mean() >= 0.5:
            share = owners.isin(set(roster.ids))
            self.entry(6, canonical, header, f"'{header}': {int(share.sum())} of {len(owners)} cells are the "
                       "roster's ids" if len(owners) else f"'{header}': the cells are blank")
            return
        if kind == "email":
            self._owner_emails(header, distinct, roster, said, path, canonical)
            return
        if kind not in ("name", "name_last_first", "text"):
            problem = (f"'{header}' holds {said}, and fewer than half of them are the roster's ids: "
                       f"write which column holds the CSM (ids, names or e-mails)")
            self.comment(6, f"UNDECIDED: {canonical}: {problem}")
            self.undecided.append(Undecided(f"{path}.{canonical}", problem))
            return
        self._owner_names(header, distinct, roster, said, path, canonical)

    def _owner_emails(self, header, distinct, roster: People, said, path, canonical) -> None:
        if not roster.by_email:
            problem = (f"'{header}' holds e-mail addresses ({said}) and the roster has no e-mail column: "
                       "map the roster's work e-mail as email, then write "
                       f"{canonical}: {{column: {header}, match: email}}")
            self.comment(6, f"UNDECIDED: {canonical}: {problem}")
            self.undecided.append(Undecided(f"{path}.{canonical}", problem))
            return
        found = [e for e in distinct if e.strip().casefold() in roster.by_email]
        if len(found) < max(1, len(distinct) // 2):
            problem = (f"'{header}' holds e-mail addresses but only {len(found)} of {len(distinct)} are in the "
                       f"roster's '{roster.email_header}': write which column holds the CSM")
            self.comment(6, f"UNDECIDED: {canonical}: {problem}")
            self.undecided.append(Undecided(f"{path}.{canonical}", problem))
            return
        self.email_wanted = True
        self.entry(6, canonical, {"column": header, "match": "email"},
                   f"'{header}' — {said}; matched to roster column '{roster.email_header}' "
                   f"({len(found)} of {len(distinct)} addresses are a roster person's)")
        for email in distinct:
            if email not in found:
                problem = f"{email!r} is no roster e-mail"
                self.comment(6, f"UNDECIDED: {problem}: add it to aliases with the person's id")
                self.undecided.append(Undecided(f"{path}.{canonical}.aliases", problem))

    def _owner_names(self, header, distinct, roster: People, said, path, canonical) -> None:
        by_name, names, ids = roster.by_name, roster.names, roster.ids
        reversed_form = self.found.profiles[header].kind == "name_last_first" if header in self.found.profiles else False
        aliases, open_names = {}, []
        for owner in distinct:
            key = folded(first_last(owner) if reversed_form else owner)
            if len(by_name.get(key, [])) == 1:
                continue
            if len(by_name.get(key, [])) > 1:
                open_names.append(f"{owner!r} is the name of {len(by_name[key])} roster people "
                                  f"({', '.join(by_name[key])})")
                continue
            if canonical == "csm_id" and path.startswith("tables.payouts"):
                continue  # someone paid who is not on the roster: not a CSM (the loader says so, once)
            close = difflib.get_close_matches(key, list(by_name), n=2, cutoff=0.75)
            scores = [difflib.SequenceMatcher(None, key, c).ratio() for c in close]
            if close and len(by_name[close[0]]) == 1 and (len(close) == 1 or scores[0] - scores[1] >= 0.1):
                aliases[owner] = by_name[close[0]][0]
            else:
                near = ", ".join(names[ids.index(by_name[c][0])] for c in close)
                open_names.append(f"{owner!r} matches no roster name "
                                  + (f"(closest: {near})" if near else "and none is close"))
        matched = sum(1 for o in distinct if len(by_name.get(folded(first_last(o) if reversed_form else o), [])) == 1)
        if matched == 0:
            problem = f"'{header}' holds {said}, but none is a roster name: write which column holds the CSM"
            self.comment(6, f"UNDECIDED: {canonical}: {problem}")
            self.undecided.append(Undecided(f"{path}.{canonical}", problem))
            return
        source: dict = {"column": header, "match": "name"}
        if aliases:
            source["aliases"] = aliases
        comment = f"the cells are names: {matched} of {len(distinct)} match the roster's exactly"
        if reversed_form:
            comment = (f"'{header}' — {said}; {matched} of {len(distinct)} are a roster name once read as "
                       "First Last (match: name reads that form)")
        if aliases:
            comment += "; aliases: the closest roster name, for " + ", ".join(
                f"{k!r} -> {roster.name_of(v)}" for k, v in aliases.items())
        self.entry(6, canonical, source, comment)
        for problem in open_names:
            self.comment(6, f"UNDECIDED: {problem}: add it to aliases with the person's id")
            self.undecided.append(Undecided(f"{path}.{canonical}.aliases", problem))

    def _renewals(self, columns, cells, path) -> None:
        for canonical in ("renewal_due", "renewed"):
            self._source(columns, canonical)
        if "_status" not in columns or ("renewal_due" in columns and "renewed" in columns):
            return
        header = columns["_status"]
        words = [""] + [w for w in pd.unique(cells[header].astype(str).str.strip()) if w != ""]
        due, renewed, unknown = {}, {}, []
        for word in words:
            for pattern, (is_due, is_renewed) in STATUS_WORDS:
                if re.search(pattern, word, re.IGNORECASE):
                    break
            else:
                is_due, is_renewed = "yes", "no"
                unknown.append(word)
            due[word], renewed[word] = is_due, is_renewed
        self.entry(6, "renewal_due", {"column": header, "values": due},
                   "a status means a renewal fell due; blank means none")
        self.entry(6, "renewed", {"column": header, "values": renewed},
                   "Renewed and Downgraded renewed (a downgrade is a smaller renewal); Churned did not")
        if unknown:
            problem = f"status {', '.join(map(repr, unknown))} written as due and not renewed"
            self.comment(6, f"UNDECIDED: {problem}: correct both maps if that is wrong")
            self.undecided.append(Undecided(f"{path}.renewed.values", problem))

    def _health(self, columns, cells, path) -> None:
        if "health" not in columns:
            return
        header = columns["health"]
        values = nonblank(cells[header])
        numeric = pd.to_numeric(values.str.replace(r"[%\s]", "", regex=True), errors="coerce")
        if numeric.notna().all():
            if len(numeric) and numeric.max() <= 10 and (numeric % 1 != 0).any():
                # 8.1, 7.4: a score out of 10, not cscomp's 0-100: read as it is it would sit at the bottom.
                problem = (f"'{header}' holds scores of at most {numeric.max():g} with decimals: a 0-10 scale? "
                           f"cscomp reads health 0-100; map it as {{column: {header}, scale: 10}} if so")
                self.comment(6, f"UNDECIDED: health: {problem}")
                self.undecided.append(Undecided(f"{path}.health", problem))
                return
            self.entry(6, "health", header, self.found.evidence.get("health") or
                       ("numbers" if not values.empty else "the column is blank"))
            return
        words = list(pd.unique(values[numeric.isna()]))
        colours = rag(values)  # RAG words and the health emoji (🟢 🟡 🔴) alike
        scores = {**RAG_SCORES, "🟢": 85, "🟡": 60, "🟠": 60, "🔴": 30}
        mapped = {w: scores[w.lower()] if w.lower() in scores else scores[colours[w]] for w in words
                  if w.lower() in scores or w in colours}
        unknown = [w for w in words if w not in mapped]
        self.entry(6, "health", {"column": header, "values": mapped},
                   undecided="the numbers for the RAG words are a choice (Green 85, Yellow/Amber 60, Red 30): "
                   "confirm or change them", path=f"{path}.health.values")
        if unknown:
            self.comment(6, f"UNDECIDED: {', '.join(map(repr, unknown))} has no number: add it to the values")
            self.undecided.append(Undecided(f"{path}.health.values", f"no number for {', '.join(map(repr, unknown))}"))

