"""A weight set downloaded for the CLI: its progress bar, a wait for another jaxart's download said aloud, and a
Ctrl-C that keeps the bytes downloaded so far."""

from __future__ import annotations

from pathlib import Path

from jaxart_cli.common import say, warn
from jaxart_cli.signals import interrupted_by, interrupted_code


def fetch(name: str, quiet: bool, url: str | None = None, **options) -> Path:
    """The file of weight set `name`, downloaded (from `url` if given; with a progress bar unless
    `quiet`; `options`: `weights.fetch`'s timeout and attempts) if registered and missing."""
    from jaxart import progress, weights

    if weights.path_for(name).is_file() or name not in weights.SOURCES:
        return weights.path_for(name)
    weights.folder.check_target(name)  # before the bar is drawn: a bad folder is one line
    if waited := weights.folder.busy(name):  # fetch waits for it (up to its timeouts): not in silence
        warn(f"another jaxart is fetching {name}; waiting for it to finish")
    came = []  # bytes for this process: none where the fetch it waited for installed the set

    def update(done: int, total: int) -> None:
        came.append(done)
        if bar:
            bar(done, total)

    # The bar's: a line it prints goes above the bar, where warn's overwrote it. A warning, so said under --quiet too,
    # as every other is: a batch job's log told nothing of a 120 s wait for a busy server.
    console = progress.StderrConsole(stderr=True)

    def notice(line: str) -> None:
        console.print(f"warning: {' '.join(line.splitlines())}", markup=False, highlight=False, soft_wrap=True)
    try:
        with progress.download_bar(name, quiet, console) as bar:
            path = weights.fetch(name, update, url=url, **options, notice=notice)
        if waited and not came:  # its bar is gone: say why nothing was downloaded
            say(f"the other jaxart fetched {name} while this one waited, so this one downloaded nothing", err=True)
        return path
    except KeyboardInterrupt:
        from jaxart.errors import Interrupted

        partial = weights.folder.partial_path(name)
        kept = partial.stat().st_size if partial.is_file() else 0
        if not kept or weights.folder.busy(name):  # nothing kept, or another fetch's (this one waited)
            raise
        raise Interrupted(f"{interrupted_by()}; the {kept:,} bytes of {name} downloaded so far are kept in {partial}: "
                          f"fetching again resumes there, `jaxart weights remove {name}` deletes them",
                          interrupted_code()) from None
