"""The targets a photo and paintings give (Gatys et al. 2015): the photo's content activations
and the paintings' blended style Grams, what `jaxart.objective`'s loss measures an image against.
Pure and jittable; `compute_targets` is the same, one compiled program per image, for its memory."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart import guided, losses, optimize
from jaxart.arrays import as_numbers, check_pixels, host_array
from jaxart.config import StyleConfig
from jaxart.errors import InputError, given
from jaxart.layers import check_reach, layer_names, rgb_hint
from jaxart.vgg import Weights, features

ORDER = layer_names("vgg19")  # VGG16's names, and their order, are a subset of these
MASKS = "(R, H, W) region masks in [0, 1], one per painting"


class Arch(str):
    """The architecture of the weights that made a `Targets` ("vgg19"), held in its tree structure, not as a leaf:
    a jitted loss reads it at trace time, as it reads the weights' own `arch`."""


class Size(tuple):
    """The (H, W) of the photo that made a `Targets`, held in its tree structure as `Arch` is: a loss reads it at trace
    time, and jit, vmap and tree maps pass it on as they are."""


jax.tree_util.register_pytree_node(Arch, lambda a: ((), str(a)), lambda arch, _: Arch(arch))
jax.tree_util.register_pytree_node(Size, lambda s: ((), tuple(s)), lambda size, _: Size(size))


class Targets(NamedTuple):
    """What the output should match, from `make_targets`: `content` maps each content layer to its
    (h, w, C) activation, `grams` each style layer to its (C, C) Gram, (R, C, C) with region
    `masks` ((R, h, w) in [0, 1] per style layer; else None); `arch`, the weights' architecture that made them,
    and `size`, the photo's (H, W) (None for targets built by hand: not checked). A pytree: it passes through jit."""

    content: dict[str, jax.Array]
    grams: dict[str, jax.Array]  # (C, C) per layer; (R, C, C) with region masks
    masks: dict[str, jax.Array] | None = None  # (R, h, w) per style layer: spatial control (guided.py)
    # VGG16's layers are VGG19's first ones, of the same widths: its loss took VGG19's targets, a wrong loss silently.
    arch: Arch | None = None
    # A photo of another size can give the content layers the same shape (16 and 20 px: 2 at relu4_2), a wrong loss.
    size: Size | None = None


def check_config(config: StyleConfig) -> None:
    """Refuse anything but a StyleConfig: a dict of settings, or None, would be an AttributeError deep inside."""
    if not isinstance(config, StyleConfig):
        raise TypeError(f"config must be a jaxart.StyleConfig, got {given(config)}; for a dict of "
                        "settings, StyleConfig.from_dict(d)")


