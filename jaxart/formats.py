"""The formats jaxart writes results in, their suffixes, and the one an output path names."""

from __future__ import annotations

import os
from pathlib import Path

from jaxart.errors import InputError

FORMATS = ("png", "png16", "tiff")  # 8-bit PNG, 16-bit PNG, 16-bit TIFF
SUFFIXES = {"png": (".png",), "png16": (".png",), "tiff": (".tif", ".tiff")}
_WRITES = " (jaxart writes PNG, .png, and TIFF, .tif or .tiff)"


def choose_format(fmt: str | None, path: str | os.PathLike | None, default: str = "png") -> str:
    """The format to write `path` in: `fmt` (an explicit --format) if given; else `default` if
    `path` is None or its suffix fits it (.png for png16 too); else the one its suffix names
    (.png: png, .tif or .tiff: tiff).

    Raises:
      InputError: no `fmt`, and `path` is a folder or has no suffix (`check_file_name`), or its
        suffix names none of the FORMATS.
    """
    if fmt is not None or path is None:
        return fmt or default
    check_file_name(path, default)
    suffix = Path(path).suffix.lower()
    named = [f for f in (default, *FORMATS) if suffix in SUFFIXES[f]]
    if not named:
        raise InputError(f"output {path} ends in {suffix}; jaxart writes PNG (.png, --format png or png16) "
                         "and TIFF (.tif or .tiff, --format tiff): choose an --output ending in one of those")
    return named[0]


def check_file_name(path: str | os.PathLike, fmt: str = "png", *, what: str = "output", name: str = "out") -> None:
    """Refuse an output `path` that is an existing folder or has no suffix, advising a file named for
    `fmt` (`name` + its suffix) in it. The folder is judged first: a folder's name seldom has a
    suffix, and that is not what is wrong. A name without a suffix is often a folder to write into
    whose trailing slash Path() dropped (`-o newdir/`). `what` frames the no-suffix message; a run's "output" is
    told the formats jaxart writes, whichever check meets it first (--format given or not, `info` of a checkpoint).

    Raises:
      InputError: `path` is a folder or has no suffix.
    """
    suffix = SUFFIXES[fmt][0]
    if os.path.isdir(path):  # os.path's: False, not an OSError, for a name too long to look at
        raise InputError(f"{what} {path} is a folder; give a file name in it, such as "
                         f"{Path(path) / (name + suffix)}")
    check_named(path, {s for f in FORMATS for s in SUFFIXES[f]}, what=what, name=name)
    if not Path(path).suffix:
        folder = f", or {Path(path) / (name + suffix)} to write into a folder {Path(path).name}"
        folder = "" if str(path).endswith(".") else folder  # o.: a file's, its suffix left out
        raise InputError(f"{what} {path} has no suffix; give a file name such as {suffixed(path, suffix, name)}"
                         f"{folder}{_WRITES * (what == 'output')}")


_BLANKS = {" ": "space", "\t": "tab", "\n": "newline", "\r": "carriage return"}


def spaced(name: str) -> str | None:
    """What is wrong with an output `name` ending in a space, tab or other blank ("out.png ", as pasted), which would
    be part of the file's name, naming that character; None where it ends in none. It was told "ends in .png ;", the
    space unseen, and a tab or newline was called a space."""
    if name == name.rstrip():
        return None
    what = _BLANKS.get(name[-1], f"blank character ({name[-1]!r})")
    return f"{name!r} ends in a {what}, which would be part of the file's name; drop the {what.partition(' (')[0]}"


def suffixed(path: str | os.PathLike, suffix: str, name: str = "out") -> str:
    """`path` with `suffix` added, for a message: o.png for o and for o. (not o..png), `name` + `suffix` in place of a
    name of dots alone."""
    stem = Path(path).name.rstrip(".")
    return f"{path}{suffix}" if stem == Path(path).name else str(Path(path).with_name((stem or name) + suffix))


def check_named(path: str | os.PathLike, suffixes, *, what: str = "output", name: str = "out") -> None:
    """Refuse a `path` that is one of `suffixes` (lower case) alone, such as `-o "$NAME.png"` with NAME empty, advising
    `name` before it (out.png, not .png.png).

    Raises:
      InputError: `path`'s name is a suffix without a name.
    """
    if Path(path).name.lower() in suffixes:
        raise InputError(f"{what} {path} is a suffix without a name; give a file name such as "
                         f"{Path(path).with_name(name + Path(path).name)}")


def check_recorded(path: str | os.PathLike, fmt: str) -> None:
    """Refuse a resumed run's output `path`, recorded in its checkpoint (not typed), whose suffix `fmt` does not
    write, advising the output to give instead: `--format tiff` alone was told of a.png, a name never typed."""
    suffixes = SUFFIXES[fmt]
    if Path(path).suffix.lower() not in suffixes:
        raise InputError(f"the checkpoint's output {path} does not end in {' or '.join(suffixes)}, as format {fmt} "
                         f"needs; give output path {Path(path).with_suffix(suffixes[0])} too",
                         settings=["format", "output path"])
