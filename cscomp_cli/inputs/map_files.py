"""Which files a data map's `files:` names: each entry taken as written when a file of that name
exists, else as a glob walked inside the data folder only (never into a link to a folder, each folder
once); every file found resolves inside the data folder (links followed), is a regular file, and is
read once whatever names reach it; and two files of one table holding the same bytes, or the same
rows, are refused before a row counts twice.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import stat
from pathlib import Path, PurePosixPath

import pandas as pd

from cscomp_cli.core.errors import DataError, MapError, report
from cscomp_cli.core.path_limits import shown, too_long
from cscomp_cli.inputs.datamap import MAP_FILE, Table
from cscomp_cli.inputs.files import DATA_DOC, broken_link, not_regular, system_file

# A glob matching more files than any org exports (a table per day for 25 years is 9,000) is a
# mistake, and walking more folders than that is a glob gone wrong (a data folder of /).
MAX_MATCHES = 10_000
MAX_FOLDERS = 10_000

_OUTSIDE_HINT = ("paths in files: are relative to the data folder, and every file a map reads must be in it "
                 "(a link may point only inside it): copy the file into the data folder; see " + DATA_DOC)


def entry_key(name: str, table: Table, i: int) -> str:
    return f"tables.{name}.files" + (f"[{i}]" if isinstance(table.files, list) else "")


def map_files(folder: Path, name: str, table: Table, label: str, *, copies: bool = True) -> list[Path]:
    """Every file table ``name`` reads, in the order its entries name them, each file once (and, unless
    ``copies`` is False, no two with the same bytes).

    Raises MapError (at tables.NAME.files[i]) for an entry outside the folder, one matching nothing or
    too many files, and two files holding the same bytes; DataError for a file that is not a regular file.
    """
    folder = Path(folder)
    root = os.path.realpath(folder)
    found: list[Path] = []
    seen: dict[tuple[int, int], Path] = {}
    for i, pattern in enumerate(table.file_list):
        where = entry_key(name, table, i)
        paths = _entry_files(folder, root, pattern, where, label)
        if not paths:
            listed = sorted(p for p in _names(folder) if p != MAP_FILE)[:12]
            raise MapError(f"'{shown(pattern)}' matches no file in {folder}", file=label, location=where,
                           hint=f"the folder holds {', '.join(listed) or 'no files'}; paths are relative to the data "
                           f"folder; see {DATA_DOC}")
        for path in paths:
            identity = _checked(path, root, pattern, where, label)
            if identity is not None and identity not in seen:
                seen[identity] = path
                found.append(path)
    if copies:
        _refuse_same_bytes(found, folder, name, label)
    return found


def _entry_files(folder: Path, root: str, pattern: str, where: str, label: str) -> list[Path]:
    """The paths one entry names: the file of that name when there is one, else the glob's matches."""
    named = shown(pattern)
    long = too_long(pattern)
    if long:
        raise MapError(f"'{named}' is too long to be a file name ({long})", file=label, location=where,
                       hint=f"name the export as it is named in the data folder; see {DATA_DOC}")
    posix = PurePosixPath(pattern)
    if posix.is_absolute() or pattern.startswith("\\") or (len(pattern) > 1 and pattern[1] == ":"):
        raise MapError(f"'{named}' is outside the data folder (an absolute path)",
                       file=label, location=where, hint=_OUTSIDE_HINT)
    if ".." in posix.parts:
        raise MapError(f"'{named}' is outside the data folder ('..' steps out of it)", file=label, location=where,
                       hint=_OUTSIDE_HINT)
    literal = folder / pattern
    if _exists(literal) and pattern.strip("/") not in ("", "."):
        return [literal]  # a real file named Payroll [v2].csv is that file, not a glob
    if not glob.has_magic(pattern):
        return []
    return _glob(folder, pattern, where, label)


