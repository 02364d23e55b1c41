"""Style transfer (Gatys et al. 2015): the driver that minimizes `objective`'s loss over the
pixels of a photo, from its files' pixels to the stylized image."""

from __future__ import annotations

import functools
import numbers
import os
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.typing import ArrayLike

from jaxart import checkpoint, color, guided, margin, optimize, scales, vgg
from jaxart.config import StyleConfig
from jaxart.errors import InputError, NonFiniteLossError
from jaxart.image import load_image, painting_side, resized
from jaxart.objective import LossWeights, Targets, compute_targets, loss_config, loss_function, as_paintings
from jaxart.vgg import Weights


class Progress(NamedTuple):
    step: int
    steps: int
    loss: float
    terms: dict[str, float]
    image: jax.Array
    carry: optimize.Carry | None = None  # the whole loop state, for checkpoints


class Outcome(NamedTuple):
    image: np.ndarray
    terms: dict[str, float]
    steps: int
    seconds: float
    # The optimized pixels before `color.finish` (for "keep" and "luminance" not the image): what
    # the next scale of coarse to fine continues from.
    pixels: np.ndarray | None = None


def seed_key(seed: int) -> jax.Array:
    """A PRNG key for any seed of 64 bits, the key `jax.random.PRNGKey(seed)` gives for 0 <= seed < 2**32.
    PRNGKey keeps only the low 32 bits when x64 is off: seed 2**32 started like 0, and -1 like 2**32 - 1."""
    bits = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
    return jax.random.wrap_key_data(np.array([bits >> 32, bits & 0xFFFF_FFFF], np.uint32), impl="threefry2x32")


def initial_image(content: np.ndarray, config: StyleConfig) -> jax.Array:
    """The starting pixels: the photo, seeded uniform noise, or an image file resized to fit."""
    if config.init == "content":
        return jnp.asarray(content)
    if config.init == "random":
        return jax.random.uniform(seed_key(config.seed), content.shape, jnp.float32)
    return jnp.asarray(resized(load_image(config.init), tuple(content.shape[:2])))


def run(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig = StyleConfig(),
    callback: Callable[[Progress], None] | None = None,
    every: int | None = None,
    resume: checkpoint.Checkpoint | None = None,
    x0: ArrayLike | None = None,
) -> Outcome:
    """`stylize`, returning the final loss terms, step count and wall time too.

    `callback(progress)` is called at least every `every` steps (after every step with the Python
    loop, the default on CPU; else every `config.chunk`) and at the end, with the step, loss
    terms, the image so far and the carry to checkpoint; to stop early, raise from it (the
    exception reaches the caller). `resume` continues a checkpointed run from its step (same
    inputs, config and weights give the same pixels as an uninterrupted run).
    `x0`, an (H', W', 3) image in [0, 1] of the resized photo's shape (at `config.size`), replaces
    `config.init`; with several scales it is resized to the first.
    Several scales (`config.scales`, `config.start_size`) run coarse to fine (scales.py).

    Args:
      content, styles, weights, config: as for `stylize`: an (H, W, 3) photo and (h, w, 3)
        paintings, RGB floats in [0, 1].
      callback, every, resume, x0: as above.

    Returns:
      An `Outcome`: `image`, the (H', W', 3) float32 NumPy result in [0, 1] (H', W' the photo's
      shape at `config.size`); `terms`, the final "total", "content", "style" and "tv" losses as
      floats; `steps` taken; `seconds` of wall time; `pixels`, the optimized (H', W', 3) pixels
      before `config.colors` finishes them (`finished`).
    """
    if every is not None and (not isinstance(every, numbers.Integral) or isinstance(every, bool) or every < 1):
        raise ValueError(f"every must be a whole number of steps >= 1, or None, got {every!r}")
    content, styles = _checked_image(content, "photo"), _checked_paintings(styles)
    config.validate(weights.arch, paintings=len(styles))
    x0 = None if x0 is None else _checked_image(x0, "x0")
    scales.check_photo(config, content.shape)  # every scale, before any work
    if len(scales.sizes(config)) > 1:  # scales.run calls run_scale once per scale
        return scales.run(content, styles, weights=weights, config=config, callback=callback, every=every,
                          resume=resume, x0=x0)
    return run_scale(content, styles, weights=weights, config=config, callback=callback, every=every,
                     resume=resume, x0=x0)


