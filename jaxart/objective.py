"""The objective of a stylization (Gatys et al. 2015): the weighted content + style + TV loss of
an image against the targets a photo and paintings give (`jaxart.targets`). Pure and jittable;
the driver that minimizes it is `jaxart.transfer`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import color, guided, losses
from jaxart.arrays import as_pixels
from jaxart.config import StyleConfig
from jaxart.errors import given
from jaxart.layers import rgb_hint
# Re-exported: the objective's public names include what it is measured against (`objective.make_targets`,
# `objective.compute_targets`, `objective.Targets`).
from jaxart.targets import Targets, check_config, check_size, compute_targets, make_targets
from jaxart.vgg import Weights, compute_dtype, features

__all__ = ["LossWeights", "Targets", "compute_targets", "loss_config", "loss_function", "make_targets", "total_loss"]


class LossWeights(NamedTuple):
    """The loss weights as traced values, so one compiled loss serves (and vmaps over) many.

    Each a real scalar (`of` gives float32 ones; maybe traced): a weight with a batch axis is refused, so `jax.vmap`
    over a `LossWeights` of (N,) arrays. `total_loss` also takes a plain (content, style, tv) tuple or list, in this
    order."""

    content: jax.Array
    style: jax.Array
    tv: jax.Array

    @classmethod
    def of(cls, config: StyleConfig) -> "LossWeights":
        """`config`'s three weights as float32 scalars; one traced (`config.replace(style_weight=s)`
        under `jax.vmap`) stays traced (np.float32 of it is a TracerArrayConversionError)."""
        check_config(config)
        def weight(v):
            if isinstance(v, jax.core.Tracer):
                return jnp.asarray(v, jnp.float32)
            with np.errstate(over="ignore"):  # an overflow to inf is reported by name if it bites
                return jnp.asarray(np.float32(v))
        return cls(*(weight(getattr(config, f"{n}_weight")) for n in cls._fields))


def total_loss(
    weights: Weights, image: ArrayLike, targets: Targets, config: StyleConfig,
    lw: LossWeights | Sequence[ArrayLike], layer_weights: dict[str, ArrayLike] | None = None,
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Weighted content + style + TV loss of an image against `targets` (Gatys et al. 2015).

    Under `jax.jit`, pass `config` as static (`static_argnums=3`, or close over it): it is a
    dataclass of layer names and settings, not arrays; pass `loss_config(config)`, so that configs
    differing only in loss weights, steps or seed share one compiled loss. `weights`, `image`, `targets` and `lw`
    may all be traced, and `jax.vmap` can map over `image`, `lw` or `targets` (each image against its
    own photo's content, as in examples/feedforward.py).

    Args:
      weights: a `Weights`.
      image: (H, W, 3) float RGB in [0, 1]; as in `features`, values are not checked (0..255
        floats give a wrong loss, not an error: divide by 255).
      targets: from `make_targets` (or `targets.compute_targets`) with this `config`'s layers.
      config: the layers, their weights, pooling and convolutions; its `*_weight` fields are not
        read here, `lw` gives them. With `colors="luminance"` the loss is that of the image's
        luminance as grey (`color.start`): what `color.finish` writes, whatever chroma the pixels hold;
        the targets must then be of grey inputs, `color.prepare`'s (see `make_targets`).
      lw: the content, style and TV weights, each a scalar (maybe traced): `LossWeights.of(config)`,
        a (content, style, tv) tuple or list, or `LossWeights(*row)` of a (3,) array. No default:
        the config's weights are not read here (`loss_config` resets them).
      layer_weights: style layer -> weight, each a scalar (maybe traced), in place of the config's
        `layer_weights()`: a sweep gives each setting its own, under one compiled loss.

    Returns:
      (total, terms): the weighted scalar, and a dict of the unweighted "content", "style" and
      "tv" terms, all in `vgg.compute_dtype(weights)`: float32 for loaded weights, float64 for
      float64 weights (with `jax_enable_x64`), whatever the dtypes of `image`, `targets`, `lw` and
      `layer_weights`.

    Raises:
      ValueError: at trace time, for an image that is not one (H, W, 3) float array (a batch:
        `jax.vmap`) or not of the photo's size (`Targets.size`, where they hold content layers or masks), targets
        of other layers or shapes than `config`'s or made with weights of another architecture than `weights`
        (`Targets.arch`: VGG19's against VGG16), or a weight in `lw` that
        is not a scalar (to sweep weights, `jax.vmap` over them); an `InputError` (a ValueError) for
        a weight that is no real number (None, a string, a complex number), in `lw` or `layer_weights`.
      TypeError: `lw`, `layer_weights` or `targets` of another type, None included.
    """
    lw = _loss_weights(lw)
    check_config(config)
    _check_targets(targets, config, weights)
    image = as_pixels(image)
    if (hint := rgb_hint(image.shape, batch="jax.vmap it over a batch")) is not None:
        raise ValueError(f"total_loss takes one (H, W, 3) image, got shape {image.shape}; {hint}")
    check_size(targets, image.shape)
    dtype = compute_dtype(weights)
    image = image.astype(dtype)  # as features computes: float64 or bfloat16 pixels stay in step
    # The targets too, which other weights may have made: float64 ones would make a float32 loss float64 but its
    # TV term, and float32 ones against float64 weights are a TypePromotionError under strict promotion.
    targets = jax.tree.map(lambda a: jnp.asarray(a, dtype), targets)
    if config.colors == "luminance":  # the written image keeps only the luminance: optimizing chroma is wasted
        image = jnp.repeat(color.luminance(image)[..., None], 3, axis=-1)
    layers = tuple(dict.fromkeys(config.content_layers + config.style_layers))
    f = features(weights, image, layers, config.pooling, remat=config.remat, conv=config.conv)
    zero = jnp.zeros((), dtype)
    layer_weights = config.layer_weights() if layer_weights is None else layer_weights
    losses.check_layer_weights(layer_weights, config.style_layers, "total_loss's layer_weights", "the config's "
                               "style_layers name")
    # In the loss's dtype, as lw: float32 arrays (loss_function's, a run's or a sweep's) against a float64 loss,
    # under strict promotion (losses.style_loss casts its own, guided.style_loss does not).
    layer_weights = {k: v if isinstance(v, (int, float)) else jnp.asarray(v, dtype) for k, v in layer_weights.items()}
    terms = {
        "content": sum((losses.content_loss(f[k], t) for k, t in targets.content.items()), zero)
        / max(1, len(targets.content)),
        "style": _style_loss(f, targets, layer_weights) if targets.grams else zero,
        "tv": losses.tv_loss(image),
    }
    # In the loss's dtype: float32 LossWeights.of against a float64 loss, under strict promotion.
    lw = LossWeights(*(jnp.asarray(v, dtype) for v in lw))
    total = lw.content * terms["content"] + lw.style * terms["style"] + lw.tv * terms["tv"]
    return total, terms


