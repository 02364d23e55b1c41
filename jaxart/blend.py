"""Several paintings' Gram targets blended into one (Gatys et al. 2015, section 3: a mix of styles),
their Grams and weights checked first: each is named when it is no Gram, of other layers or shapes than
the first painting's, or when the weights are not one non-negative number per painting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxart.arrays import as_numbers, host_array
from jaxart.errors import InputError, given

GRAM = "a (C, C) float array, losses.gram of a feature map"  # what each Gram should be


def blend_grams(
    grams: Sequence[Mapping[str, ArrayLike]], blend: ArrayLike | Sequence[float] | None = None
) -> dict[str, jax.Array]:
    """Weighted average of several styles' Gram targets, the weights normalized to sum to 1.

    Args:
      grams: one dict per painting, layer name -> (C, C) Gram; the same layers and shapes in each.
      blend: one weight per painting (default: equal). Concrete weights must be >= 0 with a
        positive sum; an array may be traced (`jax.vmap` over blends), and is then not checked.

    Returns:
      Layer name -> (C, C) Gram, in the Grams' dtype.

    Raises:
      InputError: a Gram that holds no numbers (objects, strings, a ragged list), weights that are none.
      ValueError: a Gram that is not (..., C, C) floats, or of other layers or shapes than painting 1's; a
        blend of another count than the paintings, negative, or of no weight above 0.
    """
    if isinstance(grams, Mapping):  # one painting's dict failed with a KeyError on 0
        raise TypeError("blend_grams takes a list of dicts of Grams, one per painting; for one painting, [grams]")
    if not grams:
        raise ValueError("at least one style is needed; give blend_grams a list of one dict of Grams per painting")
    grams = _checked(grams)
    try:
        given = np.ones(len(grams)) if blend is None else host_array(blend, "style blend", "one weight per style")
    except jax.errors.TracerArrayConversionError:  # traced (a vmapped blend): shapes checked, values not
        given = jnp.asarray(blend)
    if np.shape(given) != (len(grams),):
        count = (f"{len(blend)} weight{'s' * (len(blend) != 1)}" if np.ndim(blend) == 1
                 else f"weights of shape {np.shape(blend)}")
        raise ValueError(f"style blend gives {count} for {len(grams)} style{'s' * (len(grams) != 1)}; "
                         "give one per style")
    if isinstance(given, np.ndarray):
        if given.dtype.kind not in "biuf" or not np.isfinite(given).all() or given.min() < 0 or given.sum() <= 0:
            raise ValueError(f"style blend {given.tolist()} must be non-negative weights summing above 0")
        given = given.astype(np.float64)
        shares = [float(b) for b in given / given.sum()]  # Python floats: weak, so any Gram dtype
    else:
        shares = list(given / given.sum())
    if len(grams) == 1 and isinstance(given, np.ndarray):  # 1 x G + 0 op by op compiled 2 programs a layer
        return dict(grams[0])
    return {k: sum(jnp.asarray(s, g[k].dtype) * g[k] for s, g in zip(shares, grams)) for k in grams[0]}


def _checked(grams: Sequence[Mapping[str, ArrayLike]]) -> list[dict[str, jax.Array]]:
    """Each painting's Grams as JAX arrays, each checked: JAX's own TypeError named neither painting nor
    layer for an array of objects or strings or a ragged list; Grams of other layers or shapes than the
    first painting's were a KeyError or a broadcasting error, and a Gram of no (C, C) shape passed."""
    out = []
    for i, g in enumerate(grams, 1):
        if not isinstance(g, Mapping):
            raise TypeError(f"painting {i}'s Grams are {given(g)}; give a dict of layer name -> Gram per "
                            "painting, as {name: losses.gram(f) for name, f in features(...).items()}")
        if out and set(g) != set(out[0]):
            raise ValueError(f"painting {i}'s Grams have layers {sorted(g)}, painting 1's {sorted(out[0])}; "
                             "compute every painting's Grams at the same layers")
        out.append({k: as_numbers(v, f"painting {i}'s {k} Gram", GRAM) for k, v in g.items()})
        for k, v in out[-1].items():
            if not jnp.issubdtype(v.dtype, jnp.floating):
                raise InputError(f"painting {i}'s {k} Gram is {v.dtype}; give {GRAM}")
            if v.ndim < 2 or v.shape[-1] != v.shape[-2]:
                raise ValueError(f"painting {i}'s {k} Gram has shape {v.shape}, not (C, C); give {GRAM}")
            if v.shape != out[0][k].shape:
                raise ValueError(f"painting {i}'s {k} Gram is {v.shape}, painting 1's {out[0][k].shape}; "
                                 "compute them with the same weights")
    return out
