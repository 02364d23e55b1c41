"""Coarse to fine: optimize at a small size, upsample the result, continue at the next size.

Each scale is one ordinary run at that size (`transfer.run_scale`): targets are recomputed from the
photo and paintings resized to it, and the loss compiles once for its shape. The first scale starts from
`config.init`, every later one from the previous result upsampled to its shape. Step numbers in
progress reports run over all scales, so a bar or a checkpoint sees one run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import guided, margin
from jaxart.checkpoint import Checkpoint
from jaxart.config import INT32_MAX, SMALLEST, StyleConfig
from jaxart.errors import InputError, NonFiniteLossError, listed
from jaxart.image import fit
from jaxart.vgg import Weights

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
            raise InputError(f"the last scale {scales[-1]} differs from size {config.size}; end --scales at --size", settings=["size"])
    if start is not None and (not isinstance(start, int) or not SMALLEST <= start <= config.size):
        raise InputError(f"start size {start!r} must be a whole number from {SMALLEST} to size {config.size}", settings=["start_size", "size"])
    if steps is not None:
        check_counts(steps)
        if scales is None and start is None:
            raise InputError(f"{len(steps)} step counts need scales or start size; give one steps number", settings=["scales", "start_size", "steps"])
        schedule(config)  # it checks that the counts match the scales


def check_counts(steps: Sequence[int], total: int | None = None) -> None:
    """Raise a ValueError naming the first of `steps` (counts per scale) that is not a positive integer up to
    INT32_MAX, or their `total` beyond it."""
    bad = [n for n in steps if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= INT32_MAX]
    if bad:
        raise InputError(f"steps {listed(steps)}: {bad[0]!r} is not a positive integer up to {INT32_MAX}", settings=["steps"])
    if total is not None and total > INT32_MAX:
        raise InputError(f"steps {listed(steps)} add up to {total}, more than {INT32_MAX}", settings=["steps"])


def check_sides(scales: Sequence[int]) -> None:
    """Raise a ValueError unless `scales` are whole numbers of pixels from SMALLEST to INT32_MAX. StyleConfig.validate
    asks first when the size is the last scale (--scales without --size), so its refusal names --scales, not size."""
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


def deepest(config: StyleConfig) -> tuple[str, int]:
    """The deepest layer the loss reads and the short side it needs: after k poolings a side
    shorter than 2**k px is empty, and the loss NaN."""
    pools = lambda n: int(n[4]) - (not n.startswith("pool"))  # noqa: E731
    layer = max(config.content_layers + config.style_layers, key=pools)
    return layer, 2 ** pools(layer)


LARGE = 8192  # long sides beyond which size advice is no help: the image would not fit in memory


def least_size(photo: Sequence[int], short: int) -> int:
    """The smallest long side at which a photo of (height, width) `photo` is `short` px or more on
    its short side, as `image.resized` sizes it."""
    n = max(1, int((short - 0.5) * max(photo[:2]) / min(photo[:2])) - 1)
    while min(fit(photo, n)) < short:
        n += 1
    return n


def check_photo(config: StyleConfig, photo: Sequence[int], flag: str = "--size") -> None:
    """Refuse a photo of (height, width) `photo` that the first (smallest) scale would make too small
    for the deepest layer, naming the option that sets that scale (`flag` for the size) and the
    least value that works; later scales are larger, so they pass if it does."""
    layer, need = deepest(config)
    first = sizes(config)[0]
    h, w = fit(photo, first)
    if min(h, w) >= need:
        return
    least = max(SMALLEST, least_size(photo, need))
    if config.scales:
        at, fix = f"--scales {first}", f"give --scales values of {least} or more"
    elif first < config.size:  # the first of --start-size's doublings
        at = f"--start-size {first}"
        fix = f"use --start-size{'' if least <= config.size else f' and {flag}'} {least} or more"
    else:
        at, fix = f"{flag} {first}", f"use {flag} {least} or more"
    if least > LARGE:  # a strip of a photo: no size that would fit it in memory helps
        fix = f"crop the photo nearer to square (it is {photo[1]}x{photo[0]} px; {fix})"
    raise InputError(f"at {at} the photo is {w}x{h} px, too small for layer {layer}, which needs at least {need} px "
                     f"on the short side; {fix}, or shallower layers")


def size_options(config: StyleConfig, side: int, flag: str = "--size") -> str:
    """The options that make `config`'s last scale `side` px, as advice: the last of --scales
    (dropping any scale not below it), or `flag`, with --start-size and --steps where they must
    change too (one count per scale left: the last scale keeps its own)."""
    if config.scales:
        new = config.replace(size=side, scales=(*[s for s in config.scales[:-1] if s < side], side))
        options = f"--scales {','.join(map(str, new.scales))}"
    else:
        new = config.replace(size=side, start_size=config.start_size and min(config.start_size, side))
        options = f"{flag} {side}" + (f" --start-size {side}" if new.start_size != config.start_size else "")
    count = len(sizes(new))
    if config.scale_steps and count != len(config.scale_steps):
        return options + f" --steps {','.join(map(str, config.scale_steps[:count - 1] + config.scale_steps[-1:]))}"
    if config.scales:
        return options + " or a smaller last scale (and --size to match, if given)"
    return options + (" or smaller" if not (config.start_size or config.scale_steps) else "")


def upsample(image: ArrayLike, shape: Sequence[int]) -> jax.Array:
    """Bicubic resize of an (h, w, 3) image in [0, 1] to `shape` (H, W, 3), clipped to [0, 1]."""
    x = jnp.asarray(image, jnp.float32)
    return jnp.clip(jax.image.resize(x, tuple(shape), method="cubic"), 0.0, 1.0)


def stage_config(config: StyleConfig, size: int, steps: int) -> StyleConfig:
    """The single-scale config of one scale."""
    return config.replace(size=size, steps=steps, scales=None, start_size=None, scale_steps=None)


def _held(ckpt: Checkpoint) -> tuple[int, ...]:
    """The shape of the image `ckpt` holds in its margin: a Carry flattens to its params first."""
    return tuple(ckpt.leaves[0].shape) if ckpt.leaves else ()


def resumed_scale(config: StyleConfig, photo: Sequence[int], ckpt: Checkpoint) -> int:
    """The index in `schedule(config)` of the scale whose image (of a photo of shape `photo`) `ckpt`
    holds, in its margin. The CLI asks before its warnings about the run's sizes, `run` as it starts.

    Raises:
      InputError: the image is of no scale: `config` is not the one `ckpt` was made with (the CLI's
        is its own, so there the file was edited).
    """
    held = _held(ckpt)
    framed = [margin.padded_shape((*fit(photo, s), 3), config.margin) for s, _ in schedule(config)]
    if held not in framed:
        shown = f"a {held[1]}x{held[0]} image (margin included)" if len(held) == 3 else f"an array of shape {list(held)}"
        raise InputError(f"checkpoint holds {shown}, which is no scale of {list(sizes(config))} for this photo; it "
                         "was made with another config, or edited or damaged: resume it with the config it was "
                         "made with, or start the run again")
    return framed.index(held)


def run(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig,
    callback: Callable | None = None,
    every: int | None = None,
    resume: Checkpoint | None = None,
    x0: ArrayLike | None = None,
):
    """`transfer.run` over every scale of `schedule(config)`; returns the last scale's `Outcome` (or that
    of the scale whose callback asked to stop) with the steps and seconds of all scales. `config` is validated
    as a whole (`transfer.run`), not each scale: a painting that `style_scale` takes below 16 px at a small
    scale is enlarged to that (`image.painting_side`), as README says, not refused.

    `resume` continues a checkpoint taken at any scale: the scale is the one whose image shape
    the checkpoint holds; earlier scales are skipped. `x0`, of the last scale's shape, is resized
    to the first scale's to start it.
    """
    from jaxart import transfer  # transfer.run hands multi-scale configs to this function

    start = time.perf_counter()
    plan = schedule(config)
    total = sum(n for _, n in plan)
    content = np.asarray(content)
    shapes = [(*fit(content.shape, s), 3) for s, _ in plan]  # the shapes image.resized gives
    first = 0
    if resume is not None:
        first = resumed_scale(config, content.shape, resume)
    offset = sum(n for _, n in plan[:first])
    image, steps = None, offset
    if x0 is not None and tuple(np.shape(x0)) != shapes[-1]:  # checked on resume too, as at one scale
        raise ValueError(f"starting image is {tuple(np.shape(x0))}, the resized photo {shapes[-1]}; "
                         "give x0 the photo's shape at the last scale")
    if x0 is not None and resume is None:
        image = jnp.asarray(x0, jnp.float32)
    masks = [None] * len(plan)
    if config.mask is not None:  # read once, not at every scale: 1.2-1.7 s and ~300 MiB each for 12 megapixels
        masks[first:] = guided.scaled_masks(config, shapes[first:], len(styles))
    for i in range(first, len(plan)):
        size, n = plan[i]
        report = None if callback is None else lambda p, o=offset: callback(p._replace(step=p.step + o, steps=total))
        x0 = None if image is None else upsample(image, shapes[i])
        try:
            outcome = transfer.run_scale(content, styles, weights=weights, config=stage_config(config, size, n),
                                         callback=report, every=every, resume=resume if i == first else None, x0=x0,
                                         offset=offset, masks=masks[i])
        except NonFiniteLossError as e:
            raise NonFiniteLossError(f"{e} (scale {size} px)", image=e.image, step=e.step + offset) from None
        # The next scale continues the optimized pixels, not the image the colour mode finishes
        # them to: "keep" would restart from the photo's chroma, "luminance" from a clamped luminance.
        image, steps, offset = outcome.pixels, offset + outcome.steps, offset + n
        if outcome.stopped:  # the callback's answer: no later scale runs, the image is this one's
            break
    return outcome._replace(steps=steps, seconds=time.perf_counter() - start)
