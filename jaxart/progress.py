"""Rich progress bars for the CLI: one for optimizer steps, one for downloads."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Column
from rich.text import Text
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, ProgressColumn, Task,
                           TextColumn, TimeElapsedColumn, TimeRemainingColumn)

from jaxart.byte_sizes import rate
from jaxart.eta import FINISH_STEPS, cost_conv, scale_at, seconds_left
from jaxart.files import unread
from jaxart.loss_text import fitted as _fitted, loss_sum

# loss_text.py's closing line is re-exported, from before it was split off: progress.loss_sum.
__all__ = ["COMPACT_BELOW", "LOG_EVERY", "NARROW_BELOW", "StderrConsole", "download_bar", "loss_sum", "steps_bar"]


class StderrConsole(Console):
    """rich's Console (give stderr=True), but for a reader gone (`2>&1 | head -1`): rich ended the command with exit 1,
    its image unwritten, and sent stdout to /dev/null; here stderr goes there and the run goes on (as common.echo's)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        unread(self.file)

    def _check_buffer(self) -> None:
        """rich's, where stderr that takes no more (`2>>log` on a full disk, a gone terminal's EIO) is a reader gone
        too: rich answers BrokenPipeError alone, and the run ended at the bar with exit 1, its image unwritten."""
        try:
            super()._check_buffer()
        except OSError:
            del self._buffer[:]
            self.on_broken_pipe()


@contextlib.contextmanager
def steps_bar(total: int, quiet: bool = False, console: Console | None = None,
              scales: Sequence[tuple[int, int]] = (), clock: Callable[[], float] = time.monotonic,
              label: str = "stylize", mean: bool = False, conv: str = "auto", margin: int = 0,
              platform: str | None = None, finish: float = FINISH_STEPS):
    """Yields `update(step, loss, terms)`; shows step, time, ETA, steps/s and loss terms on stderr.

    Below `COMPACT_BELOW` columns the command's name and the bar give way (the step count shows
    the progress) and the terms are abbreviated, so that in 80 columns the loss and every term
    show after the step count, elapsed time and ETA; narrower, or with more digits, whole terms are left
    out from the last, then the steps/s, the elapsed time and a scale's size (`loss_text.fitted`), never one cut
    mid-way. `scales`, a coarse-to-fine run's `(size, steps)` schedule, puts the current size
    before the loss and says which size compiles between scales; `label` names the command. `mean`: the
    loss is a sweep's mean over its tiles, shown as "mean loss" ("mean" where compact, which fits 80 columns).
    Steps/s counts from the current scale's first step, so compiling is not in it; the ETA
    (`seconds_left`) weights a later scale's steps by their cost at its size (`step_cost`, with the run's `conv` and
    `margin` on JAX's `platform`, None: asked here) and adds its targets and compile, and the final loss and write
    (`finish` steps of the last scale: `duration.finish`);
    once the run is over (a step reported again, the closing report, or the bar ending at `total`) it is 0. `clock`
    times the steps and pauses.
    """
    if quiet:
        yield lambda *a, **k: None
        return
    plan = tuple(scales) or ((1, total),)
    if platform is None:
        from jaxart import devices  # the run's, JAX loaded already

        platform = devices.platform()
    conv = cost_conv(conv, platform)
    console = console or StderrConsole(stderr=True)
    compact, narrow = console.width < COMPACT_BELOW, console.width < NARROW_BELOW
    drawn = _redrawn(console)  # a log's line has no bar: a run of glyphs and blanks there, the step count says it
    columns = (*(() if compact else (TextColumn(f"[bold]{label}"), *_bar(drawn, 16))), MofNCompleteColumn(),
               *(() if narrow else (clock_column := _Elapsed(),)),
               *(() if console.width < NARROW_BELOW - 10 else (TextColumn("ETA {task.fields[eta]}"),)),
               *(() if narrow else (TextColumn("{task.fields[rate]}"),)),
               TextColumn("{task.fields[terms]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")))
    with _cleared_on_error(Progress(*columns, console=console, expand=True)) as bar:
        # Before the first step XLA compiles, unless its programs are cached: 15-23 s of a first
        # 256-512 px run (BENCHMARKS.md, "What a run compiles") in which only the clock moves.
        multi = len(plan) > 1
        first = f"compiling {plan[0][0]} px" if multi else "preparing (compiling)"
        task = bar.add_task(label, total=total, terms=first, rate="", eta="-:--:--")
        since = {}  # size -> (step, time) of its scale's first report, and the pause before it
        last = [clock(), None]  # the time and step of the latest report (the bar's start: no step)
        log = _log_lines(bar, clock)

        def update(step: int, loss: float, terms: dict[str, float]) -> None:
            size, following = scale_at(plan, step)
            now = clock()
            start, t0, pause = since.setdefault(size, (step, now, now - last[0]))
            over, last[:] = step == last[1], (now, step)
            if over:  # a step reported again: the closing report, the image written; steps/s stay the steps' own
                per_second, eta = bar.tasks[0].fields["rate"], 0.0
            else:
                rate = (step - start) / (now - t0) if step > start and now > t0 else None
                eta = rate and seconds_left(plan, step, 1 / rate, pause, conv=conv, margin=margin, finish=finish)
                per_second = f"{rate:.2f}{'/s' if compact else ' steps/s'}" if rate else ""
            eta_text = "-:--:--" if eta is None else _hms(eta)
            # The columns beside the terms, each with the space after it (rich's grid): the label and the bar, the
            # step count (MofNCompleteColumn pads it to the total's digits), the ETA; the elapsed time and steps/s
            # may be left out below.
            beside = ((0 if compact else len(label) + 1 + 17 * drawn) + 2 * len(str(total)) + 2
                      + (0 if console.width < NARROW_BELOW - 10 else len(eta_text) + 5) + (0 if narrow else 2))
            elapsed = 0 if narrow else clock_column.full(bar.tasks[0]).cell_len
            text, per_second, shown = _fitted(console.width - beside, loss, {} if narrow else terms, compact,
                                              ("mean" if compact else "mean loss") if mean else "loss",
                                              size if multi else None, per_second, elapsed)
            if multi and following:  # after a scale's last step the next one computes its targets and compiles
                text = f"compiling {following} px"
            bar.update(task, completed=step, terms=text, rate=per_second, eta=eta_text, elapsed=shown)
            if not over:
                log(step < total)

        yield update
        if last[1] == total:  # its last step's ETA was the final loss and write, done now (a sweep's bar)
            bar.update(task, eta=_hms(0))


