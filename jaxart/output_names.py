"""The names of the files a run writes: the default output name, and the byte limit on a name that a folder's
file system sets, checked before any work."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from jaxart.errors import InputError
from jaxart.probe import nearest
from jaxart.formats import SUFFIXES

# Room a default output name leaves for the longest name derived from its stem: STEM_00100.png
# frames (a digit more past each power of ten from 100000 steps on), STEM.ckpt.npz.
_DERIVED = 16


def default_output(content: Path, styles, fmt: str = "png", folder: Path = Path(".")) -> Path:
    """CONTENT_STYLE.png (.tif for tiff), every painting's stem joined by "+" (a blend's too). Cut to fit
    `folder`'s name limit with room for the names derived beside it, a cut name ends in a hash of the whole:
    two never collide."""
    stem = f"{Path(content).stem}_{'+'.join(Path(s).stem for s in styles)}"
    room = name_limit(folder) - _DERIVED
    if len(os.fsencode(stem)) > room:
        digest = "-" + hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
        while len(os.fsencode(stem + digest)) > room:
            stem = stem[:-1]
        stem += digest
    return Path(stem + SUFFIXES[fmt][0])


def name_limit(folder: Path) -> int:
    """The longest file name, in bytes, that `folder` (or the nearest folder above it) allows."""
    try:
        return os.pathconf(nearest(folder), "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def check_names(named, flag: str = "output path") -> None:
    """Refuse a file name longer than its folder allows (255 bytes on most), before the run fails at its end."""
    for what, path in named:
        limit, size = name_limit(Path(path).parent), len(os.fsencode(Path(path).name))
        if size > limit:
            raise InputError(f"the {what} name {Path(path).name[:32]}... would be {size} bytes, more than the "
                             f"{limit} its folder allows; choose a shorter {flag}", settings=[flag])


def check_derived(output: Path, named) -> None:
    """Refuse an `output` whose derived files, (what, path) pairs, would have names too long for its folder."""
    limit, size = name_limit(output.parent), len(os.fsencode(output.name))
    for what, path in named:
        over = len(os.fsencode(path.name)) - limit
        if over > 0:
            raise InputError(f"the output name {output.name[:24]}... is too long: its {what} name "
                             f"{output.stem[:24]}...{path.name[len(output.stem):]} would be {limit + over} bytes, "
                             f"more than the {limit} its folder allows; choose a shorter output path, of at most "
                             f"{size - over} bytes", settings=["output path", "save_every"])
