"""The scales of a coarse-to-fine run (coarse_to_fine.py): the long side and step count of each,
checked; every later scale starts from the previous one's result upsampled.
"""

from __future__ import annotations

from collections.abc import Sequence

from jaxart.config import SMALLEST, StyleConfig
from jaxart.config_checks import INT32_MAX
from jaxart.errors import InputError, listed

GROWTH = 1.5  # `start_size` doubles up to the size; a scale within this factor of it is skipped


def sizes(config: StyleConfig) -> tuple[int, ...]:
    """The long side of every scale, increasing, ending at `config.size`.

    `config.scales` if given; else doubling from `config.start_size` (256 -> 256, 512 for size 512,
    256, 600 for size 600: a scale within 1.5x of the size is dropped); else just `config.size`.
    """
    if config.scales:
        return tuple(config.scales)
    if not config.start_size or config.start_size >= config.size:
        return (config.size,)
    out, s = [], config.start_size
    while s * GROWTH <= config.size:
        out.append(s)
        s *= 2
    return (*out, config.size)


def check(config: StyleConfig) -> None:
    """Raise an InputError naming a bad `scales`, `start_size` or `scale_steps` of `config`."""
    scales, start, steps = config.scales, config.start_size, config.scale_steps
    if scales is not None and start is not None:
        raise InputError("give scales or start size, not both", settings=["scales", "start_size"])
    if scales is not None:
        check_sides(scales)
        if any(a >= b for a, b in zip(scales, scales[1:])):
            raise InputError(f"scales {listed(scales)} must increase, e.g. 256,512,1024", settings=["scales"])
        if scales[-1] != config.size:
            raise InputError(f"the last scale {scales[-1]} differs from size {config.size}; end --scales at --size",
                             settings=["size"])
    if start is not None and (not isinstance(start, int) or not SMALLEST <= start <= config.size):
        raise InputError(f"start size {start!r} must be a whole number from {SMALLEST} to size {config.size}",
                         settings=["start_size", "size"])
    if steps is not None:
        check_counts(steps)
        if scales is None and start is None:
            raise InputError(f"{len(steps)} step counts need scales or start size; give one steps number",
                             settings=["scales", "start_size", "steps"])
        schedule(config)  # it checks that the counts match the scales


def check_counts(steps: Sequence[int], total: int | None = None) -> None:
    """Raise a ValueError naming the first of `steps` (counts per scale) that is not a positive integer up to
    INT32_MAX, or their `total` beyond it."""
    bad = [n for n in steps if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= INT32_MAX]
    if bad:
        raise InputError(f"steps {listed(steps)}: {bad[0]!r} is not a positive integer up to {INT32_MAX}",
                         settings=["steps"])
    if total is not None and total > INT32_MAX:
        raise InputError(f"steps {listed(steps)} add up to {total}, more than {INT32_MAX}", settings=["steps"])


def check_sides(scales: Sequence[int]) -> None:
    """Raise a ValueError unless `scales` are whole numbers of pixels from SMALLEST to INT32_MAX.
    StyleConfig.validate asks first when the size is the last scale (--scales without --size), so its
    refusal names --scales, not size."""
    bad = [s for s in scales if not isinstance(s, int) or isinstance(s, bool) or not SMALLEST <= s <= INT32_MAX]
    if bad or not scales:
        raise InputError(f"scales {listed(scales)} must be whole numbers of pixels, each at least {SMALLEST} and at "
                         f"most {INT32_MAX}" + f"; {bad[0]!r} is not" * bool(bad), settings=["scales"])


def schedule(config: StyleConfig) -> tuple[tuple[int, int], ...]:
    """`(size, steps)` of every scale: `config.scale_steps` per scale, or `config.steps` at each."""
    scales = sizes(config)
    steps = config.scale_steps or (config.steps,) * len(scales)
    if len(steps) != len(scales):
        raise ValueError(f"{len(steps)} step counts for {len(scales)} scales {listed(scales)}; "
                         "give one --steps number per scale, or a single one for all")
    return tuple(zip(scales, steps))


def total_steps(config: StyleConfig) -> int:
    """Optimizer steps over all scales (what a progress bar counts to)."""
    return sum(n for _, n in schedule(config))


def left(schedule: Sequence[tuple[int, int]], step: int) -> tuple[tuple[int, int], ...]:
    """The `(size, steps)` a run of `schedule` resumed at `step` still takes: the rest of its scale, then the others."""
    rest, done = [], 0
    for size, n in schedule:
        if done + n > step:
            rest.append((size, min(n, done + n - step)))
        done += n
    return tuple(rest)


def stage_config(config: StyleConfig, size: int, steps: int) -> StyleConfig:
    """The single-scale config of one scale."""
    return config.replace(size=size, steps=steps, scales=None, start_size=None, scale_steps=None)