def _loss_weights(lw) -> LossWeights:
    """`lw` as LossWeights, from a plain 3-tuple or list in (content, style, tv) order; anything
    else, None too (the config's weights are not read here), is a TypeError naming LossWeights,
    not an AttributeError on 'content'. Each weight must be a scalar: a batch of them would
    broadcast the total to a batch that `jax.grad` refuses without naming `lw`."""
    if not isinstance(lw, LossWeights):
        if not (isinstance(lw, (tuple, list)) and len(lw) == 3):
            unpack = hasattr(lw, "shape") and hasattr(lw, "dtype")
            got = given(lw) + ", so unpack it: jaxart.LossWeights(*lw)" * unpack
            raise TypeError(f"total_loss's lw must be a jaxart.LossWeights, e.g. jaxart.LossWeights.of(config), or a "
                            f"(content, style, tv) tuple, got {got}; the config's *_weight fields are not read here")
        lw = LossWeights(*lw)
    for name, v in zip(LossWeights._fields, lw):
        losses.check_weight(v, f"total_loss's {name} weight")
    return lw


def _check_targets(targets: Targets, config: StyleConfig, weights: Weights) -> None:
    """Refuse targets that are no `Targets` of `config`'s layers: other layers would be a KeyError or
    silently left out, and a dict or tuple fails on `.content`; and targets another architecture made (static, so
    at trace time), which VGG16's layers took from VGG19 where widths match: a loss of other features."""
    if not isinstance(targets, Targets):
        raise TypeError(f"targets must be a jaxart.Targets, from make_targets (or Targets(content, grams)), got "
                        f"{given(targets)}")
    if targets.arch is not None and targets.arch != getattr(weights, "arch", targets.arch):
        raise ValueError(f"targets were made with {targets.arch} weights, the loss's weights are {weights.arch}, "
                         "whose features differ; make the targets with these weights (make_targets)")
    for kind, held, named in (("content", targets.content, config.content_layers),
                              ("style", targets.grams, config.style_layers)):
        if set(held) != set(named):
            raise ValueError(f"targets hold {kind} layers {sorted(held)}, the config names {sorted(named)}; "
                             "make the targets with this config (make_targets)")


