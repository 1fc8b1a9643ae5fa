"""Whether the data's currencies are the plan's: until cscomp converts currencies, an amount in
another currency would be summed as if it were the plan's, so a code naming one is refused before any
replay. A sign alone ($, €, £) is read as the plan's currency, as the contract reads an amount like
€1234, and said in a warning when it is another currency's.
"""

from __future__ import annotations

from cscomp_cli.core.currencies import plan_currency_code
from cscomp_cli.core.errors import DataError, DataWarning
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import DATA_DOC

PLANS_DOC = "docs/plans.md"


def check_currencies(currency: str, plan_name: str, dataset: Dataset) -> list[DataWarning]:
    """Refuse the first cell of the data whose code names a currency other than the plan's ``currency``;
    the warnings for amounts whose sign names another ($ is USD, € EUR, £ GBP), one per column and sign.

    A code equal to the plan's is accepted, and so is every amount when the data names no currency.
    """
    reporting = plan_currency_code(currency)
    warnings = []
    for mark in dataset.currencies:
        if mark.code == reporting or (mark.sign is not None and mark.sign == currency.strip()):
            continue
        origin = dataset.origin(mark.table)
        header = origin.column(mark.column)
        more = f" ({mark.count - 1} more cell{'s' if mark.count > 2 else ''} in {mark.code} in this column)" \
            if mark.count > 1 else ""
        if mark.sign is not None:
            cells = f"{mark.count} cells carry" if mark.count > 1 else "1 cell carries"
            warnings.append(DataWarning(
                f"{cells} the sign {mark.sign}, the sign of {mark.code} (first '{mark.cell}'), "
                f"but plan '{plan_name}' reports in {reporting or currency}; they are read as "
                f"{reporting or currency}, as written without the sign",
                **origin.at(mark.line, mark.column),
                hint=f"if these amounts are in {mark.code}, convert them in the export; write {mark.code} beside "
                f"them to have cscomp refuse them instead; see currencies in {DATA_DOC}"))
            continue
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
    return warnings
