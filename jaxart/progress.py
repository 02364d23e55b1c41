"""Rich progress bars for the CLI: one for optimizer steps, one for downloads."""

from __future__ import annotations

import contextlib

from rich.console import Console
from rich.table import Column
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn, TransferSpeedColumn)


@contextlib.contextmanager
def steps_bar(total: int, quiet: bool = False, console: Console | None = None):
    """Yields `update(step, loss, terms)`; shows step, time, ETA, steps/s and loss terms on stderr.

    The loss terms come last and are the column cut short in a narrow terminal: in 80 columns
    the step count, elapsed time and ETA still show in full.
    """
    if quiet:
        yield lambda *a, **k: None
        return
    columns = (
        TextColumn("[bold]stylize"), BarColumn(bar_width=16), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[terms]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
    )
    with Progress(*columns, console=console or Console(stderr=True), transient=False, expand=True) as bar:
        # Before the first step XLA compiles, unless its programs are cached: 15-23 s of a first
        # 256-512 px run (BENCHMARKS.md, "What a run compiles") in which only the clock moves.
        task = bar.add_task("stylize", total=total, terms="preparing (compiling)", rate="")

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
