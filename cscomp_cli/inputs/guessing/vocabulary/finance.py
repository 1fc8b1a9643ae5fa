"""A finance team's FX sheet: monthly or quarterly rates, a pair (EURUSD) or a currency per row."""

from cscomp_cli.inputs.guessing.vocabulary.tool_headers import ToolHeaders as T

TOOLS = [
    # No tool exports this by default: the headers finance sheets (and the ECB / Fed rate downloads) use.
    T("finance sheet", "fx", {
        "quarter": ["Quarter", "Fiscal Quarter", "Period"],
        "_month": ["Month", "Date", "Rate Date", "As of", "Month End"],
        "_pair": ["Pair", "Currency Pair", "FX Pair", "Ticker"],
        "currency": ["Currency", "From Currency", "Currency Code", "Source Currency"],
        "rate": ["Rate", "FX Rate", "Exchange Rate", "Close", "Average Rate", "Month End Rate"],
    }, "no tool default: the headers finance FX sheets use"),
]
