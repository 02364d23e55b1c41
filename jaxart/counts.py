"""A count argument (steps, pixels, past steps) checked once, the same way everywhere: one whole number at least its
least, as an int. NumPy only, so modules that stay free of JAX at import can take it too."""

from __future__ import annotations

import operator

import numpy as np


def check_count(name: str, value, least: int, unit: str = "steps", *, none: str | None = None) -> int | None:
    """`value`, the count of `unit` `name`, as an int, or a ValueError unless a whole number >= `least`: a Python or
    NumPy integer, or a concrete JAX one; or None where `none` says what None means (`every`: "as chunk"). A JAX
    scalar's 3 was "got Array(3)"."""
    if none is not None and value is None:
        return None
    try:  # True is no count; 2.5, "5", None, an array of several and a traced one have no index
        n = None if np.dtype(getattr(value, "dtype", object)).kind == "b" else operator.index(value)
    except TypeError:
        n = None
    if isinstance(value, bool) or n is None or n < least:
        raise ValueError(f"{name} must be a whole number of {unit} >= {least}"
                         + (f", or None ({none})" if none is not None else "") + f", got {value!r}")
    return n
