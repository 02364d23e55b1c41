"""A loss's weights checked before it runs: each one real scalar (a Python number or a scalar array, maybe traced),
and one for each style layer. Shapes and dtypes only, so the checks hold under jit at no cost."""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart.arrays import host_array
from jaxart.errors import InputError, given


def check_layer_weights(layer_weights: Mapping[str, ArrayLike], names, what: str = "layer_weights",
                        source: str = "target_grams has") -> None:
    """Refuse `layer_weights` unless it maps each of `names`, and nothing else, to a real scalar (maybe traced),
    naming the weight: unchecked, a list fails with an AttributeError, a batch of weights silently gives a batch of
    losses, a string ("0.5") is read as its number, and a layer outside `names` is ignored."""
    if not isinstance(layer_weights, Mapping):
        raise TypeError(f"{what} is {given(layer_weights)}; give a dict from style layer to weight, "
                        f"such as {{{', '.join(f'{n!r}: 1.0' for n in list(names)[:2])}}}")
    if unweighted := [n for n in names if n not in layer_weights]:
        raise ValueError(f"{what} lack layer {unweighted[0]}, which {source}; give a weight for each")
    # A weight for a layer outside `names` (a content layer, a typo'd one) changed no loss, silently.
    if unused := [n for n in layer_weights if n not in names]:
        raise ValueError(f"{what} weigh layer {unused[0]}, which is not among the layers {source} "
                         f"({', '.join(map(str, names)) or 'none'}), so its weight would be ignored; give weights for "
                         "those layers only")
    for n in names:
        check_weight(layer_weights[n], f"{what}[{n!r}]")


def check_weight(weight: ArrayLike, what: str) -> None:
    """Refuse a loss weight that is not one real number (a Python number or a scalar array, maybe traced),
    naming `what`: a batch of weights (jax.vmap over them instead), None, a string or a complex number."""
    if weight is None:
        raise InputError(f"{what} is None; give a number")
    dtype = weight.dtype if isinstance(weight, jax.Array) else host_array(weight, what, "a number").dtype
    if np.ndim(weight) != 0:  # else a batch of losses, silently
        raise ValueError(f"{what} has shape {np.shape(weight)}; each weight is a scalar, so jax.vmap the loss over "
                         "a batch of weights")
    if not (jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.floating) or dtype == np.bool_):
        raise InputError(f"{what} is {dtype}; give a real number")
