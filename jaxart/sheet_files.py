"""Where a sweep's files go (sheet.py writes them): the single images' names beside the sheet, every file a sweep
writes, an earlier sweep's tiles this one leaves, and the checks before any work that each can be written and
replaces no input nor another sweep's file."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from jaxart.errors import InputError
from jaxart.formats import SUFFIXES, check_file_name
from jaxart.image_record import read_record
from jaxart.paths import taken

TILE_SUFFIXES = tuple(dict.fromkeys(s[0] for s in SUFFIXES.values()))  # .png, .tif: what tiles end in


def tile_paths(path: Path, n: int, fmt: str = "png") -> list[Path]:
    """Where `sheet.write` puts the n single images in `fmt`: beside the sheet, numbered from 00."""
    return [path.with_name(f"{path.stem}-{i:0{max(2, len(str(n - 1)))}d}{SUFFIXES[fmt][0]}") for i in range(n)]


def outputs(path: Path, n: int, fmt: str = "png") -> list[Path]:
    """Every file `sheet.write` creates for n settings: the sheet, its HTML page, the single images."""
    return [path, path.with_suffix(".html"), *tile_paths(path, n, fmt)]


def stale_tiles(path: Path, n: int, fmt: str = "png") -> list[Path]:
    """The single images beside sheet `path` that a sweep of `n` settings in `fmt` does not write:
    numbered like tiles, of any format (NAME-03.png beside a TIFF sweep's NAME-03.tif), and with a
    run record naming `path` as their sheet, so an earlier sweep to `path` wrote them. Other files
    (a stylize run's `-o NAME-07.png`) are never counted."""
    suffixes = "|".join(map(re.escape, TILE_SUFFIXES))
    ours, pattern = set(tile_paths(path, n, fmt)), re.compile(rf"{re.escape(path.stem)}-\d{{2,}}({suffixes})")
    stale = []
    for p in sorted(path.parent.glob(f"{glob.escape(path.stem)}-*")):
        if p in ours or not pattern.fullmatch(p.name):
            continue
        try:
            record = read_record(p)
        except InputError:
            continue  # not a jaxart image: not ours to remove
        if record.get("sheet") == path.name:
            stale.append(p)
    return stale


def check_outputs(path: str | os.PathLike, n: int, fmt: str = "png", *, overwrite: bool = False, inputs=()) -> None:
    """Fail before any work if the sheet, its page or a single image cannot be written, or would replace (or with
    `overwrite` remove as stale) one of the `inputs` (paths or None). `path` as `sheet.write` takes it."""
    from jaxart.destinations import check_not_input, check_not_special, check_output
    from jaxart.output_names import check_names

    path = Path(path)
    if not path.name:  # ".", "/": no name to name the page and the tiles after
        raise InputError(f"the contact sheet {path} is a folder, not a PNG; give an --output ending in .png")
    stale = stale_tiles(path, n, fmt)
    check_not_input(outputs(path, n, fmt) + (stale if overwrite else []), inputs)
    check_file_name(path, "png", what="the contact sheet", name="sweep")
    if path.suffix.lower() != ".png":
        raise InputError(f"the contact sheet {path} is a PNG (--format sets the single images' format); give an "
                         "--output ending in .png")
    try:
        path.name.encode("utf-8")  # the page names the sheet and links its tiles
    except UnicodeEncodeError:
        raise InputError(f"the name {ascii(path.name)} is not valid UTF-8, which the HTML page needs for its "
                         "links; choose an --output with a UTF-8 name") from None
    check_output(path, "png", overwrite=overwrite)
    check_names([("page", path.with_suffix(".html")), ("single image", outputs(path, n, fmt)[-1])])
    for p in outputs(path, n, fmt)[1:]:
        check_not_special(p, "the sweep's file")
        if p.is_dir():
            raise InputError(f"{p} is a folder where the sweep writes a file; move it or choose another --output")
        if os.path.lexists(p) and not overwrite:  # a dangling link too: writing there would fail at the end
            raise InputError(f"{p} {taken(p)}; pass --overwrite to replace it or choose another --output")
    if stale and not overwrite:  # its record names this sheet: left beside this sweep's tiles, it passes for one
        raise InputError(f"{stale[0]} is a single image of an earlier sweep to {path.name}, which this sweep would "
                         "leave beside its own; pass --overwrite to remove it or choose another --output")
    for p in [path, *tile_paths(path, n, fmt)]:  # the page goes with its sheet
        check_not_others(p, path)


def check_not_others(p: Path, path: Path | None = None) -> None:
    """Refuse, even with --overwrite, to replace a file of a sweep (other than the one to `path`) whose page links
    it: `-o g-00.png` (a sweep's or a stylize's) replaced a tile of `g.png`, and `-o g.png` the sheet of an earlier
    `-o g-00.png`, so that page showed this one's."""
    try:
        record = read_record(p) if p.suffix.lower() in TILE_SUFFIXES and p.is_file() else {}
    except InputError:
        return  # not a jaxart image
    sheet = p.with_name(record["sheet"]) if isinstance(record.get("sheet"), str) else p if "tiles" in record else None
    if sheet is not None and sheet != path and sheet.with_suffix(".html").is_file() and sheet.is_file():
        what = f"a single image of the sweep {sheet}" if sheet != p else "the contact sheet of another sweep"
        raise InputError(f"{p} is {what}, whose page {sheet.with_suffix('.html').name} shows it; choose another "
                         f"--output, or remove {p} first to replace it")