def _exists(path: Path) -> bool:
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def _glob(folder: Path, pattern: str, where: str, label: str) -> list[Path]:
    """A glob's matches under folder, walked by hand: ** never enters a link to a folder (one link to
    the folder itself makes ** walk forever), each folder is listed once, and both the folders walked
    and the files matched are bounded."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    current: list[Path] = [folder]
    listed: set[tuple[int, int]] = set()
    for at, part in enumerate(parts):
        last = at == len(parts) - 1
        following: list[Path] = []
        for base in current:
            if part == "**":
                following += _folders_below(base, listed, where, label, pattern)
            elif glob.has_magic(part):
                following += [base / entry for entry in _names(base) if _matches(entry, part)]
            elif _exists(base / part):
                following.append(base / part)
        if part == "**" and last:  # a trailing ** matches every file below too, as glob's does
            following = [p / entry for p in following for entry in _names(p)]
        current = following if last else [p for p in following if _is_folder(p)]
        if len(current) > MAX_MATCHES:
            raise MapError(f"'{pattern}' matches more than {MAX_MATCHES:,} files", file=label, location=where,
                           hint=f"name the exports the table reads more narrowly (crm/accounts_*.csv); see {DATA_DOC}")
    unique = list(dict.fromkeys(current))
    return sorted((p for p in unique if p.name != MAP_FILE and not _is_folder(p)), key=str)


def _names(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries)
    except (OSError, ValueError):
        return []


def _matches(name: str, part: str) -> bool:
    # As glob's: a hidden file (.backup.csv, a half-written .x.tmp) only when the pattern says so.
    return (not name.startswith(".") or part.startswith(".")) and fnmatch.fnmatchcase(name, part)


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _folders_below(base: Path, listed: set[tuple[int, int]], where: str, label: str, pattern: str) -> list[Path]:
    """base and every folder below it that is not hidden and not reached through a link, each once."""
    found, queue = [], [base]
    while queue:
        path = queue.pop(0)
        try:
            info = os.stat(path)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in listed:
            continue
        listed.add((info.st_dev, info.st_ino))
        if len(listed) > MAX_FOLDERS:
            raise MapError(f"'{pattern}' walks more than {MAX_FOLDERS:,} folders", file=label, location=where,
                           hint=f"point ** at the folder holding the exports (crm/**/*.csv); see {DATA_DOC}")
        found.append(path)
        try:
            with os.scandir(path) as entries:
                below = sorted(e.name for e in entries
                               if not e.name.startswith(".") and e.is_dir(follow_symlinks=False))
        except OSError:
            continue
        queue += [path / name for name in below]
    return found


def _checked(path: Path, root: str, pattern: str, where: str, label: str) -> tuple[int, int] | None:
    """The file's identity (device, inode) once it is known to be a regular file inside the folder;
    None for a folder a glob matched (a literal folder name is refused)."""
    try:
        resolved = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            raise broken_link(path) from None
        raise DataError("file not found", file=path, hint=f"check the name in {MAP_FILE}; see {DATA_DOC}") from None
    except OSError as exc:
        raise DataError(f"cannot be read: {(exc.strerror or type(exc).__name__).lower()}", file=path,
                        hint="a link that points back at itself, or a folder you may not read; give the file "
                        "itself") from None
    if not inside(resolved, root):
        through = f" (through a link, {resolved})" if os.path.abspath(path) != resolved else ""
        raise MapError(f"'{pattern}' names {path.name}{through}, which is outside the data folder", file=label,
                       location=where, hint=_OUTSIDE_HINT)
    try:
        info = os.stat(resolved)
    except OSError as exc:
        raise DataError(f"cannot be read: {(exc.strerror or type(exc).__name__).lower()}", file=path) from None
    if stat.S_ISDIR(info.st_mode):
        if glob.has_magic(pattern):
            return None
        raise MapError(f"'{pattern}' is a folder, not an export file", file=label, location=where,
                       hint=f"name the files in it, e.g. {pattern.rstrip('/')}/*.csv; see {DATA_DOC}")
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(path, info.st_mode)
    return info.st_dev, info.st_ino


def inside(resolved: str, root: str) -> bool:
    """Whether a resolved path is the data folder ``root`` or lies in it, and is no file of the operating
    system: the only place a data map reads from."""
    return not system_file(resolved) and (resolved == root or resolved.startswith(root.rstrip("/") + "/"))


def content_digest(path: Path) -> bytes | None:
    """A digest of the file's bytes (two files with one digest are copies), or None when it cannot be read."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.digest()


