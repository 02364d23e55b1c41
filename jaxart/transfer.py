"""Style transfer (Gatys et al. 2015): targets from the photo and paintings, the total loss, the driver."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.typing import ArrayLike

from jaxart import checkpoint, color, losses, optimize
from jaxart import guided, margin, scales
from jaxart.config import StyleConfig
from jaxart.errors import InputError, NonFiniteLossError
from jaxart.image import load_image, resize
from jaxart.vgg import Weights, features


class Targets(NamedTuple):
    """What the output should match: content activations and (blended) style Grams."""

    content: dict[str, jax.Array]
    grams: dict[str, jax.Array]  # (C, C) per layer; (R, C, C) with region masks
    masks: dict[str, jax.Array] | None = None  # (R, h, w) per style layer: spatial control (guided.py)


class LossWeights(NamedTuple):
    """The loss weights as traced values, so one compiled loss serves (and vmaps over) many."""

    content: jax.Array
    style: jax.Array
    tv: jax.Array

    @classmethod
    def of(cls, config: StyleConfig) -> "LossWeights":
        with np.errstate(over="ignore"):  # an overflow to inf is reported by name if it bites
            return cls(*(jnp.asarray(np.float32(getattr(config, f"{n}_weight"))) for n in cls._fields))


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


def make_targets(
    weights: Weights, content: ArrayLike, styles: Sequence[ArrayLike], config: StyleConfig,
    masks: ArrayLike | None = None,
) -> Targets:
    """Content activations of `content` and the blended style Grams of `styles`, computed once.

    With (R, H, W) region `masks` (one per style, at the content's H, W), each style's Grams are
    kept apart, (R, C, C), for the guided style loss of its region.
    """
    c = features(weights, content, config.content_layers, config.pooling) if config.content_layers else {}
    grams = [
        {k: losses.gram(v) for k, v in features(weights, s, config.style_layers, config.pooling).items()}
        for s in styles
    ]
    if masks is not None and config.style_layers:
        stacked = {k: jnp.stack([g[k] for g in grams]) for k in config.style_layers}
        return Targets(c, stacked, guided.layer_masks(weights, masks, config.style_layers, config.pooling))
    return Targets(c, losses.blend_grams(grams, config.style_blend) if config.style_layers else {})


def total_loss(
    weights: Weights, image: ArrayLike, targets: Targets, config: StyleConfig, lw: LossWeights
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Weighted content + style + TV loss of an (H, W, 3) image in [0, 1]; returns (total, terms)."""
    layers = tuple(dict.fromkeys(config.content_layers + config.style_layers))
    f = features(weights, image, layers, config.pooling, remat=config.remat)
    zero = jnp.zeros((), jnp.float32)
    terms = {
        "content": sum((losses.content_loss(f[k], t) for k, t in targets.content.items()), zero)
        / max(1, len(targets.content)),
        "style": _style_loss(f, targets, config) if targets.grams else zero,
        "tv": losses.tv_loss(image),
    }
    total = lw.content * terms["content"] + lw.style * terms["style"] + lw.tv * terms["tv"]
    return total, terms


def initial_image(content: np.ndarray, config: StyleConfig) -> jax.Array:
    """The starting pixels: the photo, seeded uniform noise, or an image file resized to fit."""
    if config.init == "content":
        return jnp.asarray(content)
    if config.init == "random":
        return jax.random.uniform(jax.random.PRNGKey(config.seed), content.shape, jnp.float32)
    h, w = content.shape[:2]
    image = load_image(config.init)
    return jnp.asarray(np.asarray(resize(image, max(h, w)).resize((w, h)), np.float32) / 255.0)


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

    `resume` continues a checkpointed run from its step (same inputs, config and weights give
    the same pixels as an uninterrupted run); `callback` gets the carry to checkpoint.
    `x0`, an (H', W', 3) image in [0, 1] of the resized photo's shape, replaces `config.init`.
    Several scales (`config.scales`, `config.start_size`) run coarse to fine (scales.py).
    """
    start = time.perf_counter()
    config.validate(weights.arch)
    if len(scales.sizes(config)) > 1:  # scales.run calls this function once per scale
        return scales.run(content, styles, weights=weights, config=config, callback=callback, every=every,
                          resume=resume)
    if len(styles) == 0:
        raise InputError("give at least one style image")
    content = np.asarray(resize(np.asarray(content), config.size), np.float32) / 255.0
    styles = [np.asarray(resize(np.asarray(s), _painting_size(np.shape(s), config)), np.float32) / 255.0
              for s in styles]
    _check_deep_enough(content.shape, config)
    photo, (content, styles) = content, color.prepare(content, styles, config.colors)
    masks = None if config.mask is None else guided.load_masks(config, content.shape, len(styles))
    # The image is optimized inside a free margin (margin.py): the photo and masks get it too.
    m, shape = config.margin, content.shape
    masks = None if masks is None else margin.pad(masks, m, axes=(-2, -1))
    targets = jax.jit(make_targets, static_argnums=3)(weights, margin.pad(content, m), styles, _loss_config(config),
                                                      masks)
    lw = LossWeights.of(config)
    fun = loss_function(weights, targets, config, lw)
    opt = optimizer(config)

    def report(step, carry):
        if callback is not None:
            terms = {k: float(v) for k, v in carry.aux.items()}
            shown = color.finish(margin.crop(carry.params, shape), photo, config.colors)  # the output now
            callback(Progress(step, config.steps, float(carry.value), terms, shown, carry))

    x0 = color.start(initial_image(content, config) if x0 is None else _start(x0, shape), config.colors)
    x0 = margin.pad(x0, m)
    start_carry = None if resume is None else checkpoint.restore(optimize.init_carry(fun, opt, x0), resume)
    result = optimize.minimize(
        fun, x0, opt, config.steps, project=_clip, loop=config.loop, chunk=config.chunk,
        every=every, callback=report, carry=start_carry,
    )
    image = np.asarray(color.finish(margin.crop(result.params, shape), photo, config.colors))
    if not result.ok:
        raise NonFiniteLossError(f"the loss became NaN or inf after step {result.steps}; {_cause(config)} "
                                 "(the last finite image was kept)", image=image, step=result.steps)
    final, terms = _evaluate(fun, result.params)
    terms = {"total": float(final), **{k: float(v) for k, v in terms.items()}}
    return Outcome(image, terms, result.steps, time.perf_counter() - start)


def _check_deep_enough(shape: tuple[int, ...], config: StyleConfig) -> None:
    # A layer after k poolings of a side shorter than 2**k pixels is empty and its loss is NaN.
    layers = config.content_layers + config.style_layers
    pools = max(int(n[4]) - (not n.startswith("pool")) for n in layers)
    if min(shape[:2]) < 2**pools:
        raise InputError(f"at --size {config.size} the photo is {shape[1]}x{shape[0]} px, too small for layer "
                         f"{max(layers, key=lambda n: n[4])}, which needs at least {2**pools} px on the short side; "
                         "use a larger --size or shallower layers")


_evaluate = jax.jit(lambda fun, x: fun(x))  # one compile per shape, shared by every run


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
      styles: one or more (h, w, 3) RGB paintings in [0, 1], resized to the same long side and
        blended by `config.style_blend`.
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


def loss_function(weights: Weights, targets: Targets, config: StyleConfig, lw: LossWeights):
    """`image -> (total, terms)` as a `jax.tree_util.Partial`: its arrays are pytree leaves, so
    jitted code that takes it as an argument gets weights and targets as inputs, not constants."""
    return jax.tree_util.Partial(_LossOfImage(_loss_config(config)), weights, targets, lw)


def _loss_config(config: StyleConfig) -> StyleConfig:
    # Settings the loss never reads (or reads as the traced `lw`) are reset, so runs that differ
    # only in them share one compiled step and one compiled target computation.
    return config.replace(**{f: getattr(_DEFAULTS, f) for f in _NOT_IN_LOSS})


_DEFAULTS = StyleConfig()
_NOT_IN_LOSS = ("steps", "seed", "init", "content_weight", "style_weight", "tv_weight", "optimizer",
                "linesearch", "lbfgs_memory", "margin", "learning_rate", "loop", "chunk", "scales", "start_size",
                "scale_steps", "mask", "region_colors")


@dataclasses.dataclass(frozen=True)
class _LossOfImage:
    # Not a closure: equal configs give equal (hashable) functions, so a later run with the same
    # settings and shapes reuses the compiled step instead of compiling it again.
    config: StyleConfig

    def __call__(self, weights, targets, lw, image):
        return total_loss(weights, image, targets, self.config, lw)


def _style_loss(f, targets: Targets, config: StyleConfig) -> jax.Array:
    if targets.masks is not None:  # one style per mask region: guided Grams
        return guided.style_loss(f, targets.grams, targets.masks, config.layer_weights())
    return losses.style_loss(f, targets.grams, config.layer_weights())


def _painting_size(shape: Sequence[int], config: StyleConfig) -> int:
    """The painting's long side: `style_scale` times the output's, but at least enough for a
    16 px short side (below that, VGG's fifth block has no pixel left to take a Gram of)."""
    long, short = max(shape[:2]), min(shape[:2])
    return max(round(config.size * config.style_scale), -(-16 * long // short))


def _start(x0: ArrayLike, shape: tuple[int, ...]) -> jax.Array:
    x0 = jnp.asarray(x0, jnp.float32)
    if x0.shape != shape:
        raise ValueError(f"starting image is {x0.shape}, the resized photo {shape}; give x0 the photo's shape")
    return x0


def _cause(config: StyleConfig) -> str:
    for name in ("content_weight", "style_weight", "tv_weight"):
        if abs(getattr(config, name)) > float(np.finfo(np.float32).max):
            flag = name.replace("_", "-")
            return f"--{flag} {getattr(config, name):g} overflows float32 (largest 3.4e38); lower it"
    return "lower --style-weight or --learning-rate"


def _clip(x):
    # Pixels stay in [0, 1] by projection after every update; L-BFGS's memory is built from
    # the projected iterates (optax stores the params it is given), so it stays consistent.
    return jnp.clip(x, 0.0, 1.0)
