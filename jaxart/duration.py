"""How long a run will take, before it runs: measured by each run, estimated for the next from this machine's.

A run's `Watch` notes each report's time: each scale's steady seconds a step (from its first step to its last, so
not the compiled first one), and the first scale's compile before it. They are kept (timings.py), keyed by the
machine (CPU model and cores, or the accelerator), the weights' file, a sweep's batch rows and the settings a step's
seconds depend on (`settings`: BENCHMARKS.md, "What the time estimate leaves out"). A dry run, and a run as it
starts, scale the nearest size's seconds to their own sizes and steps with the progress bar's model
(`eta.step_cost`, `eta.seconds_left`): one model for both. JAX is imported only where a run, which has it
loaded, asks what it runs on.
"""

from __future__ import annotations

import contextlib
import functools
import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence

from jaxart import eta, timings
from jaxart.config import StyleConfig


def _layers(config: StyleConfig) -> str:
    return f"{','.join(config.content_layers)}; {','.join(config.style_layers)}"


def settings(config: StyleConfig, *, swept: bool = False) -> dict[str, str | bool | int]:
    """What of `config` a step's seconds depend on, as timings keep them: `--conv`, the optimizer and those that
    `timings.SETTINGS` names: the layers as "relu4_2; relu1_1,relu2_1,...", "regions" the mask's painted ones (0: no
    mask). `swept`: a sweep's, whose steps Python drives on every device (sweep.py)."""
    return {"conv": config.conv, "optimizer": config.optimizer, "remat": config.remat,
            "linesearch": config.linesearch, "loop": "python" if swept else config.loop, "layers": _layers(config),
            "regions": len(config.region_colors or ()) if config.mask else 0, "margin": config.margin}


# The settings besides `--conv` and the optimizer that change a step's seconds by more than 15% (`timings.SETTINGS`),
# as the default config has them ("auto": the device's loop, as `_loop` says): `estimate`'s where not given. A step
# at 128 px on 2 cores (BENCHMARKS.md, "What the time estimate leaves out"): --remat 1.3-1.5x, --linesearch zoom
# 2.2-2.6x (its line search's evaluation, in a while_loop: "Zoom reuses its line search's evaluation"), --loop scan
# on a CPU 2.5-3.3x, the layers up to relu3_2 0.2-0.4x (0.44x the FLOPs), a mask of 2 regions 1.18x the FLOPs (3:
# 1.32x), --margin 0 0.78x.
ALIKE = {k: v for k, v in settings(StyleConfig()).items() if k in timings.SETTINGS}


def finish(config: StyleConfig) -> float:
    """The steps that a run of `config` takes after its last one (`eta.finish_steps`): in steps of its line search,
    one final loss more where the image is not the optimized pixels (--colors keep/luminance, a kept region)."""
    return eta.finish_steps(config.linesearch, config.colors in ("keep", "luminance") or bool(config.keep_colors))


def _loop(loop: str, device: str | None) -> str:
    """The loop that `loop` runs on `device`: "auto" is Python's on a CPU, `lax.scan`'s elsewhere (optimize.py)."""
    return loop if loop != "auto" else "python" if device == "cpu" else "scan"


def _apart(kept: float, now: float) -> int:
    """How far apart two loads are, in steps of 2x in (1 + load): within 1.41x, 0. Regimes, not minutes: on 2 cores a
    busy hour's step took 0.64-0.87 s at load 5-8, a quiet one's 0.38 s at 1.1-1.5 (README, "How long"); the 1-minute
    average lags a minute's change (BENCHMARKS.md, "What the time estimate leaves out")."""
    return round(abs(math.log((1 + kept) / (1 + now))) / math.log(2))


def _at_load(runs: list[dict], load: float | None) -> list[dict]:
    """Those of `runs` at the load nearest `load` (`_apart`; None: all), in their order."""
    if load is None or not runs:
        return runs
    apart = [_apart(r["load"], load) if "load" in r else math.inf for r in runs]
    return [r for r, a in zip(runs, apart) if a == min(apart)]