def _refuse_same_bytes(files: list[Path], folder: Path, name: str, label: str) -> None:
    """Two files of one table with the same bytes (a "(1)" copy, a backup in a subfolder): every row
    would count twice. Only files of equal size are compared."""
    by_size: dict[int, list[Path]] = {}
    for path in files:
        try:
            by_size.setdefault(path.stat().st_size, []).append(path)
        except OSError:
            continue
    for same_size in (group for size, group in by_size.items() if len(group) > 1 and size > 0):
        digests: dict[bytes, Path] = {}
        for path in same_size:
            digest = content_digest(path)
            if digest is None:
                continue
            first = digests.setdefault(digest, path)
            if first is not path:
                one, two = _relative(first, folder), _relative(path, folder)
                raise MapError(f"{one} and {two} have the same content, and both are read for the {name} "
                               f"table: every row would count twice", file=label, location=f"tables.{name}.files",
                               hint="remove the copy from the data folder (or move it out), or name only one of "
                               f"them in files:; see {DATA_DOC}")


def _relative(path: Path, folder: Path) -> str:
    try:
        return Path(path).relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def refuse_repeated_rows(frames: list[pd.DataFrame], files: list[Path], describe, folder: Path, name: str,
                         labels: list[str | None] | None = None) -> list[pd.DataFrame]:
    """Rows with every mapped cell equal in two files of one table: a copy, or an export overlapping
    another, whose rows would count twice. Refused naming both files and rows (validate goes on with
    the later file's copies left out). Rows repeated within one file are left to the table's own
    checks; ``labels``, a quarter read from each file's name, keeps apart the rows of files whose
    names say different quarters. ``describe(file_index, row_key)`` is 'payroll.csv line 7'."""
    if len(frames) < 2:
        return frames
    columns = list(frames[0].columns)
    parts = []
    for index, cells in enumerate(frames):
        part = cells.reindex(columns=columns, fill_value="").astype(object)
        part = part.where(part.notna(), "")
        # One number per row (its cells hashed): comparing millions of rows cell by cell takes seconds.
        digest = pd.util.hash_pandas_object(part, index=False).to_numpy()
        part = pd.DataFrame({"_hash": digest, "_label": (labels[index] if labels else None) or "",
                             "_file": index, "_key": cells.index.to_numpy(),
                             "_blank": (part == "").all(axis=1).to_numpy() if columns else True})
        parts.append(part.loc[~part["_blank"]].drop_duplicates(subset=["_hash", "_label"]))
    together = pd.concat(parts, ignore_index=True)
    repeated = together.duplicated(subset=["_hash", "_label"], keep="first")
    if not bool(repeated.any()):
        return frames
    copies = together.loc[repeated]
    first_copy = copies.iloc[0]
    originals = together.loc[~repeated]
    original = originals.loc[(originals["_hash"] == first_copy["_hash"])
                             & (originals["_label"] == first_copy["_label"])].iloc[0]
    def row(index: int, key) -> list[str]:
        cells = frames[index].loc[key].reindex(columns, fill_value="")
        return ["" if pd.isna(v) else str(v) for v in cells]

    if row(int(first_copy["_file"]), first_copy["_key"]) != row(int(original["_file"]), original["_key"]):
        return frames  # two different rows with one hash: not a repeat
    more = len(copies) - 1
    report(DataError(
        f"{describe(int(first_copy['_file']), first_copy['_key'])} repeats "
        f"{describe(int(original['_file']), original['_key'])} cell for cell"
        + (f" (and {more} more row{'s' if more > 1 else ''} like it)" if more else "")
        + f": both files are read for the {name} table, so the row would count twice",
        file=files[int(first_copy["_file"])], location=f"tables.{name}.files",
        hint="an export overlapping another (or a copy of it) is in the data folder: remove the overlap, or name "
        f"only the files that belong in files:; see {DATA_DOC}"))
    left = []
    for index, cells in enumerate(frames):
        dropped = set(copies.loc[copies["_file"] == index, "_key"])
        left.append(cells.loc[~cells.index.isin(dropped)] if dropped else cells)
    return left
