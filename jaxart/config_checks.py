"""Checks of `StyleConfig` settings (jaxart/config.py): numbers in range, choices, loss weights that leave a loss,
and each value of a dict `StyleConfig.from_dict` reads of its field's type.

Each but `typed` raises an InputError naming the setting at fault and what to give instead."""

from __future__ import annotations

from jaxart.duplicates import repeated
from jaxart.errors import InputError, as_typed, listed

# Weights multiply float32 losses: beyond this they overflow to inf before the first step.
MAX_WEIGHT = 1e30

# XLA counts steps and indexes pixels in int32: a count beyond it would wrap, not just take long.
INT32_MAX = 2**31 - 1

_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,)}


def weights(name, values):
    bad = [v for v in values if not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= MAX_WEIGHT)]
    if len(values) == 1 and bad:
        raise InputError(f"{name} must be a finite number >= 0 (at most 1e30), got {listed(values)}", settings=[name])
    if bad:  # "style-blend must be ..., got 1,-1" named no item: the list, and the first item at fault
        raise InputError(f"{name} {listed(values)}: {as_typed(bad[0])} is not a finite number >= 0 (at most 1e30)",
                         settings=[name])


def loss_weights(config):
    """Refuse loss weights that are negative or too large, a layer listed twice (its weight would be
    split, not doubled), and zeros that silently remove a term or make the run a no-op: all-zero style layer
    weights only where style-weight is above 0 (at 0 the style term is off, as asked, and they change nothing)."""
    for name in ("content_weight", "style_weight", "tv_weight"):
        weights(name.replace("_", "-"), (getattr(config, name),))
    if not (config.content_weight or config.style_weight or config.tv_weight):
        raise InputError("content-weight, style-weight and tv-weight are all 0, so nothing would change the "
                         "starting image; give style-weight above 0 (default 10)",
                         settings=["content_weight", "style_weight", "tv_weight"])
    for kind, layers in (("content", config.content_layers), ("style", config.style_layers)):
        if (twice := repeated(layers)) is not None:
            raise InputError(f"{kind}-layers lists {twice!r} twice ({', '.join(layers)}); list each layer once"
                             + " (style-layer-weights weights a layer more)" * (kind == "style"),
                             settings=[f"{kind}_layers", "style_layer_weights"])
    style_weights, layers = config.style_layer_weights, config.style_layers
    if style_weights is not None:
        if len(style_weights) != len(layers):
            raise InputError(f"style-layer-weights has {len(style_weights)} weight{'s' * (len(style_weights) != 1)} "
                             f"for {len(layers)} style layer{'s' * (len(layers) != 1)} ({', '.join(layers)}); give "
                             "one weight per style layer, in that order", settings=["style_layer_weights"])
        weights("style layer weights", style_weights)
        if style_weights and not any(style_weights) and config.style_weight:
            raise InputError("style layer weights are all 0, which leaves no style; give at least one style layer "
                             "a weight above 0 (or style-weight 0 for no style)",
                             settings=["style_layer_weights", "style_weight"])


def style_blend(config, paintings: int | None = None) -> None:
    """Refuse a style blend with a weight that is no number from 0 to 1e30, or none above 0 (no style); with the
    count of `paintings` known and no mask, one of another count, and one weight for one painting: the weights are
    normalized, so (0.5,) gave the very pixels of no blend, where it reads as "half the style". With a mask any blend
    is refused by region_styles (its paintings are the regions'): counted here, a sweep's one weight for two regions
    was told to give one weight per painting, which the mask then refused too."""
    blend = config.style_blend
    if blend is None:
        return
    weights("style blend", blend)
    if not blend or sum(blend) <= 0:
        raise InputError(f"style blend {listed(blend)} has no weight above 0, which leaves no style; give at least "
                         "one painting a weight above 0", settings=["style_blend"])
    if paintings is None or config.mask is not None:
        return
    if len(blend) != paintings:
        raise InputError(f"style blend gives {len(blend)} weight{'s' * (len(blend) != 1)} for {paintings} "
                         f"painting{'s' * (paintings != 1)}; give one weight per painting", settings=["style_blend"])
    if paintings == 1:
        raise InputError(f"style blend {as_typed(blend[0])} weighs the paintings into one style, and one painting is "
                         "given, so it changes nothing (the weights are normalized); for less of the painting, lower "
                         "style-weight, or give more paintings to blend", settings=["style_blend", "style_weight"])


def positive_ints(config, *names):
    for name in names:
        value = getattr(config, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= INT32_MAX:
            raise InputError(f"{name.replace('_', '-')} must be a positive integer up to {INT32_MAX}, got {value!r}",
                             settings=[name])


def choices(config, **allowed):
    for name, options in allowed.items():
        if getattr(config, name) not in options:
            raise InputError(f"{name} {getattr(config, name)!r} is not one of {', '.join(options)}",
                             settings=[name])


def typed(annotation: str, value) -> bool:
    """Whether `value` (as JSON gives it: a list for a tuple) fits a field annotated `annotation`,
    e.g. "int", "str | None", "tuple[float, ...] | None"."""
    kind, optional = annotation.removesuffix(" | None"), annotation.endswith(" | None")
    if value is None:
        return optional
    is_a = lambda v, types: isinstance(v, types) and (isinstance(v, bool) == (bool in types))  # noqa: E731
    if kind.startswith("tuple["):
        return isinstance(value, (list, tuple)) and all(is_a(v, _TYPES[kind[6:].split(",")[0]]) for v in value)
    return is_a(value, _TYPES[kind])