class Watch:
    """`watch(step, ...)` at each report of a run of `scales` ((size, steps) each) notes when it came;
    `measured()` then gives each scale's steady seconds a step and the first scale's compile, and its "start", the
    seconds from `started` (the `clock`'s time as the command began; None: not known) to this watch."""

    def __init__(self, scales: Sequence[tuple[int, int]], clock: Callable[[], float] = time.monotonic,
                 started: float | None = None):
        self._plan, self._clock, self._start = tuple(scales) or ((0, 0),), clock, clock()
        self._started = {} if started is None else {"start": round(max(0.0, self._start - started), 3)}
        self._seen: dict[int, list] = {}  # size -> [first step, its time, last step, its time]
        self._pause: float | None = None  # from the start to the first report

    def __call__(self, step: int, *_) -> None:
        now, size = self._clock(), eta.scale_at(self._plan, step)[0]
        if self._pause is None:
            self._pause = now - self._start
        seen = self._seen.setdefault(size, [step, now, step, now])
        if step > seen[2]:  # a report of a step already seen (the bar's closing one) is not a step
            seen[2:] = step, now

    def also(self, update: Callable) -> Callable:
        """`update` (the bar's), and this watch after it."""
        def both(step, *args):
            update(step, *args)
            self(step)
        return both

    def measured(self) -> list[dict]:
        """[{"size", "per_step", "steps", and on the first scale "compile" and "start"}], for the scales with a steady
        step."""
        found = []
        for i, (size, (first, t0, last, t1)) in enumerate(self._seen.items()):
            if last > first and t1 > t0 and size > 0:
                per_step = (t1 - t0) / (last - first)
                compiled = {"compile": round(max(0.0, self._pause - 2 * per_step), 3), **self._started} if i == 0 \
                    else {}
                found.append({"size": size, "per_step": round(per_step, 5), "steps": last - first, **compiled})
        return found


def estimate(runs: Sequence[dict], scales: Sequence[tuple[int, int]], *, host: str, model: str, conv: str,
             optimizer: str, rows: int = 1, device: str | None = None, load: float | None = None,
             finish: float = eta.FINISH_STEPS, start: bool = False, **alike: str | bool | int) -> float | None:
    """Seconds a run of `scales` would take, from the `runs` (`timings.Store.runs()`) of this `host` with this
    model, conv, optimizer and `alike` (`ALIKE`'s settings, its values where not given; a timing that lacks one is
    of settings not known, and counts for none); None where there are none. `load`: the machine's now (`timings.load()`;
    None: not known). `device` None: the device of the latest such run (a dry run has not asked JAX). The
    measurements nearest the last scale's size, then in batch rows (the median of the newest three at the load
    nearest `load`) give the seconds a step; on a CPU per batch row (a batch of B costs about B tiles there:
    BENCHMARKS.md, "Sweeps: batched vs one by one"), elsewhere only a batch of the same rows counts. `finish`: the
    steps after the last (`finish`, `eta.finish_steps`). `start`: with the command's start before the run (Python's
    start and imports, where `timings.started` knows it, then importing JAX, reading the inputs, loading the weights: a
    dry run's), the median of the newest three "start"s of any size at the load nearest `load` (on 2 cores, Python's
    left out, 1.6-3.3 s at load 0.4-3.4, 2.2-4.3 s at load 9-10; Python's 1.0-1.2 s more at load 10)."""
    if unknown := alike.keys() - ALIKE.keys():
        raise TypeError(f"estimate() got settings it does not know: {', '.join(sorted(unknown))}")
    wanted = {**ALIKE, **alike}
    mine = [r for r in runs if (r["host"], r["model"], r["conv"], r["optimizer"]) == (host, model, conv, optimizer)
            and all(r.get(k) == wanted[k] for k in ALIKE if k != "loop")]
    device = device or (mine[-1]["device"] if mine else None)
    mine = [r for r in mine if r["device"] == device and (device == "cpu" or r["rows"] == rows)
            and _loop(r.get("loop"), device) == _loop(wanted["loop"], device)]
    if not mine or not scales:
        return None
    first, last = scales[0][0], scales[-1][0]

    def nearest(found):  # the newest of the nearest in size, then in rows
        return min(reversed(found), key=lambda r: (round(abs(math.log(r["size"] / last)), 3),
                                                   round(abs(math.log(r["rows"] / rows)), 3)))

    near = nearest(mine)  # the median of three of its size, which a busy minute moves less than one: of those at
    # the load nearest now's, the newest (a busy hour's three kept a quiet run's estimate 2x its time)
    alike = _at_load([r for r in reversed(mine) if (r["size"], r["rows"]) == (near["size"], near["rows"])], load)
    conv = eta.cost_conv(conv, device.split()[0])  # "auto" off a CPU is XLA's own, as in the run's bar
    cost = functools.partial(eta.step_cost, conv=conv, margin=wanted["margin"])  # the bar's, as the run's
    per_step = (statistics.median(r["per_step"] for r in alike[:3]) * cost(first) / cost(near["size"])
                * rows / near["rows"])
    compiled = [r for r in mine if "compile" in r]
    compile_s = 0.0
    if compiled:
        c = nearest(compiled)
        compile_s = c["compile"] * (first / c["size"]) ** eta.COMPILE_EXPONENT
    started = [r["start"] for r in _at_load([r for r in reversed(mine) if "start" in r], load)][:3] if start else []
    return (eta.seconds_left(scales, 0, per_step, compile_s + 2 * per_step, conv=conv, margin=wanted["margin"],
                             finish=finish) + (statistics.median(started) if started else 0.0))


