"""Amounts and percentages as a person reads them ($1,234.50, +2.50 %), in reports and in the sentences
a result document carries (reconcile's verdict)."""

from __future__ import annotations

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def money(value: float | None, currency: str = "USD", *, sign: bool = False) -> str:
    """1234.5 → $1,234.50; negative as -$1,234.50; unknown currencies as a suffix (1,234.50 CHF)."""
    if value is None:
        return "—"
    symbol = SYMBOLS.get(currency)
    prefix = "-" if value < 0 else ("+" if sign and value > 0 else "")
    digits = f"{abs(value):,.2f}"
    return f"{prefix}{symbol}{digits}" if symbol else f"{prefix}{digits} {currency}"


def percent(value: float | None, *, sign: bool = True) -> str:
    if value is None:
        return "—"
    return f"{value:+.2f} %" if sign else f"{value:.1f} %"


def counted(n: int, noun: str) -> str:
    """"3 warnings", "1 line": a count and its noun, plural unless one."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def with_article(noun: str) -> str:
    """"an Employee Name", "a CSM Owner": a noun (a column's name) with the article a sentence gives it
    (by its first letter: a vowel but u takes "an"; "a user" and "a unit" keep "a")."""
    return f"{'an' if noun[:1].lower() in ('a', 'e', 'i', 'o') else 'a'} {noun}"


def and_joined(items: list[str]) -> str:
    """"a", "a and b", "a, b and c": items as a sentence names them."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
