"""Whether the data's currencies are the plan's: until cscomp converts currencies, an amount in
another currency would be summed as if it were the plan's, so it is refused before any replay.
"""

from __future__ import annotations

from cscomp_cli.core.currencies import plan_currency_code
from cscomp_cli.core.errors import DataError
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import DATA_DOC

PLANS_DOC = "docs/plans.md"


def check_currencies(currency: str, plan_name: str, dataset: Dataset) -> None:
    """Refuse the first cell of the data naming a currency other than the plan's ``currency``.

    A code equal to the plan's is accepted; so is every amount when the data names no currency.
    """
    if not dataset.currencies:
        return
    reporting = plan_currency_code(currency)
    for mark in dataset.currencies:
        if mark.code == reporting:
            continue
        origin = dataset.origin(mark.table)
        header = origin.column(mark.column)
        more = f" ({mark.count - 1} more cell{'s' if mark.count > 2 else ''} in {mark.code} in this column)" \
            if mark.count > 1 else ""
        written = f"{header} '{mark.cell}' is in {mark.code}" if mark.column != "currency" else \
            f"{header} is {mark.code}"
        if reporting is None:
            raise DataError(
                f"{written}, but plan '{plan_name}' gives its currency as '{currency}', which "
                f"names no ISO 4217 code{more}",
                **origin.at(mark.line, mark.column),
                hint=f"write the plan's currency as a code (currency: {mark.code} if the plan reports in "
                f"{mark.code}); see currency in {PLANS_DOC}")
        raise DataError(
            f"{written}, but plan '{plan_name}' reports in {reporting}, and cscomp does not convert between "
            f"currencies{more}",
            **origin.at(mark.line, mark.column),
            hint=f"give every amount in {reporting} (convert them in the export), or set currency: {mark.code} "
            f"in the plan if it should report in {mark.code}; see currencies in {DATA_DOC}")