@contextlib.contextmanager
def timed(scales: Sequence[tuple[int, int]], *, model: str, loaded: str, step: dict[str, str | bool | int],
          tiles: int = 1, tolerance: float = 0.0, warn: Callable[[str], None],
          say: Callable[[str], None] | None = None, finish: float = eta.FINISH_STEPS,
          started: float | None = None) -> Iterator[Watch]:
    """Within: a run of `scales` with `--model` `model` (`loaded`: the set it loaded), the `step` `settings` and
    `tiles` batched, whose reports go to the `Watch` yielded. First `say`s (None: quiet) how long it should take,
    where this machine has timed such runs (`words`; `tolerance` its `--tolerance`; `finish` the steps after the last,
    `finish`), from here on: its start is behind it. At the end, unless an exception ends it, keeps what it measured in
    `timings.path()` (`warn`: what went wrong with that file), with the seconds from `started` (`time.monotonic()` as
    the command began; None: not known), or from the process's start where it was started for the command (Python's
    start and imports too: `timings.started`), to the watch, which a dry run's estimate adds."""
    from jaxart import model_choice

    store, now = timings.Store(timings.path(), warn), timings.load()
    key = {"host": timings.host(), "device": timings.device(), "model": model_choice.timing_key(model, loaded), **step,
           "rows": timings.rows(tiles)}
    if say is not None and (text := words(estimate(store.runs(), scales, **key, load=now, finish=finish), tolerance)):
        say(text)
    watch = Watch(scales, started=None if started is None else timings.started(started))
    yield watch
    store.add(watch.measured(), **key, **({} if now is None else {"load": now}))


SOURCE = "(from your runs on this machine)"  # what every estimate is made from


def estimated(config: StyleConfig, model: str, *, warn: Callable[[str], None], rows: int = 1, tolerance: float = 0.0,
              after: int = 0, swept: bool = False) -> str | None:
    """"about 4 min (from your runs on this machine)" for a run of `config` with `model` (`--model`'s) in `rows`
    batch rows (`swept`: a sweep's; "at most" with a `tolerance`: `words`), or "no timing yet of such a run on this
    machine"; for "auto" before vgg19 is installed, each set it may take: "no timing yet with vgg19, about 2 min with
    vgg16-hed (from your runs on this machine)". Resumed at step `after` (0: from the start), the steps left come
    first: "25 steps left, about 3 min (...)". None where none are kept (JAXART_CACHE_DIR=off). A damaged timings
    file is one `warn`ing, and nothing said. Imports no JAX: a dry run says it. The time is the command's: its start
    (Python on Linux, JAX, the inputs, the weights), the run, its end (`finish`)."""
    from jaxart import model_choice, scales

    if (where := timings.path()) is None:
        return None
    store, left, now = timings.Store(where, warn), scales.left(scales.schedule(config), after), timings.load()
    runs, here, step = store.runs(), timings.host(), settings(config, swept=swept)
    took = {name: estimate(runs, left, host=here, model=key, rows=rows, load=now, finish=finish(config), start=True,
                           **step)
            for name, key in model_choice.timing_keys(model).items()}
    if store.failed:
        return None
    if all(s is None for s in took.values()):
        said = "no timing yet of such a run on this machine"
    elif len(took) == 1:
        said = words(*took.values(), tolerance)
    else:
        each = (f"{'no timing yet' if s is None else amount(s, tolerance)} with {name}" for name, s in took.items())
        said = f"{', '.join(each)} {SOURCE}"
    steps = sum(n for _, n in left)
    return f"{steps} step{'s' * (steps != 1)} left, {said}" if after else said


def words(seconds: float | None, tolerance: float = 0.0) -> str | None:
    """"about 40 s (from your runs on this machine)", "about 4 min (...)", from 90 min in hours, "about 2.5 h (...)";
    None for None. With a `tolerance` (`--tolerance`), which may stop the run at any tenth step of its last scale,
    "at most about 4 min (...)": the estimate is of every step (BENCHMARKS.md, "What the time estimate leaves out")."""
    return None if seconds is None else f"{amount(seconds, tolerance)} {SOURCE}"


def amount(seconds: float, tolerance: float = 0.0) -> str:
    """`words` without its `SOURCE`: "about 4 min", "at most about 4 min"."""
    if seconds < 90:
        spent = f"{max(5, round(seconds / 5) * 5)} s"
    elif seconds < 90 * 60:
        spent = f"{round(seconds / 60)} min"
    else:  # "about 437 min" of a night's run at print size was a sum to do
        spent = f"{seconds / 3600:.1f}".removesuffix(".0") + " h"
    return f"{'at most ' * (tolerance > 0)}about {spent}"
