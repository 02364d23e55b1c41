"""Rich progress bars for the CLI: one for optimizer steps, one for downloads."""

from __future__ import annotations

import contextlib

from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn, TransferSpeedColumn)


@contextlib.contextmanager
def steps_bar(total: int, quiet: bool = False):
    """Yields `update(step, loss, terms)`; shows step, loss terms, steps/s and ETA on stderr."""
    if quiet:
        yield lambda *a, **k: None
        return
    columns = (
        TextColumn("[bold]stylize"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[terms]}"), TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("stylize", total=total, terms="", rate="")

        def update(step: int, loss: float, terms: dict[str, float]) -> None:
            text = f"loss {loss:.4g} (" + " ".join(f"{k} {v:.3g}" for k, v in terms.items()) + ")"
            bar.update(task, completed=step, terms=text)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:.2f} steps/s" if speed else "")

        yield update


@contextlib.contextmanager
def download_bar(name: str, quiet: bool = False):
    """Yields `update(done, total)` in bytes; shows bytes, rate and ETA on stderr."""
    if quiet:
        yield None
        return
    columns = (TextColumn(f"[bold]fetch {name}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(name, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
