"""The objective of a stylization (Gatys et al. 2015): the targets a photo and paintings give,
and the weighted content + style + TV loss of an image against them. Pure and jittable; the
driver that minimizes it is `jaxart.transfer`."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import guided, losses, optimize
from jaxart.config import StyleConfig
from jaxart.vgg import Weights, check_pixels, compute_dtype, features


class Targets(NamedTuple):
    """What the output should match, from `make_targets`: `content` maps each content layer to its
    (h, w, C) activation, `grams` each style layer to its (C, C) Gram, (R, C, C) with region
    `masks` ((R, h, w) in [0, 1] per style layer; else None). A pytree: it passes through jit."""

    content: dict[str, jax.Array]
    grams: dict[str, jax.Array]  # (C, C) per layer; (R, C, C) with region masks
    masks: dict[str, jax.Array] | None = None  # (R, h, w) per style layer: spatial control (guided.py)


class LossWeights(NamedTuple):
    """The loss weights as traced values, so one compiled loss serves (and vmaps over) many.

    `total_loss` also takes a plain (content, style, tv) tuple or list, in this order."""

    content: jax.Array
    style: jax.Array
    tv: jax.Array

    @classmethod
    def of(cls, config: StyleConfig) -> "LossWeights":
        """`config`'s three weights as float32 scalars; one traced (`config.replace(style_weight=s)`
        under `jax.vmap`) stays traced, where np.float32 of it raised a TracerArrayConversionError."""
        def weight(v):
            if isinstance(v, jax.core.Tracer):
                return jnp.asarray(v, jnp.float32)
            with np.errstate(over="ignore"):  # an overflow to inf is reported by name if it bites
                return jnp.asarray(np.float32(v))
        return cls(*(weight(getattr(config, f"{n}_weight")) for n in cls._fields))


def as_paintings(styles) -> list:
    """`styles` as a list of paintings: one painting alone (an array that is no (N, h, w, 3) stack,
    or nested lists of numbers three deep) is a list of one; a list of arrays is several (np.ndim
    would fail on ones of different sizes)."""
    if not isinstance(styles, (list, tuple)):
        return [styles] if np.ndim(styles) != 4 else list(styles)
    depth, x = 0, styles
    while isinstance(x, (list, tuple)) and x:
        depth, x = depth + 1, x[0]
    return [styles] if depth == 3 and np.ndim(x) == 0 else list(styles)


def make_targets(
    weights: Weights, content: ArrayLike, styles: Sequence[ArrayLike], config: StyleConfig,
    masks: ArrayLike | None = None,
) -> Targets:
    """Content activations of `content` and the blended style Grams of `styles`, computed once.

    With (R, H, W) region `masks` (one per style, at the content's H, W), each style's Grams are
    kept apart, (R, C, C), for the guided style loss of its region. One painting may be given
    alone, without a list. Pure and jittable (`config` static); `compute_targets` gives the same
    in less memory (by XLA's convolutions).

    Args:
      weights: a `Weights`.
      content: (H, W, 3) RGB photo, floats in [0, 1] (values are not checked: see `features`).
      styles: (h, w, 3) RGB paintings in [0, 1], any sizes; or one painting alone.
      config: its layers, pooling, convolutions and `style_blend` are read.
      masks: optional (R, H, W) region masks in [0, 1], R = len(styles).

    Returns:
      A `Targets`: `content` maps each content layer to its (h, w, C) activation; `grams` each
      style layer to the blended (C, C) Gram, or (R, C, C) with `masks`; `masks` maps each style
      layer to (R, h, w) masks at its resolution (None without `masks`). In
      `vgg.compute_dtype(weights)`.

    Raises:
      ValueError: at trace time, for a photo or painting that is not one (H, W, 3) float image
        (a batch: `jax.vmap`) or is too small for the deepest layer, `masks` of another shape,
        or a layer the weights' architecture lacks.
    """
    styles = as_paintings(styles)
    _check_inputs(content, styles, masks)
    grams = [_style_grams(weights, s, config) for s in styles] if config.style_layers else []
    return _targets(weights, _content_features(weights, content, config), grams, config, masks)


def compute_targets(
    weights: Weights, content: ArrayLike, styles: Sequence[ArrayLike], config: StyleConfig,
    masks: ArrayLike | None = None,
) -> Targets:
    """`make_targets`, one image per compiled program (compiled once per shape), so that its peak
    memory is that of the largest image's VGG pass, not of all the images' at once.

    These programs run once per run, so they take XLA's own convolutions whatever `config.conv`
    says: Winograd's transforms made each compile 2-4 s longer at 256 px, more than they could
    save (BENCHMARKS.md, "What a run compiles"). The values agree to float32 rounding (about 1e-5
    relative)."""
    config = config.replace(conv="direct")
    styles = as_paintings(styles)
    _check_inputs(content, styles, masks)
    content_program, grams_program = _programs()
    grams = [grams_program(weights, s, config) for s in styles] if config.style_layers else []
    return _targets(weights, content_program(weights, content, config), grams, config, masks)


def _check_inputs(content: ArrayLike, styles: Sequence[ArrayLike], masks: ArrayLike | None) -> None:
    """A batch of photos or paintings gave a batch of losses, and masks of another count or shape
    than the paintings and the photo were matched silently or failed deep inside."""
    for what, image in (("content", content), *(("painting", s) for s in styles)):
        if np.ndim(image) != 3:
            raise ValueError(f"the {what} must be one (H, W, 3) image, got shape {np.shape(image)}; "
                             "jax.vmap over a batch instead")
    if masks is not None and (np.ndim(masks) != 3 or np.shape(masks) != (len(styles), *np.shape(content)[:2])):
        raise ValueError(f"masks must be (R, H, W) = {(len(styles), *np.shape(content)[:2])}, one per painting "
                         f"at the content's height and width, got shape {np.shape(masks)}")


def _content_features(weights: Weights, content: ArrayLike, config: StyleConfig) -> dict[str, jax.Array]:
    if not config.content_layers:
        return {}
    return features(weights, content, config.content_layers, config.pooling, conv=config.conv)


def _style_grams(weights: Weights, style: ArrayLike, config: StyleConfig) -> dict[str, jax.Array]:
    f = features(weights, style, config.style_layers, config.pooling, conv=config.conv)
    return {k: losses.gram(v) for k, v in f.items()}


def _targets(weights, content: dict, grams: list[dict], config: StyleConfig, masks) -> Targets:
    if masks is not None and config.style_layers:
        stacked = {k: jnp.stack([g[k] for g in grams]) for k in config.style_layers}
        return Targets(content, stacked, guided.layer_masks(weights, masks, config.style_layers, config.pooling))
    return Targets(content, losses.blend_grams(grams, config.style_blend) if config.style_layers else {})


def total_loss(
    weights: Weights, image: ArrayLike, targets: Targets, config: StyleConfig,
    lw: LossWeights | Sequence[ArrayLike],
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Weighted content + style + TV loss of an image against `targets` (Gatys et al. 2015).

    Under `jax.jit`, pass `config` as static (`static_argnums=3`, or close over it): it is a
    dataclass of layer names and settings, not arrays; pass `loss_config(config)`, so that configs
    differing only in loss weights, steps or seed share one compiled loss. `weights`, `image`, `targets` and `lw`
    may all be traced, and `jax.vmap` can map over `image` or `lw`.

    Args:
      weights: a `Weights`.
      image: (H, W, 3) float RGB in [0, 1]; as in `features`, values are not checked (0..255
        floats give a wrong loss, not an error: divide by 255).
      targets: from `make_targets` (or `objective.compute_targets`) with this `config`'s layers.
      config: the layers, their weights, pooling and convolutions; its `*_weight` fields are not
        read here, `lw` gives them.
      lw: the content, style and TV weights, each a scalar (maybe traced): `LossWeights.of(config)`,
        a (content, style, tv) tuple or list, or `LossWeights(*row)` of a (3,) array. No default:
        the config's weights are not read here (`loss_config` resets them).

    Returns:
      (total, terms): the weighted scalar, and a dict of the unweighted "content", "style" and
      "tv" terms, all in `vgg.compute_dtype(weights)`: float32 for loaded weights, float64 for
      float64 weights (with `jax_enable_x64`), whatever the dtypes of `image` and `lw`.

    Raises:
      ValueError: at trace time, for an image that is not one (H, W, 3) float array (a batch:
        `jax.vmap`), targets of other layers or shapes than `config`'s, or a weight in `lw` that
        is not a scalar (to sweep weights, `jax.vmap` over them).
      TypeError: `lw` or `targets` of another type, None included.
    """
    lw = _loss_weights(lw)
    _check_targets(targets, config)
    image = jnp.asarray(image)
    check_pixels(image.dtype)
    if image.ndim != 3:
        raise ValueError(f"total_loss takes one (H, W, 3) image, got shape {image.shape}; jax.vmap it over a batch")
    dtype = compute_dtype(weights)
    image = image.astype(dtype)  # as features computes: float64 or bfloat16 pixels stay in step
    layers = tuple(dict.fromkeys(config.content_layers + config.style_layers))
    f = features(weights, image, layers, config.pooling, remat=config.remat, conv=config.conv)
    zero = jnp.zeros((), dtype)
    terms = {
        "content": sum((losses.content_loss(f[k], t) for k, t in targets.content.items()), zero)
        / max(1, len(targets.content)),
        "style": _style_loss(f, targets, config) if targets.grams else zero,
        "tv": losses.tv_loss(image),
    }
    # In the loss's dtype: float32 LossWeights.of against a float64 loss, under strict promotion.
    lw = LossWeights(*(jnp.asarray(v, dtype) for v in lw))
    total = lw.content * terms["content"] + lw.style * terms["style"] + lw.tv * terms["tv"]
    return total, terms


def _loss_weights(lw) -> LossWeights:
    """`lw` as LossWeights, from a plain 3-tuple or list in (content, style, tv) order; anything
    else, None too (the config's weights are not read here), is a TypeError naming LossWeights,
    where both failed with an AttributeError on 'content'. Each weight must be a scalar: a batch
    of them broadcast the total to a batch that `jax.grad` then refused without naming `lw`."""
    if not isinstance(lw, LossWeights):
        if not (isinstance(lw, (tuple, list)) and len(lw) == 3):
            got = (f"an array of shape {np.shape(lw)}, so unpack it: jaxart.LossWeights(*lw)"
                   if hasattr(lw, "shape") and hasattr(lw, "dtype") else type(lw).__name__
                   + (f" of length {len(lw)}" if isinstance(lw, (tuple, list)) else ""))
            raise TypeError(f"total_loss's lw must be a jaxart.LossWeights, e.g. jaxart.LossWeights.of(config), or a "
                            f"(content, style, tv) tuple, got {got}; the config's *_weight fields are not read here")
        lw = LossWeights(*lw)
    for name, v in zip(LossWeights._fields, lw):
        if np.shape(v) != ():
            raise ValueError(f"total_loss's {name} weight has shape {np.shape(v)}; each weight is a scalar, so "
                             "jax.vmap the loss over a batch of weights")
    return lw


def _check_targets(targets: Targets, config: StyleConfig) -> None:
    """Targets of other layers than `config`'s gave a KeyError, or left a layer silently out; a dict
    or tuple failed on `.content`."""
    if not isinstance(targets, Targets):
        raise TypeError(f"targets must be a jaxart.Targets, from make_targets (or Targets(content, grams)), got "
                        f"{type(targets).__name__}")
    for kind, held, named in (("content", targets.content, config.content_layers),
                              ("style", targets.grams, config.style_layers)):
        if set(held) != set(named):
            raise ValueError(f"targets hold {kind} layers {sorted(held)}, the config names {sorted(named)}; "
                             "make the targets with this config (make_targets)")


def loss_function(weights: Weights, targets: Targets, config: StyleConfig, lw: LossWeights):
    """`image -> (total, terms)` as a `jax.tree_util.Partial`: its arrays are pytree leaves, so
    jitted code that takes it as an argument gets weights and targets as inputs, not constants."""
    return jax.tree_util.Partial(_LossOfImage(loss_config(config)), weights, targets, lw)


def loss_config(config: StyleConfig) -> StyleConfig:
    """`config` with the settings the loss never reads (or reads as the traced `lw`) reset, so
    runs that differ only in them share one compiled step and one compiled target computation."""
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


@functools.cache
def _programs() -> tuple[Callable, Callable]:
    # `compute_targets`' programs: the photo's content features and a painting's Grams. Made on
    # first use (the options need the backend), compiled once per shape for every run, with the
    # optimizer's options: on CPU the memory-optimized scheduler, without which they held a fifth
    # more at once (BENCHMARKS.md, "Memory of a whole run").
    options = optimize.compiler_options()
    return (jax.jit(_content_features, static_argnums=2, compiler_options=options),
            jax.jit(_style_grams, static_argnums=2, compiler_options=options))
