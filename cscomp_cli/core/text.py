"""Text from a plan or an export, made safe to show: control characters written out as escapes.

An ESC in a name would otherwise reach the terminal raw (clear the screen, write the clipboard
with OSC 52), and a bidi override would make a line read in another order than it is written.
Pure functions, no rich: every renderer and the stderr printing use the same rule.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls; the bidi embeddings, overrides and isolates (and the marks
# that steer them), which reorder what a reader sees. (The inside of a regex character class.)
UNPRINTABLE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(f"[{UNPRINTABLE}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escaped(char: str) -> str:
    """One character as Python writes it in a string: \\x1b, \\u202e."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape(match: re.Match) -> str:
    char = match.group(0)
    return _NAMED.get(char) or escaped(char)


def printable(text, keep: str = "") -> str:
    """``text`` with every control character shown as an escape (ESC as \\x1b); the characters in
    ``keep`` (say "\\n\\t" for a multi-line message) stay as they are."""
    text = str(text)
    if keep:
        return _UNPRINTABLE.sub(lambda m: m.group(0) if m.group(0) in keep else _escape(m), text)
    return _UNPRINTABLE.sub(_escape, text)


def printable_data(value):
    """A JSON-like document with every string in it (keys too) made printable, for the renderers a
    person reads; numbers and the document's shape are unchanged."""
    if isinstance(value, str):
        return printable(value) if _UNPRINTABLE.search(value) else value
    if isinstance(value, dict):
        return {printable_data(key): printable_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable_data(item) for item in value]
    if isinstance(value, tuple):
        return tuple(printable_data(item) for item in value)
    return value


def did_you_mean(word: str, choices) -> str:
    """' (did you mean 'churn'?)' for the one close choice, else ''."""
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def folded(text: str) -> str:
    """A name or header compared as a person reads it: case, accents and repeated spaces ignored."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(text))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())
