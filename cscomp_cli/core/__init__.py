"""The foundation every layer stands on: user errors, rounding to the cent, text, quarters and the fiscal calendar, units."""
