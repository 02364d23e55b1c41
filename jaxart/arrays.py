"""What an array argument holds, checked before JAX sees it: numbers (not strings, objects or ragged lists),
float pixels (not 0..255 integers), and the dtype a computation widens to. Dtypes and shapes only, so the
checks hold under jit at no cost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from jaxart.errors import InputError, describe

if TYPE_CHECKING:
    import jax
    from jax.typing import ArrayLike, DTypeLike

IMAGE = "an (H, W, 3) float array in [0, 1]"  # what an image argument should be
# dtype kinds that hold no numbers: what they hold, and how a user may have come by them
NOT_NUMBERS = {"O": ("Python objects", "if they are numbers, x.astype(np.float32)"),
               "U": ("strings", "for an image file, jaxart.load_image(path)"),
               "S": ("bytes", "for an image file, jaxart.load_image(path)"),
               "M": ("dates", ""), "m": ("time spans", ""), "V": ("records", "")}


def check_pixels(dtype: DTypeLike, what: str = "image") -> None:
    """Raise an InputError (a ValueError) for integer or bool pixels: they are 0..255 (or 0..65535), which
    silently gives activations 255 times too large or, resized, a white image; floats pass. Arrays of
    strings, objects or dates are refused too, naming what they hold (`check_numbers`)."""
    import jax.numpy as jnp  # here, not above: the command line reads STAGES and POOLINGS without loading JAX

    check_numbers(dtype, what, IMAGE)
    if jnp.issubdtype(dtype, jnp.integer):
        raise InputError(f"{what} is {jnp.dtype(dtype)}; give floats in [0, 1] (divide by {_scale(dtype)})")
    if not jnp.issubdtype(dtype, jnp.floating):
        raise InputError(f"{what} is {jnp.dtype(dtype)}; give a float array with values in [0, 1]")


def at_least_float32(dtype: DTypeLike) -> np.dtype:
    """`dtype` if a float of 32 bits or more, else float32 (by width: strict promotion refuses float64 with float32)."""
    import jax.numpy as jnp

    return jnp.dtype(dtype if jnp.issubdtype(dtype, jnp.floating) and jnp.finfo(dtype).bits >= 32 else jnp.float32)


def _scale(dtype) -> str:
    """What to divide integer pixels of `dtype` by. Wider than 16 bits, the dtype does not tell: Python ints
    are 0..255 pixels in int64, and Pillow's mode "I" (a 16-bit PNG or TIFF's grey) 0..65535 in int32."""
    bits = np.dtype(dtype).itemsize * 8
    return {8: "255", 16: "65535"}.get(bits, "255 for 8-bit samples, 65535 for 16-bit ones")


def check_numbers(dtype: DTypeLike, what: str, want: str) -> None:
    """Raise an InputError naming `what` and `want` for a dtype of no numbers (strings, objects, dates,
    records), which `jnp.asarray` refused with a TypeError naming neither."""
    import jax.numpy as jnp

    dtype = np.dtype(dtype)
    if dtype.kind in NOT_NUMBERS and not jnp.issubdtype(dtype, jnp.number):  # bfloat16's kind is "V" too
        words, hint = NOT_NUMBERS[dtype.kind]
        hint = "" if dtype.kind in "US" and want != IMAGE else hint  # a file's name: an image's, or none to load
        raise InputError(f"{what} holds {words}, not numbers (dtype {dtype}); give {want}"
                         + (f" ({hint})" * bool(hint)))


def host_array(x: ArrayLike, what: str, want: str = IMAGE) -> np.ndarray:
    """`x` as a NumPy array (no copy of one); an InputError naming `what` and `want` if ragged, a dict or no numbers."""
    if isinstance(x, Mapping):  # features' dict of activations, given for one: it "held Python objects"
        raise InputError(f"{what} is a dict of {', '.join(map(repr, x))}, not an array; give {want}, one of its values")
    try:
        a = np.asarray(x)
    except ValueError as e:  # nested lists of different lengths
        raise InputError(f"{what} is no array ({describe(e)}); give {want}") from None
    check_numbers(a.dtype, what, want)
    return a


def as_numbers(x: ArrayLike, what: str, want: str = IMAGE) -> jax.Array:
    """`x` as a JAX array, checked as `host_array` checks it; a JAX array or tracer holds numbers already."""
    import jax
    import jax.numpy as jnp

    if not isinstance(x, jax.Array):
        try:
            host_array(x, what, want)
        except TypeError:  # a list of tracers, say: jnp.asarray takes it
            pass
    return jnp.asarray(x)


def as_pixels(x: ArrayLike, what: str = "image") -> jax.Array:
    """`x` as a JAX array of float pixels (`as_numbers`, `check_pixels`); shapes and dtypes only, so jittable."""
    given = x.dtype if isinstance(x, (np.ndarray, np.generic)) else None  # int64 was named as JAX's int32
    x = as_numbers(x, what)
    check_pixels(x.dtype if given is None else given, what)
    return x