# Seconds between the lines the bar writes into a log: 120 lines for an hour's run.
LOG_EVERY = 30.0
# The full line takes up to about 118 columns, 126 with a coarse-to-fine scale's size; below this
# the compact one, which shows every loss term in 80 columns up to 9999 steps (a coarse-to-fine run
# of more than 999 leaves out the last term).
COMPACT_BELOW = 128
# Below this (a phone's terminal, COLUMNS=20) rich squeezed every column to "1… 0… ETA -:--:--  …": the step
# count, the ETA (from 30 columns) and the loss alone, "120/500 ETA 0:01:05 loss 1.235", or "120/500 loss 1.235".
NARROW_BELOW = 40


def _hms(seconds: float) -> str:
    """h:mm:ss, as rich shows the elapsed time."""
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


@contextlib.contextmanager
def download_bar(name: str, quiet: bool = False, console: Console | None = None,
                 clock: Callable[[], float] = time.monotonic):
    """Yields `update(done, total)` in bytes; shows bytes, rate and ETA on stderr, in KiB and MiB as every message
    says a size (`548.1/548.1 MiB 5.0 KiB/s`; rich's own were 10**6 bytes, "574.7 MB", below a line saying "548 MiB").
    `clock` times the rate and the log's lines. A bar no byte reached (another process fetched the file meanwhile) is
    cleared when it ends: its `0/? bytes` said nothing happened."""
    if quiet:
        yield None
        return
    console = console or StderrConsole(stderr=True)
    columns = (TextColumn(f"[bold]fetch {name}"), *_bar(_redrawn(console), 40), DownloadColumn(binary_units=True),
               _Rate(), TimeRemainingColumn())
    with _cleared_on_error(Progress(*columns, console=console, get_time=clock)) as bar:
        task = bar.add_task(name, total=None)
        log = _log_lines(bar, clock)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)
            log(total is None or done < total)

        yield update
        if bar.tasks[0].total is None:
            _clear(bar)