def prepared_targets(weights: Weights, content: np.ndarray, styles: Sequence[np.ndarray],
                     config: StyleConfig) -> Targets:
    """The targets of a prepared photo and paintings (`prepared_inputs`), with `config.mask`'s region
    masks at the photo's size where it has one: the image is optimized inside a free margin
    (margin.py), so the photo and masks get it too."""
    masks = None if config.mask is None else guided.load_masks(config, content.shape, len(styles))
    m = config.margin
    masks = None if masks is None else margin.pad(masks, m, axes=(-2, -1))
    return compute_targets(weights, margin.pad(content, m), styles, loss_config(config), masks)


def run_scale(content: np.ndarray, styles: Sequence[np.ndarray], *, weights: Weights, config: StyleConfig,
              callback: Callable[[Progress], None] | None = None, every: int | None = None,
              resume: checkpoint.Checkpoint | None = None, x0: ArrayLike | None = None, offset: int = 0) -> Outcome:
    """`run` at the single size `config.size`, of a photo and paintings `run` has checked, with a
    `config` it has validated (for a scale of coarse to fine, as a whole: scales.run, whose earlier
    scales took `offset` steps)."""
    start = time.perf_counter()
    photo, content, styles = prepared_inputs(content, styles, config)
    targets = prepared_targets(weights, content, styles, config)
    lw = LossWeights.of(config)
    fun = loss_function(weights, targets, config, lw)
    opt = optimizer(config)

    def report(step, carry):
        if callback is not None:
            terms = {k: float(v) for k, v in carry.aux.items()}
            shown = finished(carry.params, photo, config.colors)  # the output now
            callback(Progress(step, config.steps, float(carry.value), terms, shown, carry))

    x0 = starting_image(content, config, x0)
    start_carry = None if resume is None else checkpoint.restore(optimize.init_carry(fun, opt, x0), resume)
    result = optimize.minimize(
        fun, x0, opt, config.steps, project=_clip, loop=config.loop, chunk=config.chunk,
        every=every, callback=report, carry=start_carry, offset=offset,
    )
    params, steps, ok = result.params, result.steps, result.ok
    del result, start_carry  # the optimizer's state is not held while the final loss is taken
    pixels = np.asarray(margin.crop(params, photo.shape))
    image = np.asarray(color.finish(pixels, photo, config.colors))
    if not ok:
        raise NonFiniteLossError(f"the loss became NaN or inf after step {steps}; lower --style-weight or "
                                 "--learning-rate (the last finite image was kept)", image=image, step=steps)
    # Once, so by XLA's own convolutions, like the targets (objective.compute_targets).
    final, terms = _final_loss()(loss_function(weights, targets, config.replace(conv="direct"), lw), params)
    terms = {"total": float(final), **{k: float(v) for k, v in terms.items()}}
    return Outcome(image, terms, steps, time.perf_counter() - start, pixels)


def sized_inputs(content: ArrayLike, styles: Sequence[ArrayLike],
                 config: StyleConfig) -> tuple[np.ndarray, list[np.ndarray]]:
    """The photo at `config.size` and the paintings at `painting_side`, float32 in [0, 1].

    Raises:
      InputError: an input is not one (H, W, 3) float image (integer pixels included), or the resized
        photo is too small for the deepest layer `config` uses.
    """
    content, styles = _checked_image(content, "photo"), _checked_paintings(styles)
    scales.check_photo(config.replace(scales=None, start_size=None), content.shape)  # at config.size
    return resized(content, config.size), [resized(s, painting_side(np.shape(s), config.size, config.style_scale))
                                           for s in styles]


