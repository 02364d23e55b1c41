"""Style transfer (Gatys et al. 2015): targets from the photo and paintings, the total loss, the driver."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import checkpoint, losses, optimize
from jaxart.config import StyleConfig
from jaxart.errors import InputError, NonFiniteLossError
from jaxart.image import load_image, resize
from jaxart.vgg import Weights, features


class Targets(NamedTuple):
    """What the output should match: content activations and (blended) style Grams."""

    content: dict[str, jax.Array]
    grams: dict[str, jax.Array]


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
    weights: Weights, content: ArrayLike, styles: Sequence[ArrayLike], config: StyleConfig
) -> Targets:
    """Content activations of `content` and the blended style Grams of `styles`, computed once."""
    c = features(weights, content, config.content_layers, config.pooling) if config.content_layers else {}
    grams = [
        {k: losses.gram(v) for k, v in features(weights, s, config.style_layers, config.pooling).items()}
        for s in styles
    ]
    return Targets(c, losses.blend_grams(grams, config.style_blend) if config.style_layers else {})


def total_loss(
    weights: Weights, image: ArrayLike, targets: Targets, config: StyleConfig, lw: LossWeights
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Weighted content + style + TV loss of an (H, W, 3) image in [0, 1]; returns (total, terms)."""
    layers = tuple(dict.fromkeys(config.content_layers + config.style_layers))
    f = features(weights, image, layers, config.pooling)
    zero = jnp.zeros((), jnp.float32)
    terms = {
        "content": sum((losses.content_loss(f[k], t) for k, t in targets.content.items()), zero)
        / max(1, len(targets.content)),
        "style": losses.style_loss(f, targets.grams, config.layer_weights()) if targets.grams else zero,
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
) -> Outcome:
    """`stylize`, returning the final loss terms, step count and wall time too.

    `resume` continues a checkpointed run from its step (same inputs, config and weights give
    the same pixels as an uninterrupted run); `callback` gets the carry to checkpoint.
    """
    start = time.perf_counter()
    config.validate(weights.arch)
    if len(styles) == 0:
        raise InputError("give at least one style image")
    content = np.asarray(resize(np.asarray(content), config.size), np.float32) / 255.0
    styles = [np.asarray(resize(np.asarray(s), config.size), np.float32) / 255.0 for s in styles]
    targets = jax.jit(make_targets, static_argnums=3)(weights, content, styles, config)
    lw = LossWeights.of(config)
    fun = loss_function(weights, targets, config, lw)
    opt = optimize.make_optimizer(config.optimizer, learning_rate=config.learning_rate, linesearch=config.linesearch)

    def report(step, carry):
        if callback is not None:
            terms = {k: float(v) for k, v in carry.aux.items()}
            callback(Progress(step, config.steps, float(carry.value), terms, carry.params, carry))

    x0 = initial_image(content, config)
    start_carry = None if resume is None else checkpoint.restore(optimize.init_carry(fun, opt, x0), resume)
    result = optimize.minimize(
        fun, x0, opt, config.steps, project=_clip, loop=config.loop, chunk=config.chunk,
        every=every, callback=report, carry=start_carry,
    )
    image = np.asarray(result.params)
    if not result.ok:
        raise NonFiniteLossError(f"the loss became NaN or inf after step {result.steps}; {_cause(config)} "
                                 "(the last finite image was kept)", image=image, step=result.steps)
    final, terms = jax.jit(lambda f, x: f(x))(fun, result.params)
    terms = {"total": float(final), **{k: float(v) for k, v in terms.items()}}
    return Outcome(image, terms, result.steps, time.perf_counter() - start)


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


def loss_function(weights: Weights, targets: Targets, config: StyleConfig, lw: LossWeights):
    """`image -> (total, terms)` as a `jax.tree_util.Partial`: its arrays are pytree leaves, so
    jitted code that takes it as an argument gets weights and targets as inputs, not constants."""
    return jax.tree_util.Partial(functools.partial(_loss_of_image, config=config), weights, targets, lw)


def _loss_of_image(weights, targets, lw, image, *, config):
    return total_loss(weights, image, targets, config, lw)


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
