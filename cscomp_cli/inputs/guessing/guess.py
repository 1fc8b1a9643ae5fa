"""`cscomp init`'s guessing: a folder of raw exports -> a data map (YAML text with a comment on
every guess) and the list of choices a person must still make.

Pure: it reads the exports (at most SAMPLE_ROWS rows of each) and returns text; the command writes
it. Guesses come from the headers (canonical names and the synonyms CRM, HR and payroll exports
use) and from the cells (delimiter, encoding, number and date conventions, status words, names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cscomp_cli.core.errors import DataError
from cscomp_cli.core.path_limits import shown, too_long
from cscomp_cli.inputs.files import DATA_DOC
from cscomp_cli.inputs.formats import EXPORT_FORMATS
from cscomp_cli.inputs.guessing.classify import classify_exports, rivals
from cscomp_cli.inputs.guessing.map_writer import MapWriter, Undecided
from cscomp_cli.inputs.guessing.reading import scan_folder


@dataclass
class Guess:
    """What init guessed: the map as YAML text, the choices left, and which export is which table."""

    text: str
    undecided: list[Undecided]
    tables: dict[str, list[str]]  # table -> the files (relative to the folder) it reads
    unused: list[str] = field(default_factory=list)  # files that looked like no table
    read: list[str] = field(default_factory=list)  # every export init looked at (relative to the folder)


def guess_map(folder: Path) -> Guess:
    """Look at the exports in folder (and its subfolders, one level deep) and guess their map."""
    folder = Path(folder)
    long = too_long(folder)
    if long:
        raise DataError(f"the folder name is too long for the file system ({long})", file=shown(folder),
                        hint="pass the folder holding your exports: cscomp init DIR")
    if not folder.is_dir():
        raise DataError("data folder not found", file=folder, hint="pass the folder holding your exports: cscomp init DIR")
    exports, unreadable, read = scan_folder(folder)
    chosen = classify_exports(exports)
    if "accounts" not in chosen and "roster" not in chosen:
        seen = "; ".join(f"{e.files[0]} ({', '.join(e.headers[:6])}{', …' if len(e.headers) > 6 else ''})"
                         for e in exports[:5]) or ("no file cscomp reads as an export (" + ", ".join(EXPORT_FORMATS) + ")")
        raise DataError("no export here looks like an account report or a roster", file=folder,
                        hint=f"found: {seen}; the columns cscomp needs are in {DATA_DOC}")
    writer = MapWriter(folder, {f for e in exports for f in e.files})
    writer.rivals = rivals(exports, chosen)
    text = writer.write(chosen)
    used = {f for export in chosen.values() for f in export.files}
    unused = [f for e in exports for f in e.files if f not in used] + unreadable
    return Guess(text=text, undecided=writer.undecided, tables={t: e.files for t, e in chosen.items()},
                 unused=unused, read=read)