def prepared_inputs(content: ArrayLike, styles: Sequence[ArrayLike],
                    config: StyleConfig) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(photo, content, styles): the photo as `sized_inputs` gives it, which the output's colours
    may come from, and the photo and paintings the optimization sees under `config.colors`
    (`color.prepare`). `sweep` takes them as a run does."""
    photo, styles = sized_inputs(content, styles, config)
    return (photo, *color.prepare(photo, styles, config.colors))


def starting_image(content: np.ndarray, config: StyleConfig, x0: ArrayLike | None = None) -> jax.Array:
    """The pixels the optimizer starts from: `x0` (the prepared `content`'s shape) or `config.init`,
    under `config.colors` (`color.start`), inside the free margin (`margin.pad`)."""
    x0 = initial_image(content, config) if x0 is None else jnp.asarray(x0, jnp.float32)
    if x0.shape != content.shape:
        raise ValueError(f"starting image is {x0.shape}, the resized photo {content.shape}; give x0 the photo's shape")
    return margin.pad(color.start(x0, config.colors), config.margin)


def finished(params: ArrayLike, photo: np.ndarray, colors: str) -> jax.Array:
    """The output of the optimized (H + 2m, W + 2m, 3) `params`: the margin cut off and the
    colours finished from the (H, W, 3) `photo` (`color.finish`); values in [0, 1]."""
    return color.finish(margin.crop(params, photo.shape), photo, colors)


def _checked_image(image: ArrayLike, what: str) -> np.ndarray:
    """`image` as an (H, W, 3) float32 array, or an InputError naming `what` and what to give.

    Integer pixels, and floats on a 0..255 scale, are refused, not scaled: both 0..255 and
    0..65535 occur, and clipping them to [0, 1] gave an almost white result with no error.
    """
    if isinstance(image, (str, bytes, os.PathLike)):
        raise InputError(f"{what} is the path {str(image)!r}; give its pixels, jaxart.load_image(path)")
    x = np.asarray(image)
    if x.dtype == object:
        raise InputError(f"{what} is not an array of numbers; give an (H, W, 3) float array in [0, 1]")
    vgg.check_pixels(x.dtype, what)
    if x.ndim != 3 or x.shape[-1] != 3:
        hint = ("a grey image: repeat it, np.stack([x] * 3, -1)" if x.ndim == 2 else
                "a batch: give one image, x[0]" if x.ndim == 4 and x.shape[-1] == 3 else
                "with alpha: composite it or drop it, x[..., :3]" if x.ndim == 3 and x.shape[-1] == 4 else
                "give an (H, W, 3) RGB array")
        raise InputError(f"{what} has shape {x.shape}, not (H, W, 3); {hint}")
    if x.size and np.nanmax(x) > 2.0:  # 0..255 as floats; a little over 1 is only overshoot
        raise InputError(f"{what} has values up to {np.nanmax(x):g}; give floats in [0, 1] (divide by 255)")
    return x.astype(np.float32)


def _checked_paintings(styles: ArrayLike | Sequence[ArrayLike]) -> list[np.ndarray]:
    """`styles` as a list of checked (h, w, 3) paintings; one painting alone is a list of one."""
    styles = as_paintings(styles)
    if not styles:
        raise InputError("give at least one style image")
    if len(styles) == 1:
        return [_checked_image(styles[0], "painting")]
    return [_checked_image(s, f"painting {i}") for i, s in enumerate(styles, 1)]


@functools.cache
def _final_loss() -> Callable:
    # The loss of the final image, compiled once per shape for every run, with the optimizer's
    # options (on CPU the memory-optimized scheduler: BENCHMARKS.md, "Memory of a whole run").
    return jax.jit(lambda fun, x: fun(x), compiler_options=optimize.compiler_options())


def stylize(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig = StyleConfig(),
    callback: Callable[[Progress], None] | None = None,
) -> np.ndarray:
    """Paint `content` in the style of `styles` (Gatys et al. 2015).

    Args:
      content: (H, W, 3) RGB photo with values in [0, 1]; resized to `config.size` (long side).
      styles: a list of one or more (h, w, 3) RGB paintings in [0, 1] (or one painting alone),
        resized to the same long side and blended by `config.style_blend`.
      weights: a `Weights` from `jaxart.load_weights`.
      config: a `StyleConfig`.
      callback: called with a `Progress` after every step (CPU) or chunk of steps.

    Returns:
      The stylized (H', W', 3) float32 image in [0, 1].

    Example:
      >>> import jax, numpy as np, jaxart
      >>> w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
      >>> img = np.random.default_rng(0).random((24, 32, 3), dtype=np.float32)
      >>> out = jaxart.stylize(img, [img[::-1]], weights=w, config=jaxart.StyleConfig(size=32, steps=2))
      >>> out.shape, float(out.min()) >= 0.0, float(out.max()) <= 1.0
      ((24, 32, 3), True, True)
    """
    return run(content, styles, weights=weights, config=config, callback=callback).image


def optimizer(config: StyleConfig) -> optax.GradientTransformationExtraArgs:
    """The optax optimizer that `config` names, with its line search, step size and L-BFGS memory."""
    return optimize.make_optimizer(config.optimizer, learning_rate=config.learning_rate,
                                   linesearch=config.linesearch, memory=config.lbfgs_memory)


def _clip(x):
    # Pixels stay in [0, 1] by projection after every update; L-BFGS's memory is built from
    # the projected iterates (optax stores the params it is given), so it stays consistent.
    return jnp.clip(x, 0.0, 1.0)
