"""Stopping a run once its picture no longer changes (`stylize --tolerance`; `sweep --tolerance` stops each
tile so, sweep.py), and what a run that stopped early took, so that its command makes it again.

The test is on the total loss of the final scale, every `WINDOW` steps: at a step that is a multiple of
it, the run has converged when the loss fell by less than `tolerance` (relative) since `WINDOW` steps
before. The CLI's progress callback (job.py) asks it and answers True, which stops the run
(`transfer.run`). The same steps are tested whatever the loop (the scan loop reports at least every
`WINDOW` steps for it), so a run and its `jaxart info --command` stop at the same step.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from jaxart import scales
from jaxart.config import StyleConfig
from jaxart.errors import InputError, as_typed

WINDOW = 10  # steps; the scan loop's default chunk, so it reports no more often for it than without


def check_tolerance(tolerance) -> float:
    """`tolerance` as a float, or a ValueError naming what a tolerance may be: 0 (off) up to below 1."""
    good = isinstance(tolerance, numbers.Real) and not isinstance(tolerance, bool) and math.isfinite(tolerance)
    if not good or not 0 <= tolerance < 1:
        why = "is not a finite number" if not good else "is negative" if tolerance < 0 else "stops every run at once"
        raise InputError(f"tolerance {as_typed(tolerance)} {why}: give a relative fall of the loss per {WINDOW} "
                         "steps from 0 (off) to below 1, e.g. tolerance=0.001 (stop once it falls by less than 0.1%)",
                         settings=["tolerance"])
    return float(tolerance)


def first_step(config: StyleConfig) -> int:
    """The steps before the final scale (0 for one scale): an earlier scale's loss, at another size,
    is not compared, and no plateau there stops the run with a small image."""
    return scales.total_steps(config) - scales.schedule(config)[-1][1]


def can_stop(config: StyleConfig) -> bool:
    """Whether a tolerance can stop `config`'s run at all: its test compares two tested steps `WINDOW` apart within
    the final scale, the later one before the last step (a run that converged at its last step ran every step)."""
    since = first_step(config)
    return (since // WINDOW + 2) * WINDOW < scales.total_steps(config)


def check_can_stop(config: StyleConfig, tolerance: float) -> None:
    """Refuse a `tolerance` that cannot stop `config`'s run (`can_stop`), naming the steps that let it: a final
    scale of fewer than 21 steps ran every step, the tolerance silently ignored."""
    if not tolerance or can_stop(config):
        return
    first, last = (first_step(config) // WINDOW + 2) * WINDOW, scales.total_steps(config)
    if config.scale_steps:  # the last scale's count raised; `since` stays
        counts = (*config.scale_steps[:-1], first + 1 - first_step(config))
        fix = f"steps={','.join(map(str, counts))} (or more in the last scale)"
    else:  # one count for every scale: more of them put the final scale later too
        n = next(n for n in range(config.steps + 1, config.steps + 2 * WINDOW + 2)
                 if can_stop(config.replace(steps=n)))
        fix = f"steps={n} or more"
    raise InputError(f"tolerance {as_typed(tolerance)} can never stop this run: the loss is compared every "
                     f"{WINDOW}th step with the one {WINDOW} before{' in the last scale' * bool(first_step(config))}, "
                     f"the first time at step {first}, which must come before the run's last step (now {last}); "
                     f"give {fix}, or drop tolerance", settings=["tolerance", "steps"])


def checked(tolerance, config: StyleConfig) -> float:
    """`tolerance` as a float once `check_tolerance` and `check_can_stop` take it: a library run's (`job.stylize_files`,
    `sweep.sweep`) as the CLI's, where a tolerance that could never stop `config`'s run ran every step silently."""
    tolerance = check_tolerance(tolerance)
    check_can_stop(config, tolerance)
    return tolerance


def tested(step: int, since: int) -> bool:
    """Whether the loss at `step` is kept for the test: a multiple of `WINDOW` within the final scale,
    which begins after step `since`."""
    return step > since and step % WINDOW == 0


def converged(losses: dict[int, float], step: int, tolerance: float) -> bool:
    """Whether the total loss at `step` fell by less than `tolerance` of its value `WINDOW` steps before
    (`losses` maps tested steps to their loss). A loss that rose is not converged: an L-BFGS step
    without a line search sometimes overshoots, and the next ones fall again."""
    before, now = losses.get(step - WINDOW), losses.get(step)
    return tolerance > 0 and before is not None and now is not None and 0 <= before - now < tolerance * before


def steps_text(steps: int, total: int, stopped: bool) -> str:
    """The summary's "500 steps", or "converged at step 143 of 500" for a run its test stopped."""
    return f"converged at step {steps} of {total}" if stopped else f"{steps} step{'s' * (steps != 1)}"


def tiles_text(steps: Sequence[int], stopped: Sequence[bool], total: int) -> str:
    """A sweep summary's "200 steps", or which of its tiles the test stopped and where: "3 of 4 converged at
    steps 60-90 of 200", "all 4 converged at step 90 of 200", one tile alone as `steps_text` says of a run."""
    at = sorted({int(s) for s, stop in zip(steps, stopped) if stop})
    if not at:
        return steps_text(total, total, False)
    n, k = len(steps), sum(map(bool, stopped))
    who = "converged" if n == 1 else f"all {n} converged" if k == n else f"{k} of {n} converged"
    return f"{who} at step{f's {at[0]}-' if len(at) > 1 else ' '}{at[-1]} of {total}"


def converged_tiles(n: int, steps: Sequence[int] | None, stopped: Sequence[bool] | None,
                    config: StyleConfig) -> list[str]:
    """Each of a sweep's `n` tiles' "converged at step 20 of 40" where the test stopped it (`steps_text`, the words
    of a stylize run's summary), else "": its sheet and page say so by the tile, as its record does."""
    if steps is None or stopped is None:
        return [""] * n
    return [steps_text(int(s), scales.total_steps(config), True) if stop else "" for s, stop in zip(steps, stopped)]


def taken(config: StyleConfig, steps: int) -> StyleConfig:
    """The config of the run that `config`'s run was, stopped after `steps` steps: its schedule cut
    there (coarse to fine stopped in an earlier scale ends at that scale's size, as its image did)."""
    done = []
    for size, n in scales.schedule(config):
        if steps <= 0:
            break
        done.append((size, min(n, steps)))
        steps -= n
    if len(done) == 1:
        return scales.stage_config(config, *done[0])
    sides, counts = zip(*done)
    return config.replace(size=sides[-1], steps=sum(counts), scales=sides, start_size=None, scale_steps=counts)