def as_paintings(styles: ArrayLike | Sequence[ArrayLike]) -> list:
    """`styles` as a list of paintings: one painting alone (an array that is no (N, h, w, 3) stack,
    or nested lists of numbers three deep) is a list of one; a list of arrays is several (np.ndim
    would fail on ones of different sizes). None is a TypeError saying so."""
    if styles is None:
        raise TypeError("the paintings are None; give one (h, w, 3) float array in [0, 1] or a list of them")
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
      config: its layers, pooling, convolutions and `style_blend` are read; its `colors` is not: give the
        photo and paintings `color.prepare(content, styles, config.colors)` returns, as `run` does. With
        "luminance", `total_loss` sees only the image's grey, so targets of the colour photo would
        leave even the photo itself a content loss above 0.
      masks: optional (R, H, W) region masks in [0, 1], R = len(styles).

    Returns:
      A `Targets`: `content` maps each content layer to its (h, w, C) activation; `grams` each
      style layer to the blended (C, C) Gram, or (R, C, C) with `masks`; `masks` maps each style
      layer to (R, h, w) masks at its resolution (None without `masks`). In
      `vgg.compute_dtype(weights)`. `arch` and `size`, the weights' architecture and the photo's (H, W), static.

    Raises:
      ValueError: at trace time, for a photo or painting that is not one (H, W, 3) float image
        (a batch: `jax.vmap`) or is too small for the deepest layer, `masks` of another shape,
        or a layer the weights' architecture lacks.
    """
    check_config(config)
    styles = as_paintings(styles)
    _check_inputs(content, styles, masks, config)
    grams = [_style_grams(weights, s, config) for s in styles] if config.style_layers else []
    return _targets(weights, content, _content_features(weights, content, config), grams, config, masks)


def compute_targets(
    weights: Weights, content: ArrayLike, styles: Sequence[ArrayLike], config: StyleConfig,
    masks: ArrayLike | None = None,
) -> Targets:
    """`make_targets`, one image per compiled program (compiled once per shape, layers and pooling,
    whatever the config's other settings), so that its peak memory is that of the largest image's
    VGG pass, not of all the images' at once.

    These programs run once per run, so they take XLA's own convolutions whatever `config.conv`
    says: Winograd's transforms made each compile 2-4 s longer at 256 px, more than they could
    save (BENCHMARKS.md, "What a run compiles"). The values agree to float32 rounding (about 1e-5
    relative)."""
    check_config(config)
    styles = as_paintings(styles)
    _check_inputs(content, styles, masks, config)
    # Only what the programs read is static: another style weight, step count or seed would compile them again.
    read = StyleConfig(content_layers=config.content_layers, style_layers=config.style_layers,
                       pooling=config.pooling, conv="direct")
    content_program, grams_program = _programs()
    grams = [grams_program(weights, s, read) for s in styles] if config.style_layers else []
    return _targets(weights, content, content_program(weights, content, read), grams, config, masks)


def _check_inputs(content: ArrayLike, styles: Sequence[ArrayLike], masks: ArrayLike | None,
                  config: StyleConfig) -> None:
    """Refuse, naming the argument: a batch of photos or paintings (it would give a batch of losses), masks
    of another count or shape than the paintings and the photo (matched silently or failing deep inside), or
    of objects, strings or a ragged list; and a photo or painting too small for its deepest layer, saying
    which of several paintings."""
    names = [f"painting {i} of {len(styles)}" if len(styles) > 1 else "the painting" for i in range(1, len(styles) + 1)]
    for what, image in (("the content", content), *zip(names, styles)):
        check_pixels(image.dtype if hasattr(image, "dtype") else host_array(image, what).dtype, what)
        if (hint := rgb_hint(np.shape(image), batch="jax.vmap over a batch instead")) is not None:
            raise ValueError(f"{what} must be one (H, W, 3) image, got shape {np.shape(image)}; {hint}")
    for layers, named in ((config.content_layers, [("the photo", content)]), (config.style_layers, zip(names, styles))):
        known = [n for n in layers if n in ORDER]  # an unknown name is for `features` to refuse
        for what, image in named if known else ():
            check_reach(np.shape(image)[:2], max(known, key=ORDER.index), what)
    if masks is None:
        return
    if jnp.issubdtype((m := as_numbers(masks, "masks", MASKS)).dtype, jnp.complexfloating):
        raise InputError(f"masks are {m.dtype}; give real {MASKS}")
    if m.shape != (len(styles), *np.shape(content)[:2]):
        raise ValueError(f"masks must be (R, H, W) = {(len(styles), *np.shape(content)[:2])}, one per painting "
                         f"at the content's height and width, got shape {m.shape}")


def _content_features(weights: Weights, content: ArrayLike, config: StyleConfig) -> dict[str, jax.Array]:
    if not config.content_layers:
        return {}
    return features(weights, content, config.content_layers, config.pooling, conv=config.conv)


def _style_grams(weights: Weights, style: ArrayLike, config: StyleConfig) -> dict[str, jax.Array]:
    f = features(weights, style, config.style_layers, config.pooling, conv=config.conv)
    return {k: losses.gram(v) for k, v in f.items()}


def check_size(targets: Targets, shape: tuple[int, ...]) -> None:
    """Refuse, at trace time, an image of `shape` (H, W, 3) that is not the size of the photo `targets` were made of,
    where they compare it position by position (content layers, region masks); their Grams alone fit any size."""
    if targets.size is None or not (targets.content or targets.masks is not None) or shape[:2] == tuple(targets.size):
        return
    (h, w), (ph, pw) = shape[:2], targets.size
    raise ValueError(f"the image is {w}x{h} px, the photo the targets were made of {pw}x{ph} px; give an image of "
                     "the photo's size, or make the targets of a photo of this size")


def _targets(weights, content_image, content: dict, grams: list[dict], config: StyleConfig, masks) -> Targets:
    made = Targets(content, {}, arch=Arch(weights.arch), size=Size(np.shape(content_image)[:2]))
    if masks is not None and config.style_layers:
        stacked = {k: jnp.stack([g[k] for g in grams]) for k in config.style_layers}
        return made._replace(grams=stacked, masks=guided.layer_masks(weights, masks, config.style_layers,
                                                                      config.pooling))
    return made._replace(grams=losses.blend_grams(grams, config.style_blend) if config.style_layers else {})


@functools.cache
def _programs() -> tuple[Callable, Callable]:
    # `compute_targets`' programs: the photo's content features and a painting's Grams. Made on
    # first use (the options need the backend), compiled once per shape for every run, with the
    # optimizer's options: on CPU the memory-optimized scheduler, without which they held a fifth
    # more at once (BENCHMARKS.md, "Memory of a whole run").
    options = optimize.compiler_options()
    return (jax.jit(_content_features, static_argnums=2, compiler_options=options),
            jax.jit(_style_grams, static_argnums=2, compiler_options=options))
