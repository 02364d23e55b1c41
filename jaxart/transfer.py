"""Style transfer (Gatys et al. 2015): the driver that minimizes `objective`'s loss over the
pixels of a photo, from its files' pixels to the stylized image."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.typing import ArrayLike

from jaxart import (checkpoint, coarse_to_fine, color, inputs, kept, margin, mask_regions, optimize, optimizers,
                    photo_size, scales)
from jaxart.counts import check_count
from jaxart.config import StyleConfig
from jaxart.errors import NonFiniteLossError, given
from jaxart.finished_image import finished, in_margin
from jaxart.image import WHITE
from jaxart.objective import LossWeights, loss_config, loss_function
from jaxart.outcome import Outcome, Progress, final_terms  # transfer.Outcome, transfer.Progress too
from jaxart.resume import resumed_scale
from jaxart.targets import Targets, check_config, compute_targets
from jaxart.vgg import Weights
from jaxart.weightset import check_weights


def run(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig = StyleConfig(),
    callback: Callable[[Progress], bool | None] | None = None,
    every: int | None = None,
    resume: checkpoint.Checkpoint | None = None,
    x0: ArrayLike | None = None,
    background: Sequence[int] = WHITE,
) -> Outcome:
    """`stylize`, returning the final loss terms, step count and wall time too.

    `callback(progress)` is called at least every `every` steps (after every step with the Python
    loop, the default on CPU; else every `config.chunk`) and at the end, with the step, loss
    terms, the image so far (the callback's to keep) and the carry to checkpoint (during the callback: the next
    step donates its buffers, so a kept carry is deleted; copy it to keep it). To stop early, it returns True (a bool,
    or a NumPy or JAX boolean scalar; None or anything else goes on): the run ends at that report
    and returns that image, the loss terms of it, the steps taken and `stopped=True`; coarse to
    fine runs no later scale, so the image is of the scale it stopped at. An exception it raises
    ends the run too, and reaches the caller. `resume` continues a checkpointed run from its step (same
    inputs, config and weights give the same pixels as an uninterrupted run).
    `x0`, an (H', W', 3) image in [0, 1] of the resized photo's shape (at `config.size`), replaces
    `config.init`; with several scales it is resized to the first. `background`, 8-bit (r, g, b), is laid
    under a `config.init` image file's transparent pixels, as `load_image` lays it under the photo's.
    Several scales (`config.scales`, `config.start_size`) run coarse to fine (coarse_to_fine.py).

    Args:
      content, styles, weights, config: as for `stylize`: an (H, W, 3) photo and (h, w, 3)
        paintings, RGB floats in [0, 1].
      callback, every, resume, x0, background: as above.

    Returns:
      An `Outcome`: `image`, the (H', W', 3) float32 NumPy result in [0, 1] (H', W' the photo's
      shape at `config.size`, or at the scale a callback stopped); `terms`, the final "total",
      "content", "style" and "tv" losses of the optimized pixels as floats; `steps` taken; `seconds`
      of wall time; `pixels`, the optimized (H', W', 3) pixels before `config.colors` finishes them
      and a kept region gets the photo back (`finished`); `stopped`, whether the callback asked to
      stop; `image_terms`, the loss terms of `image` (those of `terms` unless it differs from `pixels`).
    """
    every = check_count("every", every, 1, none="as chunk")  # as minimize checks it, before the targets are computed
    _check_arguments(weights, config, callback, resume)
    content, styles = inputs.checked_image(content, "photo"), inputs.checked_paintings(styles)
    photo_size.check_small(config, content.shape)  # a size below 16 px: the least that works for this photo
    config.validate(weights.arch, paintings=len(styles))
    x0 = None if x0 is None else inputs.checked_image(x0, "x0")
    photo_size.check_photo(config, content.shape)  # every scale, before any work
    if len(scales.sizes(config)) > 1:  # coarse_to_fine.run calls run_scale once per scale, and resumed_scale first
        return coarse_to_fine.run(content, styles, weights=weights, config=config, callback=callback, every=every,
                                   resume=resume, x0=x0, background=background)
    if resume is not None:  # another size, named now: else only checkpoint.restore's shapes, after the targets
        resumed_scale(config, content.shape, resume)
    return run_scale(content, styles, weights=weights, config=config, callback=callback, every=every,
                     resume=resume, x0=x0, background=background)


def _check_arguments(weights: Weights, config: StyleConfig, callback, resume) -> None:
    """Refuse, before any work, what would fail late: weights' params alone, a config as a dict, None for
    either, or a checkpoint's path for `resume` (an AttributeError deep inside), and a callback that
    cannot be called (an error only after the targets and the first step)."""
    check_weights(weights)
    check_config(config)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function of a Progress, or None, got {given(callback)}")
    if resume is not None and not isinstance(resume, checkpoint.Checkpoint):
        raise TypeError(f"resume must be a checkpoint.Checkpoint, got {given(resume)}; for a file, "
                        "jaxart.checkpoint.load(path)")


def prepared_targets(weights: Weights, content: np.ndarray, styles: Sequence[np.ndarray],
                     config: StyleConfig, masks: ArrayLike | None = None) -> Targets:
    """The targets of a prepared photo and paintings (`inputs.prepared_inputs`), with `config.mask`'s
    region masks at the photo's size where it has one: the image is optimized inside a free margin
    (margin.py), so the photo and masks get it too. `masks`, the (R, H, W) regions at the photo's
    size already read (`mask_regions.scaled_masks`, once for every scale), else they are read here; regions
    that keep the photo, after the painted ones, have no style loss (kept.py)."""
    if masks is None and config.mask is not None:
        masks = mask_regions.load_masks(config, content.shape, len(styles))
    m = config.margin
    masks = None if masks is None else margin.pad(kept.painted(masks, len(styles)), m, axes=(-2, -1))
    return compute_targets(weights, margin.pad(content, m), styles, loss_config(config), masks)


def run_scale(content: np.ndarray, styles: Sequence[np.ndarray], *, weights: Weights, config: StyleConfig,
              callback: Callable[[Progress], bool | None] | None = None, every: int | None = None,
              resume: checkpoint.Checkpoint | None = None, x0: ArrayLike | None = None, offset: int = 0,
              masks: ArrayLike | None = None, background: Sequence[int] = WHITE) -> Outcome:
    """`run` at the single size `config.size`, of a photo and paintings `run` has checked, with a
    `config` it has validated (for a scale of coarse to fine, as a whole: coarse_to_fine.run, whose earlier
    scales took `offset` steps, and which reads the region `masks` of every scale at once)."""
    start = time.perf_counter()
    photo, content, styles = inputs.prepared_inputs(content, styles, config)
    if masks is None and config.mask is not None:
        masks = mask_regions.load_masks(config, photo.shape, len(styles))
    targets = prepared_targets(weights, content, styles, config, masks)
    keep = kept.photo_mask(masks, len(styles))
    lw = LossWeights.of(config)
    fun = loss_function(weights, targets, config, lw)
    opt = optimizer(config)

    def report(step, carry):
        if callback is not None:
            terms = {k: float(v) for k, v in carry.aux.items()}
            shown = finished(carry.params, photo, config.colors, keep)  # the output now
            if shown is carry.params:  # margin 0, no colours or kept region: the next step donates that buffer
                shown = jnp.array(shown, copy=True)  # so a callback may keep its images (frames.append(p.image))
            return callback(Progress(step, config.steps, float(carry.value), terms, shown, carry))

    x0 = inputs.starting_image(content, config, x0, background)
    start_carry = None if resume is None else checkpoint.restore(optimize.init_carry(fun, opt, x0), resume)
    result = optimize.minimize(
        fun, x0, opt, config.steps, project=clip_pixels, loop=config.loop, chunk=config.chunk,
        every=every, callback=report, carry=start_carry, offset=offset,
    )
    params, steps, ok, stopped = result.params, result.steps, result.ok, result.stopped
    overflowed = not ok and config.optimizer == "adam" and optimizers.overflowed(result.carry.opt_state)
    del result, start_carry  # the optimizer's state is not held while the final loss is taken
    pixels = np.asarray(margin.crop(params, photo.shape))
    image = np.asarray(kept.put_back(color.finish(pixels, photo, config.colors), photo, keep))
    if overflowed:  # the loss was finite: its gradient, squared, was not
        raise NonFiniteLossError(f"Adam's state overflowed after step {steps}: the gradient was too large to square in "
                                 "float32; lower style_weight (or content_weight), which learning_rate does not "
                                 "change (the last finite image was kept)", image=image, step=steps,
                                 settings=["style_weight", "content_weight", "learning_rate"])
    if not ok:  # a learning rate only where the optimizer has one: L-BFGS's steps are its line search's
        rate = " or learning_rate" * (config.optimizer == "adam")
        raise NonFiniteLossError(f"the loss became NaN or inf after step {steps}; lower style_weight{rate} (the last "
                                 "finite image was kept)", image=image, step=steps,
                                 settings=["style_weight", "learning_rate"])
    # Once, so by XLA's own convolutions, like the targets (targets.compute_targets); where the photo or its
    # chroma was put back, once more of the image written (the same compiled loss: one more evaluation).
    final = loss_function(weights, targets, config.replace(conv="direct"), lw)
    terms = final_terms(final, params)
    written = terms if np.array_equal(image, pixels) else final_terms(final, in_margin(params, image, config.colors))
    return Outcome(image, terms, steps, time.perf_counter() - start, pixels, stopped, written)


def stylize(
    content: ArrayLike,
    styles: Sequence[ArrayLike],
    *,
    weights: Weights,
    config: StyleConfig = StyleConfig(),
    callback: Callable[[Progress], bool | None] | None = None,
) -> np.ndarray:
    """Paint `content` in the style of `styles` (Gatys et al. 2015).

    Args:
      content: (H, W, 3) RGB photo with values in [0, 1], at least 2x2 pixels; resized to
        `config.size` (long side), so a smaller photo is enlarged, and blurred.
      styles: a list of one or more (h, w, 3) RGB paintings in [0, 1] (or one painting alone),
        resized to the same long side and blended by `config.style_blend`.
      weights: a `Weights` from `jaxart.load_weights`.
      config: a `StyleConfig`.
      callback: called with a `Progress` after every step (CPU) or chunk of steps; returning True
        stops the run there, with that image (`run`).

    Returns:
      The stylized (H', W', 3) float32 NumPy array in [0, 1] (H', W' the photo's shape at
      `config.size`), on the host: `stylize` and `run` drive the optimization from Python and are
      not jittable, unlike `features` and `total_loss`, which return `jax.Array`s; their result
      goes to files (`save_image`), so it is fetched from the device once, here.

    Example:
      >>> import jax, numpy as np, jaxart
      >>> w = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", widths=(4, 8, 8, 8, 8))
      >>> img = np.random.default_rng(0).random((24, 32, 3), dtype=np.float32)
      >>> out = jaxart.stylize(img, [img[::-1]], weights=w, config=jaxart.StyleConfig(size=32, steps=2))
      >>> type(out).__name__, out.dtype, out.shape, float(out.min()) >= 0.0, float(out.max()) <= 1.0
      ('ndarray', dtype('float32'), (24, 32, 3), True, True)
    """
    return run(content, styles, weights=weights, config=config, callback=callback).image


def optimizer(config: StyleConfig) -> optax.GradientTransformationExtraArgs:
    """The optax optimizer that `config` names, with its line search, step size and L-BFGS memory."""
    return optimize.make_optimizer(config.optimizer, learning_rate=config.learning_rate,
                                   linesearch=config.linesearch, memory=config.lbfgs_memory)


def clip_pixels(x: jax.Array) -> jax.Array:
    """The image `x` (any shape) with its values clipped into [0, 1]: the projection after every update."""
    # L-BFGS's memory is built from the projected iterates (optax stores the params it is given), so it stays
    # consistent.
    return jnp.clip(x, 0.0, 1.0)
