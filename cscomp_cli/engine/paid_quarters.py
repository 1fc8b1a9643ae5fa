"""Which quarters are replayed (SPEC 6.1): payroll pays a quarter's bonus weeks after the CRM has closed
it, so the newest quarter of the accounts export often has no payout yet. Replaying it would compare the
plan with $0.00 actually paid and report a cost rise that is only payroll running behind.

A quarter is *paid* when the payouts export has at least one row for it (anybody's). ``--quarters N``
replays the N quarters ending at the last paid one; ``--through Q`` chooses the last one itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from cscomp_cli.core.errors import DataWarning, UsageError
from cscomp_cli.core.formatting import and_joined
from cscomp_cli.core.quarters import quarter_ordinal
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, PAYOUTS


def _present(dataset: Dataset) -> list[str]:
    """The distinct quarters of the accounts export, in calendar order."""
    return sorted((str(q) for q in dataset.accounts["quarter"].unique()), key=quarter_ordinal)


def paid_quarters(dataset: Dataset) -> set[str] | None:
    """The quarters with at least one payouts row; None when no payouts export was read."""
    if dataset.payouts is None:
        return None
    return {str(q) for q in dataset.payouts["quarter"].unique()}


def through_label(dataset: Dataset, text: str) -> str:
    """--through as the data labels its quarters (2026-Q3, Q3 2026 → 2026Q3; fiscal calendars too)."""
    label = dataset.calendar.canonical(text)
    if label is None:
        raise UsageError(f"--through '{text}' is not a quarter label",
                         hint=f"write the quarter like {dataset.calendar.examples()}")
    present = _present(dataset)
    if label not in present:
        raise UsageError(f"--through {label} is not a quarter of {dataset.called(ACCOUNTS)}",
                         hint=f"it holds {_span(present)}; choose one of those")
    return label


# How many quarters a replay holds when nobody says (--quarters): "the last four quarters" leaders ask about.
DEFAULT_QUARTERS = 4


def select_quarters(dataset: Dataset, count: int | None, through: str | None = None) -> list[str]:
    """The quarters to replay: the last ``count`` quarters of the accounts export ending at ``through``
    (a quarter label), or else at the last paid quarter (the last quarter when nothing says what was paid).
    Every quarter when ``count`` and ``through`` are None (validate checks them all)."""
    present = _present(dataset)
    if count is None and through is None:
        return present
    if count is not None and count < 1:
        raise UsageError(f"--quarters must be 1 or more, got {count}")
    if through is not None:
        end = through_label(dataset, through)
    else:
        paid = paid_quarters(dataset)
        settled = [q for q in present if paid is None or q in paid]
        # A payouts export that pays none of these quarters settles nothing: replay up to the last, and
        # the warnings say every actual is 0.
        end = settled[-1] if settled else present[-1] if present else None
    upto = present[: present.index(end) + 1] if end is not None else []
    if count is None:
        return upto
    if count > len(upto):
        why = ("" if len(upto) == len(present) else
               f" up to {end}, its last quarter with payouts" if through is None else f" up to {end}")
        raise UsageError(
            f"asked for {count} quarters but {dataset.called(ACCOUNTS)} holds only {len(upto)}{why} ({_span(upto)})",
            hint=f"use --quarters {len(upto)} or less" + (
                "" if len(upto) == len(present) else f", or --through {present[-1]} to replay the quarters after {end}"))
    return upto[-count:]


@dataclass(frozen=True)
class QuarterNotes:
    """What the header and the warnings say about the quarters replayed."""

    through: str  # the last replayed quarter
    not_replayed: list[str]  # quarters of the accounts export after it with no payouts yet
    unpaid: list[str]  # replayed quarters with no payouts row: every actual in them is 0

    def warnings(self, payouts: str = PAYOUTS, later: bool = True) -> list[DataWarning]:
        """The quarters left out (``later``) and the replayed quarters nobody was paid in, one warning each."""
        found = []
        if self.not_replayed and later:
            late = self.not_replayed
            found.append(DataWarning(
                f"{and_joined(late)} {'has' if len(late) == 1 else 'have'} no payouts yet: not replayed; "
                f"--through {late[-1]} replays {'it' if len(late) == 1 else 'them'}",
                location=payouts,
                hint="payroll pays a quarter's bonus after the quarter ends; replaying it now would compare the plan "
                     "with nothing paid (see 'Which quarters are replayed' in docs/data.md)"))
        if self.unpaid:
            found.append(DataWarning(
                f"{and_joined(self.unpaid)} {'has' if len(self.unpaid) == 1 else 'have'} no payouts: every actual "
                f"in {'it' if len(self.unpaid) == 1 else 'them'} is 0",
                location=payouts,
                hint=f"add that quarter's payroll to {payouts}, or replay the paid quarters only (--through); see "
                     "docs/data.md"))
        return found


def quarter_notes(dataset: Dataset, window: list[str]) -> QuarterNotes:
    """What to say about a replay of ``window``: the quarters after it left out for having no payouts (when
    every later quarter is unpaid), and the replayed quarters nobody was paid in."""
    paid = paid_quarters(dataset)
    through = max(window, key=quarter_ordinal) if window else ""
    if paid is None or not window:
        return QuarterNotes(through=through, not_replayed=[], unpaid=[])
    later = [q for q in _present(dataset) if quarter_ordinal(q) > quarter_ordinal(through)]
    not_replayed = later if later and not any(q in paid for q in later) else []
    unpaid = [q for q in sorted(window, key=quarter_ordinal) if q not in paid]
    return QuarterNotes(through=through, not_replayed=not_replayed, unpaid=unpaid)


def _span(quarters: list[str]) -> str:
    if not quarters:
        return "no quarter"
    return quarters[0] if len(quarters) == 1 else f"{quarters[0]} to {quarters[-1]}"