def _bar(drawn: bool, width: int) -> tuple[BarColumn, ...]:
    """rich's bar, `width` columns, where it is `drawn` in place; none in a log."""
    return (BarColumn(bar_width=width),) if drawn else ()


class _Elapsed(TimeElapsedColumn):
    """rich's elapsed time, left out where the line has no room for it (the task's field `elapsed` false)."""

    def full(self, task: Task) -> Text:
        return super().render(task)

    def render(self, task: Task) -> Text:
        return self.full(task) if task.fields.get("elapsed", True) else Text("")


class _Rate(ProgressColumn):
    """rich's TransferSpeedColumn, which has no binary units, in byte_sizes.rate's: `5.0 KiB/s`, `12 MiB/s`."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("?" if speed is None else rate(speed), style="progress.data.speed")


def _log_lines(bar: Progress, clock: Callable[[], float]) -> Callable[[bool], None]:
    """`log(going)`, to call after each update: into a log (a batch job's file, `| tee`, a notebook's subprocess) or
    a dumb terminal, where rich shows a bar only as it ends (an hour's run said nothing for an hour), it prints the
    bar's line if LOG_EVERY s have passed since the last and the bar is `going` (not at its end, which rich prints)."""
    if _redrawn(bar.console):
        return lambda going: None
    last = [clock()]

    def log(going: bool) -> None:
        if going and clock() - last[0] >= LOG_EVERY:
            last[0] = clock()
            _print_plain(bar)
    return log


def _redrawn(console: Console) -> bool:
    """Whether the bar is redrawn in place: a terminal rich may move the cursor in, or a notebook (rich's widget)."""
    return console.is_interactive or console.is_jupyter


def _print_plain(bar: Progress) -> None:
    """The bar's line as a log keeps it: its text alone, without the styles or the spaces rich pads it with to the
    console's width (80 columns, or COLUMNS: a log's every line ended in up to 120 blanks)."""
    for line in bar.console.render_lines(bar.make_tasks_table(bar.tasks), pad=False):
        bar.console.out("".join(segment.text for segment in line).rstrip(), highlight=False)


@contextlib.contextmanager
def _cleared_on_error(bar: Progress):
    """`bar`, started; if an exception ends it, it is cleared, so the error's line is the only one
    (where stderr is no terminal, a log, rich would still end the bar with an empty line)."""
    console, quiet = bar.console, bar.console.quiet
    plain = not _redrawn(console)
    bar.live.transient = bar.live.transient or plain  # rich's last line, padded, and a blank one in a dumb terminal
    try:
        with bar:
            try:
                yield bar
            except BaseException:
                _clear(bar)
                raise
            if plain:  # its last state, as rich would have printed it (no line where _clear quieted it), and no
                _print_plain(bar)  # empty line below, which rich's Progress.stop prints
                console.quiet = True
    finally:
        console.quiet = quiet


def _clear(bar: Progress) -> None:
    """Have `bar`, as it stops, erase itself from a terminal, and write nothing to a log."""
    bar.live.transient = True
    bar.console.quiet = bar.console.quiet or not (bar.console.is_terminal and bar.console.is_interactive)
