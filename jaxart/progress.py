"""Rich progress bars for the CLI: one for optimizer steps, one for downloads."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Column
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn, TransferSpeedColumn)


@contextlib.contextmanager
def steps_bar(total: int, quiet: bool = False, console: Console | None = None,
              scales: Sequence[tuple[int, int]] = (), clock: Callable[[], float] = time.monotonic,
              label: str = "stylize", mean: bool = False, conv: str = "auto", margin: int = 0,
              platform: str | None = None):
    """Yields `update(step, loss, terms)`; shows step, time, ETA, steps/s and loss terms on stderr.

    Below `COMPACT_BELOW` columns the command's name and the bar give way (the step count shows
    the progress) and the terms are abbreviated, so that in 80 columns the loss and every term
    show after the step count, elapsed time and ETA; only beyond that are the terms, being last,
    cut short. `scales`, a coarse-to-fine run's `(size, steps)` schedule, puts the current size
    before the loss and says which size compiles between scales; `label` names the command. `mean`: the
    loss is a sweep's mean over its tiles, shown as "mean loss" ("mean" where compact, which fits 80 columns).
    Steps/s counts from the current scale's first step, so compiling is not in it; the ETA
    (`seconds_left`) weights a later scale's steps by their cost at its size (`step_cost`, with the run's `conv` and
    `margin` on JAX's `platform`, None: asked here) and adds its targets and compile, and the final loss and write;
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
    console = console or Console(stderr=True)
    compact, narrow = console.width < COMPACT_BELOW, console.width < NARROW_BELOW
    columns = (
        *(() if compact else (TextColumn(f"[bold]{label}"), BarColumn(bar_width=16))), MofNCompleteColumn(),
        *(() if narrow else (TimeElapsedColumn(),)),
        *(() if console.width < NARROW_BELOW - 10 else (TextColumn("ETA {task.fields[eta]}"),)),
        *(() if narrow else (TextColumn("{task.fields[rate]}"),)),
        TextColumn("{task.fields[terms]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
    )
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
            text = _loss_text(loss, {} if narrow else terms, compact, ("mean" if compact else "mean loss") if mean
                              else "loss")
            size, following = scale_at(plan, step)
            if multi:  # after a scale's last step the next one computes its targets and compiles
                text = f"compiling {following} px" if following else f"{size} px {text}"
            now = clock()
            start, t0, pause = since.setdefault(size, (step, now, now - last[0]))
            over, last[:] = step == last[1], (now, step)
            if over:  # a step reported again: the closing report, the image written; steps/s stay the steps' own
                bar.update(task, terms=text, eta=_hms(0))
                return
            rate = (step - start) / (now - t0) if step > start and now > t0 else None
            eta = seconds_left(plan, step, 1 / rate, pause, conv=conv, margin=margin) if rate else None
            per_second = f"{rate:.2f}{'/s' if compact else ' steps/s'}" if rate else ""
            bar.update(task, completed=step, terms=text, rate=per_second, eta="-:--:--" if eta is None else _hms(eta))
            log(step < total)

        yield update
        if last[1] == total:  # its last step's ETA was the final loss and write, done now (a sweep's bar)
            bar.update(task, eta=_hms(0))


# Seconds between the lines the bar writes into a log: 120 lines for an hour's run.
LOG_EVERY = 30.0
# The full line takes up to about 118 columns, 126 with a coarse-to-fine scale's size; below this
# the compact one, which keeps the loss terms whole in 80 columns up to 9999 steps (a
# coarse-to-fine run of more than 999 loses the last characters).
COMPACT_BELOW = 128
# Below this (a phone's terminal, COLUMNS=20) rich squeezed every column to "1… 0… ETA -:--:--  …": the step
# count, the ETA (from 30 columns) and the loss alone, "120/500 ETA 0:01:05 loss 1.235", or "120/500 loss 1.235".
NARROW_BELOW = 40
_SHORT = {"content": "c", "style": "s"}


def _loss_text(loss: float, terms: dict[str, float], compact: bool, name: str = "loss") -> str:
    """The bar's `loss 1.235 (content 0.439 style 0.0773 tv 0.0124)`, compact `... (c 0.44 s 0.077 tv 0.012)`."""
    names, digits = (_SHORT, 2) if compact else ({}, 3)
    parts = " ".join(f"{names.get(k, k)} {v:.{digits}g}" for k, v in terms.items())
    return f"{name} {loss:.4g}" + (f" ({parts})" if parts else "")


def _hms(seconds: float) -> str:
    """h:mm:ss, as rich shows the elapsed time."""
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def scale_at(scales: Sequence[tuple[int, int]], step: int) -> tuple[int, int | None]:
    """The size of the scale that `step` belongs to, and the next scale's size if it is its last step."""
    done = 0
    for i, (size, n) in enumerate(scales):
        if step <= done + n:
            return size, (scales[i + 1][0] if step == done + n and i + 1 < len(scales) else None)
        done += n
    return scales[-1][0], None


# A step's time at side s goes as s**2 + FIXED_SIDE**2: a part that does not grow with the image (with `--conv auto`,
# likely Winograd's kernel transforms, done in every evaluation) weighs at small sides, so a doubling of the side
# costs 2.5x at 128 -> 256 px, 3.4x at 256 -> 512, 3.7x at 384 -> 768 and 3.8x at 512 -> 1024 (area ** 0.75, the
# model before, said 2.8x throughout; on the AMD EPYC an artist's `jaxart bench --sizes 384,768`, load 7-8, gave
# 4.27x, and a real 384 -> 768 px run 3.3x: BENCHMARKS.md, "The progress bar's ETA at print sizes").
# Fitted to `--conv auto`'s times per evaluation in BENCHMARKS.md; every ratio of two sizes below is within
# 0.89-1.22x of the model's. AMD EPYC: 0.192 / 0.444 / 1.647 s at 128 / 256 / 512 px ("Winograd in stage 2 too"),
# 0.184 / 0.487 / 1.756 s ("Winograd convolutions"), 512 -> 1024 px 3.8-4.2x ("Optimizer overhead, measured
# alone": its optimizer's ms and share of an evaluation), 256 -> 512 px 3.0-3.8x ("Issue 5 re-checked at today's
# code"). Xeon with AMX: 0.271 / 0.628 / 1.881 s at 128 / 256 / 512 px ("What a run compiles"), 256 -> 512 px
# 3.0-3.4x ("Issue 5's targets at today's code", "Compile and first-run times, re-checked", "bfloat16 gradients on
# CPUs with AMX").
FIXED_SIDE = 128
# `--conv direct` has a smaller one (no kernel transforms): with 128 its ETA from a 64 px scale was 0.44x the steps'
# time (a 256 px step weighed 4x a 64 px one; 10.3x measured). 56 px fits every ratio of two sizes of its steps and
# evaluations in BENCHMARKS.md within 0.85-1.20x: 64:128:256 px as 0.35:1:3.7 ("Coarse to fine with the L-BFGS memory
# carried across scales"), 0.182 / 0.689 / 2.483 s at 128 / 256 / 512 px ("Winograd convolutions"), 0.310 / 0.909 /
# 3.377 s ("What a run compiles"), 0.268 / 0.444 / 0.824 / 1.464 / 2.759 s at 64 / 96 / 128 / 192 / 256 px ("The
# ETA of a coarse-to-fine run with --conv direct").
FIXED_SIDES = {"direct": 56}

# Before its first step a scale computes its targets (a VGG pass of the photo and of each painting, with the
# previous scale's final loss about a step's work) and compiles its step. The compile grows 1.3-1.7x per doubling
# of the side: 2.5 -> 3.2-3.6 s at 256 -> 512 px on the Xeon ("Compile and first-run times, re-checked"), 3.0 ->
# 5.0 s on the AMD EPYC ("CPU: 2 cores (AMD EPYC, shared)"), a whole first 1-step run 1.35x ("What a run compiles").
# The run knows its own: the pause before its current scale's first step, less that step and a step of targets.
# A warm compile cache shortens it there and at the later scales alike.
COMPILE_EXPONENT = 0.5
# After its last step a run takes its final loss (a forward pass by XLA's convolutions, compiled for it) and writes
# the image: 0.6-1.3x the last step's time at 256-1024 px on the AMD EPYC, the PNG itself 0.07 / 0.37 / 2.8 s at
# 512 / 1024 / 2048 px, a tenth of a step or less (BENCHMARKS.md, "What the ETA leaves out, measured"). Counted as
# this many steps of the last scale, so that the ETA does not say 0 while the run has seconds to go.
FINISH_STEPS = 1.0


def cost_conv(conv: str, platform: str) -> str:
    """The `conv` whose `step_cost` a run of `conv` on JAX's `platform` has: "auto" is XLA's own convolutions ("direct")
    off a CPU (`convs.uses_winograd`), where none of its steps has Winograd's fixed part (unmeasured on a GPU)."""
    return "direct" if conv == "auto" and platform != "cpu" else conv


def step_cost(side: float, conv: str = "auto", margin: int = 0) -> float:
    """A step's time at `side` px by `conv`'s convolutions (a `convs.CONVS` choice; all but "direct" count Winograd's
    fixed part), in units that only a ratio of two sizes' gives meaning to. The image optimized has `margin` free
    pixels more on every side (`StyleConfig.margin`), which weigh at small sides: 16 make a 96 px photo 128 px."""
    padded, fixed = side + 2 * margin, FIXED_SIDES.get(conv, FIXED_SIDE)
    return padded * padded + fixed * fixed


def seconds_left(scales: Sequence[tuple[int, int]], step: int, per_step: float, pause: float = 0.0, *,
                 conv: str = "auto", margin: int = 0) -> float:
    """Seconds a run of `scales` ((size, steps) each) has left after `step`, its current scale's steps taking
    `per_step` s: a later scale's steps cost `step_cost` of its size (with `conv` and `margin`), and its targets and
    compile add the current scale's, from `pause` (s from the report before this scale's first one, or the bar's
    start, to that one); the final loss and write `FINISH_STEPS` steps of the last scale."""
    size = scale_at(scales, step)[0]
    compiling = max(0.0, pause - 2 * per_step)  # the pause less its first step and a step's work of targets
    done, left = 0, 0.0
    for s, n in scales:
        weight = per_step * step_cost(s, conv, margin) / step_cost(size, conv, margin)
        left += max(0, min(n, done + n - step)) * weight
        if done >= step:  # a later scale: its targets and compile first
            left += weight + compiling * (s / size) ** COMPILE_EXPONENT
        done += n
    return left + FINISH_STEPS * weight


@contextlib.contextmanager
def download_bar(name: str, quiet: bool = False, console: Console | None = None,
                 clock: Callable[[], float] = time.monotonic):
    """Yields `update(done, total)` in bytes; shows bytes, rate and ETA on stderr. A bar no byte reached
    (another process fetched the file meanwhile) is cleared when it ends: its `0/? bytes` said nothing happened."""
    if quiet:
        yield None
        return
    columns = (TextColumn(f"[bold]fetch {name}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with _cleared_on_error(Progress(*columns, console=console or Console(stderr=True))) as bar:
        task = bar.add_task(name, total=None)
        log = _log_lines(bar, clock)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)
            log(total is None or done < total)

        yield update
        if bar.tasks[0].total is None:
            _clear(bar)


def _log_lines(bar: Progress, clock: Callable[[], float]) -> Callable[[bool], None]:
    """`log(going)`, to call after each update: into a log (a batch job's file, `| tee`, a notebook's subprocess) or
    a dumb terminal, where rich shows a bar only as it ends (an hour's run said nothing for an hour), it prints the
    bar's line if LOG_EVERY s have passed since the last and the bar is `going` (not at its end, which rich prints)."""
    if bar.console.is_interactive or bar.console.is_jupyter:  # redrawn in place (a notebook: rich's own widget)
        return lambda going: None
    last = [clock()]

    def log(going: bool) -> None:
        if going and clock() - last[0] >= LOG_EVERY:
            last[0] = clock()
            bar.console.print(bar.make_tasks_table(bar.tasks))
    return log


@contextlib.contextmanager
def _cleared_on_error(bar: Progress):
    """`bar`, started; if an exception ends it, it is cleared, so the error's line is the only one
    (where stderr is no terminal, a log, rich would still end the bar with an empty line)."""
    console, quiet = bar.console, bar.console.quiet
    try:
        with bar:
            try:
                yield bar
            except BaseException:
                _clear(bar)
                raise
    finally:
        console.quiet = quiet


def _clear(bar: Progress) -> None:
    """Have `bar`, as it stops, erase itself from a terminal, and write nothing to a log."""
    bar.live.transient = True
    bar.console.quiet = bar.console.quiet or not bar.console.is_terminal


def loss_sum(terms: dict[str, float], config, written: dict[str, float] | None = None) -> str:
    """`total 0.8513 = content 0.5057 + 10 x style 0.02126 + 10 x tv 0.0133`, the loss of the image written:
    the terms are unweighted, so listed bare beside the total they read as if content outweighed style 25
    to 1, not 2.4 to 1. Where the image's loss, `written`, differs from the optimizer's `terms` (a kept
    region or --colors keep/luminance put the photo or its chroma back), both, each labelled; where they
    differ only past the digits shown (--colors luminance alone: the chroma round trip moves the 8th), one."""
    def text(terms):
        parts = [f"{'' if (w := getattr(config, f'{k}_weight')) == 1 else f'{w:g} x '}{k} {terms[k]:.4g}"
                 for k in ("content", "style", "tv")]
        return f"total {terms['total']:.4g} = " + " + ".join(parts)
    if written is None or text(written) == text(terms):
        return text(terms)
    kept, chroma = bool(getattr(config, "keep_colors", None)), getattr(config, "colors", None) in ("keep", "luminance")
    back = ("the photo's chroma and, in the kept regions, the photo were" if kept and chroma
            else "the photo was" if kept else "the photo's chroma was")
    return f"image written: {text(written)}; optimized pixels, before {back} put back: total {terms['total']:.4g}"