def loss_function(weights: Weights, targets: Targets, config: StyleConfig,
                  lw: LossWeights | Sequence[ArrayLike],
                  layer_weights: dict[str, ArrayLike] | None = None) -> jax.tree_util.Partial:
    """`image -> (total, terms)`, `total_loss` of one (H, W, 3) image in [0, 1] the shape of the photo the targets
    were made of, as a `jax.tree_util.Partial`: its arrays are pytree leaves, so
    jitted code that takes it as an argument gets weights and targets as inputs, not constants.
    Equal weights give one compiled step however they are given, and other weights (those of the style
    layers too) or another `style_blend` compile nothing again.

    Args:
      weights, targets, config: as `total_loss` takes them (`targets` from `make_targets` with this `config`).
      lw: the content, style and TV weights, as `total_loss` takes them (each a real scalar).
      layer_weights: style layer -> scalar weight; default `config.layer_weights()`, as float32 arrays.

    Returns:
      A function of an (H, W, 3) float image in [0, 1] (values unchecked, as `total_loss`'s) to `(total, terms)`:
      the weighted scalar and the unweighted "content", "style" and "tv" scalars, in `vgg.compute_dtype(weights)`;
      `optimize.minimize(loss_function(...), x0, ...)` minimizes it.
    """
    # Python floats are another pytree, of weakly typed leaves, than LossWeights.of's float32
    # arrays: jit would compile the step once more for the same weights.
    lw = LossWeights(*(jnp.asarray(v, jnp.float32) if isinstance(v, (int, float)) else v for v in _loss_weights(lw)))
    # The config's style layer weights as arrays, and its blend (the targets', not the loss's) reset:
    # as static settings, each value would compile a run's step and final loss again.
    if layer_weights is None:
        layer_weights = {k: jnp.asarray(v, jnp.float32) for k, v in config.layer_weights().items()}
    static = loss_config(config).replace(style_layer_weights=None, style_blend=None)
    return jax.tree_util.Partial(_LossOfImage(static), weights, targets, lw, layer_weights=layer_weights)


def loss_config(config: StyleConfig) -> StyleConfig:
    """`config` with the settings the loss never reads (`NOT_IN_LOSS`, or reads as the traced `lw`) reset, so
    runs that differ only in them share one compiled step and one compiled target computation."""
    check_config(config)
    reset = {f: getattr(_DEFAULTS, f) for f in NOT_IN_LOSS}
    if config.colors != "luminance":  # the loss sees only the luminance under it; every other mode, the image
        reset["colors"] = _DEFAULTS.colors
    return config.replace(**reset)


_DEFAULTS = StyleConfig()
# Every StyleConfig field is in exactly one of these (tests/test_config_fields.py fails on one in neither): one
# wrongly in NOT_IN_LOSS would make the loss read its default, one wrongly in IN_LOSS only compiles more.
# IN_LOSS: what the loss or its targets read ("colors": "luminance" only), and `size`, which they do not (the
# image's shape is theirs) but which gives each scale of a sweep its own step.
IN_LOSS = ("size", "content_layers", "style_layers", "style_layer_weights", "style_blend", "pooling", "remat", "conv",
           "colors")
NOT_IN_LOSS = ("steps", "seed", "init", "content_weight", "style_weight", "tv_weight", "optimizer",
               "linesearch", "lbfgs_memory", "margin", "learning_rate", "loop", "chunk", "scales", "start_size",
               "scale_steps", "mask", "region_colors", "keep_colors", "style_scale",
               "match_luminance")  # style_scale, match_luminance: the inputs'


@dataclasses.dataclass(frozen=True)
class _LossOfImage:
    # Not a closure: equal configs give equal (hashable) functions, so a later run with the same
    # settings and shapes reuses the compiled step instead of compiling it again.
    config: StyleConfig

    def __call__(self, weights, targets, lw, image, layer_weights):
        return total_loss(weights, image, targets, self.config, lw, layer_weights)


def _style_loss(f, targets: Targets, layer_weights: dict[str, ArrayLike]) -> jax.Array:
    if targets.masks is not None:  # one style per mask region: guided Grams
        for k, m in targets.masks.items():  # else guided_gram's shapes, in a style-only config with no content check
            if (hw := f[k].shape[-3:-1]) != m.shape[-2:]:
                raise ValueError(f"the image's {k} is {hw[1]}x{hw[0]}, its region masks' {m.shape[-1]}x{m.shape[-2]}; "
                                 "give an image of the photo's size, as make_targets was given with the masks")
        return guided.style_loss(f, targets.grams, targets.masks, layer_weights)
    return losses.style_loss(f, targets.grams, layer_weights)
